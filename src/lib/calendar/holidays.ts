/**
 * The public holidays for civil servants (Labour Code 2019, art. 112) as calendar data: only the
 * entries that change the default Monday–Friday rule. This is the seed; administrators correct the
 * calendar per year through the API (PUT /api/v1/calendar/{date}) when the government announces
 * swaps or make-up days.
 */
import { lunarNewYear, lunarToSolar } from './lunar.js';
import { addDays, formatVnDate, isWeekend } from './zone.js';

export type CalendarDayKind = 'holiday' | 'workday';

/** An entry that overrides the default rule: `holiday` makes a weekday non-working, `workday` makes a Saturday/Sunday a working (make-up) day. */
export interface CalendarDay {
  date: string;
  kind: CalendarDayKind;
  name: string;
}

type HolidayGroup = 'new-year' | 'tet' | 'hung-kings' | 'reunification-labour' | 'national-day';

interface Holiday {
  date: string;
  name: string;
  group: HolidayGroup;
}

const NEW_YEAR = 'Tết Dương lịch';
const TET = 'Tết Nguyên đán';
const HUNG_KINGS = 'Giỗ Tổ Hùng Vương';
const REUNIFICATION = 'Ngày Chiến thắng';
const LABOUR_DAY = 'Quốc tế Lao động';
const NATIONAL_DAY = 'Quốc khánh';

const pad2 = (n: number): string => String(n).padStart(2, '0');
const ymd = (year: number, month: number, day: number): string => `${year}-${pad2(month)}-${pad2(day)}`;

function statutoryHolidays(year: number): Holiday[] {
  const tet = lunarNewYear(year);
  const nationalDay = ymd(year, 9, 2);
  // Art. 112 gives 2/9 plus the day before or after it; the government picks 3/9 unless that is a
  // weekend. The second day exists only since the Labour Code 2019 took effect (2021).
  const nationalDayExtra = year < 2021 ? [] : [isWeekend(ymd(year, 9, 3)) ? ymd(year, 9, 1) : ymd(year, 9, 3)];
  return [
    { date: ymd(year, 1, 1), name: NEW_YEAR, group: 'new-year' },
    ...[-1, 0, 1, 2, 3].map((offset): Holiday => ({ date: addDays(tet, offset), name: TET, group: 'tet' })),
    { date: lunarToSolar(10, 3, year), name: HUNG_KINGS, group: 'hung-kings' },
    { date: ymd(year, 4, 30), name: REUNIFICATION, group: 'reunification-labour' },
    { date: ymd(year, 5, 1), name: LABOUR_DAY, group: 'reunification-labour' },
    { date: nationalDay, name: NATIONAL_DAY, group: 'national-day' },
    ...nationalDayExtra.map((date): Holiday => ({ date, name: NATIONAL_DAY, group: 'national-day' })),
  ];
}

/** Weekday holidays from `from` to `to` inclusive (the weekends inside need no entry). */
function holidayWeekdays(name: string, from: string, to: string): CalendarDay[] {
  const days: CalendarDay[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    if (!isWeekend(date)) days.push({ date, kind: 'holiday', name });
  }
  return days;
}

/** A weekday given off in exchange for working a Saturday (hoán đổi ngày làm việc). */
function swap(dayOff: string, makeUpSaturday: string, holidayName: string): CalendarDay[] {
  return [
    { date: dayOff, kind: 'holiday', name: `Nghỉ hoán đổi ${holidayName} (làm bù ${formatVnDate(makeUpSaturday)})` },
    { date: makeUpSaturday, kind: 'workday', name: `Làm bù ngày ${formatVnDate(dayOff)} (${holidayName})` },
  ];
}

/**
 * The schedules the government actually announced for civil servants, replacing the mechanical
 * result for that holiday group in that year. Only schedules known with confidence are listed;
 * anything else is corrected per year through the API.
 *
 * Confidence of the seed (checked in test/lib/calendar/holidays.test.ts):
 * - 2020–2025: the groups listed here follow the announced schedules; for the other groups the
 *   mechanical result (nghỉ bù after a weekend holiday) agrees with the announcements as far as
 *   they were checked (e.g. 1/1/2022 → 3/1, 30/4–1/5/2022 → 2/5–3/5, 2/9/2023 → 1/9 and 4/9).
 * - 2026: Tết (Sat 14/2 – Sun 22/2) is announced; Hùng Kings (Sun 26/4 → nghỉ bù Mon 27/4) and
 *   30/4–1/5 (Thu, Fri) come out of the mechanical rule and match the announcement.
 *   UNCERTAIN, not verified against the official notice: 1/1/2026 (Thu) is seeded as a single
 *   day although a swap (Fri 2/1 off, make-up Sat 10/1) was discussed; for 2/9/2026 (Wed) the
 *   mechanical rule picks 3/9 as the second day, the announced choice may be 1/9. Correct these
 *   through the API once confirmed.
 * - 2027 onwards: mechanical only (Tết = 29 or 30 Tết + mùng 1–4, nghỉ bù, 3/9 or 1/9). The
 *   government usually adds swaps; expect to correct these years.
 * - Tết 2030 is Sat 2/2/2030 in Việt Nam (new moon about 23:08 UTC+7 on 2/2, i.e. 00:08 on 3/2
 *   in UTC+8), not 3/2 as in China and in tables copied from Chinese calendars.
 * - Days off added after the Labour Code 2019 (none known with certainty) are not seeded.
 */
