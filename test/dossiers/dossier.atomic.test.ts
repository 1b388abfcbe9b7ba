/**
 * A desk action and an undo each commit in one transaction, or not at all. The fault is real: a
 * database trigger makes the last statement of the transaction fail (the outbox insert for an event,
 * the cancellation for an undo), and nothing the transaction wrote before it may remain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Principal } from '../../src/platform/principal.js';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

const ADMIN: Principal = { role: 'admin', agencyCode: null, tokenId: null };
const CODE = '000.00.15.H34-261123-0042';

async function failOn(h: Harness, table: 'notifications', operation: 'insert' | 'update'): Promise<void> {
  const db = h.ctx.db.kysely;
  if (h.ctx.db.dialect === 'sqlite') {
    await sql
      .raw(`create trigger injected_fault before ${operation} on ${table} begin select raise(abort, 'injected fault'); end`)
      .execute(db);
  } else {
    await sql
      .raw(
        `create or replace function injected_fault() returns trigger as $$ begin raise exception 'injected fault'; end $$ language plpgsql`,
      )
      .execute(db);
    await sql
      .raw(`create trigger injected_fault before ${operation} on ${table} for each row execute function injected_fault()`)
      .execute(db);
  }
}

async function heal(h: Harness, table: 'notifications'): Promise<void> {
  const on = h.ctx.db.dialect === 'postgres' ? ` on ${table}` : '';
  await sql.raw(`drop trigger if exists injected_fault${on}`).execute(h.ctx.db.kysely);
}

async function snapshot(h: Harness) {
  const db = h.ctx.db.kysely;
  const dossier = await db.selectFrom('dossiers').selectAll().where('receipt_key', '=', CODE.toUpperCase()).executeTakeFirstOrThrow();
  const events = await db.selectFrom('dossier_events').selectAll().where('dossier_id', '=', dossier.id).orderBy('seq').execute();
  const notifications = await db.selectFrom('notifications').selectAll().where('dossier_id', '=', dossier.id).orderBy('id').execute();
  return { dossier, events, notifications };
}

describe(`desk actions and undo are atomic (${TEST_DB})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await seedBasics(h, { holdSeconds: 120, quietHours: null });
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: CODE }) });
    assert.equal(res.statusCode, 201, res.body);
  });
  after(async () => h.close());

  test('a result whose message cannot be written leaves the dossier, its return method and its history untouched', async () => {
    const before = await snapshot(h);
    await failOn(h, 'notifications', 'insert');
    try {
      await assert.rejects(
        h.ctx.dossiers.applyEvent(
          ADMIN,
          CODE,
          { type: 'result_ready', eventId: 'desk-1-result_ready' },
          { expectedVersion: 0, returnMethod: 'postal' },
        ),
        /injected fault/,
      );
    } finally {
      await heal(h, 'notifications');
    }
    assert.deepEqual(await snapshot(h), before);
    assert.equal(before.dossier.return_method, 'counter');
  });

  test('the same action succeeds once the fault is gone: state, return method, event and held message together', async () => {
    const outcome = await h.ctx.dossiers.applyEvent(
      ADMIN,
      CODE,
      { type: 'result_ready', eventId: 'desk-1-result_ready' },
      { expectedVersion: 0, returnMethod: 'postal' },
    );
    assert.equal(outcome.dossier.state, 'result_ready');
    assert.equal(outcome.dossier.returnMethod, 'postal');
    assert.equal(outcome.notifications.length, 1);
    const after = await snapshot(h);
    assert.equal(after.dossier.event_count, 1);
    assert.equal(after.events.length, 1);
    assert.match(after.notifications[0]!.body ?? '', /buu chinh/);
  });

  test('a stale screen is refused and changes nothing', async () => {
    const before = await snapshot(h);
    await assert.rejects(h.ctx.dossiers.applyEvent(ADMIN, CODE, { type: 'returned' }, { expectedVersion: 0 }), { code: 'DOSSIER_CHANGED' });
    assert.deepEqual(await snapshot(h), before);
  });

  test('an undo whose cancellation fails leaves everything as it was', async () => {
    const before = await snapshot(h);
    await failOn(h, 'notifications', 'update');
    try {
      await assert.rejects(h.ctx.dossiers.undo(ADMIN, CODE, 1), /injected fault/);
    } finally {
      await heal(h, 'notifications');
    }
    assert.deepEqual(await snapshot(h), before);
  });

  test('the undo succeeds once the fault is gone: the dossier is back exactly, the history says "undo", the message is cancelled', async () => {
    const outcome = await h.ctx.dossiers.undo(ADMIN, CODE, 1);
    assert.equal(outcome.cancelled, 1);
    assert.equal(outcome.leftAnyway, 0);
    const after = await snapshot(h);
    assert.equal(after.dossier.state, 'received');
    assert.equal(after.dossier.return_method, 'counter');
    assert.equal(after.dossier.finished_at, null);
    assert.deepEqual(
      after.events.map((e) => [e.seq, e.type, e.state_after]),
      [
        [1, 'result_ready', 'result_ready'],
        [2, 'undo', 'received'],
      ],
    );
    assert.deepEqual(
      after.notifications.map((n) => [n.status, n.failure_reason]),
      [['cancelled', 'undone']],
    );
    await assert.rejects(h.ctx.dossiers.undo(ADMIN, CODE, 2), { code: 'UNDO_EXPIRED' });
  });
});
