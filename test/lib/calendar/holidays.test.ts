// Unit tests of src/lib/calendar/holidays.ts: announced schedules, compensatory days, invariants.
//
// Every instant below is written with an explicit +07:00 (or Z) offset and every expectation is an
// absolute instant or a 'YYYY-MM-DD' string, so the results must not change with the process's
// TZ: the suite is run with TZ=UTC and TZ=America/New_York.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeekend } from '../../../src/lib/calendar/zone.js';
import { defaultCalendar, defaultCalendarRange } from '../../../src/lib/calendar/holidays.js';
import type { CalendarDay } from '../../../src/lib/calendar/holidays.js';

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
