/**
 * Message templates with the seeds' own Vietnamese placeholders (`{Mã số biên nhận}`,
 * `{Tên cơ quan}`, …), so an official edits a template in the words they already use.
 *
 * Syntax: `{` starts a placeholder that ends at the next `}`. A `{` with no `}` before the next `{`
 * or the end of the text is an unclosed brace (an error). A `}` outside a placeholder is ordinary
 * text. Placeholder names match whatever their case, Unicode normal form (NFC/NFD, full-width),
 * diacritics (`{Ma so bien nhan}`), spacing inside the braces (`{ mã số  biên nhận }`) and
 * spacing around `/` (`{Đúng hạn/ Trễ hạn}`, as seed 001 writes it), stray zero-width characters,
 * and the seeds' other names for them (`{Mã số hồ sơ}` in seed 003).
 *
 * The applicant's name is deliberately not a placeholder: it never goes into an SMS.
 */
import { prepareSms } from './encode.js';
import type { SmsEncoding } from './encode.js';
import { stripDiacritics } from './fold.js';

/** Placeholder name (as officials write it) → variable key. */
export const PLACEHOLDERS = {
  'Mã số biên nhận': 'receiptCode',
  'Tên cơ quan': 'agencyName',
  'Ngày hẹn trả': 'dueDate',
  'Giờ hẹn trả': 'dueTime',
  'Tên bước giải quyết hiện tại': 'step',
  'Đúng hạn/Trễ hạn': 'statusText',
  'Tên thủ tục': 'procedureName',
  'Ngày trả': 'returnedDate',
  'Cú pháp tra cứu': 'lookupSyntax',
  'Đầu số': 'shortCode',
} as const satisfies Readonly<Record<string, string>>;

export type PlaceholderName = keyof typeof PLACEHOLDERS;
export type TemplateVar = (typeof PLACEHOLDERS)[PlaceholderName];
export type TemplateVars = Partial<Record<TemplateVar, string>>;

/** Variable key → its placeholder name, for messages and editors. */
export const PLACEHOLDER_NAMES: Readonly<Record<TemplateVar, PlaceholderName>> = Object.freeze(
  Object.fromEntries(Object.entries(PLACEHOLDERS).map(([name, key]) => [key, name])) as Record<TemplateVar, PlaceholderName>,
);

/**
 * Other names the seeds use for a placeholder: the 2016 pilot report (seed 003) writes the receipt
 * code as `{Mã số hồ sơ}`. They match like the names above and stand for that placeholder.
 */
const PLACEHOLDER_ALIASES: Readonly<Record<string, PlaceholderName>> = Object.freeze({
  'Mã số hồ sơ': 'Mã số biên nhận',
});

/**
 * The matching key of a placeholder name: NFKC, format characters (zero-width space, soft hyphen,
 * … pasted from a word processor) removed, no diacritics, lower case, single spaces, no spaces
 * around '/'.
 */
function nameKey(raw: string): string {
  return stripDiacritics(raw.normalize('NFKC').replace(/\p{Cf}/gu, ''))
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/ ?\/ ?/g, '/');
}

const BY_KEY: ReadonlyMap<string, { name: PlaceholderName; variable: TemplateVar }> = new Map([
  ...(Object.entries(PLACEHOLDERS) as Array<[PlaceholderName, TemplateVar]>).map(
    ([name, variable]) => [nameKey(name), { name, variable }] as const,
  ),
  ...Object.entries(PLACEHOLDER_ALIASES).map(([alias, name]) => [nameKey(alias), { name, variable: PLACEHOLDERS[name] }] as const),
]);

/** Thrown by `parseTemplate` / `renderTemplate` for a `{` that is never closed. */
export class TemplateSyntaxError extends Error {
  readonly code = 'UNCLOSED_BRACE' as const;
  constructor(
    /** UTF-16 index of the unclosed `{`. */
    readonly index: number,
    readonly fragment: string,
  ) {
    super(`Thiếu dấu "}" đóng chỗ điền bắt đầu ở ký tự thứ ${index + 1}: "${fragment}".`);
    this.name = 'TemplateSyntaxError';
  }
}

type Token =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'placeholder'; readonly raw: string; readonly name: PlaceholderName | null; readonly variable: TemplateVar | null };

/** Rendering sees the same few templates for every message: tokenize each once (tokens are read-only). */
const TOKENS = new Map<string, readonly Token[]>();

function tokensOf(template: string): readonly Token[] {
  let tokens = TOKENS.get(template);
  if (tokens === undefined) {
    tokens = tokenize(template);
    if (TOKENS.size < 1_000) TOKENS.set(template, tokens);
  }
  return tokens;
}

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{', at);
    if (open < 0) {
      tokens.push({ type: 'text', text: template.slice(at) });
      break;
    }
    if (open > at) tokens.push({ type: 'text', text: template.slice(at, open) });
    const close = template.indexOf('}', open + 1);
    const nextOpen = template.indexOf('{', open + 1);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      const end = nextOpen >= 0 ? nextOpen : template.length;
      const fragment = template.slice(open, Math.min(end, open + 40));
      throw new TemplateSyntaxError(open, fragment);
    }
    const raw = template.slice(open + 1, close).trim();
    const known = BY_KEY.get(nameKey(raw));
    tokens.push({ type: 'placeholder', raw, name: known?.name ?? null, variable: known?.variable ?? null });
    at = close + 1;
  }
  return tokens;
}

export interface ParsedTemplate {
  /** Known placeholders, by their canonical name, in order of first appearance, without repeats. */
  readonly placeholders: string[];
  /** Unknown placeholder names as written (trimmed), in order of first appearance, without repeats. */
  readonly unknown: string[];
}

