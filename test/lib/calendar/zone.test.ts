// Unit tests of src/lib/calendar/zone.ts: Vietnam time, formatting, date arithmetic; and that no
// calendar source depends on the process's time zone.
//
// Every instant below is written with an explicit +07:00 (or Z) offset and every expectation is an
// absolute instant or a 'YYYY-MM-DD' string, so the results must not change with the process's
// TZ: the suite is run with TZ=UTC and TZ=America/New_York.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  MS_PER_DAY,
  VN_OFFSET_MINUTES,
  addDays,
  daysBetween,
  formatHhMm,
  formatVnDate,
  formatVnIso,
  fromLocal,
  isWeekend,
  localDate,
  localMinutes,
  parseHhMm,
  weekday,
} from '../../../src/lib/calendar/zone.js';
import { at, prng } from '../../support/calendar.js';

// ───────────────────────────── zone.ts ─────────────────────────────

describe('zone: constants', () => {
  test('Việt Nam is UTC+7, a day is 86 400 000 ms', () => {
    assert.equal(VN_OFFSET_MINUTES, 420);
    assert.equal(MS_PER_DAY, 86_400_000);
  });
});

describe('zone: localDate / localMinutes / fromLocal', () => {
  test('the local date changes at 17:00 UTC', () => {
    assert.equal(localDate(at('2026-04-27T16:59:59.999Z')), '2026-04-27');
    assert.equal(localDate(at('2026-04-27T17:00:00Z')), '2026-04-28');
    assert.equal(localDate(at('2026-12-31T17:00:00Z')), '2027-01-01');
    assert.equal(localDate(at('2024-02-28T17:00:00Z')), '2024-02-29');
  });

  test('localMinutes counts whole minutes since local midnight', () => {
    assert.equal(localMinutes(at('2026-04-28T09:00+07:00')), 540);
    assert.equal(localMinutes(at('2026-04-28T02:00:59.999Z')), 540, 'seconds are dropped');
    assert.equal(localMinutes(at('2026-04-27T17:00:00Z')), 0);
    assert.equal(localMinutes(at('2026-04-28T16:59:00Z')), 1439);
  });

  test('fromLocal builds the instant of a local wall-clock time', () => {
    assert.equal(fromLocal('2026-04-28', 540).toISOString(), '2026-04-28T02:00:00.000Z');
    assert.equal(fromLocal('2026-04-28', 0).toISOString(), '2026-04-27T17:00:00.000Z');
    assert.equal(fromLocal('2026-04-28', 1440).toISOString(), '2026-04-28T17:00:00.000Z', '24:00 = next midnight');
    assert.equal(fromLocal('2026-04-28', 90.5).toISOString(), '2026-04-27T18:30:30.000Z', 'fractional minutes');
    assert.equal(fromLocal('2026-01-01', 0).toISOString(), '2025-12-31T17:00:00.000Z');
  });

  test('fromLocal rejects bad minutes and bad dates', () => {
    assert.throws(() => fromLocal('2026-04-28', -1), RangeError);
    assert.throws(() => fromLocal('2026-04-28', 1441), RangeError);
    assert.throws(() => fromLocal('2026-04-28', Number.NaN), RangeError);
    assert.throws(() => fromLocal('2026-02-29', 0), RangeError);
    assert.throws(() => fromLocal('28/04/2026', 0), RangeError);
  });

  test('localDate/localMinutes reject an Invalid Date', () => {
    assert.throws(() => localDate(new Date(Number.NaN)), RangeError);
    assert.throws(() => localMinutes(new Date(Number.NaN)), RangeError);
    assert.throws(() => formatVnIso(new Date(Number.NaN)), RangeError);
  });

  test('fromLocal(localDate(x), localMinutes(x)) is x truncated to the minute', () => {
    const random = prng(7);
    for (let i = 0; i < 500; i += 1) {
      const ms = Date.UTC(1976, 0, 1) + Math.floor(random() * 125 * 365 * MS_PER_DAY);
      const x = new Date(ms);
      const back = fromLocal(localDate(x), localMinutes(x));
      assert.equal(back.getTime(), ms - (ms % 60_000));
    }
  });

  test('agrees with the IANA zone Asia/Ho_Chi_Minh (explicit timeZone, not the process TZ)', () => {
    const fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Ho_Chi_Minh',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const random = prng(42);
    // Since 1975 the zone has been a fixed UTC+7.
    for (let i = 0; i < 300; i += 1) {
      const x = new Date(Date.UTC(1976, 0, 1) + Math.floor(random() * 120 * 365 * MS_PER_DAY));
      const parts = Object.fromEntries(fmt.formatToParts(x).map((p) => [p.type, p.value]));
      assert.equal(localDate(x), `${parts.year}-${parts.month}-${parts.day}`);
      assert.equal(localMinutes(x), Number(parts.hour) * 60 + Number(parts.minute));
    }
  });
});

