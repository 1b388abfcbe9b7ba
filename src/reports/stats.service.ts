/** The oversight figures of a period: dossiers, messages, cost, look-ups and reach, per agency or procedure. */
import type { Db } from '../platform/db/database.js';
import { reportWindow, type ReportScope } from './period.js';
import { lookupCounts, messageCounts, receivedCounts, resolvedCounts, supplementCounts } from './stats.repository.js';

export type StatsGroupBy = 'agency' | 'procedure';

export interface StatsRow {
  agencyCode: string;
  procedureCode?: string;
  dossiersReceived: number;
  dossiersResolved: number;
  resolvedOnTime: number;
  resolvedLate: number;
  supplementRequests: number;
  /** `unknown`: sent, no receipt in time (also counted in `sent`). */
  messages: { created: number; sent: number; delivered: number; failed: number; cancelled: number; pending: number; unknown: number };
  messagesByKind: Record<string, number>;
  failedByReason: Record<string, number>;
  /** Look-ups by SMS to the short code (each pays the look-up fee). */
  lookups: number;
  lookupRevenueVnd: number;
  /** Look-ups on the web (/tra-cuu and GET /api/v1/lookup): free, counted apart. */
  webLookups: number;
  costVnd: number;
  reach: number | null;
  /** Messages and their cost per channel (sms, zalo, email). */
  byChannel: Record<string, ChannelFigures>;
  /** Zalo first, SMS as the fallback (issue 17). */
  zalo: ZaloFigures;
  /** resultMessagesUnknown: resolved dossiers whose result message ended `unknown` (no receipt in time). */
  reconciliation: {
    resolved: number;
    resultMessagesDelivered: number;
    resultMessagesUnknown: number;
    resolvedWithoutDeliveredResult: number;
  };
}

export interface ChannelFigures {
  created: number;
  sent: number;
  delivered: number;
  failed: number;
  costVnd: number;
}

export interface ZaloFigures {
  /** Delivered by Zalo. */
  deliveredByZalo: number;
  /** Zalo could not deliver: SMS sent instead (created), and of those delivered. */
  smsFallbacks: number;
  deliveredBySmsAfterFallback: number;
  /** Zalo deliveries that came after the SMS fallback had been created (the timeout case). */
  lateZaloDeliveries: number;
  /** What the Zalo messages sent would have cost by SMS, less what they cost: the money saved against all-SMS. */
  savedVnd: number;
}

export interface Stats {
  from: string;
  to: string;
  groupBy: StatsGroupBy;
  rows: StatsRow[];
  lookupsUnattributed: { lookups: number; lookupRevenueVnd: number; webLookups: number };
}

function emptyStatsRow(agencyCode: string, procedureCode?: string): StatsRow {
  return {
    agencyCode,
    ...(procedureCode === undefined ? {} : { procedureCode }),
    dossiersReceived: 0,
    dossiersResolved: 0,
    resolvedOnTime: 0,
    resolvedLate: 0,
    supplementRequests: 0,
    messages: { created: 0, sent: 0, delivered: 0, failed: 0, cancelled: 0, pending: 0, unknown: 0 },
    messagesByKind: {},
    failedByReason: {},
    lookups: 0,
    lookupRevenueVnd: 0,
    webLookups: 0,
    costVnd: 0,
    reach: null,
    byChannel: {},
    zalo: { deliveredByZalo: 0, smsFallbacks: 0, deliveredBySmsAfterFallback: 0, lateZaloDeliveries: 0, savedVnd: 0 },
    reconciliation: { resolved: 0, resultMessagesDelivered: 0, resultMessagesUnknown: 0, resolvedWithoutDeliveredResult: 0 },
  };
}

function addChannel(row: StatsRow, channel: string, from: Readonly<ChannelFigures>): void {
  const into = row.byChannel[channel] ?? { created: 0, sent: 0, delivered: 0, failed: 0, costVnd: 0 };
  row.byChannel[channel] = into;
  into.created += from.created;
  into.sent += from.sent;
  into.delivered += from.delivered;
  into.failed += from.failed;
  into.costVnd += from.costVnd;
}

/** The sum of stats rows; reach is recomputed from each row's reachable dossiers. */
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
    total.webLookups += row.webLookups;
    total.costVnd += row.costVnd;
    for (const [channel, figures] of Object.entries(row.byChannel)) addChannel(total, channel, figures);
    for (const key of Object.keys(total.zalo) as (keyof ZaloFigures)[]) total.zalo[key] += row.zalo[key];
    add(total.reconciliation, row.reconciliation);
    reachable += Math.round((row.reach ?? 0) * row.dossiersReceived);
  }
  total.reach = total.dossiersReceived === 0 ? null : Math.round((reachable / total.dossiersReceived) * 10_000) / 10_000;
  return total;
}

