/**
 * Reads behind the oversight and read pages that computeStats does not give: the period and agency
 * scope of a request, the reconciliation list with the reason of each line, messages per day, and
 * the paginated searches of dossiers, messages and a simulated phone's conversation.
 */
import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import { forbidden, badRequest } from '../platform/errors.js';
import { addDays, daysBetween, fromLocal } from '../lib/calendar/zone.js';
import type { AgencyService } from '../reference/agency.service.js';
import { isTriggerOn } from '../messages/plan/notification.rules.js';
import type { NotificationRow } from '../messages/notification.repository.js';
import type { DossierRow } from '../dossiers/dossier.repository.js';
import { emptyStatsRow, type StatsRow } from './stats.service.js';
import type { WebUser } from '../web/web.types.js';
import type { ReconciliationWhy } from '../web/reports/i18n.js';

export const PRESETS = ['this_month', 'last_month', 'this_year'] as const;
export type Preset = (typeof PRESETS)[number];

export interface Period {
  from: string;
  to: string;
  preset: Preset | null;
}

/** Longest period a report covers, as the stats API allows. */
const MAX_PERIOD_DAYS = 366 * 3;

function lastDayOfMonth(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const next = month === 12 ? `${year + 1}-01-01` : `${date.slice(0, 5)}${String(month + 1).padStart(2, '0')}-01`;
  return addDays(next, -1);
}

/** The report period: a preset wins over dates; no input is this month so far (Asia/Ho_Chi_Minh). */
export function resolvePeriod(
  today: string,
  query: { from?: string | undefined; to?: string | undefined; preset?: Preset | undefined },
): Period {
  const monthStart = `${today.slice(0, 8)}01`;
  switch (query.preset) {
    case 'this_month':
      return { from: monthStart, to: today, preset: 'this_month' };
    case 'last_month': {
      const lastMonthEnd = addDays(monthStart, -1);
      return { from: `${lastMonthEnd.slice(0, 8)}01`, to: lastDayOfMonth(lastMonthEnd), preset: 'last_month' };
    }
    case 'this_year':
      return { from: `${today.slice(0, 4)}-01-01`, to: today, preset: 'this_year' };
    case undefined:
      break;
  }
  if (query.from === undefined && query.to === undefined) return { from: monthStart, to: today, preset: 'this_month' };
  const to = query.to ?? (query.from !== undefined && query.from > today ? query.from : today);
  const from = query.from ?? `${to.slice(0, 8)}01`;
  if (from > to) throw badRequest('BAD_PERIOD', 'from > to', { field: 'from' });
  if (daysBetween(from, to) > MAX_PERIOD_DAYS) throw badRequest('BAD_PERIOD', 'period too long', { field: 'to' });
  return { from, to, preset: null };
}

/** Instants [start, end) of a period of local dates. */
export function periodBounds(period: { from: string; to: string }): { start: number; end: number } {
  return { start: fromLocal(period.from, 0).getTime(), end: fromLocal(addDays(period.to, 1), 0).getTime() };
}

/** Whether the user sees every agency (oversight, admin) or only their own. */
export function seesAllAgencies(user: WebUser): boolean {
  return user.role === 'admin' || user.role === 'oversight';
}

/** The agency filter a page must apply: a user bound to an agency asking for another gets 403. */
export function scopeAgency(user: WebUser, requested: string | undefined | null): string | null {
  if (seesAllAgencies(user)) return requested || null;
  if (!user.agencyCode || (requested && requested !== user.agencyCode)) throw forbidden();
  return user.agencyCode;
}

const n = (value: unknown) => Number(value ?? 0);

