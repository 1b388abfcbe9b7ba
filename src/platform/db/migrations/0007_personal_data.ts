import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** Columns that de-identification sets to null, so they may no longer be NOT NULL. */
const NULLABLE: Record<string, readonly string[]> = {
  dossiers: ['applicant_name'],
  notifications: ['body'],
  inbound_messages: ['sender', 'text'],
};

/**
 * Personal data (Law 91/2025/QH15): names, numbers, bodies and MO texts can be de-identified in place
 * (set to null), and each such row says when (`deidentified_at`). A dossier still open when its
 * applicant asked to be erased keeps `erase_requested_at` until it closes; the retention job then
 * de-identifies it at once.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    for (const [table, columns] of Object.entries(NULLABLE))
      for (const column of columns)
        await db.schema
          .alterTable(table)
          .alterColumn(column, (c) => c.dropNotNull())
          .execute();
  } else {
    await sql`pragma foreign_keys = off`.execute(db);
    try {
      for (const [table, columns] of Object.entries(NULLABLE)) await rebuildWithoutNotNull(db, table, columns);
      const { rows } = await sql<Record<string, unknown>>`pragma foreign_key_check`.execute(db);
      if (rows.length > 0) throw new Error(`0007_personal_data: ${rows.length} foreign key problems after the rebuild`);
    } finally {
      await sql`pragma foreign_keys = on`.execute(db);
    }
  }
  for (const table of Object.keys(NULLABLE)) await db.schema.alterTable(table).addColumn('deidentified_at', 'bigint').execute();
  await db.schema.alterTable('dossiers').addColumn('erase_requested_at', 'bigint').execute();
}

/**
 * SQLite cannot drop a NOT NULL constraint: the table is rebuilt from its own definition with the
 * constraint removed (sqlite.org/lang_altertable.html, "other kinds of table schema changes"), rows
 * copied, the old table dropped, the new one renamed and the indexes created again, in one transaction.
 * Foreign keys are off meanwhile (the caller), so other tables' references to it stay valid.
 */
async function rebuildWithoutNotNull(db: Kysely<any>, table: string, columns: readonly string[]): Promise<void> {
  const { rows } = await sql<{ type: string; name: string; sql: string | null }>`
    select type, name, sql from sqlite_master where tbl_name = ${table}`.execute(db);
  const create = rows.find((r) => r.type === 'table')?.sql;
  if (!create) throw new Error(`0007_personal_data: no table ${table}`);
  let rebuilt = create;
  for (const column of columns) {
    const pattern = new RegExp(`("${column}"\\s+text)\\s+not null`, 'i');
    if (!pattern.test(rebuilt)) throw new Error(`0007_personal_data: ${table}.${column} is not "text not null"`);
    rebuilt = rebuilt.replace(pattern, '$1');
  }
  const temporary = `${table}__0007`;
  rebuilt = rebuilt.replace(/^create table\s+("?)[^\s"(]+\1/i, `create table "${temporary}"`);
  const indexes = rows.filter((r) => r.type === 'index' && r.sql !== null).map((r) => r.sql!);
  await db.transaction().execute(async (tx) => {
    await sql.raw(rebuilt).execute(tx);
    await sql.raw(`insert into "${temporary}" select * from "${table}"`).execute(tx);
    await sql.raw(`drop table "${table}"`).execute(tx);
    await sql.raw(`alter table "${temporary}" rename to "${table}"`).execute(tx);
    for (const index of indexes) await sql.raw(index).execute(tx);
  });
}
