/** Fixtures of the working-calendar tests (test/lib/calendar/): instants with offsets, shared calendars. */
import assert from 'node:assert/strict';
import { formatVnIso } from '../../src/lib/calendar/zone.js';
import { defaultCalendarRange } from '../../src/lib/calendar/holidays.js';
import { WorkingCalendar } from '../../src/lib/calendar/working-calendar.js';

/** An instant written with its offset, e.g. at('2026-04-28T09:00+07:00'). */
export const at = (text: string): Date => {
  const d = new Date(text);
  assert.ok(!Number.isNaN(d.getTime()), `bad fixture ${text}`);
  return d;
};

/** Same instant, with a readable failure message (both sides shown in Vietnam time). */
export function assertInstant(actual: Date, expected: string, message?: string): void {
  assert.equal(formatVnIso(actual), formatVnIso(at(expected)), message);
  assert.equal(actual.getTime(), at(expected).getTime(), message);
}

export const cal2024to2027 = new WorkingCalendar(defaultCalendarRange(2024, 2027));
/** A calendar with the Monday–Friday rule only (no holiday data at all). */
export const bare = new WorkingCalendar([]);

/** Deterministic pseudo-random numbers in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
