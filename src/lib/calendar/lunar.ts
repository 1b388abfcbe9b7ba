/**
 * The Vietnamese lunisolar calendar (âm lịch), computed for UTC+7 with Hồ Ngọc Đức's astronomical
 * algorithm: a month starts on the local day of a new moon, month 11 is the one containing the
 * winter solstice, and in a 13-month year the leap month is the first one in which the sun enters
 * no new 30° sector of longitude (no major solar term).
 *
 * Computing in UTC+7 matters: Chinese-calendar libraries compute in UTC+8 and put some new moons
 * (hence some Tết) a day later, e.g. 2007, or even a month apart, e.g. 1985.
 *
 * Accuracy of the new-moon and sun-longitude series is adequate for 1800–2199, the range accepted.
 */
import { addDays, MS_PER_DAY, utcMidnightMs } from './zone.js';

export interface LunarDate {
  day: number;
  month: number;
  year: number;
  /** True inside a leap month (tháng nhuận), which repeats the number of the month before it. */
  leap: boolean;
}

const TIME_ZONE_HOURS = 7;
const SYNODIC_MONTH = 29.530588853;
/** Julian day of the first new moon of 1900 (1900-01-01 13:51 UTC), the origin of the lunation count. */
const LUNATION_EPOCH_JD = 2415021.076998695;
const JULIAN_DAY_OF_UNIX_EPOCH = 2440588;
const MIN_YEAR = 1800;
const MAX_YEAR = 2199;
const DEG = Math.PI / 180;

function julianDayNumber(date: string): number {
  return utcMidnightMs(date) / MS_PER_DAY + JULIAN_DAY_OF_UNIX_EPOCH;
}

function dateOfJulianDayNumber(jdn: number): string {
  return addDays('1970-01-01', jdn - JULIAN_DAY_OF_UNIX_EPOCH);
}

/** Julian date (UT) of the k-th new moon after LUNATION_EPOCH (Meeus' truncated series). */
function newMoonJulianDate(k: number): number {
  const t = k / 1236.85;
  const t2 = t * t;
  const t3 = t2 * t;
  let jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3;
  jd += 0.00033 * Math.sin((166.56 + 132.87 * t - 0.009173 * t2) * DEG);
  const sunAnomaly = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3;
  const moonAnomaly = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3;
  const moonLatitude = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3;
  let c = (0.1734 - 0.000393 * t) * Math.sin(sunAnomaly * DEG) + 0.0021 * Math.sin(2 * sunAnomaly * DEG);
  c += -0.4068 * Math.sin(moonAnomaly * DEG) + 0.0161 * Math.sin(2 * moonAnomaly * DEG);
  c += -0.0004 * Math.sin(3 * moonAnomaly * DEG);
  c += 0.0104 * Math.sin(2 * moonLatitude * DEG) - 0.0051 * Math.sin((sunAnomaly + moonAnomaly) * DEG);
  c += -0.0074 * Math.sin((sunAnomaly - moonAnomaly) * DEG) + 0.0004 * Math.sin((2 * moonLatitude + sunAnomaly) * DEG);
  c += -0.0004 * Math.sin((2 * moonLatitude - sunAnomaly) * DEG) - 0.0006 * Math.sin((2 * moonLatitude + moonAnomaly) * DEG);
  c += 0.001 * Math.sin((2 * moonLatitude - moonAnomaly) * DEG) + 0.0005 * Math.sin((2 * moonAnomaly + sunAnomaly) * DEG);
  // ΔT (TT − UT) in days.
  const deltaT =
    t < -11 ? 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3 : -0.000278 + 0.000265 * t + 0.000262 * t2;
  return jd + c - deltaT;
}

/** Apparent sun longitude in radians, [0, 2π), at Julian date `jd`. */
function sunLongitude(jd: number): number {
  const t = (jd - 2451545.0) / 36525;
  const t2 = t * t;
  const meanAnomaly = 357.5291 + 35999.0503 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
  const meanLongitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
  let center = (1.9146 - 0.004817 * t - 0.000014 * t2) * Math.sin(meanAnomaly * DEG);
  center += (0.019993 - 0.000101 * t) * Math.sin(2 * meanAnomaly * DEG) + 0.00029 * Math.sin(3 * meanAnomaly * DEG);
  const longitude = (meanLongitude + center) * DEG;
  return longitude - 2 * Math.PI * Math.floor(longitude / (2 * Math.PI));
}

/** Local (UTC+7) Julian day number of the k-th new moon. */
function newMoonDay(k: number): number {
  return Math.floor(newMoonJulianDate(k) + 0.5 + TIME_ZONE_HOURS / 24);
}

