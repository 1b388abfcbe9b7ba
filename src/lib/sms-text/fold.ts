/**
 * ASCII folding of Vietnamese (and any other) text for plain, non-Unicode SMS.
 *
 * The result is always GSM 03.38 text in which every Latin letter is a plain ASCII letter:
 * Vietnamese subscribers' phones and brandname aggregators expect plain ASCII for non-Unicode
 * messages, so even the accented letters the GSM alphabet does have (à, é, Ñ, Ø, …) are folded to
 * their base letter. GSM symbols that are not letters (£ $ ¥ € § ¤ ¡ ¿ and the Greek capitals of
 * the alphabet) are kept.
 */
import { gsmCharSeptets } from './gsm.js';

const COMBINING_MARK = /\p{M}/u;
const COMBINING_MARKS = /\p{M}+/gu;
const LATIN = /\p{Script=Latin}/u;
/** Printable ASCII without the backtick (not in GSM), plus LF and CR: the fast path. */
const PLAIN = /^[\n\r\x20-\x5F\x61-\x7E]*$/;

/**
 * Removes diacritics only: NFD, drop every combining mark, đ→d, Đ→D, NFC.
 * "Hồ sơ Đắk Lắk" → "Ho so Dak Lak". Other characters are left as they are.
 */
export function stripDiacritics(s: string): string {
  return s.normalize('NFD').replace(COMBINING_MARKS, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFC');
}

/**
 * Text as search compares it: NFC, no diacritics, lower case, single spaces. "Nguyễn  Văn Đức" and
 * "nguyen van duc" fold to the same key, so a clerk finds a name however it is typed.
 */
export function searchFold(s: string): string {
  return stripDiacritics(s.normalize('NFC')).toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Replacements for characters that have no acceptable decomposition (or a misleading one). */
const REPLACEMENTS: Record<string, string> = {
  // quotes and apostrophes
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u2032': "'",
  '\u2035': "'",
  '\u00B4': "'",
  '\u02B9': "'",
  '\u02BC': "'",
  '\u2039': "'",
  '\u203A': "'",
  '`': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u201F': '"',
  '\u2033': '"',
  '\u2036': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u301D': '"',
  '\u301E': '"',
  // dashes, hyphens, minus, bullets
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2043': '-',
  '\u2022': '-',
  '\u00B7': '.',
  '\u2027': '.',
  '\u2044': '/',
  '\u2215': '/',
  '\u00D7': 'x',
  '\u00F7': '/',
  '\u2260': '!=',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u2026': '...',
  '\u3002': '.',
  '\u3001': ',',
  // white space: spaces become a space, line/paragraph separators a newline
  '\t': ' ',
  '\u000B': ' ',
  '\u00A0': ' ',
  '\u1680': ' ',
  '\u202F': ' ',
  '\u205F': ' ',
  '\u3000': ' ',
  '\u2028': '\n',
  '\u2029': '\n',
  '\u0085': '\n',
  // Latin letters without a canonical decomposition
  '\u00C6': 'AE',
  '\u00E6': 'ae',
  '\u00D8': 'O',
  '\u00F8': 'o',
  '\u00DF': 'ss',
  '\u1E9E': 'SS',
  '\u00D0': 'D',
  '\u00F0': 'd',
  '\u0110': 'D',
  '\u0111': 'd',
  '\u0189': 'D',
  '\u0256': 'd',
  '\u00DE': 'TH',
  '\u00FE': 'th',
  '\u0141': 'L',
  '\u0142': 'l',
  '\u0126': 'H',
  '\u0127': 'h',
  '\u0131': 'i',
  '\u0197': 'I',
  '\u0268': 'i',
  '\u014A': 'N',
  '\u014B': 'n',
  '\u0152': 'OE',
  '\u0153': 'oe',
  '\u0166': 'T',
  '\u0167': 't',
  '\u0138': 'k',
  '\u0191': 'F',
  '\u0192': 'f',
  '\u0180': 'b',
  '\u0243': 'B',
  // symbols
  '\u20AB': 'd',
  '\u00A9': '(c)',
  '\u00AE': '(R)',
};
for (let cp = 0x2000; cp <= 0x200a; cp++) REPLACEMENTS[String.fromCharCode(cp)] = ' '; // en quad … hair space

/** A character that may stay in folded text: GSM, and if a Latin letter then plain ASCII. */
function acceptable(ch: string): boolean {
  if (gsmCharSeptets(ch) === 0) return false;
  return ch.charCodeAt(0) < 0x80 || !LATIN.test(ch);
}

/** Characters that simply disappear: format characters and controls other than LF, CR, FF, TAB. */
function dropped(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0x1f) return ch !== '\n' && ch !== '\r' && ch !== '\f' && ch !== '\t' && ch !== '\u000B';
  if (cp >= 0x7f && cp <= 0x9f) return cp !== 0x85;
  if (cp >= 0x1f3fb && cp <= 0x1f3ff) return true; // emoji skin-tone modifiers
  return COMBINING_MARK.test(ch) || /\p{Cf}/u.test(ch);
}

/** Maps each character of `s` through the table or keeps it; null if any character is neither. */
function mapAll(s: string): string | null {
  let out = '';
  for (const ch of s) {
    if (acceptable(ch)) out += ch;
    else if (REPLACEMENTS[ch] !== undefined) out += REPLACEMENTS[ch];
    else if (dropped(ch)) continue;
    else return null;
  }
  return out;
}

/** foldChar is pure and a message has a few dozen distinct characters: remember each one's folding
 *  (the regexes and NFD/NFC round trips below cost microseconds per character). */
const FOLDED = new Map<string, string>();

function foldChar(ch: string): string {
  let folded = FOLDED.get(ch);
  if (folded === undefined) {
    folded = foldCharUncached(ch);
    if (FOLDED.size < 10_000) FOLDED.set(ch, folded);
  }
  return folded;
}

function foldCharUncached(ch: string): string {
  if (acceptable(ch)) return ch;
  const replaced = REPLACEMENTS[ch];
  if (replaced !== undefined) return replaced;
  if (dropped(ch)) return '';
  const folded = mapAll(stripDiacritics(ch)) ?? mapAll(stripDiacritics(ch.normalize('NFKD')));
  return folded === null || folded === '' ? '?' : folded;
}

/**
 * Folds text for a plain (GSM 7-bit) SMS: Vietnamese diacritics removed and đ/Đ → d/D, curly
 * quotes → straight, en/em dashes → '-', '…' → '...', non-breaking and other spaces → ' ', tabs →
 * ' ', zero-width and other format characters and stray controls removed, compatibility forms
 * (full-width letters, ligatures) folded through NFKD, any other character → '?' (one per
 * character). The result always satisfies `isGsmText`, and its Latin letters are all ASCII.
 *
 * "Hồ sơ của quý ông/bà (MS: 000.00.15.H34-210312-0001)" → "Ho so cua quy ong/ba (MS: 000.00.15.H34-210312-0001)".
 */
export function foldVietnamese(s: string): string {
  const text = s.normalize('NFC');
  if (PLAIN.test(text)) return text;
  let out = '';
  for (const ch of text) out += foldChar(ch);
  return out;
}
