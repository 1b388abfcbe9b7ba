import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CARRIER_NAMES, checkPhone, phoneProblemMessage } from '../../../src/lib/phone/phone.js';
import type { Carrier, PhoneCheck, PhoneProblem } from '../../../src/lib/phone/phone.js';

type Row = [
  input: string | null | undefined,
  e164: string | null,
  carrier: Carrier | null,
  problem: PhoneProblem | null,
  converted: boolean,
  note: string,
];

const ok = (input: string, e164: string, carrier: Carrier, note: string): Row => [input, e164, carrier, null, false, note];
const conv = (input: string, e164: string, carrier: Carrier, note: string): Row => [input, e164, carrier, null, true, note];
const bad = (input: string | null | undefined, problem: PhoneProblem, note: string, e164: string | null = null): Row => [
  input,
  e164,
  null,
  problem,
  false,
  note,
];

const ROWS: Row[] = [
  // ── every carrier, current prefixes, assorted typing styles ──────────────
  ok('0912345678', '+84912345678', 'vinaphone', 'plain 10 digits'),
  ok('0912 345 678', '+84912345678', 'vinaphone', 'spaces 4-3-3'),
  ok('0912.345.678', '+84912345678', 'vinaphone', 'dots'),
  ok('0912-345-678', '+84912345678', 'vinaphone', 'dashes'),
  ok('(091) 234 5678', '+84912345678', 'vinaphone', 'brackets around prefix'),
  ok('0912/345/678', '+84912345678', 'vinaphone', 'slashes between groups'),
  ok('+84912345678', '+84912345678', 'vinaphone', '+84 compact'),
  ok('+84 912 345 678', '+84912345678', 'vinaphone', '+84 spaced'),
  ok('(+84) 912 345 678', '+84912345678', 'vinaphone', '(+84)'),
  ok('84912345678', '+84912345678', 'vinaphone', '84 without plus'),
  ok('0084 912 345 678', '+84912345678', 'vinaphone', '0084'),
  ok('+84 (0) 912 345 678', '+84912345678', 'vinaphone', 'trunk 0 after +84'),
  ok('912345678', '+84912345678', 'vinaphone', '9 digits without the 0'),
  ok('  0912 345 678  ', '+84912345678', 'vinaphone', 'surrounding whitespace'),
  ok('０９１２３４５６７８', '+84912345678', 'vinaphone', 'full-width digits'),
  ok('tel:+84912345678', '+84912345678', 'vinaphone', 'tel: URI'),
  ok('0912\u2013345\u2013678', '+84912345678', 'vinaphone', 'en dashes from a word processor'),
  ok('0983 123 456', '+84983123456', 'viettel', 'Viettel 098'),
  ok('0868.123.456', '+84868123456', 'viettel', 'Viettel 086'),
  ok('0352 123 456', '+84352123456', 'viettel', 'Viettel 035'),
  ok('0396123456', '+84396123456', 'viettel', 'Viettel 039'),
  ok('0886 123 456', '+84886123456', 'vinaphone', 'VinaPhone 088'),
  ok('0812 345 678', '+84812345678', 'vinaphone', 'VinaPhone 081'),
  ok('845123456', '+84845123456', 'vinaphone', 'VinaPhone 084 without the 0 (not country code 84)'),
  ok('0903 123 456', '+84903123456', 'mobifone', 'MobiFone 090'),
  ok('0898 765 432', '+84898765432', 'mobifone', 'MobiFone 089'),
  ok('0702 345 678', '+84702345678', 'mobifone', 'MobiFone 070'),
  ok('0764 123 456', '+84764123456', 'mobifone', 'MobiFone 076'),
  ok('0921 234 567', '+84921234567', 'vietnamobile', 'Vietnamobile 092'),
  ok('0586 123 456', '+84586123456', 'vietnamobile', 'Vietnamobile 058'),
  ok('0993 123 456', '+84993123456', 'gmobile', 'Gmobile 099'),
  ok('0592 123 456', '+84592123456', 'gmobile', 'Gmobile 059'),
  ok('0877 123 456', '+84877123456', 'itelecom', 'Itelecom 087'),
  ok('0559 123 456', '+84559123456', 'reddi', 'Reddi 055'),

  // ── every pre-2018 11-digit prefix ───────────────────────────────────────
  conv('0162 123 4567', '+84321234567', 'viettel', '0162→032'),
  conv('0163 123 4567', '+84331234567', 'viettel', '0163→033'),
  conv('0164.123.4567', '+84341234567', 'viettel', '0164→034'),
  conv('01651234567', '+84351234567', 'viettel', '0165→035'),
  conv('0166-123-4567', '+84361234567', 'viettel', '0166→036'),
  conv('0167 123 4567', '+84371234567', 'viettel', '0167→037'),
  conv('+84 168 123 4567', '+84381234567', 'viettel', '+84 168→038'),
  conv('0169 123 4567', '+84391234567', 'viettel', '0169→039'),
  conv('0123 456 7890', '+84834567890', 'vinaphone', '0123→083'),
  conv('0124 456 7890', '+84844567890', 'vinaphone', '0124→084'),
  conv('841254567890', '+84854567890', 'vinaphone', '84 125→085'),
  conv('0127 456 7890', '+84814567890', 'vinaphone', '0127→081'),
  conv('0129 456 7890', '+84824567890', 'vinaphone', '0129→082'),
  conv('0120 987 6543', '+84709876543', 'mobifone', '0120→070'),
  conv('0121 987 6543', '+84799876543', 'mobifone', '0121→079'),
  conv('(0122) 987 6543', '+84779876543', 'mobifone', '0122→077'),
  conv('0126 987 6543', '+84769876543', 'mobifone', '0126→076'),
  conv('0084 128 987 6543', '+84789876543', 'mobifone', '0084 128→078'),
  conv('0186 555 1234', '+84565551234', 'vietnamobile', '0186→056'),
  conv('0188 555 1234', '+84585551234', 'vietnamobile', '0188→058'),
  conv('0199 555 1234', '+84595551234', 'gmobile', '0199→059'),

  // ── landlines of several provinces ───────────────────────────────────────
  bad('0258 3822 123', 'landline', 'Khánh Hòa 0258', '+842583822123'),
  bad('024 3825 1234', 'landline', 'Hà Nội 024', '+842438251234'),
  bad('(028) 3829 5678', 'landline', 'TP.HCM 028', '+842838295678'),
  bad('0236.3822.456', 'landline', 'Đà Nẵng 0236', '+842363822456'),
  bad('+84 225 3842 123', 'landline', 'Hải Phòng 0225 with +84', '+842253842123'),
  bad('0292 3820 123', 'landline', 'Cần Thơ 0292', '+842923820123'),
  bad('0203 123 4567', 'landline', 'lowest area code 0203', '+842031234567'),
  bad('0201 234 5678', 'invalid', 'area code 0201 does not exist'),
  bad('024 3825 12345', 'invalid', 'landline one digit too long'),

  // ── service numbers ──────────────────────────────────────────────────────
  bad('1800 1091', 'invalid', 'toll-free 1800'),
  bad('1900 555 555', 'invalid', 'premium 1900'),
  bad('1800.599.920', 'invalid', 'toll-free with dots'),

  // ── foreign numbers ──────────────────────────────────────────────────────
  bad('+1 202-555-0123', 'foreign', 'United States', '+12025550123'),
  bad('+65 6123 4567', 'foreign', 'Singapore +65', '+6561234567'),
  bad('0065 9123 4567', 'foreign', 'Singapore via 0065', '+6591234567'),
  bad('+86 138 1234 5678', 'foreign', 'China', '+8613812345678'),
  bad('(+82) 10-1234-5678', 'foreign', 'Korea in brackets', '+821012345678'),
  bad('+81 90 1234 5678', 'foreign', 'Japan', '+819012345678'),
  bad('+999 1234 5678', 'foreign', 'unassigned country code: foreign, no e164'),
  bad('+1 23', 'invalid', 'country code and too few digits'),

  // ── Vietnamese-looking but wrong ─────────────────────────────────────────
  bad('0123456', 'invalid', 'too short'),
  bad('0912 345 67', 'invalid', 'one digit short'),
  bad('0912 345 6789', 'invalid', 'one digit too many'),
  bad('0100000000', 'invalid', 'prefix 010'),
  bad('0112345678', 'invalid', 'prefix 011'),
  ok('0521 234 567', '+84521234567', 'vietnamobile', 'Vietnamobile 052'),
  bad('0512 345 678', 'invalid', 'prefix 051 unassigned'),
  bad('0612 345 678', 'invalid', 'prefix 06x'),
  bad('0161 234 5678', 'invalid', 'old prefix 0161 never converted'),
  bad('04 3825 1234', 'invalid', 'pre-2017 Hà Nội landline code'),
  bad('112345678', 'invalid', '9 digits but not a mobile prefix'),
  bad('1681234567', 'invalid', 'old 11-digit number without its 0'),
  bad('+84 123 45', 'invalid', '+84 with too few digits'),
  bad('+0912345678', 'invalid', 'plus sign before the trunk 0'),
  bad('0912+345678', 'invalid', 'plus sign in the middle'),
  bad('0912345678 / 0987654321', 'invalid', 'two numbers in one field'),

  // ── junk ─────────────────────────────────────────────────────────────────
  bad('0912abc678', 'invalid', 'letters inside'),
  bad('O912345678', 'invalid', 'capital O for zero'),
  bad('0912 345 678 ext 12', 'invalid', 'extension words'),
  bad('không có', 'invalid', 'Vietnamese words'),
  bad('📱0912345678', 'invalid', 'emoji'),
  bad("0912345678'; DROP TABLE dossiers;--", 'invalid', 'SQL-looking text'),
  bad('0912,345,678', 'invalid', 'commas'),
  bad('-', 'invalid', 'placeholder dash'),
  bad('0'.repeat(200), 'invalid', '200-character string'),
  bad('0912345678'.repeat(20), 'invalid', '200 digits'),

  // ── missing ──────────────────────────────────────────────────────────────
  bad('', 'missing', 'empty'),
  bad('   \t ', 'missing', 'whitespace only'),
  bad('\u3000', 'missing', 'ideographic space'),
  bad(null, 'missing', 'null'),
  bad(undefined, 'missing', 'undefined'),
];

