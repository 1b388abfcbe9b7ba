/**
 * Parses a look-up SMS (mobile-originated) such as `MCKH 0101701234`, as real phones type it.
 *
 * Pure and total: any string gives a result, nothing throws for any text.
 */
import { stripDiacritics } from '../lib/sms-text/fold.js';

export interface MoParserOptions {
  /** Look-up keyword; letters and digits, any case. Default 'MCKH'. */
  keyword: string;
}

export type MoBadSyntaxReason = 'empty' | 'no_keyword' | 'no_code' | 'bad_code';

export type MoParseResult = { kind: 'lookup'; code: string } | { kind: 'bad_syntax'; reason: MoBadSyntaxReason };

export const DEFAULT_KEYWORD = 'MCKH';
/** Longest receipt code accepted. */
export const MAX_RECEIPT_CODE_LENGTH = 64;
/** Only this many UTF-16 code units of an MO are read; the keyword and code are at its start. */
export const MAX_MO_SCAN = 1000;

/** Characters that may separate the keyword from the code (and the keyword's own letters). */
const SEP = '[^A-Z0-9]';
const CODE_TOKEN = /^[A-Z0-9][A-Z0-9.-]*/;
const VALID_CODE = /^(?=.*[0-9])[A-Z0-9.-]{1,64}$/;

/**
 * Upper-cased, comparable form of an MO or a code: NFKC (full-width → ASCII), format characters
 * (zero-width space/joiners, BOM, word joiner, soft hyphen, bidi marks) removed, Vietnamese
 * diacritics folded (đ → d), upper case.
 */
function canonical(text: string): string {
  return stripDiacritics(text.normalize('NFKC').replace(/\p{Cf}/gu, '')).toUpperCase();
}

function keywordPattern(keyword: string): RegExp {
  const letters = canonical(keyword).replace(/[^A-Z0-9]/g, '');
  if (letters === '') throw new TypeError(`Look-up keyword "${keyword}" has no letters or digits`);
  return new RegExp(`^${Array.from(letters).join(`${SEP}*`)}`);
}

/**
 * Normalises a receipt code typed anywhere (SMS, web form, API): canonical form as above,
 * surrounding white space removed, a trailing '.' or '-' (sentence punctuation) stripped. Returns
 * null unless the result is 1–64 letters, digits, '.' and '-' with at least one digit.
 */
export function normalizeReceiptCode(input: string): string | null {
  const code = canonical(input.slice(0, MAX_MO_SCAN))
    .trim()
    .replace(/[.-]+$/, '');
  return VALID_CODE.test(code) ? code : null;
}

/**
 * Parses an MO text.
 *
 * - `empty`: no letter or digit at all (empty, white space, punctuation, emoji only).
 * - `no_keyword`: the first word is not the keyword ('TC 0101…', a bare code, 'Xin chao').
 * - `no_code`: the keyword and nothing after it.
 * - `bad_code`: the first token after the keyword is not a receipt code (no digit, > 64 chars).
 *
 * Accepted: any case; leading white space/punctuation; full-width and compatibility characters;
 * zero-width characters; diacritics; separators inside the keyword ('MC KH', 'M.C.K.H');
 * any run of non-alphanumerics between keyword and code ('_', spaces, tabs, newlines, . , : ; - # * / " < …)
 * or none at all ('MCKH0101701234'); the keyword repeated ('MCKH MCKH 0101…'). The code is the
 * first run of letters, digits, '.' and '-' after that; whatever follows (a signature, more words)
 * is ignored; a trailing '.'/'-' is dropped; the code is returned upper-cased. Only the first
 * 1,000 characters are read.
 */
export function parseMo(text: string, opts: Partial<MoParserOptions> = {}): MoParseResult {
  const keyword = keywordPattern(opts.keyword ?? DEFAULT_KEYWORD);
  const head = canonical(String(text).slice(0, MAX_MO_SCAN));
  let rest = head.replace(/^[^A-Z0-9]+/, '');
  if (rest === '') return { kind: 'bad_syntax', reason: 'empty' };

  const first = keyword.exec(rest);
  if (!first) return { kind: 'bad_syntax', reason: 'no_keyword' };
  rest = rest.slice(first[0].length).replace(/^[^A-Z0-9]+/, '');
  // The keyword typed twice ('MCKH MCKH 0101…', 'MCKH_MCKH0101…'): skip the repeats.
  for (let again = keyword.exec(rest); again; again = keyword.exec(rest)) {
    rest = rest.slice(again[0].length).replace(/^[^A-Z0-9]+/, '');
  }
  // 'MCKH MS: 0101…': citizens copy the code with its label from our own notifications ("(MS: …)").
  rest = rest.replace(/^MS[^A-Z0-9]+(?=[A-Z0-9])/, '');
  const token = CODE_TOKEN.exec(rest);
  if (!token) return { kind: 'bad_syntax', reason: 'no_code' };
  const code = token[0].replace(/[.-]+$/, '');
  if (!VALID_CODE.test(code)) return { kind: 'bad_syntax', reason: 'bad_code' };
  return { kind: 'lookup', code };
}

/** The syntax shown to citizens: `lookupSyntax('MCKH', '8083')` → 'MCKH <Mã số biên nhận> gửi 8083'. */
export function lookupSyntax(keyword: string, shortCode: string): string {
  return `${keyword.trim().toUpperCase()} <Mã số biên nhận> gửi ${shortCode.trim()}`;
}
