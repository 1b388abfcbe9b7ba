/** The queries of the oversight and read pages that the figures (stats.repository) do not cover. */
import { sql } from 'kysely';
import { addDays, fromLocal } from '../lib/calendar/zone.js';
import type { DbHandle } from '../platform/db/database.js';
import type { NotificationRow } from '../messages/notification.repository.js';
import type { ReportWindow } from './period.js';

/** Dossiers that reached their result in the window and have no delivered result_ready message, newest first. */
export async function resolvedWithoutDeliveredResult(db: DbHandle, w: ReportWindow) {
  let query = db.kysely
    .selectFrom('dossiers as d')
    .innerJoin('procedures as p', 'p.code', 'd.procedure_code')
    .select([
      'd.id',
      'd.receipt_code',
      'd.agency_code',
      'd.procedure_code',
      'd.state',
      'd.finished_at',
      'd.due_at',
      'p.name as procedure_name',
      'p.processing_days',
    ])
    .where(sql.ref('d.state'), 'in', ['result_ready', 'returned'])
    .where('d.finished_at', '>=', w.start)
    .where('d.finished_at', '<', w.end)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('notifications as m')
            .select(sql.lit(1).as('one'))
            .whereRef('m.dossier_id', '=', 'd.id')
            .where('m.kind', '=', 'result_ready')
            .where('m.status', '=', 'delivered'),
        ),
      ),
    )
    .orderBy('d.finished_at', 'desc')
    .orderBy('d.id', 'desc');
  if (w.agencyCode) query = query.where('d.agency_code', '=', w.agencyCode);
  return query.execute();
}

/** Rows per `in (...)` list: below SQLite's limit on bound parameters. */
const IN_CHUNK = 500;

/** The result_ready messages of these dossiers, oldest first. */
export async function resultMessagesOf(db: DbHandle, dossierIds: readonly number[]): Promise<NotificationRow[]> {
  const messages: NotificationRow[] = [];
  for (let i = 0; i < dossierIds.length; i += IN_CHUNK) {
    const rows = await db.kysely
      .selectFrom('notifications')
      .selectAll()
      .where('kind', '=', 'result_ready')
      .where('dossier_id', 'in', dossierIds.slice(i, i + IN_CHUNK))
      .orderBy('id')
      .execute();
    messages.push(...rows);
  }
  return messages;
}

const VN_OFFSET_MS = 7 * 3_600_000;

/** Automatic messages created in the window (the ones the figures count) per status and local day, as days since the epoch. */
export async function messageCountsByDay(db: DbHandle, w: ReportWindow) {
  let query = db.kysely
    .selectFrom('notifications as m')
    .innerJoin('dossiers as d', 'd.id', 'm.dossier_id')
    .select([sql<number>`(m.created_at + ${sql.lit(VN_OFFSET_MS)}) / ${sql.lit(86_400_000)}`.as('day'), 'm.status'])
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .where('m.created_at', '>=', w.start)
    .where('m.created_at', '<', w.end)
    .where('m.kind', '<>', 'lookup_reply')
    .groupBy([sql`(m.created_at + ${sql.lit(VN_OFFSET_MS)}) / ${sql.lit(86_400_000)}`, 'm.status']);
  if (w.agencyCode) query = query.where('d.agency_code', '=', w.agencyCode);
  return query.execute();
}

/** The same messages per kind and status. */
export async function messageCountsByKind(db: DbHandle, w: ReportWindow) {
  let query = db.kysely
    .selectFrom('notifications as m')
    .innerJoin('dossiers as d', 'd.id', 'm.dossier_id')
    .select(['m.kind', 'm.status'])
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .where('m.created_at', '>=', w.start)
    .where('m.created_at', '<', w.end)
    .where('m.kind', '<>', 'lookup_reply')
    .groupBy(['m.kind', 'm.status']);
  if (w.agencyCode) query = query.where('d.agency_code', '=', w.agencyCode);
  return query.execute();
}

/** LIKE pattern text: the wildcards a user types are dropped, as the API's search does. */
const likeText = (text: string) => text.replace(/[%_\\]/g, '');

/** A page of a listing, from 1. */
export interface PageQuery {
  page: number;
  pageSize: number;
}

export interface MessageSearch extends PageQuery {
  agencyCode: string | null;
  kind?: string | undefined;
  status?: string | undefined;
  channel?: 'sms' | 'email' | 'zalo' | undefined;
  /** Local dates, inclusive. */
  from?: string | undefined;
  to?: string | undefined;
  q?: string | undefined;
}

/** The messages the log's filters match, with their dossier joined: shared by its page and its count. */
function filteredMessages(db: DbHandle, filter: Omit<MessageSearch, 'page' | 'pageSize'>) {
  let select = db.kysely.selectFrom('notifications as m').leftJoin('dossiers as d', 'd.id', 'm.dossier_id');
  if (filter.agencyCode) select = select.where('m.agency_code', '=', filter.agencyCode);
  if (filter.kind) select = select.where('m.kind', '=', filter.kind);
  if (filter.status) select = select.where('m.status', '=', filter.status as NotificationRow['status']);
  if (filter.channel) select = select.where('m.channel', '=', filter.channel);
  if (filter.from) select = select.where('m.created_at', '>=', fromLocal(filter.from, 0).getTime());
  if (filter.to) select = select.where('m.created_at', '<', fromLocal(addDays(filter.to, 1), 0).getTime());
  const text = filter.q?.normalize('NFC').trim();
  if (text) {
    const digits = text.replace(/\D/g, '');
    select = select.where((eb) =>
      eb.or([
        eb('d.receipt_key', 'like', `%${likeText(text.toUpperCase())}%`),
        ...(digits.length >= 6 ? [eb('m.to_address', 'like', `%${digits.replace(/^0/, '')}%`)] : []),
        ...(text.includes('@') ? [eb('m.to_address', '=', text)] : []),
      ]),
    );
  }
  return select;
}

/** One page of messages, newest first, with their dossier's receipt code; `q` matches the recipient's number or address, or the receipt code. */
export async function searchMessageRows(
  db: DbHandle,
  filter: MessageSearch,
): Promise<Array<NotificationRow & { receipt_code: string | null }>> {
  return filteredMessages(db, filter)
    .selectAll('m')
    .select('d.receipt_code')
    .orderBy('m.id', 'desc')
    .limit(filter.pageSize)
    .offset((filter.page - 1) * filter.pageSize)
    .execute();
}

/** How many messages the filters match across pages: one statement. */
export async function countMessageRows(db: DbHandle, filter: Omit<MessageSearch, 'page' | 'pageSize'>): Promise<number> {
  const row = await filteredMessages(db, filter)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