/** Which 30° sector (0..11) the sun is in at the start of local day `jdn`. */
function sunSector(jdn: number): number {
  return Math.floor((sunLongitude(jdn - 0.5 - TIME_ZONE_HOURS / 24) / Math.PI) * 6);
}

/** Local Julian day number on which lunar month 11 (the solstice month) of solar year `year` starts. */
function month11Start(year: number): number {
  const k = Math.floor((julianDayNumber(`${year}-12-31`) - 2415021) / SYNODIC_MONTH);
  const start = newMoonDay(k);
  // Sector 9 begins at 270°, the winter solstice: a new moon after it starts month 12, not 11.
  return sunSector(start) >= 9 ? newMoonDay(k - 1) : start;
}

/** Lunation index of the month that starts on day `jdn` (a month start). */
function lunationOf(monthStartJdn: number): number {
  return Math.floor((monthStartJdn - LUNATION_EPOCH_JD) / SYNODIC_MONTH + 0.5);
}

/**
 * In a leap lunar year starting at month 11 `a11`, the offset (1..13) from `a11` of the first month
 * with no major solar term: the sun's sector is the same at its start and at the next month's start.
 */
function leapMonthOffset(a11: number): number {
  const k = lunationOf(a11);
  let offset = 1;
  let sector = sunSector(newMoonDay(k + offset));
  let previous: number;
  do {
    previous = sector;
    offset += 1;
    sector = sunSector(newMoonDay(k + offset));
  } while (sector !== previous && offset < 14);
  return offset - 1;
}

function assertSupportedYear(year: number, min = MIN_YEAR): void {
  if (!Number.isInteger(year) || year < min || year > MAX_YEAR) {
    throw new RangeError(`Year out of the supported range ${MIN_YEAR}–${MAX_YEAR}: ${year}`);
  }
}

export function solarToLunar(date: string): LunarDate {
  const dayNumber = julianDayNumber(date);
  assertSupportedYear(Number(date.slice(0, 4)));
  const solarYear = Number(date.slice(0, 4));
  // The mean lunation is only an estimate of which true new moon starts the month.
  let k = Math.floor((dayNumber - LUNATION_EPOCH_JD) / SYNODIC_MONTH) + 1;
  while (newMoonDay(k) > dayNumber) k -= 1;
  const monthStart = newMoonDay(k);

  let a11 = month11Start(solarYear);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = solarYear;
    a11 = month11Start(solarYear - 1);
  } else {
    lunarYear = solarYear + 1;
    b11 = month11Start(solarYear + 1);
  }

  const day = dayNumber - monthStart + 1;
  const monthsSince11 = Math.floor((monthStart - a11) / 29);
  let month = monthsSince11 + 11;
  let leap = false;
  if (b11 - a11 > 365) {
    const leapOffset = leapMonthOffset(a11);
    if (monthsSince11 >= leapOffset) {
      month = monthsSince11 + 10;
      leap = monthsSince11 === leapOffset;
    }
  }
  if (month > 12) month -= 12;
  // Months 11 and 12 belong to the lunar year that began before the solstice month.
  if (month >= 11 && monthsSince11 < 4) lunarYear -= 1;
  return { day, month, year: lunarYear, leap };
}

/** Solar 'YYYY-MM-DD' of a lunar date; RangeError if that date does not exist (e.g. no such leap month, day 30 of a 29-day month). */
export function lunarToSolar(day: number, month: number, year: number, leapMonth = false): string {
  // Lunar year MIN_YEAR − 1 too: January 1800 lies in it, and solarToLunar's answers must convert
  // back. The round-trip check below rejects results outside the supported solar years.
  assertSupportedYear(year, MIN_YEAR - 1);
  if (!Number.isInteger(day) || day < 1 || day > 30 || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`Invalid lunar date ${day}/${month}/${year}`);
  }
  // Lunar months 1..10 of `year` follow the month 11 of the previous solar year.
  const a11 = month < 11 ? month11Start(year - 1) : month11Start(year);
  const b11 = month < 11 ? month11Start(year) : month11Start(year + 1);
  let offset = (month - 11 + 12) % 12;
  if (b11 - a11 > 365) {
    const leapOffset = leapMonthOffset(a11);
    if (leapMonth || offset >= leapOffset) offset += 1;
  }
  const result = dateOfJulianDayNumber(newMoonDay(lunationOf(a11) + offset) + day - 1);

  const check = solarToLunar(result);
  if (check.day !== day || check.month !== month || check.year !== year || check.leap !== leapMonth) {
    throw new RangeError(`No such lunar date: ${day}/${month}${leapMonth ? ' (nhuận)' : ''}/${year}`);
  }
  return result;
}

/** Tết Nguyên đán: the solar date of lunar 1/1 of the lunar year that starts in solar `year`. */
export function lunarNewYear(year: number): string {
  return lunarToSolar(1, 1, year);
}
