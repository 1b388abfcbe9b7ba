/**
 * GSM 03.38 (3GPP TS 23.038) default alphabet, its extension table, septet counting and the
 * splitting of long texts into concatenated-SMS parts, for both GSM 7-bit and UCS-2.
 *
 * Strings are walked by code point; a character that is not in the alphabet makes the GSM
 * functions throw (use `isGsmText` first, or fold with `foldVietnamese`).
 */

/**
 * The 128 characters of the default alphabet, indexed by septet value. Index 0x1B is the escape
 * to the extension table; it is not a character of its own and is not accepted in text.
 */
export const GSM_BASIC_TABLE =
  '@\u00A3$\u00A5\u00E8\u00E9\u00F9\u00EC\u00F2\u00C7\n\u00D8\u00F8\r\u00C5\u00E5' +
  '\u0394_\u03A6\u0393\u039B\u03A9\u03A0\u03A8\u03A3\u0398\u039E\u001B\u00C6\u00E6\u00DF\u00C9' +
  ' !"#\u00A4%&\'()*+,-./' +
  '0123456789:;<=>?' +
  '\u00A1ABCDEFGHIJKLMNO' +
  'PQRSTUVWXYZ\u00C4\u00D6\u00D1\u00DC\u00A7' +
  '\u00BFabcdefghijklmno' +
  'pqrstuvwxyz\u00E4\u00F6\u00F1\u00FC\u00E0';

/** The septet value of the escape that introduces an extension-table character. */
export const GSM_ESCAPE = 0x1b;

/** Extension-table characters and the septet that follows the escape: each costs 2 septets. */
export const GSM_EXTENSION_TABLE: Readonly<Record<string, number>> = Object.freeze({
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '\u20AC': 0x65,
});

/** A message of at most this many septets goes out as one SMS. */
export const GSM_SINGLE_SEPTETS = 160;
/** Each part of a concatenated GSM message carries at most this many septets (6-octet UDH). */
export const GSM_PART_SEPTETS = 153;
/** A message of at most this many UTF-16 code units goes out as one UCS-2 SMS. */
export const UCS2_SINGLE_UNITS = 70;
/** Each part of a concatenated UCS-2 message carries at most this many UTF-16 code units. */
export const UCS2_PART_UNITS = 67;

const BASIC = new Set(Array.from(GSM_BASIC_TABLE).filter((ch) => ch !== '\u001B'));
const EXTENSION = new Set(Object.keys(GSM_EXTENSION_TABLE));

/** Septets one character costs: 1 (basic), 2 (extension) or 0 when it is not GSM at all. */
export function gsmCharSeptets(ch: string): 0 | 1 | 2 {
  if (BASIC.has(ch)) return 1;
  if (EXTENSION.has(ch)) return 2;
  return 0;
}

/** True when every character of `s` can be sent in the GSM 7-bit default alphabet. */
export function isGsmText(s: string): boolean {
  for (const ch of s) if (gsmCharSeptets(ch) === 0) return false;
  return true;
}

function notGsm(ch: string, index: number): RangeError {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return new RangeError(`Character U+${hex} at index ${index} is not in the GSM 03.38 alphabet`);
}

/** Septets needed for `s` (extension characters count 2). Throws a RangeError if `s` is not GSM. */
export function gsmSeptets(s: string): number {
  let total = 0;
  let index = 0;
  for (const ch of s) {
    const cost = gsmCharSeptets(ch);
    if (cost === 0) throw notGsm(ch, index);
    total += cost;
    index += ch.length;
  }
  return total;
}

/**
 * Splits a GSM text into the parts it is sent as: `[s]` when it fits 160 septets, otherwise parts
 * of at most 153 septets; an extension character (escape + septet) is never cut in two.
 * The empty string gives no parts (`[]`). Throws a RangeError if `s` is not GSM.
 */
export function splitGsm(s: string): string[] {
  if (s === '') return [];
  if (gsmSeptets(s) <= GSM_SINGLE_SEPTETS) return [s];
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const ch of s) {
    const cost = gsmCharSeptets(ch);
    if (used + cost > GSM_PART_SEPTETS) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += ch;
    used += cost;
  }
  parts.push(current);
  return parts;
}

/**
 * Splits a text into UCS-2 parts: `[s]` when it fits 70 UTF-16 code units, otherwise parts of at
 * most 67 code units; a surrogate pair (a character outside the BMP) is never cut in two.
 * The empty string gives no parts (`[]`).
 */
export function splitUcs2(s: string): string[] {
  if (s === '') return [];
  if (s.length <= UCS2_SINGLE_UNITS) return [s];
  const parts: string[] = [];
  let current = '';
  for (const ch of s) {
    if (current.length + ch.length > UCS2_PART_UNITS) {
      parts.push(current);
      current = '';
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}
