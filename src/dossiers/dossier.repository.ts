import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbHandle } from '../platform/db/database.js';
import type { DossierEventTable, DossierTable } from '../platform/db/schema.js';

export type DossierRow = Selectable<DossierTable>;
export type DossierEventRow = Selectable<DossierEventTable>;

export function receiptKey(receiptCode: string): string {
  return receiptCode.trim().toUpperCase();
}

/** Inserts unless the receipt code exists; returns the new row, or null on a conflict. */
export async function insertDossierIfAbsent(db: DbHandle, row: Insertable<DossierTable>): Promise<DossierRow | null> {
  const inserted = await db.kysely
    .insertInto('dossiers')
    .values(row)
    .onConflict((oc) => oc.column('receipt_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  return inserted ?? null;
}

export async function findDossierByKey(db: DbHandle, key: string, options: { forUpdate?: boolean } = {}): Promise<DossierRow | undefined> {
  let query = db.kysely.selectFrom('dossiers').selectAll().where('receipt_key', '=', key);
  if (options.forUpdate && db.dialect === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function updateDossier(db: DbHandle, id: number, changes: Updateable<DossierTable>): Promise<void> {
  await db.kysely.updateTable('dossiers').set(changes).where('id', '=', id).execute();
}

export async function insertEvent(db: DbHandle, row: Insertable<DossierEventTable>): Promise<void> {
  await db.kysely.insertInto('dossier_events').values(row).execute();
}

export async function findEventById(db: DbHandle, dossierId: number, eventId: string) {
  return db.kysely
    .selectFrom('dossier_events')
    .select(['seq'])
    .where('dossier_id', '=', dossierId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
}

export async function listEvents(db: DbHandle, dossierId: number): Promise<DossierEventRow[]> {
  return db.kysely.selectFrom('dossier_events').selectAll().where('dossier_id', '=', dossierId).orderBy('seq').execute();
}

export interface DossierSearch {
  agencyCode: string | null;
  state?: string | undefined;
  query?: string | undefined;
  limit: number;
  beforeId?: number | undefined;
}

export async function searchDossiers(db: DbHandle, search: DossierSearch): Promise<DossierRow[]> {
  let query = db.kysely.selectFrom('dossiers').selectAll().orderBy('id', 'desc').limit(search.limit);
  if (search.agencyCode) query = query.where('agency_code', '=', search.agencyCode);
  if (search.state) query = query.where('state', '=', search.state);
  if (search.beforeId) query = query.where('id', '<', search.beforeId);
  if (search.query) {
    const text = search.query.trim();
    const digits = text.replace(/\D/g, '');
    query = query.where((eb) =>
      eb.or([
        eb('receipt_key', 'like', `%${text.toUpperCase().replace(/[%_]/g, '')}%`),
        ...(digits.length >= 6 ? [eb('phone_e164', 'like', `%${digits.replace(/^0/, '')}%`)] : []),
        eb('applicant_name', 'like', `%${text.replace(/[%_]/g, '')}%`),
      ]),
    );
  }
  return query.execute();
}