const ANNOUNCED: Readonly<Record<number, Partial<Record<HolidayGroup, CalendarDay[]>>>> = {
  2020: { tet: holidayWeekdays(TET, '2020-01-23', '2020-01-29') },
  2021: { tet: holidayWeekdays(TET, '2021-02-10', '2021-02-16') },
  2023: { tet: holidayWeekdays(TET, '2023-01-20', '2023-01-26') },
  2024: {
    tet: holidayWeekdays(TET, '2024-02-08', '2024-02-14'),
    'reunification-labour': [
      { date: '2024-04-30', kind: 'holiday', name: REUNIFICATION },
      { date: '2024-05-01', kind: 'holiday', name: LABOUR_DAY },
      ...swap('2024-04-29', '2024-05-04', `${REUNIFICATION} và ${LABOUR_DAY}`),
    ],
  },
  2025: {
    tet: holidayWeekdays(TET, '2025-01-25', '2025-02-02'),
    'reunification-labour': [
      { date: '2025-04-30', kind: 'holiday', name: REUNIFICATION },
      { date: '2025-05-01', kind: 'holiday', name: LABOUR_DAY },
      ...swap('2025-05-02', '2025-04-26', `${REUNIFICATION} và ${LABOUR_DAY}`),
    ],
    'national-day': holidayWeekdays(NATIONAL_DAY, '2025-08-30', '2025-09-02'),
  },
  2026: { tet: holidayWeekdays(TET, '2026-02-14', '2026-02-22') },
};

/**
 * The holidays of `year` that change the default Monday–Friday rule, sorted by date: statutory
 * holidays on weekdays, compensatory days (nghỉ bù) for those on a weekend, and the announced
 * schedules (with their make-up Saturdays) where known.
 */
export function defaultCalendar(year: number): CalendarDay[] {
  const announced = ANNOUNCED[year] ?? {};
  const mechanical: Holiday[] = [];
  for (const holiday of statutoryHolidays(year)
    .filter((h) => announced[h.group] === undefined)
    .sort((a, b) => a.date.localeCompare(b.date))) {
    // Two holidays can fall on the same date (10/3 lunar was 30/4 in 1947): one entry, one day off.
    const last = mechanical[mechanical.length - 1];
    if (last !== undefined && last.date === holiday.date) last.name = `${last.name}, ${holiday.name}`;
    else mechanical.push({ ...holiday });
  }
  const announcedDays = Object.values(announced).flat();

  const daysOff = new Set<string>([
    ...mechanical.map((h) => h.date),
    ...announcedDays.filter((d) => d.kind === 'holiday').map((d) => d.date),
  ]);
  const result: CalendarDay[] = [...announcedDays];

  // Holidays on consecutive dates form one block (Tết; 30/4–1/5; a Hùng Kings day next to them).
  // Each block day on a weekend earns a day off on the next working day after the block.
  let i = 0;
  while (i < mechanical.length) {
    let end = i;
    while (end + 1 < mechanical.length && mechanical[end + 1]!.date === addDays(mechanical[end]!.date, 1)) end += 1;
    const block = mechanical.slice(i, end + 1);
    let candidate = block[block.length - 1]!.date;
    for (const holiday of block) {
      if (!isWeekend(holiday.date)) {
        result.push({ date: holiday.date, kind: 'holiday', name: holiday.name });
        continue;
      }
      do candidate = addDays(candidate, 1);
      while (isWeekend(candidate) || daysOff.has(candidate));
      daysOff.add(candidate);
      result.push({ date: candidate, kind: 'holiday', name: `Nghỉ bù ${holiday.name}` });
    }
    i = end + 1;
  }
  return result.sort((a, b) => a.date.localeCompare(b.date));
}

export function defaultCalendarRange(fromYear: number, toYear: number): CalendarDay[] {
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear) {
    throw new RangeError(`Invalid year range ${fromYear}–${toYear}`);
  }
  const days: CalendarDay[] = [];
  for (let year = fromYear; year <= toYear; year += 1) days.push(...defaultCalendar(year));
  return days;
}