const n = (value: unknown) => Number(value ?? 0);

export class StatsService {
  constructor(private readonly db: Db) {}

  /** Oversight figures for a period of local dates [from, to], per agency or per procedure. */
  async compute(query: ReportScope & { groupBy: StatsGroupBy }): Promise<Stats> {
    const window = reportWindow(query);
    const byProcedure = query.groupBy === 'procedure';
    const rows = new Map<string, StatsRow>();
    const rowFor = (agencyCode: string, procedureCode: string) => {
      const key = byProcedure ? `${agencyCode}\u0000${procedureCode}` : agencyCode;
      let row = rows.get(key);
      if (!row) {
        row = emptyStatsRow(agencyCode, byProcedure ? procedureCode : undefined);
        rows.set(key, row);
      }
      return row;
    };

    const reachable = new Map<StatsRow, number>();
    for (const r of await receivedCounts(this.db, window)) {
      const row = rowFor(r.agency_code, r.procedure_code);
      row.dossiersReceived += n(r.total);
      reachable.set(row, (reachable.get(row) ?? 0) + n(r.reachable));
    }

    for (const r of await resolvedCounts(this.db, window)) {
      const row = rowFor(r.agency_code, r.procedure_code);
      row.dossiersResolved += n(r.total);
      row.resolvedOnTime += n(r.on_time);
      row.resolvedLate += n(r.total) - n(r.on_time);
      row.reconciliation.resolved += n(r.total);
      row.reconciliation.resultMessagesDelivered += n(r.delivered);
      row.reconciliation.resultMessagesUnknown += n(r.unknown);
      row.reconciliation.resolvedWithoutDeliveredResult += n(r.total) - n(r.delivered);
    }

    for (const r of await supplementCounts(this.db, window)) rowFor(r.agency_code, r.procedure_code).supplementRequests += n(r.total);

    for (const r of await messageCounts(this.db, window)) {
      const row = rowFor(r.agency_code, r.procedure_code);
      const total = n(r.total);
      row.messages.created += total;
      row.messagesByKind[r.kind] = (row.messagesByKind[r.kind] ?? 0) + total;
      if (r.status === 'unknown') row.messages.unknown += total;
      if (r.status === 'sent' || r.status === 'delivered' || r.status === 'unknown') {
        row.messages.sent += total;
        row.costVnd += n(r.cost);
      }
      if (r.status === 'delivered') row.messages.delivered += total;
      if (r.status === 'failed') {
        row.messages.failed += total;
        const reason = r.failure_reason ?? 'unknown';
        row.failedByReason[reason] = (row.failedByReason[reason] ?? 0) + total;
      }
      const sent = r.status === 'sent' || r.status === 'delivered';
      addChannel(row, r.channel, {
        created: total,
        sent: sent ? total : 0,
        delivered: r.status === 'delivered' ? total : 0,
        failed: r.status === 'failed' ? total : 0,
        costVnd: sent ? n(r.cost) : 0,
      });
      if (r.channel === 'zalo') {
        if (r.status === 'delivered') row.zalo.deliveredByZalo += total;
        if (sent) row.zalo.savedVnd += n(r.sms_cost) - n(r.cost);
        row.zalo.lateZaloDeliveries += n(r.late);
      }
      if (r.channel === 'sms' && n(r.fallbacks) > 0) {
        row.zalo.smsFallbacks += n(r.fallbacks);
        if (r.status === 'delivered') row.zalo.deliveredBySmsAfterFallback += n(r.fallbacks);
      }
      if (r.status === 'cancelled') row.messages.cancelled += total;
      if (r.status === 'pending' || r.status === 'sending') row.messages.pending += total;
    }

    const unattributed = { lookups: 0, lookupRevenueVnd: 0, webLookups: 0 };
    for (const r of await lookupCounts(this.db, window)) {
      const row = r.agency_code === null || r.procedure_code === null ? unattributed : rowFor(r.agency_code, r.procedure_code);
      row.lookups += n(r.total);
      row.lookupRevenueVnd += n(r.revenue);
      row.webLookups += n(r.web);
    }

    for (const [row, count] of reachable)
      row.reach = row.dossiersReceived === 0 ? null : Math.round((count / row.dossiersReceived) * 10_000) / 10_000;
    const sorted = [...rows.values()].sort(
      (a, b) => a.agencyCode.localeCompare(b.agencyCode) || (a.procedureCode ?? '').localeCompare(b.procedureCode ?? ''),
    );
    return {
      from: query.from,
      to: query.to,
      groupBy: query.groupBy,
      rows: sorted,
      lookupsUnattributed: query.agencyCode ? { lookups: 0, lookupRevenueVnd: 0, webLookups: 0 } : unattributed,
    };
  }
}