/** The sum of computeStats rows; reach is recomputed from each row's reachable dossiers. */
export function sumRows(rows: readonly StatsRow[]): StatsRow {
  const total = emptyStatsRow('');
  let reachable = 0;
  const add = (into: Record<string, number>, from: Readonly<Record<string, number>>) => {
    for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
  };
  for (const row of rows) {
    total.dossiersReceived += row.dossiersReceived;
    total.dossiersResolved += row.dossiersResolved;
    total.resolvedOnTime += row.resolvedOnTime;
    total.resolvedLate += row.resolvedLate;
    total.supplementRequests += row.supplementRequests;
    add(total.messages, row.messages);
    add(total.messagesByKind, row.messagesByKind);
    add(total.failedByReason, row.failedByReason);
    total.lookups += row.lookups;
    total.lookupRevenueVnd += row.lookupRevenueVnd;
    total.costVnd += row.costVnd;
    add(total.reconciliation, row.reconciliation);
    reachable += Math.round((row.reach ?? 0) * row.dossiersReceived);
  }
  total.reach = total.dossiersReceived === 0 ? null : Math.round((reachable / total.dossiersReceived) * 10_000) / 10_000;
  return total;
}

export interface ReconciliationItem {
  receiptCode: string;
  agencyCode: string;
  procedureCode: string;
  procedureName: string;
  state: string;
  finishedAt: number;
  dueAt: number;
  onTime: boolean;
  why: ReconciliationWhy;
  /** The failure or cancellation reason code, or null. */
  reason: string | null;
  /** When a held message leaves (epoch ms), or null. */
  sendAfter: number | null;
}

const PHONE_WHYS: ReadonlySet<string> = new Set(['no_phone', 'invalid_phone', 'landline', 'foreign_phone']);

/** Why a resolved dossier has no delivered result message, from its latest result message (if any). */
export function reconciliationWhy(
  latest: Pick<NotificationRow, 'status' | 'failure_reason'> | null,
  context: { processingDays: number; notifySameDay: boolean; resultTriggerOn: boolean },
): ReconciliationWhy {
  if (latest === null) {
    if (!context.resultTriggerOn) return 'trigger_off';
    if (context.processingDays === 0 && !context.notifySameDay) return 'same_day';
    return 'not_created';
  }
  switch (latest.status) {
    case 'pending':
      return 'held';
    case 'sending':
      return 'sending';
    case 'sent':
      return 'sent_unconfirmed';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return latest.failure_reason !== null && PHONE_WHYS.has(latest.failure_reason)
        ? (latest.failure_reason as ReconciliationWhy)
        : 'failed';
    case 'delivered':
      // Not reached: delivered dossiers are excluded by the query.
      return 'not_created';
  }
}

/** Rows per `in (...)` list: below SQLite's limit on bound parameters. */
const IN_CHUNK = 500;

/** Dossiers that reached their result in the period and have no delivered result_ready message, newest first. */
export async function reconciliation(
  db: Db,
  agencies: AgencyService,
  query: { from: string; to: string; agencyCode: string | null },
): Promise<ReconciliationItem[]> {
  const { start, end } = periodBounds(query);
  let select = db.kysely
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
    .where('d.finished_at', '>=', start)
    .where('d.finished_at', '<', end)
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
  if (query.agencyCode) select = select.where('d.agency_code', '=', query.agencyCode);
  const dossiers = await select.execute();

  const latest = new Map<number, NotificationRow>();
  const ids = dossiers.map((d) => Number(d.id));
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const rows = await db.kysely
      .selectFrom('notifications')
      .selectAll()
      .where('kind', '=', 'result_ready')
      .where('dossier_id', 'in', ids.slice(i, i + IN_CHUNK))
      .orderBy('id')
      .execute();
    for (const row of rows) latest.set(Number(row.dossier_id), row);
  }

  const settings = new Map<string, { notifySameDay: boolean; resultTriggerOn: boolean }>();
  for (const code of new Set(dossiers.map((d) => d.agency_code))) {
    const agency = await agencies.get(code);
    settings.set(code, {
      notifySameDay: agency?.settings.notifySameDay ?? false,
      resultTriggerOn: agency ? isTriggerOn('result_ready', agency.settings) : true,
    });
  }

  return dossiers.map((d) => {
    const message = latest.get(Number(d.id)) ?? null;
    const agency = settings.get(d.agency_code) ?? { notifySameDay: false, resultTriggerOn: true };
    const why = reconciliationWhy(message, { processingDays: n(d.processing_days), ...agency });
    return {
      receiptCode: d.receipt_code,
      agencyCode: d.agency_code,
      procedureCode: d.procedure_code,
      procedureName: d.procedure_name,
      state: d.state,
      finishedAt: n(d.finished_at),
      dueAt: n(d.due_at),
      onTime: n(d.finished_at) <= n(d.due_at),
      why,
      reason: message?.failure_reason ?? null,
      sendAfter: why === 'held' && message ? n(message.send_after) : null,
    };
  });
}

