import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { outsideQuietHours, sendAfter } from '../../../src/messages/plan/notification.schedule.js';
import type { QuietHours } from '../../../src/messages/plan/notification.schedule.js';

/** Every instant is written in Việt Nam time and compared as epoch ms, so the process's own zone
 *  (the suite runs under TZ=UTC and TZ=America/New_York) cannot matter. */
const t = (iso: string): number => {
  assert.match(iso, /\+07:00$/);
  const ms = Date.parse(iso);
  assert.ok(!Number.isNaN(ms), iso);
  return ms;
};
const show = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().replace('Z', '+07:00');
const eq = (actual: number, expected: string) => assert.equal(show(actual), show(t(expected)));

const NIGHT: QuietHours = { start: '21:00', end: '07:00' };
const LUNCH: QuietHours = { start: '12:00', end: '13:00' };

describe('outsideQuietHours, 21:00–07:00 (across midnight)', () => {
  const rows: Array<[at: string, expected: string, note: string]> = [
    ['2026-11-20T20:59:00+07:00', '2026-11-20T20:59:00+07:00', '20:59 is before the quiet hours'],
    ['2026-11-20T20:59:59.999+07:00', '2026-11-20T20:59:59.999+07:00', 'last millisecond before 21:00'],
    ['2026-11-20T21:00:00+07:00', '2026-11-21T07:00:00+07:00', '21:00 exactly waits until 07:00 next day'],
    ['2026-11-20T21:00:00.001+07:00', '2026-11-21T07:00:00+07:00', 'just after 21:00'],
    ['2026-11-20T23:59:59+07:00', '2026-11-21T07:00:00+07:00', 'just before midnight'],
    ['2026-11-21T00:00:00+07:00', '2026-11-21T07:00:00+07:00', 'midnight'],
    ['2026-11-21T03:00:00+07:00', '2026-11-21T07:00:00+07:00', '03:00 waits until 07:00 the same day'],
    ['2026-11-21T06:59:59.999+07:00', '2026-11-21T07:00:00+07:00', 'last millisecond of the quiet hours'],
    ['2026-11-21T07:00:00+07:00', '2026-11-21T07:00:00+07:00', '07:00 exactly leaves at once'],
    ['2026-11-21T07:00:30+07:00', '2026-11-21T07:00:30+07:00', 'just after 07:00'],
    ['2026-11-21T12:00:00+07:00', '2026-11-21T12:00:00+07:00', 'midday'],
    ['2026-12-31T22:15:00+07:00', '2027-01-01T07:00:00+07:00', 'across the new year'],
    ['2028-02-28T23:00:00+07:00', '2028-02-29T07:00:00+07:00', 'into a leap day'],
    ['2026-02-28T21:30:00+07:00', '2026-03-01T07:00:00+07:00', 'end of February, not a leap year'],
    ['2026-03-08T02:30:00+07:00', '2026-03-08T07:00:00+07:00', 'the night US clocks spring forward'],
    ['2026-11-01T01:30:00+07:00', '2026-11-01T07:00:00+07:00', 'the night US clocks fall back (UTC day differs)'],
    ['2026-11-20T00:30:00+07:00', '2026-11-20T07:00:00+07:00', '00:30 local is the previous UTC day'],
  ];
  for (const [at, expected, note] of rows) {
    test(`${note}: ${at}`, () => eq(outsideQuietHours(t(at), NIGHT), expected));
  }
});

describe('outsideQuietHours, 12:00–13:00 (same day)', () => {
  const rows: Array<[at: string, expected: string]> = [
    ['2026-11-20T11:59:59+07:00', '2026-11-20T11:59:59+07:00'],
    ['2026-11-20T12:00:00+07:00', '2026-11-20T13:00:00+07:00'],
    ['2026-11-20T12:30:00+07:00', '2026-11-20T13:00:00+07:00'],
    ['2026-11-20T12:59:59.999+07:00', '2026-11-20T13:00:00+07:00'],
    ['2026-11-20T13:00:00+07:00', '2026-11-20T13:00:00+07:00'],
    ['2026-11-20T23:00:00+07:00', '2026-11-20T23:00:00+07:00'],
    ['2026-11-20T03:00:00+07:00', '2026-11-20T03:00:00+07:00'],
  ];
  for (const [at, expected] of rows) {
    test(`${at} → ${expected}`, () => eq(outsideQuietHours(t(at), LUNCH), expected));
  }
});

