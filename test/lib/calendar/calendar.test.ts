// Unit tests of the pure working-calendar modules (zone, holidays, working-calendar, deadline).
// Lunar calendar tests are in calendar-lunar.test.ts.
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
import { defaultCalendar, defaultCalendarRange } from '../../../src/lib/calendar/holidays.js';
import type { CalendarDay } from '../../../src/lib/calendar/holidays.js';
import {
  DEFAULT_OFFICE_HOURS,
  WorkingCalendar,
  parseOfficeHours,
  validateOfficeHours,
} from '../../../src/lib/calendar/working-calendar.js';
import type { OfficeHours } from '../../../src/lib/calendar/working-calendar.js';
import { judgeOnTime, resumeAfterSupplement } from '../../../src/lib/calendar/deadline.js';

/** An instant written with its offset, e.g. at('2026-04-28T09:00+07:00'). */
const at = (text: string): Date => {
  const d = new Date(text);
  assert.ok(!Number.isNaN(d.getTime()), `bad fixture ${text}`);
  return d;
};

/** Same instant, with a readable failure message (both sides shown in Vietnam time). */
function assertInstant(actual: Date, expected: string, message?: string): void {
  assert.equal(formatVnIso(actual), formatVnIso(at(expected)), message);
  assert.equal(actual.getTime(), at(expected).getTime(), message);
}

const cal2024to2027 = new WorkingCalendar(defaultCalendarRange(2024, 2027));
/** A calendar with the Monday–Friday rule only (no holiday data at all). */
const bare = new WorkingCalendar([]);

