/**
 * The work queues a one-stop shop works from (the desk's menu): due today, due on the next working day
 * (exactly the dossiers the 17:30 apology batch selects), late, awaiting a supplement, and result
 * ready but not handed over. Business dates are Asia/Ho_Chi_Minh.
 */
import { sql, type RawBuilder } from 'kysely';
import type { DbHandle } from '../platform/db/database.js';
import { addDays, fromLocal, localDate } from '../lib/calendar/zone.js';
import type { CalendarService } from '../reference/calendar.service.js';
import { DEFAULT_SETTINGS } from '../reference/agency.settings.js';
import { lateOpenSql } from './dossier.deadline.js';
import type { DossierState } from './dossier.state-machine.js';

export const QUEUES = ['due_today', 'due_tomorrow', 'late', 'awaiting_supplement', 'result_ready'] as const;
export type QueueName = (typeof QUEUES)[number];

/** Open dossiers that still need work before their due date: not at the result step, not awaiting a supplement. */
export const DUE_SOON_STATES: readonly DossierState[] = ['received', 'in_progress'];

/** The business date the 17:30 apology batch run at `asOf` writes for: the next working day. */
export async function nextWorkingDueDate(calendars: CalendarService, asOf: number, via?: DbHandle): Promise<string> {
  const calendar = await calendars.calendar(DEFAULT_SETTINGS.officeHours, via);
  return calendar.nextWorkingDay(localDate(new Date(asOf)));
}

/**
 * The apology batch's selection rule, in one place: an open dossier (DUE_SOON_STATES) whose due time
 * falls on the business date `dueDate` (Asia/Ho_Chi_Minh). The batch and the desk's queues both use it.
 */
export function dueOnSql(dueDate: string): RawBuilder<boolean> {
  const from = fromLocal(dueDate, 0).getTime();
  const to = fromLocal(addDays(dueDate, 1), 0).getTime();
  const states = DUE_SOON_STATES.map((state) => sql.lit(state));
  const due = sql.ref('dossiers.due_at');
  return sql<boolean>`(${sql.ref('dossiers.state')} in (${sql.join(states)}) and ${due} >= ${from} and ${due} < ${to})`;
}

/** The dates the queues are computed for at `now`. */
export interface QueueDates {
  readonly now: number;
  readonly today: string;
  readonly tomorrow: string;
}

export async function queueDates(calendars: CalendarService, now: number): Promise<QueueDates> {
  return { now, today: localDate(new Date(now)), tomorrow: await nextWorkingDueDate(calendars, now) };
}

/** The condition on `dossiers` for one queue. */
export function queueSql(queue: QueueName, dates: QueueDates): RawBuilder<boolean> {
  switch (queue) {
    case 'due_today':
      return dueOnSql(dates.today);
    case 'due_tomorrow':
      return dueOnSql(dates.tomorrow);
    case 'late':
      return lateOpenSql('dossiers', dates.now);
    case 'awaiting_supplement':
      return sql<boolean>`(${sql.ref('dossiers.state')} = ${sql.lit('awaiting_supplement')})`;
    case 'result_ready':
      return sql<boolean>`(${sql.ref('dossiers.state')} = ${sql.lit('result_ready')})`;
  }
}