describe('zone: formatting', () => {
  test('formatVnIso writes Vietnam time with +07:00 and drops milliseconds', () => {
    assert.equal(formatVnIso(at('2026-11-20T01:15:00Z')), '2026-11-20T08:15:00+07:00');
    assert.equal(formatVnIso(at('2026-04-27T17:00:00.999Z')), '2026-04-28T00:00:00+07:00');
    assert.equal(formatVnIso(at('2026-12-31T16:59:59Z')), '2026-12-31T23:59:59+07:00');
    assert.equal(formatVnIso(at('2026-12-31T17:00:00Z')), '2027-01-01T00:00:00+07:00');
    assert.equal(new Date(formatVnIso(at('2026-05-05T02:00:00Z'))).toISOString(), '2026-05-05T02:00:00.000Z', 'round-trips');
  });

  test('formatVnDate gives DD/MM/YYYY and validates', () => {
    assert.equal(formatVnDate('2026-04-30'), '30/04/2026');
    assert.equal(formatVnDate('2024-02-29'), '29/02/2024');
    assert.throws(() => formatVnDate('2026-02-29'), RangeError);
    assert.throws(() => formatVnDate('2026-4-30'), RangeError);
    assert.throws(() => formatVnDate('2026-13-01'), RangeError);
    assert.throws(() => formatVnDate(''), RangeError);
  });

  test('parseHhMm', () => {
    const ok: Array<[string, number]> = [
      ['07:00', 420],
      ['7:30', 450],
      [' 13:30 ', 810],
      ['00:00', 0],
      ['17:00', 1020],
      ['23:59', 1439],
      ['24:00', 1440],
    ];
    for (const [text, minutes] of ok) assert.equal(parseHhMm(text), minutes, text);
    for (const text of ['24:01', '7:60', '25:00', '0730', '7h30', '', '07:5', '-1:00', '07:00:00', '１７:００']) {
      assert.throws(() => parseHhMm(text), RangeError, JSON.stringify(text));
    }
  });

  test('formatHhMm', () => {
    assert.equal(formatHhMm(420), '07:00');
    assert.equal(formatHhMm(0), '00:00');
    assert.equal(formatHhMm(1019), '16:59');
    assert.equal(formatHhMm(1440), '24:00');
    for (const bad of [-1, 1441, 1.5, Number.NaN]) assert.throws(() => formatHhMm(bad), RangeError, String(bad));
    for (let m = 0; m <= 1440; m += 7) assert.equal(parseHhMm(formatHhMm(m)), m);
  });
});

describe('zone: date arithmetic', () => {
  test('addDays across months, leap years and years', () => {
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(addDays('2026-02-28', 1), '2026-03-01');
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
    assert.equal(addDays('2026-04-28', 0), '2026-04-28');
    assert.equal(addDays('2026-01-01', 365), '2027-01-01');
    assert.throws(() => addDays('2026-04-28', 1.5), RangeError);
    assert.throws(() => addDays('2026-02-30', 1), RangeError);
  });

  test('years 0000–0099 are real years, not 1900–1999 (bug fixed)', () => {
    assert.equal(addDays('0099-12-31', 1), '0100-01-01');
    assert.equal(addDays('0050-03-01', -1), '0050-02-28');
    assert.equal(weekday('0001-01-01'), 1, '1 January of year 1 (proleptic Gregorian) was a Monday');
    assert.equal(daysBetween('0000-01-01', '2000-01-01'), 5 * 146_097, 'five 400-year Gregorian cycles');
    assert.equal(daysBetween('0099-01-01', '0100-01-01'), 365);
  });

  test('addDays refuses to leave 0000–9999 instead of producing a malformed date', () => {
    assert.throws(() => addDays('9999-12-31', 1), RangeError);
    assert.throws(() => addDays('0000-01-01', -1), RangeError);
  });

  test('daysBetween', () => {
    assert.equal(daysBetween('2026-02-14', '2026-02-22'), 8);
    assert.equal(daysBetween('2026-02-22', '2026-02-14'), -8);
    assert.equal(daysBetween('2024-01-01', '2025-01-01'), 366);
    assert.equal(daysBetween('2026-04-28', '2026-04-28'), 0);
  });

  test('weekday and isWeekend (0 = Sunday)', () => {
    assert.equal(weekday('1970-01-01'), 4);
    assert.equal(weekday('2000-01-01'), 6);
    assert.equal(weekday('2026-04-26'), 0);
    assert.equal(weekday('2026-04-28'), 2);
    assert.equal(weekday('2026-05-09'), 6);
    assert.equal(isWeekend('2026-05-09'), true);
    assert.equal(isWeekend('2026-05-10'), true);
    assert.equal(isWeekend('2026-05-11'), false);
    assert.equal(isWeekend('2026-05-08'), false);
  });
});

describe('time-zone independence of the sources', () => {
  test('no local-time Date API is used in the pure calendar modules', () => {
    const files = ['zone.ts', 'lunar.ts', 'holidays.ts', 'working-calendar.ts', 'deadline.ts'];
    const localTimeApi =
      /\.(?:get|set)(?:FullYear|Month|Date|Day|Hours|Minutes|Seconds|Milliseconds)\(|getTimezoneOffset|toLocale|toDateString|toTimeString|Date\.parse|Intl\.|new Date\([^()]*,/;
    for (const file of files) {
      const source = readFileSync(new URL(`../../../src/lib/calendar/${file}`, import.meta.url), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      const match = localTimeApi.exec(source);
      assert.equal(match, null, `${file} uses ${match?.[0]}`);
    }
  });
});
