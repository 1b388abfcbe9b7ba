/**
 * What a Vietnamese screen may not show (issue 15 item 6): internal identifiers (snake_case,
 * camelCase, dotted codes like `agency.settings`) and English words left untranslated. The English
 * words are derived from the English catalogue (every word it uses that the Vietnamese catalogue does
 * not), so a new untranslated string is caught without a hand-kept list; a small allowlist holds the
 * words Vietnamese screens use as they are (SMS, Zalo, API, CSV, Excel, e-mail, OK …).
 */
import { en } from '../../src/web/i18n/en.js';
import { vi } from '../../src/web/i18n/vi.js';
import { stripDiacritics } from '../../src/lib/sms-text/fold.js';

/** Words a Vietnamese screen uses as they are. */
export const ALLOWED_WORDS: ReadonlySet<string> = new Set(
  [
    'sms',
    'zalo',
    'zns',
    'api',
    'csv',
    'excel',
    'email',
    'e-mail',
    'ok',
    'demo',
    'utc',
    'url',
    'https',
    'http',
    'smpp',
    'kannel',
    'esms',
    'speedsms',
    'sandbox',
    'qr',
    'id',
    'motcuasms',
    'mckh',
    'unicode',
    'gsm',
    'ascii',
    'ucs',
    'pdf',
    'xlsx',
    'www',
    'hmac',
    'otp',
    'vnpt',
    'viettel',
    'mobifone',
    'vinaphone',
    'vietnamobile',
    'gmobile',
    'itelecom',
    'english',
    'tt',
    // the trade's own word for a sender name ("SMS brandname")
    'brandname',
    // words Vietnamese uses as they are ("giao diện web", "địa chỉ IP"), and date/time patterns ("dạng HH:MM")
    'web',
    'ip',
    'hh',
    'mm',
    'dd',
    'yyyy',
    // Vietnamese given names and places ("Phan Thu An", "Long An") that are also English words
    'an',
  ].map((w) => w.toLowerCase()),
);

/** Every string (and function body) of a catalogue, flattened. */
function stringsOf(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (typeof value === 'function') into.push(value.toString().replace(/\$\{[^}]*\}/g, ' '));
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, into);
  return into;
}

const wordsOf = (text: string) => text.toLowerCase().match(/[a-z][a-z'-]*[a-z]|[a-z]/g) ?? [];
const letterWords = (text: string) => text.match(/\p{L}+/gu) ?? [];

const ENGLISH_CATALOGUE: ReadonlySet<string> = new Set(stringsOf(en).flatMap((s) => wordsOf(s.replace(/\{[^}]*\}/g, ' '))));

/**
 * Words that are Vietnamese written without marks: the ascii-folded form of every Vietnamese word with
 * marks (SMS bodies are folded), and the catalogue's plain words that the English catalogue does not
 * use (so "(agency)" in the Vietnamese catalogue does not make "agency" Vietnamese).
 */
const VIETNAMESE_ASCII: ReadonlySet<string> = new Set(
  stringsOf(vi)
    .flatMap(letterWords)
    .map((w) => w.toLowerCase())
    .flatMap((w) => (/^[a-z]+$/.test(w) ? (ENGLISH_CATALOGUE.has(w) ? [] : [w]) : [stripDiacritics(w)])),
);

/** English words of the English catalogue that no Vietnamese text uses, plus a few a code path could leak. */
export const ENGLISH_WORDS: ReadonlySet<string> = new Set(
  [
    ...ENGLISH_CATALOGUE,
    'default',
    'bootstrap',
    'admin',
    'null',
    'undefined',
    'true',
    'false',
    'nan',
    'from',
    'to',
    'name',
    'weight',
    'latency',
    'status',
    'pending',
    'sending',
    'sent',
    'delivered',
    'failed',
    'cancelled',
    'unknown',
    'error',
    'state',
    'kind',
    'settings',
    'agency',
    'token',
    'user',
    'clerk',
    'oversight',
  ].filter((w) => w.length > 1 && !VIETNAMESE_ASCII.has(w) && !ALLOWED_WORDS.has(w)),
);

export interface ScreenProblem {
  kind: 'snake_case' | 'camelCase' | 'dotted code' | 'English' | 'international phone';
  word: string;
  context: string;
}

/**
 * The problems in a page's visible text. `exempt` are strings the page shows on purpose (what the
 * user typed, receipt and procedure codes, usernames); phone numbers and codes with digits never match.
 */
export function screenProblems(text: string, exempt: readonly string[] = []): ScreenProblem[] {
  let visible = text;
  for (const e of exempt) if (e) visible = visible.split(e).join(' ');
  const problems: ScreenProblem[] = [];
  const at = (index: number) => visible.slice(Math.max(0, index - 40), index + 40).replace(/\s+/g, ' ');
  for (const m of visible.matchAll(/\b[a-z]+_[a-z_]+\b/g)) problems.push({ kind: 'snake_case', word: m[0], context: at(m.index) });
  for (const m of visible.matchAll(/\b[a-z]+[A-Z][a-zA-Z]*\b/g)) problems.push({ kind: 'camelCase', word: m[0], context: at(m.index) });
  for (const m of visible.matchAll(/(?<![\w.@/-])[a-z]+\.[a-z_]+(?![\w.@/-])/g))
    problems.push({ kind: 'dotted code', word: m[0], context: at(m.index) });
  // A Vietnamese number is read in its national form (0912 345 678), never +84….
  for (const m of visible.matchAll(/\+84\s?\d/g)) problems.push({ kind: 'international phone', word: m[0], context: at(m.index) });
  // Words of letters only (no digits, not part of an address, a file name or an e-mail).
  for (const m of visible.matchAll(/(?<![\p{L}\p{N}@./_:-])[A-Za-z]+(?:-[A-Za-z]+)*(?![\p{L}\p{N}@_]|\.[a-z])/gu)) {
    const word = m[0].toLowerCase();
    if (ENGLISH_WORDS.has(word)) problems.push({ kind: 'English', word: m[0], context: at(m.index) });
  }
  return problems;
}
