/** Report periods: local dates (Asia/Ho_Chi_Minh), inclusive, and the presets people pick them by. */
import { addDays, daysBetween, fromLocal } from '../lib/calendar/zone.js';
import { badRequest } from '../platform/errors.js';

export const PRESETS = ['this_month', 'last_month', 'this_year'] as const;
export type Preset = (typeof PRESETS)[number];

export interface Period {
  from: string;
  to: string;
  preset: Preset | null;
}

/** The local dates a report covers, with the agency filter in force (null = every agency). */
export interface ReportScope {
  from: string;
  to: string;
  agencyCode: string | null;
}

/** Longest period a report covers, as the stats API allows. */
export const MAX_PERIOD_DAYS = 366 * 3;

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

/** A scope as the queries take it: instants [start, end) and the agency filter. */
export interface ReportWindow {
  start: number;
  end: number;
  agencyCode: string | null;
}

export function reportWindow(scope: ReportScope): ReportWindow {
  return { ...periodBounds(scope), agencyCode: scope.agencyCode };
}
