/**
 * The hot statements (src/platform/db/hot): the same rows as the query builder's statements on both
 * dialects, the claim conditions of the send queue, and the notification path's commit setting
 * (MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../support/harness.js';
import { migratedTestDatabase } from '../../support/database.js';
import { openDatabase, transaction, type Db } from '../../../src/platform/db/database.js';
import { ConfigError, loadConfig, parseDatabaseUrl } from '../../../src/platform/config/config.js';
import { migrateToLatest } from '../../../src/platform/db/migrate.js';
import { hot, type HotNewNotification } from '../../../src/platform/db/hot/index.js';
import { markFailed } from '../../../src/messages/send/queue.sql.js';
import type { NotificationRow } from '../../../src/messages/notification.repository.js';

const T = 1_767_000_000_000;

function notification(key: string, overrides: Partial<HotNewNotification> = {}): HotNewNotification {
  return {
    dossier_id: null,
    agency_code: null,
    kind: 'lookup_reply',
    channel: 'sms',
    dedupe_key: key,
    to_address: '456',
    to_ton: 1,
    to_npi: 1,
    carrier: null,
    sender: '8083',
    body: 'Ho so … "dang xu ly"',
    encoding: 'gsm7',
    segments: 1,
    cost_vnd: 300,
    status: 'pending',
    failure_reason: null,
    attempts: 0,
    provider: null,
    created_at: T,
    send_after: T,
    next_attempt_at: T,
    lease_until: null,
    sent_at: null,
    updated_at: T,
    ...overrides,
  };
}

describe('hot statements', () => {
  let database: TestDatabase;
  let db: Db;

  before(async () => {
    ({ database, db } = await migratedTestDatabase());
  });
  after(async () => {
    await db.close();
    await database.drop();
  });

  const byBuilder = (row: HotNewNotification) => db.kysely.insertInto('notifications').values(row).returningAll().executeTakeFirstOrThrow();
  const without = <R extends { id: number; dedupe_key: string }>({ id: _id, dedupe_key: _key, ...rest }: R) => rest;

  test('a notification inserted by the hot statement reads back exactly as one inserted by the query builder', async () => {
    const built = await byBuilder(notification('builder-1', { payload: '{"a":1}', fallback_of: null, last_error: 'x' }));
    const [hotRow] = await hot(db).insertNotifications(db, [
      notification('hot-1', { payload: '{"a":1}', fallback_of: null, last_error: 'x' }),
    ]);
    assert.ok(hotRow);
    assert.deepEqual(without(hotRow), without(built));
    assert.equal(typeof hotRow.id, 'number');
    assert.equal(typeof hotRow.created_at, 'number');
  });

  test('a group in one statement: rows back in order, a known or repeated dedupe key inserts nothing', async () => {
    const rows = await hot(db).insertNotifications(db, [
      notification('g-1'),
      notification('hot-1'),
      notification('g-2', { body: null, to_ton: null }),
      notification('g-1'),
    ]);
    assert.deepEqual(
      rows.map((r) => [r.dedupe_key, r.body, r.to_ton]),
      [
        ['g-1', 'Ho so … "dang xu ly"', 1],
        ['g-2', null, null],
      ],
    );
  });

  test('MOs: inserted once per (gateway, message id); dossiers and the sender guard read many keys in one statement', async () => {
    const mo = (id: string | null, sender: string, outcome: 'found' | 'not_found', code: string | null) => ({
      gateway: 'smpp:a',
      gateway_message_id: id,
      sender,
      sender_e164: null,
      short_code: '8083',
      text: 'MCKH X',
      outcome,
      parsed_code: code,
      dossier_id: null,
      fee_vnd: 1000,
      reply: null,
      reply_notification_id: null,
      received_at: T,
      created_at: T,
    });
    const first = await hot(db).insertInbound(db, [
      mo('m1', '+84981', 'found', 'A'),
      mo(null, '+84981', 'not_found', 'B'),
      mo('m1', '+84982', 'found', 'A'),
    ]);
    assert.deepEqual(first, [
      { gateway: 'smpp:a', gateway_message_id: 'm1' },
      { gateway: 'smpp:a', gateway_message_id: null },
    ]);
    assert.deepEqual(await hot(db).insertInbound(db, [mo('m1', '+84983', 'found', 'A')]), []);
    // Look-ups through the excluded gateways (the phone simulator, the web) do not count for the guard.
    await hot(db).insertInbound(db, [
      { ...mo('w1', '+84981', 'found', 'A'), gateway: 'web' },
      { ...mo('s1', '+84981', 'found', 'A'), gateway: 'simulator' },
    ]);
    const usage = await hot(db).senderUsage(db, ['+84981', '+84989'], T - 1, ['simulator', 'web']);
    assert.deepEqual(usage.map((u) => [u.sender, u.outcome, u.parsed_code, u.n]).sort(), [
      ['+84981', 'found', 'A', 1],
      ['+84981', 'not_found', 'B', 1],
    ]);
    assert.deepEqual(await hot(db).senderUsage(db, ['+84981'], T, ['simulator', 'web']), []);
    assert.deepEqual(await hot(db).dossiersByKeys(db, ['NONE-1', 'NONE-2']), []);
  });

  test('the send queue: claim, lease, give back (keeping the last error), retry, fail and sent only on the claim still held', async () => {
    await sql`update notifications set status = 'cancelled'`.execute(db.kysely);
    await hot(db).insertNotifications(db, [
      notification('q-1', { last_error: 'earlier' }),
      notification('q-2'),
      notification('q-3'),
      notification('q-4'),
    ]);
    const claimed = await hot(db).claimDue(db, 10, T + 1, T + 60_000);
    assert.deepEqual(
      claimed.map((r) => [r.dedupe_key, r.status, r.attempts, r.lease_until, r.next_attempt_at]).sort(),
      ['q-1', 'q-2', 'q-3', 'q-4'].map((k) => [k, 'sending', 1, T + 60_000, T + 60_000]),
    );
    const [q1, q2, q3, q4] = ['q-1', 'q-2', 'q-3', 'q-4'].map((k) => claimed.find((r) => r.dedupe_key === k)!);
    assert.equal(await hot(db).renewLease(db, q1!.id, 1, T + 2, T + 90_000), true);
    assert.equal(await hot(db).renewLease(db, q1!.id, 2, T + 2, T + 90_000), false);
    await hot(db).giveBack(db, q1!.id, 1, T + 3, T + 4, null);
    await hot(db).retryLater(db, q2!.id, 1, T + 3, T + 5_000, 'timeout');
    const [failed] = await markFailed(db, [{ row: q3 as NotificationRow, reason: 'invalid_phone', detail: 'bad' }], T + 3);
    assert.deepEqual(await markFailed(db, [{ row: q3 as NotificationRow, reason: 'again', detail: 'again' }], T + 3), []);
    const sent = await hot(db).markSent(
      db,
      [
        { id: q4!.id, attempts: 1, status: 'delivered', provider: 'p', providerMessageId: 'm-4' },
        { id: q2!.id, attempts: 1, status: 'sent', provider: 'p', providerMessageId: 'm-2' },
      ],
      T + 6,
    );
    assert.deepEqual(
      sent.map((r) => [r.dedupe_key, r.status, r.provider, r.provider_message_id, r.sent_at, r.delivered_at, r.lease_until]),
      [['q-4', 'delivered', 'p', 'm-4', T + 6, T + 6, null]],
    );
    assert.equal(failed?.status, 'failed');
    const rows = await db.kysely.selectFrom('notifications').selectAll().where('dedupe_key', 'like', 'q-%').orderBy('dedupe_key').execute();
    assert.deepEqual(
      rows.map((r) => [r.dedupe_key, r.status, r.attempts, r.next_attempt_at, r.lease_until, r.last_error, r.failure_reason]),
      [
        ['q-1', 'pending', 0, T + 4, null, 'earlier', null],
        ['q-2', 'pending', 1, T + 5_000, null, 'timeout', null],
        ['q-3', 'failed', 1, T + 60_000, null, 'bad', 'invalid_phone'],
        ['q-4', 'delivered', 1, T + 60_000, null, null, null],
      ],
    );
  });
});

describe('the notification path commit (MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS)', () => {
  test('on by default; "off" is read; anything else stops the start naming the variable', () => {
    const base = { DATABASE_URL: 'postgres://u@127.0.0.1/never-opened' };
    const pgConfig = (env: Record<string, string>) => {
      const database = loadConfig({ ...base, ...env }).database;
      assert.equal(database.dialect, 'postgres');
      return database.dialect === 'postgres' ? database.notificationSynchronousCommit : null;
    };
    assert.equal(pgConfig({}), 'on');
    assert.equal(pgConfig({ MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS: 'OFF' }), 'off');
    assert.throws(
      () => pgConfig({ MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS: 'local' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS/);
        return true;
      },
    );
  });

  test('"off" applies to notification-path transactions only, and they commit', async () => {
    const database = await createTestDatabase();
    const base = parseDatabaseUrl(database.url, 2);
    const db = openDatabase(base.dialect === 'postgres' ? { ...base, notificationSynchronousCommit: 'off' } : base);
    try {
      await migrateToLatest(db);
      const setting = async (notificationPath: boolean) =>
        transaction(
          db,
          async (tx) => {
            await hot(tx).insertNotifications(tx, [notification(`path-${notificationPath}`)]);
            if (tx.dialect !== 'postgres') return 'n/a';
            return (await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(tx.kysely)).rows[0]!.s;
          },
          { notificationPath },
        );
      assert.equal(await setting(true), db.dialect === 'postgres' ? 'off' : 'n/a');
      assert.equal(await setting(false), db.dialect === 'postgres' ? 'on' : 'n/a');
      const stored = await db.kysely.selectFrom('notifications').select('dedupe_key').orderBy('dedupe_key').execute();
      assert.deepEqual(
        stored.map((r) => r.dedupe_key),
        ['path-false', 'path-true'],
      );
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