describe('checkPhone table', () => {
  test('the table is big enough and covers every carrier', () => {
    assert.ok(ROWS.length >= 45);
    const seen = new Set(ROWS.map((r) => r[2]).filter((c) => c !== null));
    assert.deepEqual([...seen].sort(), Object.keys(CARRIER_NAMES).sort());
    assert.equal(ROWS.filter((r) => r[4]).length, 21, 'all 21 old prefixes are listed');
  });

  for (const [input, e164, carrier, problem, converted, note] of ROWS) {
    test(`${note}: ${JSON.stringify(input)?.slice(0, 40) ?? 'undefined'}`, () => {
      const expected: PhoneCheck = { input: input ?? null, e164, carrier, problem, converted };
      assert.deepEqual(checkPhone(input), expected);
    });
  }
});

describe('checkPhone invariants', () => {
  const mobilePrefixes: Record<Carrier, string[]> = {
    viettel: ['086', '096', '097', '098', '032', '033', '034', '035', '036', '037', '038', '039'],
    vinaphone: ['088', '091', '094', '081', '082', '083', '084', '085'],
    mobifone: ['089', '090', '093', '070', '076', '077', '078', '079'],
    vietnamobile: ['092', '052', '056', '058'],
    gmobile: ['099', '059'],
    itelecom: ['087'],
    reddi: ['055'],
  };

  test('every current mobile prefix is accepted with its carrier, in every form', () => {
    for (const [carrier, prefixes] of Object.entries(mobilePrefixes)) {
      for (const p of prefixes) {
        const nsn = `${p.slice(1)}1234567`;
        for (const typed of [`0${nsn}`, `+84${nsn}`, `84${nsn}`, `0084${nsn}`, nsn]) {
          const r = checkPhone(typed);
          assert.equal(r.e164, `+84${nsn}`, typed);
          assert.equal(r.carrier, carrier, typed);
          assert.equal(r.problem, null, typed);
          assert.equal(r.converted, false, typed);
        }
      }
    }
  });

  test('no other two-digit prefix after the 0 is a mobile', () => {
    const known = new Set(Object.values(mobilePrefixes).flat());
    for (let i = 0; i < 100; i++) {
      const p = `0${String(i).padStart(2, '0')}`;
      if (known.has(p)) continue;
      const r = checkPhone(`${p}1234567`);
      assert.notEqual(r.problem, null, p);
      assert.equal(r.carrier, null, p);
    }
  });

  test('every accepted number has an E.164 of +84 and 9 digits', () => {
    for (const [input, , , problem] of ROWS) {
      if (problem !== null) continue;
      assert.match(checkPhone(input).e164 ?? '', /^\+84[35789]\d{8}$/);
    }
  });

  test('input is echoed unchanged', () => {
    assert.equal(checkPhone(' 0912.345.678 ').input, ' 0912.345.678 ');
    assert.equal(checkPhone('  ').input, '  ');
  });
});

