/** What /giam-sat shows and the query string that keeps its choices (period, grouping, agency, columns, reason, page). */
import type { Period } from '../../reports/period.js';
import type { Outcome, OutcomeBucket, ReconciliationPage, ReconciliationWhy } from '../../reports/report.service.js';
import type { StatsGroupBy, StatsRow } from '../../reports/stats.service.js';
import type { View } from './ui.js';

/** The figures table's columns after its first (the agency or procedure), in their order. */
export const FIGURE_COLUMNS = [
  'received',
  'resolved',
  'onTime',
  'late',
  'supplements',
  'created',
  'delivered',
  'failed',
  'cost',
  'reach',
  'lookups',
  'lookupRevenue',
  'withoutResult',
] as const;
export type FigureColumn = (typeof FIGURE_COLUMNS)[number];

/** Shown until someone chooses: what an oversight official reads first, the cost among them. */
export const DEFAULT_COLUMNS: readonly FigureColumn[] = ['received', 'resolved', 'late', 'failed', 'cost', 'reach', 'withoutResult'];

/** Reconciliation lines per page. */
export const RECONCILIATION_PAGE_SIZE = 50;

export interface DashboardModel {
  view: View;
  period: Period;
  groupBy: StatsGroupBy;
  /** The agency filter in force (null = every agency). */
  agencyCode: string | null;
  /** Agencies the user may pick from; empty when the user is bound to one. */
  agencyOptions: ReadonlyArray<{ code: string; name: string }>;
  agencyNames: ReadonlyMap<string, string>;
  procedureNames: ReadonlyMap<string, string>;
  rows: readonly StatsRow[];
  agencyRows: readonly StatsRow[];
  lookupsUnattributed: { lookups: number; lookupRevenueVnd: number };
  byDay: { unit: 'day' | 'month'; buckets: readonly OutcomeBucket[] };
  byKind: ReadonlyMap<string, Record<Outcome, number>>;
  /** The figures table's columns, in table order; `columnsChosen` when they came from the query string. */
  columns: readonly FigureColumn[];
  columnsChosen: boolean;
  /** The reconciliation list's reason filter (null = every reason) and its page. */
  reason: ReconciliationWhy | null;
  reconciliation: ReconciliationPage;
}

/** The columns asked for, in table order, or the default ones when none were. */
export function chosenColumns(asked: readonly string[] | undefined): { columns: FigureColumn[]; chosen: boolean } {
  const picked = FIGURE_COLUMNS.filter((column) => asked?.includes(column));
  return picked.length > 0 ? { columns: picked, chosen: true } : { columns: [...DEFAULT_COLUMNS], chosen: false };
}

type QueryModel = Pick<DashboardModel, 'period' | 'groupBy' | 'agencyCode'> &
  Partial<Pick<DashboardModel, 'columns' | 'columnsChosen' | 'reason'>>;

/** The dashboard's query string for the current choices, with some replaced (null drops one). */
export function dashboardQuery(model: QueryModel, changes: Record<string, string | null> = {}): string {
  const values: Record<string, string | null> = {
    ...(model.period.preset
      ? { preset: model.period.preset, from: null, to: null }
      : { preset: null, from: model.period.from, to: model.period.to }),
    groupBy: model.groupBy === 'agency' ? null : model.groupBy,
    agency: model.agencyCode,
    reason: model.reason ?? null,
    ...changes,
  };
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== null && value !== '') search.set(key, value);
  // The column choice is kept as one `cols` per column, as the chooser's checkboxes send it.
  if (model.columnsChosen && model.columns && !('cols' in changes)) for (const column of model.columns) search.append('cols', column);
  const text = search.toString();
  return text ? `?${text}` : '';
}
