/**
 * Working days and office hours in Việt Nam: Monday–Friday unless the calendar data says
 * otherwise, and office periods within each working day. All time arithmetic is done in epoch
 * milliseconds at the fixed UTC+7 offset (see zone.ts), so minutes may be fractional when the
 * instants are not on whole minutes.
 */
import type { CalendarDay, CalendarDayKind } from './holidays.js';
import { addDays, daysBetween, fromLocal, localDate, MS_PER_DAY, parseHhMm, weekday } from './zone.js';

export interface OfficePeriod {
  /** Minutes since local midnight. */
  start: number;
  end: number;
}

export type OfficeHours = readonly OfficePeriod[];

export const DEFAULT_OFFICE_HOURS: OfficeHours = Object.freeze([
  Object.freeze({ start: 7 * 60, end: 11 * 60 + 30 }),
  Object.freeze({ start: 13 * 60 + 30, end: 17 * 60 }),
]);

export type DayKind = 'working' | 'calendar';

const MS_PER_MINUTE = 60_000;
/** Bound on day-by-day searches, so a calendar with no working day at all fails instead of looping. */
const MAX_DAYS_SEARCHED = 3660;

/** RangeError unless the periods are non-empty, within 00:00–24:00, each start < end, sorted and non-overlapping. */
export function validateOfficeHours(hours: OfficeHours): OfficeHours {
  if (hours.length === 0) throw new RangeError('Office hours need at least one period');
  let previousEnd = 0;
  for (const { start, end } of hours) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > 1440 || start >= end) {
      throw new RangeError(`Invalid office period ${start}–${end}`);
    }
    if (start < previousEnd) throw new RangeError('Office periods must be sorted and must not overlap');
    previousEnd = end;
  }
  return Object.freeze(hours.map(({ start, end }) => Object.freeze({ start, end })));
}

/** '07:00-11:30,13:30-17:00' → office periods; RangeError on malformed, unsorted or overlapping input. */
export function parseOfficeHours(text: string): OfficeHours {
  const periods = text.split(',').map((part): OfficePeriod => {
    const bounds = part.split('-');
    if (bounds.length !== 2) throw new RangeError(`Invalid office period '${part.trim()}', expected HH:MM-HH:MM`);
    return { start: parseHhMm(bounds[0]!), end: parseHhMm(bounds[1]!) };
  });
  return validateOfficeHours(periods);
}

export class WorkingCalendar {
  readonly minutesPerDay: number;
  readonly hours: OfficeHours;
  private readonly overrides = new Map<string, CalendarDayKind>();

  /** Later entries for the same date replace earlier ones. */
  constructor(days: Iterable<CalendarDay>, hours: OfficeHours = DEFAULT_OFFICE_HOURS) {
    for (const day of days) this.overrides.set(day.date, day.kind);
    this.hours = validateOfficeHours(hours);
    this.minutesPerDay = this.hours.reduce((sum, p) => sum + (p.end - p.start), 0);
  }

  isWorkingDay(date: string): boolean {
    const kind = this.overrides.get(date);
    if (kind !== undefined) return kind === 'workday';
    const day = weekday(date);
    return day !== 0 && day !== 6;
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: string): string {
    return this.searchWorkingDay(addDays(date, 1), 1);
  }

  workingDayOnOrAfter(date: string): string {
    return this.searchWorkingDay(date, 1);
  }

  /** The last working day strictly before `date`. */
  previousWorkingDay(date: string): string {
    return this.searchWorkingDay(addDays(date, -1), -1);
  }

  /** The local date of the first working day after the instant's local date (the 17:30 batch's "tomorrow"). */
  nextWorkingDayAfter(instant: Date): string {
    return this.nextWorkingDay(localDate(instant));
  }

  /** True on a working day within an office period (start inclusive, end exclusive). */
  isOfficeTime(instant: Date): boolean {
    const date = localDate(instant);
    if (!this.isWorkingDay(date)) return false;
    const ms = instant.getTime();
    return this.hours.some((p) => fromLocal(date, p.start).getTime() <= ms && ms < fromLocal(date, p.end).getTime());
  }

