/**
 * The dossier clock: how a supplement request (Chờ bổ sung) moves the due date, and whether a
 * dossier is on time (Đúng hạn) or late (Trễ hạn).
 */
import type { DayKind, WorkingCalendar } from './working-calendar.js';

/** pause: time awaiting the supplement does not count; restart: the full processing time starts again on resumption. */
export type SupplementRule = 'pause' | 'restart';

export interface SupplementResumption {
  dueAt: Date;
  pausedAt: Date;
  resumedAt: Date;
  rule: SupplementRule;
  processingDays: number;
  dayKind: DayKind;
}

/** The new due date once the complete supplement has arrived at `resumedAt`. */
export function resumeAfterSupplement(cal: WorkingCalendar, p: SupplementResumption): Date {
  if (p.rule === 'restart') return cal.dueDate(p.resumedAt, p.processingDays, p.dayKind);
  if (p.dayKind === 'calendar') {
    const pausedMs = Math.max(0, p.resumedAt.getTime() - p.pausedAt.getTime());
    return pausedMs === 0 ? p.dueAt : cal.rollToWorkingDay(new Date(p.dueAt.getTime() + pausedMs));
  }
  // The same shift whether or not the dossier was already late when paused.
  const pausedMinutes = cal.workingMinutesBetween(p.pausedAt, p.resumedAt);
  // Without this guard a due date at closing time (17:00) would jump to the next morning although no office time passed.
  return pausedMinutes === 0 ? p.dueAt : cal.addWorkingMinutes(p.dueAt, pausedMinutes);
}

export interface OnTimeQuestion {
  dueAt: Date;
  now: Date;
  pausedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * A finished dossier is judged when it reached Trả kết quả, one awaiting a supplement when its
 * clock stopped, any other one now. On time iff that moment is not after the due date.
 */
export function judgeOnTime(p: OnTimeQuestion): boolean {
  const reference = p.finishedAt ?? p.pausedAt ?? p.now;
  return reference.getTime() <= p.dueAt.getTime();
}
