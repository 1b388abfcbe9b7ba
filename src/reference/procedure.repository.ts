import type { DbHandle as Db } from '../platform/db/database.js';
import type { ProcedureTable } from '../platform/db/schema.js';

export async function findProcedure(db: Db, code: string) {
  return db.kysely.selectFrom('procedures').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function listProcedures(db: Db, agencyCode: string | null) {
  let query = db.kysely.selectFrom('procedures').selectAll().orderBy('code');
  if (agencyCode) query = query.where('agency_code', '=', agencyCode);
  return query.execute();
}

export async function upsertProcedure(db: Db, row: Omit<ProcedureTable, 'created_at' | 'updated_at'> & { now: number }): Promise<void> {
  const { now, ...fields } = row;
  await db.kysely
    .insertInto('procedures')
    .values({ ...fields, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.column('code').doUpdateSet({
        agency_code: fields.agency_code,
        name: fields.name,
        processing_days: fields.processing_days,
        day_kind: fields.day_kind,
        supplement_rule: fields.supplement_rule,
        updated_at: now,
      }),
    )
    .execute();
}