describe('phoneProblemMessage', () => {
  const expected: Record<'vi' | 'en', Record<PhoneProblem, string>> = {
    vi: {
      missing: 'Chưa nhập số điện thoại',
      invalid: 'Số điện thoại không hợp lệ: số di động gồm 10 chữ số, bắt đầu bằng 0',
      landline: 'Số máy bàn (cố định) không nhận được SMS',
      foreign: 'Số nước ngoài: chỉ gửi được SMS tới số di động Việt Nam',
    },
    en: {
      missing: 'No phone number entered',
      invalid: 'Invalid phone number: a mobile number has 10 digits starting with 0',
      landline: 'Landline (fixed-line) numbers cannot receive SMS',
      foreign: 'Foreign number: SMS can only be sent to Vietnamese mobile numbers',
    },
  };

  for (const lang of ['vi', 'en'] as const) {
    for (const problem of ['missing', 'invalid', 'landline', 'foreign'] as const) {
      test(`${lang} ${problem}`, () => {
        const message = phoneProblemMessage(problem, lang);
        assert.equal(message, expected[lang][problem]);
        assert.equal(message, message.normalize('NFC'), 'precomposed diacritics');
      });
    }
  }

  test('Vietnamese is the default', () => {
    assert.equal(phoneProblemMessage('landline'), 'Số máy bàn (cố định) không nhận được SMS');
  });

  test('Vietnamese messages really carry diacritics', () => {
    assert.match(phoneProblemMessage('missing'), /ố/);
    assert.match(phoneProblemMessage('landline'), /máy bàn/);
  });
});

describe('CARRIER_NAMES', () => {
  test('display names', () => {
    assert.deepEqual(CARRIER_NAMES, {
      viettel: 'Viettel',
      vinaphone: 'VinaPhone',
      mobifone: 'MobiFone',
      vietnamobile: 'Vietnamobile',
      gmobile: 'Gmobile',
      itelecom: 'Itelecom',
      reddi: 'Reddi',
    });
  });
});
