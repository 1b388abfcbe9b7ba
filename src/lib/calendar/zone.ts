/**
 * Local time in Việt Nam (Asia/Ho_Chi_Minh). The zone has been a fixed UTC+7 with no daylight
 * saving since 1975, so every conversion is plain arithmetic with the offset; nothing here reads
 * the process's own time zone (only the getUTC* accessors are used).
 *
 * Local dates are 'YYYY-MM-DD' strings; times of day are minutes since local midnight.
 */

export const VN_OFFSET_MINUTES = 420;

const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;
const OFFSET_MS = VN_OFFSET_MINUTES * MS_PER_MINUTE;
const MINUTES_PER_DAY = 1440;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const HH_MM_PATTERN = /^(\d{1,2}):(\d{2})$/;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The years a date given to the service may fall in: far-off years are typing mistakes or probes, and
 *  the calendar (lunar new years, holidays) and the 'YYYY-MM-DD' arithmetic are only meant for these. */
export const BUSINESS_YEARS = Object.freeze({ first: 2000, last: 2100 });

/** Whether an instant falls within BUSINESS_YEARS in Việt Nam. */
export function inBusinessYears(ms: number): boolean {
  if (!Number.isFinite(ms)) return false;
  const year = new Date(ms + OFFSET_MS).getUTCFullYear();
  return year >= BUSINESS_YEARS.first && year <= BUSINESS_YEARS.last;
}

function assertValidInstant(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid Date');
  return ms;
}

/** The local wall clock of an instant, expressed as a Date whose UTC fields read as Vietnam time. */
function shifted(instant: Date): Date {
  return new Date(assertValidInstant(instant) + OFFSET_MS);
}

function isoDateOfUtcFields(d: Date): string {
  const year = d.getUTCFullYear();
  // Outside 0000–9999 (or an invalid Date) the result would not be a parseable 'YYYY-MM-DD'.
  if (!Number.isInteger(year) || year < 0 || year > 9999) throw new RangeError('Date out of the range 0000-01-01 – 9999-12-31');
  return `${String(year).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** Midnight UTC of a 'YYYY-MM-DD' date, in epoch ms; RangeError for malformed or impossible dates. */
export function utcMidnightMs(date: string): number {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new RangeError(`Invalid date '${date}', expected YYYY-MM-DD`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  // Not Date.UTC: it maps years 0..99 to 1900..1999 (so '0099-12-31' was rejected); setUTCFullYear does not.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  // A date such as 2026-02-30 silently rolls over to March.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`Invalid date '${date}'`);
  }
  return check.getTime();
}

/** 'YYYY-MM-DD' of the instant in Việt Nam. */
export function localDate(instant: Date): string {
  return isoDateOfUtcFields(shifted(instant));
}

/** Whole minutes since local midnight in Việt Nam (seconds are dropped). */
export function localMinutes(instant: Date): number {
  const local = shifted(instant);
  return local.getUTCHours() * 60 + local.getUTCMinutes();
}

/** The instant at `minutes` (0..1440, may be fractional) after local midnight of `date`. */
export function fromLocal(date: string, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0 || minutes > MINUTES_PER_DAY) {
    throw new RangeError(`Minutes of day out of range: ${minutes}`);
  }
  return new Date(utcMidnightMs(date) - OFFSET_MS + minutes * MS_PER_MINUTE);
}

/** e.g. '2026-11-20T08:15:00+07:00' (seconds always present, milliseconds dropped). */
export function formatVnIso(instant: Date): string {
  const local = shifted(instant);
  const time = `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())}`;
  return `${isoDateOfUtcFields(local)}T${time}+07:00`;
}

/**
 * An epoch-milliseconds column as formatVnIso, null kept: the one `iso()` of the JSON views. Takes a
 * string too, as PostgreSQL's bigint columns arrive.
 */
export function vnIso(ms: number | string): string;
export function vnIso(ms: number | string | null): string | null;
export function vnIso(ms: number | string | null): string | null {
  return ms === null ? null : formatVnIso(new Date(Number(ms)));
}

/** 'YYYY-MM-DD' → 'DD/MM/YYYY', the form used in SMS texts. */
export function formatVnDate(date: string): string {
  utcMidnightMs(date);
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

export function addDays(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new RangeError(`Day count must be an integer: ${n}`);
  return isoDateOfUtcFields(new Date(utcMidnightMs(date) + n * MS_PER_DAY));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcMidnightMs(to) - utcMidnightMs(from)) / MS_PER_DAY);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(utcMidnightMs(date)).getUTCDay();
}

export function isWeekend(date: string): boolean {
  const day = weekday(date);
  return day === 0 || day === 6;
}

/** '07:30' → 450. Accepts H:MM or HH:MM from 00:00 to 24:00; RangeError otherwise. */
export function parseHhMm(text: string): number {
  const match = HH_MM_PATTERN.exec(text.trim());
  if (!match) throw new RangeError(`Invalid time '${text}', expected HH:MM`);
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes !== 0)) {
    throw new RangeError(`Invalid time '${text}'`);
  }
  return hours * 60 + minutes;
}

/** 450 → '07:30'; accepts whole minutes 0..1440. */
export function formatHhMm(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > MINUTES_PER_DAY) {
    throw new RangeError(`Minutes of day out of range: ${minutes}`);
  }
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}