describe('outsideQuietHours, other windows', () => {
  test('null: no quiet hours', () => {
    for (const at of ['2026-11-20T21:00:00+07:00', '2026-11-21T03:00:00+07:00', '2026-11-21T12:30:00+07:00']) {
      assert.equal(outsideQuietHours(t(at), null), t(at));
    }
  });

  test('start equal to end: no quiet hours', () => {
    assert.equal(outsideQuietHours(t('2026-11-20T22:00:00+07:00'), { start: '22:00', end: '22:00' }), t('2026-11-20T22:00:00+07:00'));
  });

  test('from midnight: 00:00–06:00', () => {
    const q = { start: '00:00', end: '06:00' };
    eq(outsideQuietHours(t('2026-11-20T23:59:00+07:00'), q), '2026-11-20T23:59:00+07:00');
    eq(outsideQuietHours(t('2026-11-21T00:00:00+07:00'), q), '2026-11-21T06:00:00+07:00');
    eq(outsideQuietHours(t('2026-11-21T05:00:00+07:00'), q), '2026-11-21T06:00:00+07:00');
  });

  test('until midnight: 22:00–24:00', () => {
    const q = { start: '22:00', end: '24:00' };
    eq(outsideQuietHours(t('2026-11-20T22:30:00+07:00'), q), '2026-11-21T00:00:00+07:00');
    eq(outsideQuietHours(t('2026-11-20T21:59:00+07:00'), q), '2026-11-20T21:59:00+07:00');
  });

  test('minutes other than whole hours, and H:MM', () => {
    const q = { start: '21:30', end: '6:45' };
    eq(outsideQuietHours(t('2026-11-20T21:29:00+07:00'), q), '2026-11-20T21:29:00+07:00');
    eq(outsideQuietHours(t('2026-11-20T21:30:00+07:00'), q), '2026-11-21T06:45:00+07:00');
    eq(outsideQuietHours(t('2026-11-21T06:44:59+07:00'), q), '2026-11-21T06:45:00+07:00');
  });

  test('the answer is itself outside the quiet hours (fixed point)', () => {
    const start = t('2026-11-20T00:00:00+07:00');
    for (let m = 0; m < 48 * 60; m += 7) {
      for (const q of [NIGHT, LUNCH]) {
        const out = outsideQuietHours(start + m * 60_000, q);
        assert.ok(out >= start + m * 60_000);
        assert.equal(outsideQuietHours(out, q), out, show(out));
      }
    }
  });

  test('a malformed time is an error, not a silent pass', () => {
    assert.throws(() => outsideQuietHours(t('2026-11-20T22:00:00+07:00'), { start: '9pm', end: '07:00' }), RangeError);
  });
});