export const OUTCOMES = ['delivered', 'sent', 'pending', 'failed', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface OutcomeBucket {
  /** 'YYYY-MM-DD' of the day, or 'YYYY-MM' of the month. */
  key: string;
  counts: Record<Outcome, number>;
}

const DAY_BUCKETS_UP_TO = 62;
const VN_OFFSET_MS = 7 * 3_600_000;

function outcomeOf(status: string): Outcome {
  if (status === 'sending') return 'pending';
  return (OUTCOMES as readonly string[]).includes(status) ? (status as Outcome) : 'pending';
}

/** Automatic messages created in the period (the ones computeStats counts), per local day — or per
 *  month when the period is longer than two months — and outcome; empty days are included. */
export async function messagesByDay(
  db: Db,
  query: { from: string; to: string; agencyCode: string | null },
): Promise<{ unit: 'day' | 'month'; buckets: OutcomeBucket[] }> {
  const { start, end } = periodBounds(query);
  let select = db.kysely
    .selectFrom('notifications as m')
    .innerJoin('dossiers as d', 'd.id', 'm.dossier_id')
    .select([sql<number>`(m.created_at + ${sql.lit(VN_OFFSET_MS)}) / ${sql.lit(86_400_000)}`.as('day'), 'm.status'])
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .where('m.created_at', '>=', start)
    .where('m.created_at', '<', end)
    .where('m.kind', '<>', 'lookup_reply')
    .groupBy([sql`(m.created_at + ${sql.lit(VN_OFFSET_MS)}) / ${sql.lit(86_400_000)}`, 'm.status']);
  if (query.agencyCode) select = select.where('d.agency_code', '=', query.agencyCode);
  const rows = await select.execute();

  const unit = daysBetween(query.from, query.to) + 1 > DAY_BUCKETS_UP_TO ? 'month' : 'day';
  const keyOf = (date: string) => (unit === 'day' ? date : date.slice(0, 7));
  const buckets = new Map<string, OutcomeBucket>();
  for (let date = query.from; date <= query.to; date = addDays(date, 1)) {
    const key = keyOf(date);
    if (!buckets.has(key)) buckets.set(key, { key, counts: { delivered: 0, sent: 0, pending: 0, failed: 0, cancelled: 0 } });
  }
  for (const row of rows) {
    const date = new Date(n(row.day) * 86_400_000).toISOString().slice(0, 10);
    const bucket = buckets.get(keyOf(date));
    if (bucket) bucket.counts[outcomeOf(row.status)] += n(row.total);
  }
  return { unit, buckets: [...buckets.values()] };
}

/** The same messages per kind and outcome (their totals are computeStats' `messages.created`). */
export async function messagesByKind(
  db: Db,
  query: { from: string; to: string; agencyCode: string | null },
): Promise<Map<string, Record<Outcome, number>>> {
  const { start, end } = periodBounds(query);
  let select = db.kysely
    .selectFrom('notifications as m')
    .innerJoin('dossiers as d', 'd.id', 'm.dossier_id')
    .select(['m.kind', 'm.status'])
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .where('m.created_at', '>=', start)
    .where('m.created_at', '<', end)
    .where('m.kind', '<>', 'lookup_reply')
    .groupBy(['m.kind', 'm.status']);
  if (query.agencyCode) select = select.where('d.agency_code', '=', query.agencyCode);
  const byKind = new Map<string, Record<Outcome, number>>();
  for (const row of await select.execute()) {
    let counts = byKind.get(row.kind);
    if (!counts) {
      counts = { delivered: 0, sent: 0, pending: 0, failed: 0, cancelled: 0 };
      byKind.set(row.kind, counts);
    }
    counts[outcomeOf(row.status)] += n(row.total);
  }
  return byKind;
}

/** LIKE pattern text: the wildcards a user types are dropped, as the API's search does. */
const likeText = (text: string) => text.replace(/[%_\\]/g, '');

export interface Page<T> {
  items: T[];
  page: number;
  hasNext: boolean;
}

/** Dossiers matching part of a receipt code, at least six digits of a phone number, or part of a name. */
export async function searchDossierPage(
  db: Db,
  query: { agencyCode: string | null; q: string; page: number; pageSize: number },
): Promise<Page<DossierRow>> {
  let select = db.kysely
    .selectFrom('dossiers')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(query.pageSize + 1)
    .offset((query.page - 1) * query.pageSize);
  if (query.agencyCode) select = select.where('agency_code', '=', query.agencyCode);
  const text = query.q.normalize('NFC').trim();
  if (text) {
    const digits = text.replace(/\D/g, '');
    const nameOp = db.dialect === 'postgres' ? 'ilike' : 'like';
    select = select.where((eb) =>
      eb.or([
        eb('receipt_key', 'like', `%${likeText(text.toUpperCase())}%`),
        ...(digits.length >= 6 ? [eb('phone_e164', 'like', `%${digits.replace(/^0/, '')}%`)] : []),
        eb('applicant_name', nameOp, `%${likeText(text)}%`),
      ]),
    );
  }
  const rows = await select.execute();
  return { items: rows.slice(0, query.pageSize), page: query.page, hasNext: rows.length > query.pageSize };
}

export interface MessageFilter {
  agencyCode: string | null;
  kind?: string | undefined;
  status?: string | undefined;
  channel?: 'sms' | 'email' | undefined;
  from?: string | undefined;
  to?: string | undefined;
  q?: string | undefined;
  page: number;
  pageSize: number;
}

export type MessageRow = NotificationRow & { receipt_code: string | null };

/** Messages newest first; `q` matches the recipient's number or address, or the dossier's receipt code. */
export async function searchMessagePage(db: Db, filter: MessageFilter): Promise<Page<MessageRow>> {
  let select = db.kysely
    .selectFrom('notifications as m')
    .leftJoin('dossiers as d', 'd.id', 'm.dossier_id')
    .selectAll('m')
    .select('d.receipt_code')
    .orderBy('m.id', 'desc')
    .limit(filter.pageSize + 1)
    .offset((filter.page - 1) * filter.pageSize);
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
  const rows = await select.execute();
  return { items: rows.slice(0, filter.pageSize), page: filter.page, hasNext: rows.length > filter.pageSize };
}

export interface ThreadEntry {
  id: number;
  text: string;
  receivedAt: number;
  reply: string | null;
  replyStatus: string | null;
}

/** The latest MOs of one sender (as the look-up service stores it) with their replies, oldest first. */
export async function conversation(db: Db, sender: string, limit = 30): Promise<ThreadEntry[]> {
  const rows = await db.kysely
    .selectFrom('inbound_messages as i')
    .leftJoin('notifications as m', 'm.id', 'i.reply_notification_id')
    .select(['i.id', 'i.text', 'i.received_at', 'i.reply', 'm.status'])
    .where('i.sender', '=', sender)
    .orderBy('i.id', 'desc')
    .limit(limit)
    .execute();
  return rows
    .reverse()
    .map((r) => ({ id: n(r.id), text: r.text, receivedAt: n(r.received_at), reply: r.reply, replyStatus: r.status ?? null }));
}

/** A receipt code to prefill the simulator with: the newest dossier the user can see, else any. */
export async function demoReceiptCode(db: Db, agencyCode: string | null): Promise<string | null> {
  const newest = (agency: string | null) => {
    let select = db.kysely.selectFrom('dossiers').select('receipt_code').orderBy('id', 'desc').limit(1);
    if (agency) select = select.where('agency_code', '=', agency);
    return select.executeTakeFirst();
  };
  const row = (await newest(agencyCode)) ?? (agencyCode ? await newest(null) : undefined);
  return row?.receipt_code ?? null;
}