  /** Office minutes on working days between two instants; 0 if `to` <= `from`. */
  workingMinutesBetween(from: Date, to: Date): number {
    const fromMs = from.getTime();
    const toMs = to.getTime();
    if (Number.isNaN(fromMs) || Number.isNaN(toMs)) throw new RangeError('Invalid Date');
    if (toMs <= fromMs) return 0;
    let totalMs = 0;
    const lastDate = localDate(to);
    for (let date = localDate(from); date <= lastDate; date = addDays(date, 1)) {
      if (!this.isWorkingDay(date)) continue;
      for (const p of this.hours) {
        const start = Math.max(fromLocal(date, p.start).getTime(), fromMs);
        const end = Math.min(fromLocal(date, p.end).getTime(), toMs);
        if (end > start) totalMs += end - start;
      }
    }
    return totalMs / MS_PER_MINUTE;
  }

  /**
   * Walks `minutes` of office time forward from `from`. Outside office time the walk starts at the
   * next opening (so 0 minutes gives the next opening); a result exactly at a period's end stays
   * there (e.g. 17:00) instead of jumping to the next opening.
   */
  addWorkingMinutes(from: Date, minutes: number): Date {
    if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`Working minutes must be >= 0: ${minutes}`);
    let cursor = from.getTime();
    if (Number.isNaN(cursor)) throw new RangeError('Invalid Date');
    // Whole milliseconds, as in a Date: e.g. 59 ms / 60 000 * 60 000 is 58.999…, which a Date would truncate.
    let remaining = Math.round(minutes * MS_PER_MINUTE);
    let date = localDate(from);
    for (;;) {
      if (this.isWorkingDay(date)) {
        for (const p of this.hours) {
          const end = fromLocal(date, p.end).getTime();
          if (cursor >= end) continue;
          cursor = Math.max(cursor, fromLocal(date, p.start).getTime());
          if (remaining <= end - cursor) return new Date(cursor + remaining);
          remaining -= end - cursor;
          cursor = end;
        }
      }
      date = this.nextWorkingDay(date);
    }
  }

  /**
   * The due date (ngày hẹn trả) of a dossier received at `receivedAt`.
   * - working days: `days` full office days of office time from receipt (after closing counts from the next opening);
   * - calendar days: `days` × 24 h later, moved to the same time on the next working day if needed;
   * - 0 days (same-day procedure): closing time of the receipt day if it is a working day and the
   *   dossier came in before closing, otherwise closing time of the next working day.
   */
  dueDate(receivedAt: Date, days: number, dayKind: DayKind): Date {
    if (!Number.isFinite(days) || days < 0) throw new RangeError(`Processing days must be >= 0: ${days}`);
    if (days === 0) {
      const closing = this.hours[this.hours.length - 1]!.end;
      const date = localDate(receivedAt);
      const closesToday = fromLocal(date, closing);
      if (this.isWorkingDay(date) && receivedAt.getTime() < closesToday.getTime()) return closesToday;
      return fromLocal(this.nextWorkingDay(date), closing);
    }
    if (dayKind === 'working') return this.addWorkingMinutes(receivedAt, days * this.minutesPerDay);
    return this.rollToWorkingDay(new Date(receivedAt.getTime() + days * MS_PER_DAY));
  }

  /** The same local time on the first working day on or after the instant's local date. */
  rollToWorkingDay(instant: Date): Date {
    const date = localDate(instant);
    const shift = daysBetween(date, this.workingDayOnOrAfter(date));
    return shift === 0 ? instant : new Date(instant.getTime() + shift * MS_PER_DAY);
  }

  private searchWorkingDay(start: string, step: 1 | -1): string {
    let date = start;
    for (let i = 0; i < MAX_DAYS_SEARCHED; i += 1) {
      if (this.isWorkingDay(date)) return date;
      date = addDays(date, step);
    }
    throw new RangeError(`No working day within ${MAX_DAYS_SEARCHED} days of ${start}`);
  }
}
