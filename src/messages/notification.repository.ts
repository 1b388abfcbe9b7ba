import type { Insertable, Selectable } from 'kysely';
import type { DbHandle } from '../platform/db/database.js';
import { hot } from '../platform/db/hot/index.js';
import type { NotificationTable } from '../platform/db/schema.js';

export type NotificationRow = Selectable<NotificationTable>;
export type NewNotification = Insertable<NotificationTable>;

/** Rows per INSERT: one JSON parameter each, kept to a size a statement handles comfortably. */
const INSERT_CHUNK = 500;

/** Inserts each row unless its dedupe key exists; returns the rows actually inserted (a hot statement:
 *  every look-up reply and every notification comes this way). */
export async function insertNotifications(db: DbHandle, rows: readonly NewNotification[]): Promise<NotificationRow[]> {
  if (rows.length <= INSERT_CHUNK) return rows.length === 0 ? [] : hot(db).insertNotifications(db, rows);
  const inserted: NotificationRow[] = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK)
    inserted.push(...(await hot(db).insertNotifications(db, rows.slice(i, i + INSERT_CHUNK))));
  return inserted;
}

/** Cancels the dossier's messages of these kinds that have not left yet (still inside their hold). */
export async function cancelPending(db: DbHandle, dossierId: number, kinds: readonly string[], now: number): Promise<number> {
  if (kinds.length === 0) return 0;
  const result = await db.kysely
    .updateTable('notifications')
    .set({ status: 'cancelled', failure_reason: 'state_changed', updated_at: now })
    .where('dossier_id', '=', dossierId)
    .where('kind', 'in', kinds)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Cancels these messages if they have not left yet; the number cancelled. */
export async function cancelPendingByIds(db: DbHandle, ids: readonly number[], reason: string, now: number): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.kysely
    .updateTable('notifications')
    .set({ status: 'cancelled', failure_reason: reason, updated_at: now })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The occurrence part of a dedupe key ("<code>|<kind>|e<seq>[|email]"): `e<seq>` for messages an event caused. */
export function occurrenceOf(dedupeKey: string): string {
  return dedupeKey.split('|')[2] ?? '';
}

export async function listNotificationsForDossier(db: DbHandle, dossierId: number): Promise<NotificationRow[]> {
  return db.kysely.selectFrom('notifications').selectAll().where('dossier_id', '=', dossierId).orderBy('id').execute();
}

export interface NotificationFilter {
  agencyCode: string | null;
  dossierId?: number | undefined;
  kind?: string | undefined;
  status?: string | undefined;
  limit: number;
  beforeId?: number | undefined;
}

export async function listNotifications(db: DbHandle, filter: NotificationFilter): Promise<NotificationRow[]> {
  let query = db.kysely.selectFrom('notifications').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.agencyCode) query = query.where('agency_code', '=', filter.agencyCode);
  if (filter.dossierId !== undefined) query = query.where('dossier_id', '=', filter.dossierId);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.status) query = query.where('status', '=', filter.status as NotificationRow['status']);
  if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
  return query.execute();
}

export async function findNotification(db: DbHandle, id: number): Promise<NotificationRow | undefined> {
  return db.kysely.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
}
