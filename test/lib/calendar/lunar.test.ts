// The Vietnamese lunisolar calendar (lunar.ts): Hồ Ngọc Đức's algorithm computed for UTC+7.
// (Named calendar-*.test.ts so that `node scripts/run-tests.mjs calendar` runs it too.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lunarNewYear, lunarToSolar, solarToLunar } from '../../../src/lib/calendar/lunar.js';
import type { LunarDate } from '../../../src/lib/calendar/lunar.js';
import { addDays } from '../../../src/lib/calendar/zone.js';

const lunar = (day: number, month: number, year: number, leap = false): LunarDate => ({ day, month, year, leap });

describe('Tết Nguyên đán', () => {
  const KNOWN: ReadonlyArray<[number, string]> = [
    [2015, '2015-02-19'],
    [2016, '2016-02-08'],
    [2017, '2017-01-28'],
    [2018, '2018-02-16'],
    [2019, '2019-02-05'],
    [2020, '2020-01-25'],
    [2021, '2021-02-12'],
    [2022, '2022-02-01'],
    [2023, '2023-01-22'],
    [2024, '2024-02-10'],
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
    [2028, '2028-01-26'],
    [2029, '2029-02-13'],
  ];
  for (const [year, date] of KNOWN) {
    test(`${year}: ${date}`, () => {
      assert.equal(lunarNewYear(year), date);
      assert.deepEqual(solarToLunar(date), lunar(1, 1, year));
      assert.equal(solarToLunar(addDays(date, -1)).month, 12, 'the day before is in month 12');
    });
  }

  test('2007: 17/2 in Việt Nam (UTC+7), a day before China (UTC+8)', () => {
    assert.equal(lunarNewYear(2007), '2007-02-17');
    assert.deepEqual(solarToLunar('2007-02-18'), lunar(2, 1, 2007));
  });

  test('2030: Saturday 2/2 in Việt Nam, a day before China (new moon 23:08 UTC+7 on 2/2)', () => {
    // Tables copied from Chinese calendars say 2030-02-03; in UTC+7 the new moon is still on 2/2.
    assert.equal(lunarNewYear(2030), '2030-02-02');
    assert.deepEqual(solarToLunar('2030-02-03'), lunar(2, 1, 2030));
  });

  test('1985: 21/1 in Việt Nam, a whole month before China (leap month 2 instead of 10/1984)', () => {
    assert.equal(lunarNewYear(1985), '1985-01-21');
    assert.equal(lunarToSolar(1, 2, 1985, true), '1985-03-21');
  });

  test('1968 (the North switched to UTC+7 in 1967): 29/1', () => {
    assert.equal(lunarNewYear(1968), '1968-01-29');
  });

  test('2033 and 2034', () => {
    assert.equal(lunarNewYear(2033), '2033-01-31');
    assert.equal(lunarNewYear(2034), '2034-02-19');
  });

  test('always between 21 January and 20 February (1900–2150)', () => {
    for (let year = 1900; year <= 2150; year += 1) {
      const tet = lunarNewYear(year);
      assert.ok(tet >= `${year}-01-21` && tet <= `${year}-02-20`, `${year}: ${tet}`);
    }
  });
});