describe('sendAfter', () => {
  const rows: Array<[now: string, hold: number, held: boolean, quiet: QuietHours | null, expected: string, note: string]> = [
    ['2026-11-20T10:00:00+07:00', 120, true, NIGHT, '2026-11-20T10:02:00+07:00', 'daytime: leaves at hold end'],
    ['2026-11-20T10:00:00+07:00', 120, false, NIGHT, '2026-11-20T10:00:00+07:00', 'not held: leaves now'],
    ['2026-11-20T10:00:00+07:00', 0, true, NIGHT, '2026-11-20T10:00:00+07:00', 'hold 0'],
    ['2026-11-20T20:58:00+07:00', 59, true, NIGHT, '2026-11-20T20:58:59+07:00', 'hold ends before 21:00'],
    ['2026-11-20T20:59:00+07:00', 59, true, NIGHT, '2026-11-20T20:59:59+07:00', '20:59: hold ends at 20:59:59, leaves then'],
    ['2026-11-20T20:59:00+07:00', 0, true, NIGHT, '2026-11-20T20:59:00+07:00', '20:59 without hold'],
    ['2026-11-20T20:59:00+07:00', 120, false, NIGHT, '2026-11-20T20:59:00+07:00', '20:59, kind not held'],
    ['2026-11-20T20:59:00+07:00', 120, true, NIGHT, '2026-11-21T07:00:00+07:00', '20:59 + 120 s falls in the quiet hours: 07:00 next day'],
    ['2026-11-20T20:58:00+07:00', 120, true, NIGHT, '2026-11-21T07:00:00+07:00', 'hold ends at 21:00 exactly'],
    ['2026-11-20T21:00:00+07:00', 120, true, NIGHT, '2026-11-21T07:00:00+07:00', '21:00: waits for the morning'],
    ['2026-11-20T21:00:00+07:00', 0, false, NIGHT, '2026-11-21T07:00:00+07:00', '21:00 not held'],
    ['2026-11-21T03:00:00+07:00', 120, true, NIGHT, '2026-11-21T07:00:00+07:00', '03:00 → 07:00 same day'],
    ['2026-11-21T06:58:00+07:00', 120, true, NIGHT, '2026-11-21T07:00:00+07:00', 'hold ends at 07:00 exactly'],
    ['2026-11-21T06:59:00+07:00', 120, true, NIGHT, '2026-11-21T07:01:00+07:00', 'hold ends after 07:00'],
    ['2026-11-21T07:00:00+07:00', 0, true, NIGHT, '2026-11-21T07:00:00+07:00', '07:00 exact: now'],
    ['2026-11-21T07:00:00+07:00', 120, false, NIGHT, '2026-11-21T07:00:00+07:00', '07:00 exact, not held: now'],
    ['2026-11-20T20:00:00+07:00', 12 * 3600, true, NIGHT, '2026-11-21T08:00:00+07:00', 'a long hold jumping over the quiet hours'],
    ['2026-11-20T20:59:00+07:00', 120, true, null, '2026-11-20T21:01:00+07:00', 'no quiet hours: hold end even at night'],
    ['2026-11-21T03:00:00+07:00', 0, false, null, '2026-11-21T03:00:00+07:00', 'no quiet hours, 03:00'],
    ['2026-11-20T11:59:00+07:00', 120, true, LUNCH, '2026-11-20T13:00:00+07:00', 'hold pushes into 12:00–13:00'],
    ['2026-11-20T11:57:00+07:00', 120, true, LUNCH, '2026-11-20T11:59:00+07:00', 'hold ends before 12:00'],
    ['2026-11-20T12:59:00+07:00', 120, true, LUNCH, '2026-11-20T13:01:00+07:00', 'hold ends after 13:00'],
    ['2026-11-20T21:30:00+07:00', 120, true, LUNCH, '2026-11-20T21:32:00+07:00', 'evening with lunchtime quiet hours'],
  ];
  for (const [now, hold, held, quiet, expected, note] of rows) {
    test(`${note}: ${now} +${hold}s${held ? '' : ' (not held)'}`, () => eq(sendAfter(t(now), hold, held, quiet), expected));
  }

  test('never earlier than now, never earlier than the hold end', () => {
    const base = t('2026-11-20T00:00:00+07:00');
    for (let m = 0; m < 24 * 60; m += 13) {
      const now = base + m * 60_000;
      for (const hold of [0, 30, 120, 600]) {
        const heldAt = sendAfter(now, hold, true, NIGHT);
        assert.ok(heldAt >= now + hold * 1000, show(now));
        assert.ok(sendAfter(now, hold, false, NIGHT) >= now);
        assert.ok(heldAt >= sendAfter(now, hold, false, NIGHT));
      }
    }
  });

  test('business time does not depend on the process time zone', () => {
    // The same instants, written in UTC and in New York time, give the same answers.
    assert.equal(sendAfter(Date.parse('2026-11-20T13:59:00Z'), 120, true, NIGHT), t('2026-11-21T07:00:00+07:00'));
    assert.equal(sendAfter(Date.parse('2026-11-20T08:59:00-05:00'), 120, true, NIGHT), t('2026-11-21T07:00:00+07:00'));
    assert.equal(outsideQuietHours(Date.parse('2026-11-20T20:00:00Z'), NIGHT), t('2026-11-21T07:00:00+07:00'));
    assert.equal(outsideQuietHours(Date.parse('2026-11-21T00:00:00Z'), NIGHT), t('2026-11-21T07:00:00+07:00'));
    assert.equal(outsideQuietHours(Date.parse('2026-11-21T00:00:00Z'), LUNCH), Date.parse('2026-11-21T00:00:00Z'));
  });
});
