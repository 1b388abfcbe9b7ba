/**
 * Migration numbers are handed out per piece of work, so a lower one may be merged after a higher one
 * (0010_system_settings after 0012_reply_address). A database that already ran the higher one must run
 * the lower one at its next start, not refuse to start ("corrupted migrations").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase } from '../../support/harness.js';
import { openDatabase } from '../../../src/platform/db/database.js';
import { parseDatabaseUrl } from '../../../src/platform/config/config.js';
import { migrateToLatest, migrateUpTo } from '../../../src/platform/db/migrate.js';

test('a database at 0012 without 0010 (as deployed before 0010 was merged) runs 0010 on its next start', async () => {
  const database = await createTestDatabase();
  const db = openDatabase(parseDatabaseUrl(database.url));
  try {
    await migrateUpTo(db, '0009_login_throttle');
    // The state of a deployment that ran main before 0010 existed: 0012 applied after 0009.
    await sql`alter table notifications add column to_ton integer`.execute(db.kysely);
    await sql`alter table notifications add column to_npi integer`.execute(db.kysely);
    await sql`insert into kysely_migration (name, timestamp) values ('0012_reply_address', ${new Date().toISOString()})`.execute(db.kysely);

    const applied = await migrateToLatest(db);
    assert.ok(applied.includes('0010_system_settings'), `applied: ${applied.join(', ')}`);
    await db.kysely.insertInto('system_settings').values({ key: 'k', value: '{}', updated_at: 1 }).execute();
    assert.deepEqual(await migrateToLatest(db), [], 'nothing left to run');
  } finally {
    await db.close();
    await database.drop();
  }
});
