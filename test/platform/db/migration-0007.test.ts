/**
 * 0007_personal_data on a database that already holds data: SQLite rebuilds three tables to drop their
 * NOT NULL constraints; rows, indexes and foreign keys must come through unchanged.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../support/harness.js';
import { openDatabase, type Db } from '../../../src/platform/db/database.js';
import { parseDatabaseUrl } from '../../../src/platform/config/config.js';
import { migrateUpTo } from '../../../src/platform/db/migrate.js';

describe('migration 0007 on existing data', () => {
  let database: TestDatabase;
  let db: Db;

  before(async () => {
    database = await createTestDatabase();
    db = openDatabase(parseDatabaseUrl(database.url));
    await migrateUpTo(db, '0006_health_probe');
  });
  after(async () => {
    await db.close();
    await database.drop();
  });

  const indexes = async () => {
    if (db.dialect === 'postgres')
      return (
        await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = 'public' order by 1`.execute(db.kysely)
      ).rows.map((r) => r.name);
    return (await sql<{ name: string }>`select name from sqlite_master where type = 'index' order by 1`.execute(db.kysely)).rows.map(
      (r) => r.name,
    );
  };
  // biome-ignore lint/suspicious/noExplicitAny: the test writes the tables as they were before 0007
  const k = () => db.kysely as unknown as import('kysely').Kysely<any>;
  const all = async () => ({
    dossiers: await k().selectFrom('dossiers').selectAll().orderBy('id').execute(),
    notifications: await k().selectFrom('notifications').selectAll().orderBy('id').execute(),
    parts: await k().selectFrom('provider_message_parts').selectAll().execute(),
    inbound: await k().selectFrom('inbound_messages').selectAll().orderBy('id').execute(),
    events: await k().selectFrom('dossier_events').selectAll().orderBy('id').execute(),
  });

  test('rows, indexes and foreign keys come through; the columns take null', async () => {
    const t = 1_767_000_000_000;
    await k().insertInto('agencies').values({ code: 'STC', name: 'Sở Tài chính', settings: '{}', created_at: t, updated_at: t }).execute();
    await k()
      .insertInto('procedures')
      .values({
        code: 'P1',
        agency_code: 'STC',
        name: 'Thủ tục',
        processing_days: 3,
        day_kind: 'working',
        supplement_rule: 'restart',
        created_at: t,
        updated_at: t,
      })
      .execute();
    for (let i = 1; i <= 3; i++) {
      await k()
        .insertInto('dossiers')
        .values({
          receipt_code: `R-${i}`,
          receipt_key: `r-${i}`,
          agency_code: 'STC',
          procedure_code: 'P1',
          applicant_name: `Nguyễn Văn ${i}`,
          search_name: `nguyen van ${i}`,
          phone_input: '0912345678',
          phone_e164: '+84912345678',
          phone_carrier: 'vinaphone',
          return_method: 'counter',
          state: 'returned',
          step: 'Trả kết quả',
          received_at: t,
          due_at: t + 1,
          intake_hash: `h${i}`,
          created_at: t,
          updated_at: t,
        })
        .execute();
      await k()
        .insertInto('dossier_events')
        .values({ dossier_id: i, seq: 1, type: 'returned', at: t, state_after: 'returned', due_at_after: t + 1, created_at: t })
        .execute();
      await k()
        .insertInto('notifications')
        .values({
          dossier_id: i,
          agency_code: 'STC',
          kind: 'result_ready',
          channel: 'sms',
          dedupe_key: `R-${i}|result_ready|e1`,
          to_address: '+84912345678',
          carrier: 'vinaphone',
          sender: 'MotcuaSMS',
          body: `Ho so R-${i} da co ket qua`,
          encoding: 'gsm7',
          segments: 1,
          cost_vnd: 750,
          status: 'delivered',
          created_at: t,
          send_after: t,
          next_attempt_at: t,
          updated_at: t,
        })
        .execute();
      await k()
        .insertInto('provider_message_parts')
        .values({ provider: 'sandbox', message_id: `m${i}`, notification_id: i, part: 1, status: 'delivered', updated_at: t })
        .execute();
      await k()
        .insertInto('inbound_messages')
        .values({
          gateway: 'test',
          gateway_message_id: `g${i}`,
          sender: '+84912345678',
          sender_e164: '+84912345678',
          short_code: '8083',
          text: `MCKH R-${i}`,
          outcome: 'found',
          dossier_id: i,
          fee_vnd: 1000,
          received_at: t,
          created_at: t,
        })
        .execute();
    }
    const before = await all();
    const indexesBefore = await indexes();

    await migrateUpTo(db, '0007_personal_data');

    const afterRows = await all();
    const strip = <T extends Record<string, unknown>>(rows: T[]) => rows.map(({ deidentified_at, erase_requested_at, ...rest }) => rest);
    assert.deepEqual(strip(afterRows.dossiers), before.dossiers);
    assert.deepEqual(strip(afterRows.notifications), before.notifications);
    assert.deepEqual(strip(afterRows.inbound), before.inbound);
    assert.deepEqual(afterRows.parts, before.parts);
    assert.deepEqual(afterRows.events, before.events);
    for (const row of afterRows.dossiers) assert.deepEqual([row.deidentified_at, row.erase_requested_at], [null, null]);
    assert.deepEqual(await indexes(), indexesBefore);

    await k().updateTable('dossiers').set({ applicant_name: null }).where('id', '=', 1).execute();
    await k().updateTable('notifications').set({ body: null }).where('id', '=', 1).execute();
    await k().updateTable('inbound_messages').set({ sender: null, text: null }).where('id', '=', 1).execute();
    // still enforced: a message of a dossier that does not exist, a duplicate receipt key
    await assert.rejects(
      k()
        .insertInto('notifications')
        .values({ ...before.notifications[0], id: undefined, dossier_id: 999, dedupe_key: 'x' })
        .execute(),
    );
    await assert.rejects(
      k()
        .insertInto('dossiers')
        .values({ ...before.dossiers[1], id: undefined })
        .execute(),
    );
    // and the unique receipt key, indexes by name, are usable by the planner as before
    if (db.dialect === 'sqlite') {
      const { rows } = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db.kysely);
      assert.equal(rows[0]!.foreign_keys, 1, 'foreign keys are on again after the rebuild');
    }
  });
});
