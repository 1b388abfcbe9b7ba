import type { DbHandle as Db } from '../platform/db/database.js';

export async function findSystemSetting(db: Db, key: string) {
  return db.kysely.selectFrom('system_settings').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function putSystemSetting(db: Db, row: { key: string; value: string; now: number }): Promise<void> {
  await db.kysely
    .insertInto('system_settings')
    .values({ key: row.key, value: row.value, updated_at: row.now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated_at: row.now }))
    .execute();
}

export async function deleteSystemSetting(db: Db, key: string): Promise<void> {
  await db.kysely.deleteFrom('system_settings').where('key', '=', key).execute();
}