describe('other lunar dates', () => {
  test('Giỗ Tổ Hùng Vương (10/3)', () => {
    assert.equal(lunarToSolar(10, 3, 2024), '2024-04-18');
    assert.equal(lunarToSolar(10, 3, 2025), '2025-04-07');
    assert.equal(lunarToSolar(10, 3, 2026), '2026-04-26');
    assert.deepEqual(solarToLunar('2026-04-26'), lunar(10, 3, 2026));
  });

  test('festivals of 2024–2026', () => {
    assert.equal(lunarToSolar(15, 8, 2024), '2024-09-17', 'Trung thu 2024');
    assert.equal(lunarToSolar(15, 8, 2025), '2025-10-06', 'Trung thu 2025');
    assert.equal(lunarToSolar(5, 5, 2025), '2025-05-31', 'Đoan ngọ 2025');
    assert.equal(lunarToSolar(23, 12, 2025), '2026-02-10', 'ông Công ông Táo, month 12 belongs to lunar 2025');
    assert.deepEqual(solarToLunar('2026-02-16'), lunar(29, 12, 2025), 'last day of Ất Tỵ (a 29-day month 12)');
  });

  test('leap months (tháng nhuận)', () => {
    assert.equal(lunarToSolar(1, 2, 2023, true), '2023-03-22');
    assert.deepEqual(solarToLunar('2023-04-19'), lunar(29, 2, 2023, true));
    assert.deepEqual(solarToLunar('2023-04-20'), lunar(1, 3, 2023));
    assert.equal(lunarToSolar(1, 4, 2020, true), '2020-05-23');
    assert.equal(lunarToSolar(1, 6, 2025, true), '2025-07-25');
    assert.equal(lunarToSolar(1, 6, 2017, true), '2017-07-23');
    // Việt Nam has leap month 11 in 2033 (the "2033 problem" of the Chinese calendar).
    assert.equal(lunarToSolar(1, 11, 2033, true), '2033-12-22');
    assert.deepEqual(solarToLunar('2034-01-19'), lunar(29, 11, 2033, true));
    assert.equal(lunarToSolar(1, 12, 2033), '2034-01-20');
  });

  test('lunarToSolar rejects dates that do not exist', () => {
    assert.throws(() => lunarToSolar(30, 12, 2025), RangeError, 'month 12 of 2025 has 29 days');
    assert.throws(() => lunarToSolar(1, 3, 2024, true), RangeError, 'no leap month in 2024');
    assert.throws(() => lunarToSolar(1, 3, 2023, true), RangeError, 'the leap month of 2023 is 2');
    for (const [d, m] of [
      [0, 1],
      [31, 1],
      [1, 0],
      [1, 13],
      [1.5, 1],
      [1, 2.5],
    ] as const) {
      assert.throws(() => lunarToSolar(d, m, 2026), RangeError, `${d}/${m}`);
    }
  });

  test('supported range 1800–2199', () => {
    assert.throws(() => lunarToSolar(1, 1, 2200), RangeError);
    assert.throws(() => lunarToSolar(1, 1, 1798), RangeError);
    assert.throws(() => lunarToSolar(1, 12, 2199), RangeError, 'falls in January 2200');
    assert.throws(() => lunarToSolar(1, 1, 1799), RangeError, 'falls in 1799');
    assert.throws(() => lunarNewYear(2026.5), RangeError);
    assert.throws(() => solarToLunar('2200-01-01'), RangeError);
    assert.throws(() => solarToLunar('1799-12-31'), RangeError);
    assert.throws(() => solarToLunar('2026-02-30'), RangeError);
    assert.match(lunarNewYear(1800), /^1800-0[12]-/);
    assert.equal(lunarNewYear(2199), lunarToSolar(1, 1, 2199));
  });

  test('January 1800 (lunar 1799) converts back (bug fixed: lunar year 1799 was rejected)', () => {
    const l = solarToLunar('1800-01-01');
    assert.deepEqual(l, lunar(7, 12, 1799));
    assert.equal(lunarToSolar(l.day, l.month, l.year, l.leap), '1800-01-01');
  });
});

describe('lunar calendar structure, every day 1900–2100', () => {
  test('solar → lunar → solar round-trips and the lunar days follow each other', () => {
    let previous = solarToLunar('1899-12-31');
    let monthLength = previous.day;
    let monthsInYear = 0;
    let leapsInYear = 0;
    for (let date = '1900-01-01'; date <= '2100-12-31'; date = addDays(date, 1)) {
      const l = solarToLunar(date);
      assert.equal(lunarToSolar(l.day, l.month, l.year, l.leap), date);
      if (l.day === 1) {
        assert.ok(monthLength === 29 || monthLength === 30, `month before ${date} has ${monthLength} days`);
        if (l.leap) {
          assert.ok(previous.month === l.month && !previous.leap, `leap month ${date} repeats the month before`);
          leapsInYear += 1;
        } else {
          assert.equal(l.month, previous.month === 12 ? 1 : previous.month + 1, date);
          assert.equal(l.year, l.month === 1 ? previous.year + 1 : previous.year, date);
        }
        if (l.month === 1 && !l.leap) {
          if (l.year > 1900) {
            assert.ok(monthsInYear === 12 || monthsInYear === 13, `${previous.year}: ${monthsInYear} months`);
            assert.equal(leapsInYear, monthsInYear - 12, `${previous.year}: leap month count`);
          }
          monthsInYear = 0;
          leapsInYear = 0;
        }
        monthsInYear += 1;
        monthLength = 1;
      } else {
        assert.deepEqual(l, { ...previous, day: previous.day + 1 }, date);
        monthLength += 1;
      }
      previous = l;
    }
  });
});
