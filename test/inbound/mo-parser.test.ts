import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_KEYWORD,
  MAX_MO_SCAN,
  MAX_RECEIPT_CODE_LENGTH,
  lookupSyntax,
  normalizeReceiptCode,
  parseMo,
} from '../../src/inbound/mo-parser.js';
import type { MoParseResult } from '../../src/inbound/mo-parser.js';

const CODE = '0101701234';
const REAL = '000.00.15.H34-210312-0001';

const lookup = (code: string): MoParseResult => ({ kind: 'lookup', code });
const EMPTY: MoParseResult = { kind: 'bad_syntax', reason: 'empty' };
const NO_KEYWORD: MoParseResult = { kind: 'bad_syntax', reason: 'no_keyword' };
const NO_CODE: MoParseResult = { kind: 'bad_syntax', reason: 'no_code' };
const BAD_CODE: MoParseResult = { kind: 'bad_syntax', reason: 'bad_code' };

/** [MO text as it reaches the short code, expected result, what it is]. */
const CASES: ReadonlyArray<readonly [string, MoParseResult, string]> = [
  // --- the seed syntax and how real phones type it
  ['MCKH 0101701234', lookup(CODE), 'seed example'],
  ['mckh 0101701234', lookup(CODE), 'lower case'],
  ['Mckh 0101701234', lookup(CODE), 'title case (phone auto-capitalisation)'],
  ['Mckh  0101701234', lookup(CODE), 'two spaces'],
  ['MCKH     0101701234', lookup(CODE), 'many spaces'],
  ['MCKH_0101701234', lookup(CODE), "seed's literal '_' instead of a space"],
  ['MCKH__0101701234', lookup(CODE), 'two underscores'],
  ['MCKH0101701234', lookup(CODE), 'no separator'],
  ['MCKH\t0101701234', lookup(CODE), 'tab'],
  ['MCKH.0101701234', lookup(CODE), 'dot'],
  ['MCKH: 0101701234', lookup(CODE), 'colon'],
  ['MCKH-0101701234', lookup(CODE), 'hyphen'],
  ['MCKH, 0101701234', lookup(CODE), 'comma'],
  ['MCKH #0101701234', lookup(CODE), 'hash'],
  ['MCKH *0101701234', lookup(CODE), 'star'],
  ['MCKH/0101701234', lookup(CODE), 'slash'],
  ['MCKH "0101701234"', lookup(CODE), 'quoted code'],
  ['MCKH “0101701234”', lookup(CODE), 'curly-quoted code'],
  ['MCKH (0101701234)', lookup(CODE), 'code in brackets'],
  ['MCKH <0101701234>', lookup(CODE), 'code in angle brackets, copied from the syntax help'],
  ['MCKH --0101701234', lookup(CODE), 'leading hyphens before the code'],
  ['  MCKH 0101701234  ', lookup(CODE), 'surrounding spaces'],
  ['\n\nMCKH 0101701234\n', lookup(CODE), 'surrounding newlines'],
  ['MCKH\n0101701234', lookup(CODE), 'newline separated'],
  ['MCKH\r\n0101701234', lookup(CODE), 'CRLF separated'],
  ['MCKH\u00A00101701234', lookup(CODE), 'no-break space'],
  ['MC KH 0101701234', lookup(CODE), 'space inside the keyword'],
  ['M.C.K.H 0101701234', lookup(CODE), 'dots inside the keyword'],
  // --- receipt codes in the real format
  ['MCKH 000.00.15.H34-210312-0001', lookup(REAL), 'real receipt code'],
  ['mckh 000.00.15.h34-210312-0001', lookup(REAL), 'real receipt code typed in lower case'],
  ['MCKH_000.00.15.H34-210312-0001.', lookup(REAL), 'real code with a full stop'],
  ['MCKH 0101-701234', lookup('0101-701234'), 'hyphen inside the code is kept'],
  ['MCKH ab-cd.1', lookup('AB-CD.1'), 'letters in the code are upper-cased'],
  ['mckh đ123', lookup('D123'), 'đ in a code folds to D'],
  // --- full-width, zero-width, compatibility and diacritics
  ['ＭＣＫＨ　０１０１７０１２３４', lookup(CODE), 'full-width keyword, space and digits'],
  ['MCKH ０１０１７０１２３４', lookup(CODE), 'full-width digits'],
  ['ｍｃｋｈ ０００．００．１５．Ｈ３４－２１０３１２－０００１', lookup(REAL), 'full-width real code'],
  ['MC\u200bKH 0101\u200b701234', lookup(CODE), 'zero-width spaces are removed, inside keyword and code'],
  ['MCKH 01017\u200d01234\uFEFF', lookup(CODE), 'zero-width joiner and BOM removed'],
  ['\u200eMCKH 0101701234\u200f', lookup(CODE), 'bidi marks removed'],
  ['MCKH 0101701234\u00AD', lookup(CODE), 'soft hyphen removed'],
  ['MCKH ①②③', lookup('123'), 'circled digits fold through NFKC'],
  ['MĆKH 0101701234', lookup(CODE), 'diacritic on the keyword'],
  ['Mckh\u0301 0101701234', lookup(CODE), 'combining mark on the keyword'],
  ['MCKH ĐK0101701234', lookup('DK0101701234'), 'Vietnamese letter at the start of the code'],
  // --- trailing text, punctuation, signatures
  ['MCKH 0101701234 cam on', lookup(CODE), 'trailing signature'],
  ['MCKH 0101701234 cảm ơn nhiều!', lookup(CODE), 'trailing Vietnamese signature'],
  ['MCKH 0101701234.', lookup(CODE), 'trailing full stop'],
  ['MCKH 0101701234...', lookup(CODE), 'trailing ellipsis (ASCII)'],
  ['MCKH 0101701234…', lookup(CODE), 'trailing ellipsis (Unicode)'],
  ['MCKH 0101701234-', lookup(CODE), 'trailing hyphen'],
  ['MCKH 0101701234,cam on', lookup(CODE), 'comma then signature'],
  ['MCKH 0101701234\nNguyen Van A', lookup(CODE), 'signature on the next line'],
  ['MCKH 0101701234 0101709999', lookup(CODE), 'only the first code is read'],
  ['MCKH 0101 701234', lookup('0101'), 'a space inside the code ends it'],
  ['MCKH 0101701234 😀', lookup(CODE), 'trailing emoji'],
  ['😀 MCKH 0101701234', lookup(CODE), 'leading emoji'],
  // --- keyword typed twice
  ['MCKH MCKH 0101701234', lookup(CODE), 'keyword twice'],
  ['MCKH_MCKH0101701234', lookup(CODE), 'keyword twice with _ and no separator'],
  ['mckh Mckh MCKH 0101701234', lookup(CODE), 'keyword three times'],
  ['MCKH MCKH', NO_CODE, 'keyword twice and nothing else'],
  // --- injection-looking texts: the code token stops at the first character it cannot contain
  ["MCKH 1' OR '1'='1", lookup('1'), 'SQL-looking text: the code stops at the quote'],
  ['MCKH 0101701234; DROP TABLE dossiers;--', lookup(CODE), 'SQL after a code'],
  ['MCKH <script>alert(1)</script>', BAD_CODE, 'HTML after the keyword: SCRIPT has no digit'],
  ['<script>alert(1)</script>', NO_KEYWORD, 'HTML only'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the citizen's text looks like a template on purpose
  ['MCKH ${7*7}', lookup('7'), 'template-injection-looking text'],
  // --- no code, bad code
  ['MCKH', NO_CODE, 'keyword alone'],
  ['mckh   ', NO_CODE, 'keyword and spaces'],
  ['MCKH.', NO_CODE, 'keyword and a full stop'],
  ['MCKH ...', NO_CODE, 'keyword and punctuation'],
  ['MCKH 😀', NO_CODE, 'keyword and an emoji'],
  ['MCKH ABC', BAD_CODE, 'no digit in the code'],
  ['MCKH MS: 0101701234', lookup('0101701234'), "'MS:' copied from a notification is skipped"],
  ['MCKH (MS: 000.00.15.H34-261123-0001)', lookup('000.00.15.H34-261123-0001'), 'copied with the brackets'],
  ['MCKH MS0101701234', lookup('MS0101701234'), "'MS' glued to digits is a code of its own, not a label"],
  ['MCKHX 0101701234', BAD_CODE, "keyword glued to a letter: 'X' is the code"],
  [`MCKH ${'1'.repeat(64)}`, lookup('1'.repeat(64)), '64-character code is the longest accepted'],
  [`MCKH ${'1'.repeat(65)}`, BAD_CODE, '65-character code'],
  [`MCKH ${'A1'.repeat(40)} cam on`, BAD_CODE, '80-character code'],
  // --- not a look-up at all
  ['', EMPTY, 'empty'],
  ['   ', EMPTY, 'spaces'],
  ['\n\t\r\n', EMPTY, 'white space'],
  ['😀', EMPTY, 'emoji only'],
  ['👍🏽👍🏽', EMPTY, 'emoji with skin tones only'],
  ['?!...', EMPTY, 'punctuation only'],
  ['\u200b\u200b', EMPTY, 'zero-width only'],
  ['TC 0101701234', NO_KEYWORD, 'other keyword'],
  ['DK 123', NO_KEYWORD, 'other keyword'],
  ['ĐK 123', NO_KEYWORD, 'other keyword with Đ'],
  ['HELP', NO_KEYWORD, 'help'],
  ['Xin chao', NO_KEYWORD, 'greeting'],
  ['Xin chào, cho tôi hỏi hồ sơ 0101701234', NO_KEYWORD, 'a sentence'],
  ['0101701234', NO_KEYWORD, 'bare code'],
  [REAL, NO_KEYWORD, 'bare real code'],
  ['MKCH 0101701234', NO_KEYWORD, 'keyword letters swapped'],
  ['MCK 0101701234', NO_KEYWORD, 'keyword cut short'],
  ['TRACUU 0101701234', NO_KEYWORD, 'custom keyword not configured'],
];

test('MO table has at least 70 cases', () => {
  assert.ok(CASES.length >= 70, `${CASES.length}`);
});

for (const [text, expected, what] of CASES) {
  test(`parseMo ${JSON.stringify(text.length > 60 ? `${text.slice(0, 40)}…` : text)}: ${what}`, () => {
    assert.deepEqual(parseMo(text), expected);
  });
}

test('long texts are read only at their start and return at once', () => {
  const thousand = `MCKH ${CODE} ${'cam on '.repeat(200)}`.slice(0, 1000);
  assert.equal(thousand.length, 1000);
  assert.deepEqual(parseMo(thousand), lookup(CODE));
  assert.deepEqual(parseMo(`MCKH ${CODE} ${'x'.repeat(10_000)}`), lookup(CODE));
  assert.deepEqual(parseMo('x'.repeat(10_000)), NO_KEYWORD);
  assert.deepEqual(parseMo('1'.repeat(10_000)), NO_KEYWORD);
  assert.deepEqual(parseMo(`MCKH ${'1'.repeat(10_000)}`), BAD_CODE);
  assert.deepEqual(parseMo('M'.repeat(10_000)), NO_KEYWORD);
  assert.deepEqual(parseMo('MCKH'.repeat(2_500)), NO_CODE);
  assert.deepEqual(parseMo(`MCKH${' '.repeat(10_000)}${CODE}`), NO_CODE, 'the code lies beyond the scanned start');
  assert.deepEqual(parseMo('M C K H '.repeat(1_250)), NO_CODE);
  assert.deepEqual(parseMo('😀'.repeat(5_000)), EMPTY);
  assert.deepEqual(parseMo(' '.repeat(10_000)), EMPTY);
  assert.deepEqual(parseMo(`${'\u200b'.repeat(10_000)}MCKH ${CODE}`), EMPTY, 'only the first 1,000 code units are read');
  assert.equal(MAX_MO_SCAN, 1000);
});

test('custom keyword option', () => {
  assert.deepEqual(parseMo('TRACUU 0101701234', { keyword: 'TRACUU' }), lookup(CODE));
  assert.deepEqual(parseMo('tracuu_000.00.15.h34-210312-0001', { keyword: 'TRACUU' }), lookup(REAL));
  assert.deepEqual(parseMo('Tra cứu 0101701234', { keyword: 'TRACUU' }), lookup(CODE));
  assert.deepEqual(parseMo('TRACUU 0101701234', { keyword: 'Tra cứu' }), lookup(CODE));
  assert.deepEqual(parseMo('MCKH 0101701234', { keyword: 'TRACUU' }), NO_KEYWORD);
  assert.deepEqual(parseMo('TRACUU', { keyword: 'TRACUU' }), NO_CODE);
  assert.deepEqual(parseMo('HS2 0101701234', { keyword: 'HS2' }), lookup(CODE), 'a digit in the keyword');
  assert.deepEqual(parseMo('MCKH 0101701234', { keyword: DEFAULT_KEYWORD }), lookup(CODE));
  assert.deepEqual(parseMo('MCKH 0101701234', {}), lookup(CODE));
  // A keyword without letters or digits is a configuration error, reported loudly.
  assert.throws(() => parseMo('MCKH 1', { keyword: '' }), TypeError);
  assert.throws(() => parseMo('MCKH 1', { keyword: '!!' }), TypeError);
});

test('normalizeReceiptCode', () => {
  const cases: ReadonlyArray<readonly [string, string | null]> = [
    [CODE, CODE],
    [REAL, REAL],
    ['000.00.15.h34-210312-0001', REAL],
    ['  000.00.15.H34-210312-0001\n', REAL],
    ['000.00.15.H34-210312-0001.', REAL],
    ['0101701234...', CODE],
    ['0101701234-', CODE],
    ['０００．００．１５．Ｈ３４－２１０３１２－０００１', REAL],
    ['0101\u200b701234', CODE],
    ['\uFEFF0101701234', CODE],
    ['đ1', 'D1'],
    ['1'.repeat(MAX_RECEIPT_CODE_LENGTH), '1'.repeat(64)],
    ['1'.repeat(65), null],
    ['ABC', null],
    ['', null],
    ['   ', null],
    ['.', null],
    ['0101 701234', null],
    ['0101_701234', null],
    ["1' OR '1'='1", null],
    ['<script>', null],
    ['MCKH 0101701234', null],
    ['😀1', null],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeReceiptCode(input), expected, JSON.stringify(input));
  // What parseMo returns is always already normal.
  for (const [text, expected] of CASES) {
    if (expected.kind === 'lookup') assert.equal(normalizeReceiptCode(expected.code), expected.code, text);
  }
  assert.equal(normalizeReceiptCode(`${CODE}${'x'.repeat(10_000)}`), null);
});

test('lookupSyntax', () => {
  assert.equal(lookupSyntax('MCKH', '8083'), 'MCKH <Mã số biên nhận> gửi 8083');
  assert.equal(lookupSyntax('mckh', '9029'), 'MCKH <Mã số biên nhận> gửi 9029');
  assert.equal(lookupSyntax(' tracuu ', ' 8083 '), 'TRACUU <Mã số biên nhận> gửi 8083');
  // The syntax shown to a citizen parses: a citizen copying it with a real code gets a look-up.
  assert.deepEqual(parseMo(lookupSyntax('MCKH', '8083').replace('<Mã số biên nhận>', CODE)), lookup(CODE));
  // … and copying it literally is a bad code, not a crash.
  assert.deepEqual(parseMo(lookupSyntax('MCKH', '8083')), BAD_CODE);
});

/** Park–Miller minimal standard generator: the same 2,000 strings on every run. */
function generator(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 48271) % 2147483647);
}