/** Lists a template's placeholders. Throws `TemplateSyntaxError` for an unclosed brace. */
export function parseTemplate(template: string): ParsedTemplate {
  const placeholders: string[] = [];
  const unknown: string[] = [];
  for (const token of tokenize(template)) {
    if (token.type !== 'placeholder') continue;
    const list = token.name === null ? unknown : placeholders;
    const value = token.name ?? token.raw;
    if (!list.includes(value)) list.push(value);
  }
  return { placeholders, unknown };
}

/**
 * Fills a template. Every placeholder is replaced; a variable that is missing (or a placeholder
 * that is unknown) renders as the empty string, so no `{…}` ever reaches a citizen. Values are
 * inserted as they are, never re-read as template text. Throws `TemplateSyntaxError` for an
 * unclosed brace (templates are validated before they are stored).
 */
export function renderTemplate(template: string, vars: TemplateVars): string {
  let out = '';
  for (const token of tokensOf(template)) {
    if (token.type === 'text') out += token.text;
    else if (token.variable !== null) out += vars[token.variable] ?? '';
  }
  return out;
}

export type TemplateErrorCode = 'UNKNOWN_PLACEHOLDER' | 'NOT_ALLOWED_PLACEHOLDER' | 'TOO_LONG' | 'EMPTY' | 'UNCLOSED_BRACE';

export type TemplateValidation =
  | { ok: true; segments: number }
  | { ok: false; code: TemplateErrorCode; message: string; placeholder?: string; segments?: number };

export interface ValidateTemplateOptions {
  /** Variables this kind of message may use. */
  readonly allowed: readonly TemplateVar[];
  /** Longest the rendered sample may be, in SMS segments (≥ 1). */
  readonly maxSegments: number;
  readonly encoding: SmsEncoding;
  /** Values to measure the length with; missing ones are taken from `SAMPLE_VARS`. */
  readonly sample: TemplateVars;
  /** Text every message of this template ends with (counted in its length), e.g. a link; none by default. */
  readonly suffix?: string;
}

const INVISIBLE = /[\s\p{Cf}]/gu;

function braced(name: string): string {
  return `{${name}}`;
}

/**
 * Checks a template before it is stored, in this order: EMPTY (nothing but white space),
 * UNCLOSED_BRACE, UNKNOWN_PLACEHOLDER (first unknown), NOT_ALLOWED_PLACEHOLDER (first known one
 * not in `allowed`), TOO_LONG (the sample rendering, prepared for `encoding`, needs more than
 * `maxSegments` segments). Messages are Vietnamese and name the placeholder or the count.
 */
export function validateTemplate(template: string, options: ValidateTemplateOptions): TemplateValidation {
  const { allowed, maxSegments, encoding, sample } = options;
  if (!Number.isInteger(maxSegments) || maxSegments < 1) throw new RangeError('maxSegments must be an integer ≥ 1');
  if (template.replace(INVISIBLE, '') === '') {
    return { ok: false, code: 'EMPTY', message: 'Nội dung mẫu tin nhắn đang để trống.' };
  }
  let tokens: Token[];
  try {
    tokens = tokenize(template);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    return { ok: false, code: 'UNCLOSED_BRACE', message: error.message, placeholder: error.fragment };
  }
  const used = tokens.filter((t): t is Extract<Token, { type: 'placeholder' }> => t.type === 'placeholder');
  const unknown = used.find((t) => t.variable === null);
  if (unknown) {
    const valid = Object.keys(PLACEHOLDERS).map(braced).join(', ');
    return {
      ok: false,
      code: 'UNKNOWN_PLACEHOLDER',
      message: `Chỗ điền ${braced(unknown.raw)} không có trong danh sách. Các chỗ điền hợp lệ: ${valid}.`,
      placeholder: unknown.raw,
    };
  }
  const notAllowed = used.find((t) => t.variable !== null && !allowed.includes(t.variable));
  if (notAllowed?.name) {
    const names = allowed.map((v) => braced(PLACEHOLDER_NAMES[v])).join(', ');
    return {
      ok: false,
      code: 'NOT_ALLOWED_PLACEHOLDER',
      message:
        `Chỗ điền ${braced(notAllowed.name)} không dùng được trong loại tin nhắn này. ` +
        (names ? `Được dùng: ${names}.` : 'Loại tin nhắn này không có chỗ điền nào.'),
      placeholder: notAllowed.name,
    };
  }
  const prepared = prepareSms(renderTemplate(template, { ...SAMPLE_VARS, ...sample }) + (options.suffix ?? ''), encoding);
  if (prepared.segments === 0) {
    return { ok: false, code: 'EMPTY', message: 'Nội dung mẫu tin nhắn đang để trống.' };
  }
  if (prepared.segments > maxSegments) {
    return {
      ok: false,
      code: 'TOO_LONG',
      message: `Tin nhắn mẫu dài ${prepared.segments} tin SMS (${prepared.characters} ký tự), vượt giới hạn ${maxSegments} tin SMS.`,
      segments: prepared.segments,
    };
  }
  return { ok: true, segments: prepared.segments };
}

/**
 * Realistic, long values for measuring templates: a 30-character receipt code, a 40-character
 * agency name and a long procedure name.
 */
export const SAMPLE_VARS: Readonly<Required<TemplateVars>> = Object.freeze({
  receiptCode: '000.00.15.H34-2103120001-00001',
  agencyName: 'Ủy ban nhân dân huyện Cam Lâm, Khánh Hòa',
  dueDate: '15/03/2021',
  dueTime: '16:30',
  step: 'Thẩm định hồ sơ và trình lãnh đạo phê duyệt',
  statusText: 'Đúng hạn',
  procedureName: 'Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất',
  returnedDate: '15/03/2021',
  lookupSyntax: 'MCKH <Mã số biên nhận> gửi 8083',
  shortCode: '8083',
});
