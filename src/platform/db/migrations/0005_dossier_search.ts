import type { Kysely } from 'kysely';
import { searchFold } from '../../../lib/sms-text/fold.js';
import type { Dialect } from '../database.js';

const BATCH = 1000;

/** The applicant's name folded for search (no diacritics, lower case), the same on both databases:
 *  "nguyen van" finds "Nguyễn Văn". Filled for the dossiers that exist, in batches. */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('dossiers').addColumn('search_name', 'text').execute();
  let after = 0;
  for (;;) {
    const rows: Array<{ id: number | string; applicant_name: string }> = await db
      .selectFrom('dossiers')
      .select(['id', 'applicant_name'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      await db
        .updateTable('dossiers')
        .set({ search_name: searchFold(row.applicant_name) })
        .where('id', '=', row.id)
        .execute();
    }
    after = Number(rows[rows.length - 1]!.id);
  }
}