const POOL = [
  'MCKH',
  'mckh',
  ' ',
  '_',
  '.',
  '-',
  '0',
  '9',
  'H34',
  "'",
  '"',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\u202e',
  '\ud800',
  '\udc00',
  '\udfff\ud83d',
  '😀',
  '👍🏽',
  '🇻🇳',
  'đ',
  'Ệ',
  'e\u0301',
  'Ｍ',
  '０',
  '①',
  'ﬁ',
  'ß',
  'İ',
  'ŉ',
  '\uffff',
  '\ufffd',
  '\u{10ffff}',
  '\u{e0041}',
  '{',
  '$&',
  '\\',
  '%s',
];

test('parseMo never throws: 2,000 pseudo-random strings with surrogates, lone surrogates and controls', () => {
  const next = generator(20_260_327);
  const kinds = new Set<string>();
  for (let i = 0; i < 2_000; i++) {
    let text = '';
    const pieces = next() % 40;
    for (let j = 0; j < pieces; j++) {
      const pick = next() % 4;
      if (pick === 0) text += POOL[next() % POOL.length];
      else if (pick === 1)
        text += String.fromCharCode(next() % 0x10000); // any code unit, lone surrogates included
      else if (pick === 2) text += String.fromCodePoint(next() % 0x110000);
      else text += String.fromCharCode(0x20 + (next() % 0x5f)); // printable ASCII
    }
    if (i % 10 === 0) text = `MCKH ${text}`;
    if (i === 1_999) text = text.repeat(200); // one long one
    let result: MoParseResult;
    try {
      result = parseMo(text);
    } catch (error) {
      assert.fail(`parseMo threw on ${JSON.stringify(text)}: ${String(error)}`);
    }
    if (result.kind === 'lookup') {
      assert.match(result.code, /^[A-Z0-9][A-Z0-9.-]{0,63}$/, JSON.stringify(text));
      assert.match(result.code, /[0-9]/);
      assert.doesNotMatch(result.code, /[.-]$/);
      assert.equal(normalizeReceiptCode(result.code), result.code);
      kinds.add('lookup');
    } else {
      assert.ok(['empty', 'no_keyword', 'no_code', 'bad_code'].includes(result.reason));
      kinds.add(result.reason);
    }
    assert.doesNotThrow(() => normalizeReceiptCode(text));
  }
  // The generator exercised more than one outcome.
  assert.ok(kinds.size >= 3, [...kinds].join(','));
});
