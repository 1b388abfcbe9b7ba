import type { Insertable, RawBuilder, Selectable, SelectQueryBuilder, Updateable } from 'kysely';
import type { DbHandle } from '../platform/db/database.js';
import { hot } from '../platform/db/hot/index.js';
import type { Database, DossierEventTable, DossierTable } from '../platform/db/schema.js';
import { searchFold } from '../lib/sms-text/fold.js';

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

/** Dossiers by receipt key, any number in one (hot) statement: the SMS look-up reads a group of MOs' at once. */
export function findDossiersByKeys(db: DbHandle, keys: readonly string[]): Promise<DossierRow[]> {
  return keys.length === 0 ? Promise.resolve([]) : hot(db).dossiersByKeys(db, [...new Set(keys)]);
}

/** The dossier and, when `eventId` is given, whether that event was applied to it already: one statement. */
export async function findDossierForEvent(
  db: DbHandle,
  key: string,
  eventId: string | undefined,
): Promise<{ dossier: DossierRow; eventSeen: boolean } | undefined> {
  if (eventId === undefined) {
    const dossier = await findDossierByKey(db, key);
    return dossier && { dossier, eventSeen: false };
  }
  const found = await db.kysely
    .selectFrom('dossiers')
    .selectAll('dossiers')
    .select((eb) =>
      eb
        .selectFrom('dossier_events')
        .select('seq')
        .whereRef('dossier_events.dossier_id', '=', 'dossiers.id')
        .where('dossier_events.event_id', '=', eventId)
        .as('seen_seq'),
    )
    .where('receipt_key', '=', key)
    .executeTakeFirst();
  if (!found) return undefined;
  const { seen_seq, ...dossier } = found;
  return { dossier, eventSeen: seen_seq !== null };
}

/** Updates the dossier and returns it as stored; with `atVersion`, only while its event count is that
 *  (undefined when it moved on). */
export async function updateDossier(
  db: DbHandle,
  id: number,
  changes: Updateable<DossierTable>,
  atVersion?: number,
): Promise<DossierRow | undefined> {
  let query = db.kysely.updateTable('dossiers').set(changes).where('id', '=', id);
  if (atVersion !== undefined) query = query.where('event_count', '=', atVersion);
  return query.returningAll().executeTakeFirst();
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

export async function findEvent(db: DbHandle, dossierId: number, seq: number): Promise<DossierEventRow | undefined> {
  return db.kysely.selectFrom('dossier_events').selectAll().where('dossier_id', '=', dossierId).where('seq', '=', seq).executeTakeFirst();
}

export async function listEvents(db: DbHandle, dossierId: number): Promise<DossierEventRow[]> {
  return db.kysely.selectFrom('dossier_events').selectAll().where('dossier_id', '=', dossierId).orderBy('seq').execute();
}

export async function countCreatedSince(db: DbHandle, agencyCode: string, since: number): Promise<number> {
  const row = await db.kysely
    .selectFrom('dossiers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('agency_code', '=', agencyCode)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return row.n;
}

export interface DossierSearch {
  agencyCode: string | null;
  state?: string | undefined;
  query?: string | undefined;
  /** A further condition on `dossiers` (a work queue, dossier.queues.ts). */
  where?: RawBuilder<boolean> | undefined;
  limit: number;
  offset?: number | undefined;
  beforeId?: number | undefined;
}

/** LIKE pattern text: the wildcards a person types are dropped. */
const likeText = (text: string) => text.replace(/[%_\\]/g, '');

/** A search without its paging: what `countDossiers` counts. */
export type DossierCount = Omit<DossierSearch, 'limit' | 'offset' | 'beforeId'>;

/** The filters shared by the search and its count: agency, state, queue condition and the typed text. */
function filtered<O>(
  query: SelectQueryBuilder<Database, 'dossiers', O>,
  search: DossierCount,
): SelectQueryBuilder<Database, 'dossiers', O> {
  if (search.agencyCode) query = query.where('agency_code', '=', search.agencyCode);
  if (search.state) query = query.where('state', '=', search.state);
  if (search.where) query = query.where(search.where);
  const text = search.query?.normalize('NFC').trim();
  if (text) {
    const digits = text.replace(/\D/g, '');
    const name = likeText(searchFold(text));
    query = query.where((eb) =>
      eb.or([
        eb('receipt_key', 'like', `%${likeText(text.toUpperCase())}%`),
        ...(digits.length >= 6 ? [eb('phone_e164', 'like', `%${digits.replace(/^0/, '')}%`)] : []),
        ...(name ? [eb('search_name', 'like', `%${name}%`)] : []),
      ]),
    );
  }
  return query;
}

/**
 * Newest first. `query` matches part of a receipt code, six or more digits of a phone number, or
 * part of the applicant's name compared folded (`search_name`: no diacritics, lower case), the same
 * on SQLite and PostgreSQL.
 */
export async function searchDossiers(db: DbHandle, search: DossierSearch): Promise<DossierRow[]> {
  let query = filtered(db.kysely.selectFrom('dossiers').selectAll(), search).orderBy('id', 'desc').limit(search.limit);
  if (search.offset) query = query.offset(search.offset);
  if (search.beforeId) query = query.where('id', '<', search.beforeId);
  return query.execute();
}

/** How many dossiers `searchDossiers` would find without paging: one statement. */
export async function countDossiers(db: DbHandle, search: DossierCount): Promise<number> {
  const row = await filtered(
    db.kysely.selectFrom('dossiers').select((eb) => eb.fn.countAll<number | string>().as('n')),
    search,
  ).executeTakeFirstOrThrow();
  return Number(row.n);
}
