/**
 * On time or late (Đúng hạn / Trễ hạn), decided here and nowhere else: the API, the SMS texts, the
 * look-up replies and /tra-cuu all ask this function. A dossier closed without a result (refused,
 * withdrawn, stopped) is neither: there is no deadline left to keep.
 */
import { sql, type RawBuilder } from 'kysely';
import { judgeOnTime } from '../lib/calendar/deadline.js';
import type { DossierState } from './dossier.state-machine.js';

export type StatusText = 'Đúng hạn' | 'Trễ hạn';

export interface DeadlineStatus {
  readonly onTime: boolean | null;
  readonly statusText: StatusText | null;
}

export const CLOSED_WITHOUT_RESULT: ReadonlySet<DossierState> = new Set(['refused', 'withdrawn', 'stopped']);

export function deadlineStatus(
  dossier: { state: string; due_at: number; paused_at: number | null; finished_at: number | null },
  now: number,
): DeadlineStatus {
  if (CLOSED_WITHOUT_RESULT.has(dossier.state as DossierState)) return { onTime: null, statusText: null };
  const onTime = judgeOnTime({
    dueAt: new Date(dossier.due_at),
    now: new Date(now),
    pausedAt: dossier.paused_at === null ? null : new Date(dossier.paused_at),
    finishedAt: dossier.finished_at === null ? null : new Date(dossier.finished_at),
  });
  return { onTime, statusText: onTime ? 'Đúng hạn' : 'Trễ hạn' };
}

/**
 * The same rule for counting in SQL (oversight figures over many dossiers): 1 when a dossier that
 * reached its result finished by its due date, else 0. Only for dossiers with `finished_at` set and a
 * result (result_ready, returned), where `judgeOnTime` compares exactly these two columns.
 */
export function onTimeCountSql(dossierAlias: string): RawBuilder<number> {
  const finished = sql.ref(`${dossierAlias}.finished_at`);
  const due = sql.ref(`${dossierAlias}.due_at`);
  return sql<number>`case when ${finished} <= ${due} then 1 else 0 end`;
}

/**
 * The same rule in SQL for listing open dossiers that are late now (a clerk's "Trễ hạn" queue): not
 * finished and not closed, judged at the moment `judgeOnTime` uses — when the clock stopped for a
 * supplement (`paused_at`), else `now` — and late iff that moment is after the due date.
 */
export function lateOpenSql(dossierAlias: string, now: number): RawBuilder<boolean> {
  const open = OPEN_STATES.map((state) => sql.lit(state));
  return sql<boolean>`(${sql.ref(`${dossierAlias}.state`)} in (${sql.join(open)}) and ${sql.ref(`${dossierAlias}.finished_at`)} is null and coalesce(${sql.ref(`${dossierAlias}.paused_at`)}, ${now}) > ${sql.ref(`${dossierAlias}.due_at`)})`;
}

/** Dossiers still being worked on: neither at the result nor closed without one. */
export const OPEN_STATES: readonly DossierState[] = ['received', 'in_progress', 'awaiting_supplement'];
