import type { DbHandle as Db } from '../platform/db/database.js';

export async function findAgency(db: Db, code: string) {
  return db.kysely.selectFrom('agencies').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function listAgencies(db: Db) {
  return db.kysely.selectFrom('agencies').selectAll().orderBy('code').execute();
}

export async function upsertAgency(db: Db, row: { code: string; name: string; settings: string; now: number }): Promise<void> {
  await db.kysely
    .insertInto('agencies')
    .values({ code: row.code, name: row.name, settings: row.settings, created_at: row.now, updated_at: row.now })
    .onConflict((oc) => oc.column('code').doUpdateSet({ name: row.name, settings: row.settings, updated_at: row.now }))
    .execute();
}
