/**
 * Reads behind the oversight and read pages that the figures (StatsService) do not give: the
 * reconciliation list with the reason of each line, messages per day and per kind, the paginated
 * message log and a dossier's messages.
 */
import type { Db } from '../platform/db/database.js';
import { addDays, daysBetween } from '../lib/calendar/zone.js';
import type { AgencyService } from '../reference/agency.service.js';
import { findDossierByKey, receiptKey } from '../dossiers/dossier.repository.js';
import { deadlineStatus } from '../dossiers/dossier.deadline.js';
import { listNotificationsForDossier, type NotificationRow } from '../messages/notification.repository.js';
import { isTriggerOn } from '../messages/plan/notification.rules.js';
import { reportWindow, type ReportScope } from './period.js';
import {
  type MessageSearch,
  countMessageRows,
  messageCountsByDay,
  messageCountsByKind,
  resolvedWithoutDeliveredResult,
  resultMessagesOf,
  searchMessageRows,
} from './report.repository.js';

/** A message as stored, for the pages that show every detail of it. */
export type StoredMessage = NotificationRow;
export type MessageRow = StoredMessage & { receipt_code: string | null };

/** One page of a list, from 1, with how many rows the list has across pages. */
export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

/** Why a resolved dossier has no delivered result message. */
export const RECONCILIATION_WHYS = [
  'no_phone',
  'invalid_phone',
  'landline',
  'foreign_phone',
  'failed',
  'held',
  'sending',
  'sent_unconfirmed',
  'no_receipt',
  'cancelled',
  'same_day',
  'trigger_off',
  'not_created',
] as const;
export type ReconciliationWhy = (typeof RECONCILIATION_WHYS)[number];

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
  /** Someone has to act on this line (needsAction). */
  needsAction: boolean;
}

/** Reasons that leave the citizen uninformed unless someone acts: no usable number, a failed or
 *  cancelled message, none created, or sent with no word from the carrier ever since. */
const ACTION_WHYS: ReadonlySet<ReconciliationWhy> = new Set<ReconciliationWhy>([
  'no_phone',
  'invalid_phone',
  'landline',
  'foreign_phone',
  'failed',
  'cancelled',
  'not_created',
  'no_receipt',
]);

/**
 * The one rule for "needs action" on the reconciliation list: the result is still waiting to be
 * handed over (state result_ready) and the citizen was not told for a reason someone can fix (call,
 * resend). A message still on its way (held, sending, sent awaiting its receipt), one left out by the
 * agency's own rules (same day, trigger off) and a dossier already handed over need nothing.
 */
export function needsAction(item: Pick<ReconciliationItem, 'state' | 'why'>): boolean {
  return item.state === 'result_ready' && ACTION_WHYS.has(item.why);
}

export interface ReconciliationQuery {
  /** Only the lines with this reason. */
  why?: ReconciliationWhy | undefined;
  page: number;
  pageSize: number;
}

