// Unit tests of src/lib/calendar/working-calendar.ts: office hours, working days, office time, due dates.
//
// Every instant below is written with an explicit +07:00 (or Z) offset and every expectation is an
// absolute instant or a 'YYYY-MM-DD' string, so the results must not change with the process's
// TZ: the suite is run with TZ=UTC and TZ=America/New_York.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MS_PER_DAY, addDays } from '../../../src/lib/calendar/zone.js';
import { defaultCalendarRange } from '../../../src/lib/calendar/holidays.js';
import type { CalendarDay } from '../../../src/lib/calendar/holidays.js';
import {
  DEFAULT_OFFICE_HOURS,
  WorkingCalendar,
  parseOfficeHours,
  validateOfficeHours,
} from '../../../src/lib/calendar/working-calendar.js';
import type { OfficeHours } from '../../../src/lib/calendar/working-calendar.js';
import { at, assertInstant, cal2024to2027, bare, prng } from '../../support/calendar.js';

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
