import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import { addDays, fromLocal } from '../lib/calendar/zone.js';

export type StatsGroupBy = 'agency' | 'procedure';

export interface StatsRow {
  agencyCode: string;
  procedureCode?: string;
  dossiersReceived: number;
  dossiersResolved: number;
  resolvedOnTime: number;
  resolvedLate: number;
  supplementRequests: number;
  messages: { created: number; sent: number; delivered: number; failed: number; cancelled: number; pending: number };
  messagesByKind: Record<string, number>;
  failedByReason: Record<string, number>;
  lookups: number;
  lookupRevenueVnd: number;
  costVnd: number;
  reach: number | null;
  reconciliation: { resolved: number; resultMessagesDelivered: number; resolvedWithoutDeliveredResult: number };
}

export function emptyStatsRow(agencyCode: string, procedureCode?: string): StatsRow {
  return {
    agencyCode,
    ...(procedureCode === undefined ? {} : { procedureCode }),
    dossiersReceived: 0,
    dossiersResolved: 0,
    resolvedOnTime: 0,
    resolvedLate: 0,
    supplementRequests: 0,
    messages: { created: 0, sent: 0, delivered: 0, failed: 0, cancelled: 0, pending: 0 },
    messagesByKind: {},
    failedByReason: {},
    lookups: 0,
    lookupRevenueVnd: 0,
    costVnd: 0,
    reach: null,
    reconciliation: { resolved: 0, resultMessagesDelivered: 0, resolvedWithoutDeliveredResult: 0 },
  };
}

const n = (value: unknown) => Number(value ?? 0);

/** Oversight figures for a period of local dates [from, to], per agency or per procedure. */
export async function computeStats(
  db: Db,
  query: { from: string; to: string; groupBy: StatsGroupBy; agencyCode: string | null },
): Promise<{
  from: string;
  to: string;
  groupBy: StatsGroupBy;
  rows: StatsRow[];
  lookupsUnattributed: { lookups: number; lookupRevenueVnd: number };
}> {
  const start = fromLocal(query.from, 0).getTime();
  const end = fromLocal(addDays(query.to, 1), 0).getTime();
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
  const k = db.kysely;
  const agencyFilter = query.agencyCode;

  let received = k
    .selectFrom('dossiers as d')
    .select(['d.agency_code', 'd.procedure_code'])
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>(sql`case when d.phone_problem is null then 1 else 0 end`).as('reachable'),
    ])
    .where('d.received_at', '>=', start)
    .where('d.received_at', '<', end)
    .groupBy(['d.agency_code', 'd.procedure_code']);
  if (agencyFilter) received = received.where('d.agency_code', '=', agencyFilter);
  const reachable = new Map<StatsRow, number>();
  for (const r of await received.execute()) {
    const row = rowFor(r.agency_code, r.procedure_code);
    row.dossiersReceived += n(r.total);
    reachable.set(row, (reachable.get(row) ?? 0) + n(r.reachable));
  }

  let resolved = k
    .selectFrom('dossiers as d')
    .select(['d.agency_code', 'd.procedure_code'])
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>(sql`case when d.finished_at <= d.due_at then 1 else 0 end`).as('on_time'),
      eb.fn
        .sum<number>(
          sql`case when exists (select 1 from notifications n where n.dossier_id = d.id and n.kind = 'result_ready' and n.status = 'delivered') then 1 else 0 end`,
        )
        .as('delivered'),
    ])
    .where(sql.ref('d.state'), 'in', ['result_ready', 'returned'])
    .where('d.finished_at', '>=', start)
    .where('d.finished_at', '<', end)
    .groupBy(['d.agency_code', 'd.procedure_code']);
  if (agencyFilter) resolved = resolved.where('d.agency_code', '=', agencyFilter);
  for (const r of await resolved.execute()) {
    const row = rowFor(r.agency_code, r.procedure_code);
    row.dossiersResolved += n(r.total);
    row.resolvedOnTime += n(r.on_time);
    row.resolvedLate += n(r.total) - n(r.on_time);
    row.reconciliation.resolved += n(r.total);
    row.reconciliation.resultMessagesDelivered += n(r.delivered);
    row.reconciliation.resolvedWithoutDeliveredResult += n(r.total) - n(r.delivered);
  }

  let supplements = k
    .selectFrom('dossier_events as e')
    .innerJoin('dossiers as d', 'd.id', 'e.dossier_id')
    .select(['d.agency_code', 'd.procedure_code'])
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .where('e.state_after', '=', 'awaiting_supplement')
    .where('e.type', '<>', 'due_changed')
    .where('e.at', '>=', start)
    .where('e.at', '<', end)
    .groupBy(['d.agency_code', 'd.procedure_code']);
  if (agencyFilter) supplements = supplements.where('d.agency_code', '=', agencyFilter);
  for (const r of await supplements.execute()) rowFor(r.agency_code, r.procedure_code).supplementRequests += n(r.total);

  let messages = k
    .selectFrom('notifications as m')
    .innerJoin('dossiers as d', 'd.id', 'm.dossier_id')
    .select(['d.agency_code', 'd.procedure_code', 'm.kind', 'm.status', 'm.failure_reason'])
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.sum<number>('m.cost_vnd').as('cost')])
    .where('m.created_at', '>=', start)
    .where('m.created_at', '<', end)
    .where('m.kind', '<>', 'lookup_reply')
    .groupBy(['d.agency_code', 'd.procedure_code', 'm.kind', 'm.status', 'm.failure_reason']);
  if (agencyFilter) messages = messages.where('d.agency_code', '=', agencyFilter);
  for (const r of await messages.execute()) {
    const row = rowFor(r.agency_code, r.procedure_code);
    const total = n(r.total);
    row.messages.created += total;
    row.messagesByKind[r.kind] = (row.messagesByKind[r.kind] ?? 0) + total;
    if (r.status === 'sent' || r.status === 'delivered') {
      row.messages.sent += total;
      row.costVnd += n(r.cost);
    }
    if (r.status === 'delivered') row.messages.delivered += total;
    if (r.status === 'failed') {
      row.messages.failed += total;
      const reason = r.failure_reason ?? 'unknown';
      row.failedByReason[reason] = (row.failedByReason[reason] ?? 0) + total;
    }
    if (r.status === 'cancelled') row.messages.cancelled += total;
    if (r.status === 'pending' || r.status === 'sending') row.messages.pending += total;
  }

  let lookups = k
    .selectFrom('inbound_messages as i')
    .leftJoin('dossiers as d', 'd.id', 'i.dossier_id')
    .select(['d.agency_code', 'd.procedure_code'])
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.sum<number>('i.fee_vnd').as('revenue')])
    .where('i.received_at', '>=', start)
    .where('i.received_at', '<', end)
    .groupBy(['d.agency_code', 'd.procedure_code']);
  if (agencyFilter) lookups = lookups.where('d.agency_code', '=', agencyFilter);
  const unattributed = { lookups: 0, lookupRevenueVnd: 0 };
  for (const r of await lookups.execute()) {
    if (r.agency_code === null || r.procedure_code === null) {
      unattributed.lookups += n(r.total);
      unattributed.lookupRevenueVnd += n(r.revenue);
      continue;
    }
    const row = rowFor(r.agency_code, r.procedure_code);
    row.lookups += n(r.total);
    row.lookupRevenueVnd += n(r.revenue);
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
    lookupsUnattributed: agencyFilter ? { lookups: 0, lookupRevenueVnd: 0 } : unattributed,
  };
}
