/** When a message may leave: after its hold, and never inside the agency's quiet hours. Pure. */
import { fromLocal, localDate, localMinutes, parseHhMm, addDays } from '../../lib/calendar/zone.js';

export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

/** The first instant at or after `at` that is outside the quiet hours (which may span midnight). */
export function outsideQuietHours(at: number, quiet: QuietHours | null): number {
  if (!quiet) return at;
  const start = parseHhMm(quiet.start);
  const end = parseHhMm(quiet.end);
  if (start === end) return at;
  const minutes = localMinutes(new Date(at));
  const date = localDate(new Date(at));
  if (start < end) {
    return minutes >= start && minutes < end ? fromLocal(date, end).getTime() : at;
  }
  if (minutes >= start) return fromLocal(addDays(date, 1), end).getTime();
  if (minutes < end) return fromLocal(date, end).getTime();
  return at;
}

export function sendAfter(now: number, holdSeconds: number, held: boolean, quiet: QuietHours | null): number {
  return outsideQuietHours(held ? now + holdSeconds * 1000 : now, quiet);
}