/** Deterministic pseudo-random numbers in [0, 1). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

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

// ───────────────────────────── holidays.ts ─────────────────────────────

const holidayDates = (days: CalendarDay[]): string[] => days.filter((d) => d.kind === 'holiday').map((d) => d.date);
const workdayDates = (days: CalendarDay[]): string[] => days.filter((d) => d.kind === 'workday').map((d) => d.date);

describe('holidays: announced schedules', () => {
  test('2024: Tết 8–14/2, Hùng Kings 18/4, 30/4–1/5 with 29/4 swapped for Sat 4/5, 2–3/9', () => {
    const days = defaultCalendar(2024);
    assert.deepEqual(holidayDates(days), [
      '2024-01-01',
      '2024-02-08',
      '2024-02-09',
      '2024-02-12',
      '2024-02-13',
      '2024-02-14',
      '2024-04-18',
      '2024-04-29',
      '2024-04-30',
      '2024-05-01',
      '2024-09-02',
      '2024-09-03',
    ]);
    assert.deepEqual(workdayDates(days), ['2024-05-04']);
  });

  test('2025: Tết 25/1–2/2, Hùng Kings 7/4, 30/4–1/5 with 2/5 swapped for Sat 26/4, 1–2/9', () => {
    const days = defaultCalendar(2025);
    assert.deepEqual(holidayDates(days), [
      '2025-01-01',
      '2025-01-27',
      '2025-01-28',
      '2025-01-29',
      '2025-01-30',
      '2025-01-31',
      '2025-04-07',
      '2025-04-30',
      '2025-05-01',
      '2025-05-02',
      '2025-09-01',
      '2025-09-02',
    ]);
    assert.deepEqual(workdayDates(days), ['2025-04-26']);
    assert.ok(!holidayDates(days).includes('2025-09-03'), '2/9/2025 was paired with 1/9, not 3/9');
  });

  test('2026: Tết 14–22/2, Hùng Kings on Sunday 26/4 → nghỉ bù Monday 27/4, 30/4 and 1/5', () => {
    const days = defaultCalendar(2026);
    const off = new Set(holidayDates(days));
    for (const date of ['2026-01-01', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']) {
      assert.ok(off.has(date), date);
    }
    assert.ok(!off.has('2026-02-13') && !off.has('2026-02-23'), 'Tết 2026 ends on Sunday 22/2');
    assert.ok(off.has('2026-04-27'), 'nghỉ bù Giỗ Tổ Hùng Vương');
    assert.match(days.find((d) => d.date === '2026-04-27')!.name, /^Nghỉ bù Giỗ Tổ Hùng Vương/);
    assert.ok(off.has('2026-04-30') && off.has('2026-05-01'));
    assert.ok(!off.has('2026-04-28') && !off.has('2026-04-29') && !off.has('2026-05-04'));
    assert.ok(off.has('2026-09-02'));
    // The second National Day holiday is 1/9 or 3/9; which one was announced is not verified here.
    assert.equal([off.has('2026-09-01'), off.has('2026-09-03')].filter(Boolean).length, 1);
    assert.deepEqual(workdayDates(days), []);
  });

  test('2020–2023 Tết as announced', () => {
    const tet = (year: number): string[] =>
      defaultCalendar(year)
        .filter((d) => d.name === 'Tết Nguyên đán')
        .map((d) => d.date);
    assert.deepEqual(tet(2020), ['2020-01-23', '2020-01-24', '2020-01-27', '2020-01-28', '2020-01-29']);
    assert.deepEqual(tet(2021), ['2021-02-10', '2021-02-11', '2021-02-12', '2021-02-15', '2021-02-16']);
    assert.deepEqual(tet(2022), ['2022-01-31', '2022-02-01', '2022-02-02', '2022-02-03', '2022-02-04']);
    assert.deepEqual(tet(2023), ['2023-01-20', '2023-01-23', '2023-01-24', '2023-01-25', '2023-01-26']);
  });
});

describe('holidays: compensatory days (nghỉ bù)', () => {
  test('1/1/2022 (Saturday) → Monday 3/1', () => {
    const off = holidayDates(defaultCalendar(2022));
    assert.ok(off.includes('2022-01-03'));
    assert.ok(!off.includes('2022-01-01'), 'weekend days need no entry');
  });

  test('Hùng Kings 10/4/2022 (Sunday) → 11/4; 30/4 and 1/5/2022 (Sat, Sun) → 2/5 and 3/5', () => {
    const off = holidayDates(defaultCalendar(2022));
    assert.ok(off.includes('2022-04-11'));
    assert.ok(off.includes('2022-05-02') && off.includes('2022-05-03'));
    assert.ok(!off.includes('2022-05-04'));
  });

  test('1/5/2021 (Saturday) → Monday 3/5; 2/9/2021 (Thu) with 3/9', () => {
    const off = holidayDates(defaultCalendar(2021));
    assert.ok(off.includes('2021-04-30') && off.includes('2021-05-03'));
    assert.ok(off.includes('2021-09-02') && off.includes('2021-09-03'));
  });

  test('2/9/2023 (Saturday): 1/9 (Friday) plus nghỉ bù Monday 4/9', () => {
    const off = holidayDates(defaultCalendar(2023));
    assert.ok(off.includes('2023-09-01') && off.includes('2023-09-04'));
    assert.ok(!off.includes('2023-09-05'));
  });

  test('Hùng Kings 29/4/2023 (Sat) and 30/4 (Sun) next to 1/5 (Mon): off until Wednesday 3/5', () => {
    const off = holidayDates(defaultCalendar(2023));
    assert.deepEqual(
      off.filter((d) => d >= '2023-04-01' && d <= '2023-05-31'),
      ['2023-05-01', '2023-05-02', '2023-05-03'],
    );
  });

  test('before the Labour Code 2019 (2020) National Day is one day', () => {
    const off = holidayDates(defaultCalendar(2020));
    assert.ok(off.includes('2020-09-02'));
    assert.ok(!off.includes('2020-09-01') && !off.includes('2020-09-03'));
  });

  test('two holidays on the same date give one entry (10/3 lunar = 30/4 in 1947)', () => {
    const days = defaultCalendar(1947);
    const dates = days.map((d) => d.date);
    assert.equal(new Set(dates).size, dates.length);
    assert.equal(days.find((d) => d.date === '1947-04-30')?.name, 'Giỗ Tổ Hùng Vương, Ngày Chiến thắng');
  });
});

describe('holidays: invariants 2020–2040', () => {
  test('sorted, unique, holidays on weekdays, make-up days on weekends, 11 weekdays off net (10 before 2021)', () => {
    for (let year = 2020; year <= 2040; year += 1) {
      const days = defaultCalendar(year);
      const dates = days.map((d) => d.date);
      assert.deepEqual(dates, [...dates].sort(), `${year} sorted`);
      assert.equal(new Set(dates).size, dates.length, `${year} unique`);
      for (const d of days) {
        assert.ok(d.date.startsWith(`${year}-`), `${d.date} in ${year}`);
        assert.ok(d.name.length > 0);
        assert.equal(isWeekend(d.date), d.kind === 'workday', `${d.date} ${d.kind}`);
      }
      const net = holidayDates(days).length - workdayDates(days).length;
      assert.equal(net, year < 2021 ? 10 : 11, `${year}: weekdays off`);
    }
  });

  test('Tết holidays contain lunar new year whenever it is a weekday', () => {
    assert.ok(holidayDates(defaultCalendar(2027)).includes('2027-02-08'));
    assert.ok(holidayDates(defaultCalendar(2029)).includes('2029-02-13'));
  });

  test('defaultCalendarRange concatenates years and validates its bounds', () => {
    const range = defaultCalendarRange(2024, 2026);
    assert.deepEqual(range, [...defaultCalendar(2024), ...defaultCalendar(2025), ...defaultCalendar(2026)]);
    assert.deepEqual(defaultCalendarRange(2025, 2025), defaultCalendar(2025));
    assert.throws(() => defaultCalendarRange(2026, 2024), RangeError);
    assert.throws(() => defaultCalendarRange(2024.5, 2026), RangeError);
  });
});

// ───────────────────────────── working-calendar.ts ─────────────────────────────

describe('office hours', () => {
  test('the default is 07:00–11:30 and 13:30–17:00, 8 hours a day', () => {
    assert.deepEqual(DEFAULT_OFFICE_HOURS, [
      { start: 420, end: 690 },
      { start: 810, end: 1020 },
    ]);
    assert.ok(Object.isFrozen(DEFAULT_OFFICE_HOURS) && Object.isFrozen(DEFAULT_OFFICE_HOURS[0]));
    assert.equal(bare.minutesPerDay, 480);
  });

  test('parseOfficeHours', () => {
    assert.deepEqual(parseOfficeHours('07:00-11:30,13:30-17:00'), DEFAULT_OFFICE_HOURS);
    assert.deepEqual(parseOfficeHours(' 07:30 - 11:30 , 13:00 - 17:00 '), [
      { start: 450, end: 690 },
      { start: 780, end: 1020 },
    ]);
    assert.deepEqual(parseOfficeHours('08:00-17:00'), [{ start: 480, end: 1020 }]);
    assert.deepEqual(
      parseOfficeHours('00:00-12:00,12:00-24:00'),
      [
        { start: 0, end: 720 },
        { start: 720, end: 1440 },
      ],
      'adjacent periods are allowed',
    );
    for (const bad of [
      '',
      '07:00',
      '07:00-11:30-12:00',
      '11:30-07:00',
      '07:00-07:00',
      '07:00-11:30,11:00-17:00',
      '13:30-17:00,07:00-11:30',
      '07:00-11:30,',
      '7h-11h',
      '07:00-25:00',
    ]) {
      assert.throws(() => parseOfficeHours(bad), RangeError, JSON.stringify(bad));
    }
  });

  test('validateOfficeHours returns a frozen copy and rejects bad periods', () => {
    const input = [{ start: 420, end: 690 }];
    const checked = validateOfficeHours(input);
    assert.deepEqual(checked, input);
    assert.notEqual(checked, input);
    assert.ok(Object.isFrozen(checked) && Object.isFrozen(checked[0]));
    const bad: OfficeHours[] = [
      [],
      [{ start: 600, end: 600 }],
      [{ start: -1, end: 600 }],
      [{ start: 0, end: 1441 }],
      [{ start: 420.5, end: 600 }],
      [{ start: 420, end: Number.NaN }],
      [
        { start: 420, end: 700 },
        { start: 690, end: 1020 },
      ],
    ];
    for (const hours of bad) assert.throws(() => validateOfficeHours(hours), RangeError, JSON.stringify(hours));
    assert.throws(() => new WorkingCalendar([], []), RangeError);
  });
});

describe('WorkingCalendar: days', () => {
  test('30/4 and 1/5/2026 are holidays; the days around them are working days', () => {
    assert.equal(cal2024to2027.isWorkingDay('2026-04-30'), false);
    assert.equal(cal2024to2027.isWorkingDay('2026-05-01'), false);
    assert.equal(cal2024to2027.isWorkingDay('2026-04-29'), true);
    assert.equal(cal2024to2027.isWorkingDay('2026-05-04'), true);
    assert.equal(cal2024to2027.isWorkingDay('2026-04-26'), false, 'Hùng Kings on a Sunday');
    assert.equal(cal2024to2027.isWorkingDay('2026-04-27'), false, 'its nghỉ bù');
    assert.equal(cal2024to2027.isWorkingDay('2026-05-02'), false, 'Saturday');
    assert.equal(bare.isWorkingDay('2026-04-30'), true, 'without holiday data a Thursday is a working day');
  });

  test('make-up Saturdays from the seed are working days', () => {
    assert.equal(cal2024to2027.isWorkingDay('2024-05-04'), true);
    assert.equal(cal2024to2027.isWorkingDay('2025-04-26'), true);
    assert.equal(cal2024to2027.isWorkingDay('2024-04-29'), false, 'the weekday swapped for it');
  });

  test('later entries for a date replace earlier ones', () => {
    const cal = new WorkingCalendar([
      { date: '2026-05-09', kind: 'workday', name: 'Làm bù' },
      { date: '2026-05-09', kind: 'holiday', name: 'Huỷ làm bù' },
      { date: '2026-06-01', kind: 'holiday', name: 'Nghỉ' },
      { date: '2026-06-01', kind: 'workday', name: 'Không nghỉ nữa' },
    ]);
    assert.equal(cal.isWorkingDay('2026-05-09'), false);
    assert.equal(cal.isWorkingDay('2026-06-01'), true);
  });

  test('next / previous working day around Tết and 30/4 2026', () => {
    assert.equal(cal2024to2027.nextWorkingDay('2026-02-13'), '2026-02-23');
    assert.equal(cal2024to2027.previousWorkingDay('2026-02-23'), '2026-02-13');
    assert.equal(cal2024to2027.workingDayOnOrAfter('2026-02-13'), '2026-02-13');
    assert.equal(cal2024to2027.workingDayOnOrAfter('2026-02-14'), '2026-02-23');
    assert.equal(cal2024to2027.nextWorkingDay('2026-04-24'), '2026-04-28');
    assert.equal(cal2024to2027.nextWorkingDay('2026-04-29'), '2026-05-04');
    assert.equal(cal2024to2027.workingDayOnOrAfter('2026-04-30'), '2026-05-04');
    assert.equal(cal2024to2027.previousWorkingDay('2026-05-04'), '2026-04-29');
    assert.equal(cal2024to2027.nextWorkingDay('2024-05-03'), '2024-05-04', 'make-up Saturday');
  });

  test('nextWorkingDayAfter uses the Vietnam date of the instant', () => {
    assert.equal(cal2024to2027.nextWorkingDayAfter(at('2026-04-29T17:30+07:00')), '2026-05-04');
    // 00:30 on Friday 8/5 in Việt Nam, still Thursday 7/5 in UTC: "tomorrow" is Monday 11/5.
    assert.equal(cal2024to2027.nextWorkingDayAfter(at('2026-05-07T17:30:00Z')), '2026-05-11');
  });

  test('a calendar without any working day fails instead of looping', () => {
    const days: CalendarDay[] = [];
    for (let d = '2026-01-01'; d <= '2037-12-31'; d = addDays(d, 1)) days.push({ date: d, kind: 'holiday', name: 'x' });
    const cal = new WorkingCalendar(days);
    assert.throws(() => cal.nextWorkingDay('2026-01-01'), RangeError);
    assert.throws(() => cal.dueDate(at('2026-01-02T09:00+07:00'), 1, 'working'), RangeError);
  });
});

describe('WorkingCalendar: office time', () => {
  test('isOfficeTime: start inclusive, end exclusive, working days only', () => {
    const cases: Array<[string, boolean]> = [
      ['2026-04-28T06:59:59+07:00', false],
      ['2026-04-28T07:00+07:00', true],
      ['2026-04-28T11:29+07:00', true],
      ['2026-04-28T11:30+07:00', false],
      ['2026-04-28T12:00+07:00', false],
      ['2026-04-28T13:30+07:00', true],
      ['2026-04-28T16:59:59.999+07:00', true],
      ['2026-04-28T17:00+07:00', false],
      ['2026-04-30T09:00+07:00', false],
      ['2026-05-09T09:00+07:00', false],
      ['2024-05-04T09:00+07:00', true],
    ];
    for (const [text, expected] of cases) assert.equal(cal2024to2027.isOfficeTime(at(text)), expected, text);
  });

  test('workingMinutesBetween', () => {
    const c = cal2024to2027;
    assert.equal(c.workingMinutesBetween(at('2026-04-28T09:00+07:00'), at('2026-05-05T09:00+07:00')), 3 * 480);
    assert.equal(c.workingMinutesBetween(at('2026-05-05T09:00+07:00'), at('2026-04-28T09:00+07:00')), 0);
    assert.equal(c.workingMinutesBetween(at('2026-04-28T09:00+07:00'), at('2026-04-28T09:00+07:00')), 0);
    assert.equal(c.workingMinutesBetween(at('2026-04-28T11:00+07:00'), at('2026-04-28T14:00+07:00')), 60, 'lunch does not count');
    assert.equal(c.workingMinutesBetween(at('2026-02-13T10:00+07:00'), at('2026-02-23T10:00+07:00')), 480, 'Tết does not count');
    assert.equal(c.workingMinutesBetween(at('2026-04-30T00:00+07:00'), at('2026-05-03T23:59+07:00')), 0);
    assert.equal(c.workingMinutesBetween(at('2026-04-28T09:00:00+07:00'), at('2026-04-28T09:00:30+07:00')), 0.5);
    assert.equal(c.workingMinutesBetween(at('2026-04-28T18:00+07:00'), at('2026-04-29T06:00+07:00')), 0);
    assert.throws(() => c.workingMinutesBetween(new Date(Number.NaN), at('2026-04-28T09:00+07:00')), RangeError);
  });

  test('addWorkingMinutes: next opening for 0, period ends are kept', () => {
    const c = cal2024to2027;
    assertInstant(c.addWorkingMinutes(at('2026-04-28T17:45+07:00'), 0), '2026-04-29T07:00+07:00');
    assertInstant(c.addWorkingMinutes(at('2026-04-28T12:00+07:00'), 0), '2026-04-28T13:30+07:00');
    assertInstant(c.addWorkingMinutes(at('2026-04-29T17:00+07:00'), 0), '2026-05-04T07:00+07:00');
    assertInstant(c.addWorkingMinutes(at('2026-05-04T07:00+07:00'), 270), '2026-05-04T11:30+07:00', 'not 13:30');
    assertInstant(c.addWorkingMinutes(at('2026-05-04T07:00+07:00'), 271), '2026-05-04T13:31+07:00');
    assertInstant(c.addWorkingMinutes(at('2026-05-04T13:30+07:00'), 210), '2026-05-04T17:00+07:00', 'not 07:00 next day');
    assertInstant(c.addWorkingMinutes(at('2026-05-04T16:00+07:00'), 90), '2026-05-05T07:30+07:00');
    assertInstant(c.addWorkingMinutes(at('2026-05-04T07:00+07:00'), 0.5), '2026-05-04T07:00:30+07:00');
    assert.throws(() => c.addWorkingMinutes(at('2026-05-04T07:00+07:00'), -1), RangeError);
    assert.throws(() => c.addWorkingMinutes(at('2026-05-04T07:00+07:00'), Number.POSITIVE_INFINITY), RangeError);
    assert.throws(() => c.addWorkingMinutes(new Date(Number.NaN), 10), RangeError);
  });

  test('addWorkingMinutes and workingMinutesBetween are inverse (random walks, two hour sets)', () => {
    const calendars = [
      cal2024to2027,
      new WorkingCalendar(defaultCalendarRange(2024, 2027), parseOfficeHours('00:00-08:00,08:00-24:00')),
      new WorkingCalendar(defaultCalendarRange(2024, 2027), parseOfficeHours('07:30-11:30,13:00-17:00')),
    ];
    const random = prng(2026);
    for (let i = 0; i < 600; i += 1) {
      const c = calendars[i % calendars.length]!;
      const from = new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 3 * 365 * MS_PER_DAY));
      const minutes = Math.floor(random() * 5000) + (random() < 0.3 ? 0.5 : 0);
      const to = c.addWorkingMinutes(from, minutes);
      assert.ok(to.getTime() >= from.getTime());
      assert.equal(c.workingMinutesBetween(from, to), minutes);
      if (minutes > 0) assert.ok(c.isOfficeTime(new Date(to.getTime() - 1)), 'the walk ends inside office time');
    }
  });
});

describe('WorkingCalendar.dueDate: working days', () => {
  const c = cal2024to2027;

  test('received Tue 28/4/2026 09:00 with 3 working days → Tue 5/5/2026 09:00 (30/4, 1/5 skipped)', () => {
    assertInstant(c.dueDate(at('2026-04-28T09:00+07:00'), 3, 'working'), '2026-05-05T09:00+07:00');
  });

  test('received after closing (17:45) counts from the next working morning 07:00', () => {
    assertInstant(c.dueDate(at('2026-04-28T17:45+07:00'), 1, 'working'), '2026-04-29T17:00+07:00');
    assertInstant(c.dueDate(at('2026-04-28T17:45+07:00'), 2, 'working'), '2026-05-04T17:00+07:00');
    assertInstant(c.dueDate(at('2026-04-29T17:45+07:00'), 1, 'working'), '2026-05-04T17:00+07:00');
    assertInstant(c.dueDate(at('2026-04-28T17:45+07:00'), 0.5, 'working'), '2026-04-29T11:00+07:00');
  });

  test('received on a non-working day counts from the next opening', () => {
    assertInstant(c.dueDate(at('2026-05-09T09:00+07:00'), 1, 'working'), '2026-05-11T17:00+07:00', 'Saturday');
    assertInstant(c.dueDate(at('2026-04-30T09:00+07:00'), 1, 'working'), '2026-05-04T17:00+07:00', 'holiday');
    assertInstant(c.dueDate(at('2026-04-28T06:00+07:00'), 1, 'working'), '2026-04-28T17:00+07:00', 'before opening');
  });

  test('received during the lunch break counts from 13:30', () => {
    assertInstant(c.dueDate(at('2026-05-04T12:00+07:00'), 1, 'working'), '2026-05-05T11:30+07:00');
  });

  test('a due date exactly at the end of a period stays there', () => {
    assertInstant(c.dueDate(at('2026-05-04T07:00+07:00'), 1, 'working'), '2026-05-04T17:00+07:00');
    assertInstant(c.dueDate(at('2026-05-04T07:00+07:00'), 5, 'working'), '2026-05-08T17:00+07:00');
  });

  test('Tết 2026: received Fri 13/2/2026 10:00 with 1 working day → Mon 23/2/2026 10:00', () => {
    assertInstant(c.dueDate(at('2026-02-13T10:00+07:00'), 1, 'working'), '2026-02-23T10:00+07:00');
  });

  test('a make-up Saturday counts as a working day', () => {
    const base = defaultCalendarRange(2026, 2026);
    const receivedAt = at('2026-05-08T09:00+07:00');
    assertInstant(new WorkingCalendar(base).dueDate(receivedAt, 2, 'working'), '2026-05-12T09:00+07:00');
    const withMakeUp = new WorkingCalendar([...base, { date: '2026-05-09', kind: 'workday', name: 'Làm bù' }]);
    assert.equal(withMakeUp.isWorkingDay('2026-05-09'), true);
    assertInstant(withMakeUp.dueDate(receivedAt, 2, 'working'), '2026-05-11T09:00+07:00');
    assertInstant(withMakeUp.dueDate(receivedAt, 1, 'working'), '2026-05-09T09:00+07:00');
    // The seeded make-up Saturday of 2024.
    assertInstant(c.dueDate(at('2024-05-03T09:00+07:00'), 1, 'working'), '2024-05-04T09:00+07:00');
    assertInstant(bare.dueDate(at('2024-05-03T09:00+07:00'), 1, 'working'), '2024-05-06T09:00+07:00');
  });

  test('a weekday declared a holiday is skipped', () => {
    const cal = new WorkingCalendar([{ date: '2026-06-02', kind: 'holiday', name: 'Nghỉ' }]);
    assertInstant(cal.dueDate(at('2026-06-01T09:00+07:00'), 2, 'working'), '2026-06-04T09:00+07:00');
  });

  test('other office hours', () => {
    const morning = new WorkingCalendar([], parseOfficeHours('08:00-12:00'));
    assert.equal(morning.minutesPerDay, 240);
    assertInstant(morning.dueDate(at('2026-05-04T10:00+07:00'), 1, 'working'), '2026-05-05T10:00+07:00');
    assertInstant(morning.dueDate(at('2026-05-04T10:00+07:00'), 0, 'working'), '2026-05-04T12:00+07:00');
    const hcm = new WorkingCalendar([], parseOfficeHours('07:30-11:30,13:00-17:00'));
    assertInstant(hcm.dueDate(at('2026-05-04T07:30+07:00'), 1, 'working'), '2026-05-04T17:00+07:00');
    assertInstant(hcm.dueDate(at('2026-05-04T12:00+07:00'), 0.5, 'working'), '2026-05-04T17:00+07:00');
  });

  test('rejects negative or non-finite days', () => {
    assert.throws(() => c.dueDate(at('2026-05-04T10:00+07:00'), -1, 'working'), RangeError);
    assert.throws(() => c.dueDate(at('2026-05-04T10:00+07:00'), Number.NaN, 'calendar'), RangeError);
    assert.throws(() => c.dueDate(new Date(Number.NaN), 1, 'working'), RangeError);
  });
});

describe('WorkingCalendar.dueDate: same-day procedures (0 days)', () => {
  const c = cal2024to2027;
  const cases: Array<[received: string, due: string, note: string]> = [
    ['2026-05-04T09:00+07:00', '2026-05-04T17:00+07:00', 'morning → closing today'],
    ['2026-05-04T06:00+07:00', '2026-05-04T17:00+07:00', 'before opening → closing today'],
    ['2026-05-04T12:00+07:00', '2026-05-04T17:00+07:00', 'lunch break → closing today'],
    ['2026-05-04T16:59+07:00', '2026-05-04T17:00+07:00', 'one minute before closing'],
    ['2026-05-04T17:00+07:00', '2026-05-05T17:00+07:00', 'at closing → next working day'],
    ['2026-05-04T17:45+07:00', '2026-05-05T17:00+07:00', 'after closing → next working day'],
    ['2026-05-09T09:00+07:00', '2026-05-11T17:00+07:00', 'Saturday → Monday'],
    ['2026-04-29T18:00+07:00', '2026-05-04T17:00+07:00', 'before 30/4–1/5'],
    ['2026-04-30T09:00+07:00', '2026-05-04T17:00+07:00', 'on a holiday'],
  ];
  for (const [received, due, note] of cases) {
    test(note, () => {
      assertInstant(c.dueDate(at(received), 0, 'working'), due);
      assertInstant(c.dueDate(at(received), 0, 'calendar'), due);
    });
  }
});

describe('WorkingCalendar.dueDate: calendar days', () => {
  const c = cal2024to2027;

  test('a result on a Saturday moves to Monday (same time)', () => {
    assertInstant(c.dueDate(at('2026-06-03T10:00+07:00'), 3, 'calendar'), '2026-06-08T10:00+07:00');
  });

  test('a result on a holiday moves to the next working day', () => {
    assertInstant(c.dueDate(at('2026-04-28T10:00+07:00'), 2, 'calendar'), '2026-05-04T10:00+07:00');
    assertInstant(c.dueDate(at('2026-02-12T10:00+07:00'), 5, 'calendar'), '2026-02-23T10:00+07:00');
  });

  test('a result on a working day is kept; calendar days run through weekends and holidays', () => {
    assertInstant(c.dueDate(at('2026-05-04T10:00+07:00'), 2, 'calendar'), '2026-05-06T10:00+07:00');
    assertInstant(c.dueDate(at('2026-04-27T10:00+07:00'), 10, 'calendar'), '2026-05-07T10:00+07:00');
    assertInstant(c.dueDate(at('2024-05-02T10:00+07:00'), 2, 'calendar'), '2024-05-04T10:00+07:00', 'make-up Saturday');
  });

  test('rollToWorkingDay keeps the local time', () => {
    assertInstant(c.rollToWorkingDay(at('2026-05-09T23:30+07:00')), '2026-05-11T23:30+07:00');
    assertInstant(c.rollToWorkingDay(at('2026-05-08T23:30+07:00')), '2026-05-08T23:30+07:00');
    // 00:30 Saturday in Việt Nam is still Friday in UTC: it must roll.
    assertInstant(c.rollToWorkingDay(at('2026-05-09T00:30+07:00')), '2026-05-11T00:30+07:00');
  });
});

// ───────────────────────────── deadline.ts ─────────────────────────────

describe('resumeAfterSupplement', () => {
  const c = cal2024to2027;
  const receivedAt = at('2026-05-04T08:00+07:00');
  const dueAt = c.dueDate(receivedAt, 3, 'working');

  test('fixture: received Mon 4/5/2026 08:00 with 3 working days is due Thu 7/5 08:00', () => {
    assertInstant(dueAt, '2026-05-07T08:00+07:00');
  });

  test('pause: the due date moves by the working time spent awaiting the supplement', () => {
    const pausedAt = at('2026-05-05T10:00+07:00');
    const resumedAt = at('2026-05-08T10:00+07:00');
    const newDue = resumeAfterSupplement(c, { dueAt, pausedAt, resumedAt, rule: 'pause', processingDays: 3, dayKind: 'working' });
    assertInstant(newDue, '2026-05-12T08:00+07:00');
    // The 840 working minutes left when the clock stopped are left again when it restarts.
    assert.equal(c.workingMinutesBetween(pausedAt, dueAt), 840);
    assert.equal(c.workingMinutesBetween(resumedAt, newDue), 840);
  });

  test('pause across 30/4–1/5: only office time paused counts', () => {
    const due = c.dueDate(at('2026-04-28T07:00+07:00'), 2, 'working');
    assertInstant(due, '2026-04-29T17:00+07:00');
    const newDue = resumeAfterSupplement(c, {
      dueAt: due,
      pausedAt: at('2026-04-29T16:00+07:00'),
      resumedAt: at('2026-05-04T07:00+07:00'),
      rule: 'pause',
      processingDays: 2,
      dayKind: 'working',
    });
    assertInstant(newDue, '2026-05-04T08:00+07:00');
  });

  test('pause with no office time in between leaves a 17:00 due date alone', () => {
    const due = at('2026-05-08T17:00+07:00');
    const newDue = resumeAfterSupplement(c, {
      dueAt: due,
      pausedAt: at('2026-05-08T17:30+07:00'),
      resumedAt: at('2026-05-11T06:30+07:00'),
      rule: 'pause',
      processingDays: 1,
      dayKind: 'working',
    });
    assertInstant(newDue, '2026-05-08T17:00+07:00');
  });

  test('pause of a dossier already late: shifted, and still late', () => {
    const due = at('2026-05-04T17:00+07:00');
    const pausedAt = at('2026-05-05T09:00+07:00');
    const resumedAt = at('2026-05-06T09:00+07:00');
    const newDue = resumeAfterSupplement(c, { dueAt: due, pausedAt, resumedAt, rule: 'pause', processingDays: 1, dayKind: 'working' });
    assertInstant(newDue, '2026-05-05T17:00+07:00');
    assert.equal(judgeOnTime({ dueAt: newDue, now: resumedAt, pausedAt: null, finishedAt: null }), false);
    assert.equal(judgeOnTime({ dueAt: due, now: resumedAt, pausedAt, finishedAt: null }), false);
  });

  test('pause keeps the remaining working time (random cases)', () => {
    const random = prng(99);
    for (let i = 0; i < 300; i += 1) {
      const received = new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 2 * 365 * MS_PER_DAY));
      const days = 1 + Math.floor(random() * 10);
      const due = c.dueDate(received, days, 'working');
      const pausedAt = new Date(received.getTime() + Math.floor(random() * (due.getTime() - received.getTime())));
      const resumedAt = new Date(pausedAt.getTime() + Math.floor(random() * 20 * MS_PER_DAY));
      const newDue = resumeAfterSupplement(c, { dueAt: due, pausedAt, resumedAt, rule: 'pause', processingDays: days, dayKind: 'working' });
      assert.equal(c.workingMinutesBetween(resumedAt, newDue), c.workingMinutesBetween(pausedAt, due));
      assert.ok(newDue.getTime() >= due.getTime());
    }
  });

  test('restart: the full processing time starts again when the supplement arrives', () => {
    const base = {
      dueAt,
      pausedAt: at('2026-05-05T10:00+07:00'),
      rule: 'restart' as const,
      processingDays: 3,
      dayKind: 'working' as const,
    };
    assertInstant(resumeAfterSupplement(c, { ...base, resumedAt: at('2026-05-08T10:00+07:00') }), '2026-05-13T10:00+07:00');
    assertInstant(resumeAfterSupplement(c, { ...base, resumedAt: at('2026-05-08T17:45+07:00') }), '2026-05-13T17:00+07:00');
    assertInstant(
      resumeAfterSupplement(c, { ...base, processingDays: 1, resumedAt: at('2026-04-29T15:00+07:00') }),
      '2026-05-04T15:00+07:00',
      'restart across 30/4–1/5',
    );
  });

  test('calendar-day procedures: pause shifts by elapsed time, then rolls to a working day', () => {
    const due = c.dueDate(at('2026-06-03T10:00+07:00'), 3, 'calendar');
    assertInstant(due, '2026-06-08T10:00+07:00');
    const twoDays = { pausedAt: at('2026-06-04T10:00+07:00'), resumedAt: at('2026-06-06T10:00+07:00') };
    assertInstant(
      resumeAfterSupplement(c, { dueAt: due, ...twoDays, rule: 'pause', processingDays: 3, dayKind: 'calendar' }),
      '2026-06-10T10:00+07:00',
    );
    assertInstant(
      resumeAfterSupplement(c, { dueAt: at('2026-06-04T10:00+07:00'), ...twoDays, rule: 'pause', processingDays: 1, dayKind: 'calendar' }),
      '2026-06-08T10:00+07:00',
      'lands on Saturday → Monday',
    );
    assertInstant(
      resumeAfterSupplement(c, {
        dueAt: due,
        pausedAt: twoDays.pausedAt,
        resumedAt: twoDays.pausedAt,
        rule: 'pause',
        processingDays: 3,
        dayKind: 'calendar',
      }),
      '2026-06-08T10:00+07:00',
      'no time paused',
    );
    assertInstant(
      resumeAfterSupplement(c, { dueAt: due, ...twoDays, rule: 'restart', processingDays: 3, dayKind: 'calendar' }),
      '2026-06-09T10:00+07:00',
    );
  });
});

describe('judgeOnTime', () => {
  const dueAt = at('2026-05-05T09:00+07:00');

  test('open dossier: on time until the due date passes', () => {
    const open = (now: string): boolean => judgeOnTime({ dueAt, now: at(now), pausedAt: null, finishedAt: null });
    assert.equal(open('2026-05-05T08:59+07:00'), true);
    assert.equal(open('2026-05-05T09:00+07:00'), true, 'exactly at the due date is still on time');
    assert.equal(open('2026-05-05T09:00:01+07:00'), false);
    assert.equal(open('2026-05-20T09:00+07:00'), false);
  });

  test('finished dossier: judged by its finish time, whatever the time now', () => {
    const late = at('2026-06-01T09:00+07:00');
    assert.equal(judgeOnTime({ dueAt, now: late, pausedAt: null, finishedAt: at('2026-05-05T08:00+07:00') }), true);
    assert.equal(judgeOnTime({ dueAt, now: late, pausedAt: null, finishedAt: dueAt }), true);
    assert.equal(judgeOnTime({ dueAt, now: late, pausedAt: null, finishedAt: at('2026-05-05T10:00+07:00') }), false);
    assert.equal(
      judgeOnTime({ dueAt, now: at('2026-05-01T09:00+07:00'), pausedAt: null, finishedAt: at('2026-05-05T10:00+07:00') }),
      false,
    );
  });

  test('dossier awaiting a supplement: judged when its clock stopped; finish time wins', () => {
    const late = at('2026-06-01T09:00+07:00');
    assert.equal(judgeOnTime({ dueAt, now: late, pausedAt: at('2026-05-05T08:00+07:00'), finishedAt: null }), true);
    assert.equal(judgeOnTime({ dueAt, now: late, pausedAt: at('2026-05-05T10:00+07:00'), finishedAt: null }), false);
    assert.equal(
      judgeOnTime({ dueAt, now: late, pausedAt: at('2026-05-05T08:00+07:00'), finishedAt: at('2026-05-05T10:00+07:00') }),
      false,
    );
  });
});