export interface ReconciliationPage extends Page<ReconciliationItem> {
  /** Lines in the period whatever the reason filter, and how many of them need action. */
  all: number;
  needingAction: number;
  /** Lines per reason in the period, for the reason filter. */
  byWhy: Partial<Record<ReconciliationWhy, number>>;
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
    case 'unknown':
      return 'no_receipt';
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

export const OUTCOMES = ['delivered', 'sent', 'pending', 'failed', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface OutcomeBucket {
  /** 'YYYY-MM-DD' of the day, or 'YYYY-MM' of the month. */
  key: string;
  counts: Record<Outcome, number>;
}

const DAY_BUCKETS_UP_TO = 62;

function outcomeOf(status: string): Outcome {
  if (status === 'sending') return 'pending';
  // `unknown` was sent; no receipt came to say more.
  if (status === 'unknown') return 'sent';
  return (OUTCOMES as readonly string[]).includes(status) ? (status as Outcome) : 'pending';
}

const noOutcomes = (): Record<Outcome, number> => ({ delivered: 0, sent: 0, pending: 0, failed: 0, cancelled: 0 });

const n = (value: unknown) => Number(value ?? 0);

export class ReportService {
  constructor(
    private readonly db: Db,
    private readonly agencies: AgencyService,
  ) {}

  /** Dossiers that reached their result in the period and have no delivered result_ready message: those that
   *  need action first (needsAction), then the others, each newest first. */
  async reconciliation(scope: ReportScope): Promise<ReconciliationItem[]> {
    const dossiers = await resolvedWithoutDeliveredResult(this.db, reportWindow(scope));
    const latest = new Map<number, NotificationRow>();
    const messages = await resultMessagesOf(
      this.db,
      dossiers.map((d) => d.id),
    );
    // Oldest first, so each dossier keeps its latest.
    for (const row of messages) latest.set(Number(row.dossier_id), row);

    const settings = new Map<string, { notifySameDay: boolean; resultTriggerOn: boolean }>();
    for (const code of new Set(dossiers.map((d) => d.agency_code))) {
      const agency = await this.agencies.get(code);
      settings.set(code, {
        notifySameDay: agency?.settings.notifySameDay ?? false,
        resultTriggerOn: agency ? isTriggerOn('result_ready', agency.settings) : true,
      });
    }

    const items = dossiers.map((d): ReconciliationItem => {
      const message = latest.get(d.id) ?? null;
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
        // Only dossiers with a result are here, so the rule always answers true or false.
        onTime:
          deadlineStatus({ state: d.state, due_at: n(d.due_at), paused_at: null, finished_at: n(d.finished_at) }, n(d.finished_at))
            .onTime === true,
        why,
        reason: message?.failure_reason ?? null,
        sendAfter: why === 'held' && message ? n(message.send_after) : null,
        needsAction: needsAction({ state: d.state, why }),
      };
    });
    // A stable sort keeps the query's newest-first order within each group.
    return items.sort((a, b) => Number(b.needsAction) - Number(a.needsAction));
  }

  /** One page of the reconciliation list, optionally of one reason, with the counts its filter shows. */
  async reconciliationPage(scope: ReportScope, query: ReconciliationQuery): Promise<ReconciliationPage> {
    const all = await this.reconciliation(scope);
    const byWhy: Partial<Record<ReconciliationWhy, number>> = {};
    for (const item of all) byWhy[item.why] = (byWhy[item.why] ?? 0) + 1;
    const matching = query.why ? all.filter((item) => item.why === query.why) : all;
    const start = (query.page - 1) * query.pageSize;
    return {
      items: matching.slice(start, start + query.pageSize),
      page: query.page,
      pageSize: query.pageSize,
      total: matching.length,
      all: all.length,
      needingAction: all.filter((item) => item.needsAction).length,
      byWhy,
    };
  }

  /** Automatic messages created in the period (the ones the figures count), per local day — or per
   *  month when the period is longer than two months — and outcome; empty days are included. */
  async messagesByDay(scope: ReportScope): Promise<{ unit: 'day' | 'month'; buckets: OutcomeBucket[] }> {
    const rows = await messageCountsByDay(this.db, reportWindow(scope));
    const unit = daysBetween(scope.from, scope.to) + 1 > DAY_BUCKETS_UP_TO ? 'month' : 'day';
    const keyOf = (date: string) => (unit === 'day' ? date : date.slice(0, 7));
    const buckets = new Map<string, OutcomeBucket>();
    for (let date = scope.from; date <= scope.to; date = addDays(date, 1)) {
      const key = keyOf(date);
      if (!buckets.has(key)) buckets.set(key, { key, counts: noOutcomes() });
    }
    for (const row of rows) {
      const date = new Date(n(row.day) * 86_400_000).toISOString().slice(0, 10);
      const bucket = buckets.get(keyOf(date));
      if (bucket) bucket.counts[outcomeOf(row.status)] += n(row.total);
    }
    return { unit, buckets: [...buckets.values()] };
  }

  /** The same messages per kind and outcome (their totals are the figures' `messages.created`). */
  async messagesByKind(scope: ReportScope): Promise<Map<string, Record<Outcome, number>>> {
    const byKind = new Map<string, Record<Outcome, number>>();
    for (const row of await messageCountsByKind(this.db, reportWindow(scope))) {
      let counts = byKind.get(row.kind);
      if (!counts) {
        counts = noOutcomes();
        byKind.set(row.kind, counts);
      }
      counts[outcomeOf(row.status)] += n(row.total);
    }
    return byKind;
  }

  /** Messages newest first; `q` matches the recipient's number or address, or the dossier's receipt code. */
  async searchMessages(filter: MessageSearch): Promise<Page<MessageRow>> {
    const { page, pageSize, ...where } = filter;
    const [items, total] = await Promise.all([searchMessageRows(this.db, filter), countMessageRows(this.db, where)]);
    return { items, page, pageSize, total };
  }

  /** Every message of a dossier, oldest first (a dossier's access is checked by DossierService.get). */
  async messagesOfDossier(receiptCode: string): Promise<StoredMessage[]> {
    const row = await findDossierByKey(this.db, receiptKey(receiptCode));
    return row ? listNotificationsForDossier(this.db, row.id) : [];
  }
}
