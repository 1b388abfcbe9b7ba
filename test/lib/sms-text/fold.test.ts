import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldVietnamese, stripDiacritics } from '../../../src/lib/sms-text/fold.js';
import { isGsmText } from '../../../src/lib/sms-text/gsm.js';

const VOWELS_LOWER =
  'aàáảãạ' + 'ăằắẳẵặ' + 'âầấẩẫậ' + 'eèéẻẽẹ' + 'êềếểễệ' + 'iìíỉĩị' + 'oòóỏõọ' + 'ôồốổỗộ' + 'ơờớởỡợ' + 'uùúủũụ' + 'ưừứửữự' + 'yỳýỷỹỵ' + 'đ';
const FOLDED_LOWER = `${'a'.repeat(18) + 'e'.repeat(12) + 'i'.repeat(6) + 'o'.repeat(18) + 'u'.repeat(12) + 'y'.repeat(6)}d`;

test('every Vietnamese letter folds to its ASCII base letter', () => {
  assert.equal(foldVietnamese(VOWELS_LOWER), FOLDED_LOWER);
  assert.equal(foldVietnamese(VOWELS_LOWER.toUpperCase()), FOLDED_LOWER.toUpperCase());
});

test('NFD input folds like NFC input', () => {
  assert.equal(foldVietnamese(VOWELS_LOWER.normalize('NFD')), FOLDED_LOWER);
  assert.equal(foldVietnamese('Kha\u0301nh Ho\u0300a'), 'Khanh Hoa');
});

test('real Vietnamese sentences', () => {
  assert.equal(
    foldVietnamese('Ủy ban nhân dân tỉnh Khánh Hòa – Sở Thông tin và Truyền thông'),
    'Uy ban nhan dan tinh Khanh Hoa - So Thong tin va Truyen thong',
  );
  assert.equal(foldVietnamese('Đắk Lắk, Đồng Nai, Quảng Ngãi'), 'Dak Lak, Dong Nai, Quang Ngai');
  assert.equal(foldVietnamese('Phí: 1.000₫ (một nghìn đồng)'), 'Phi: 1.000d (mot nghin dong)');
});

test('accented letters that GSM does have still become ASCII', () => {
  assert.equal(foldVietnamese('àéèùìòÇØøÅåÄÖÑÜäöñüÉ'), 'aeeuioCOoAaAONUaonuE');
  assert.equal(foldVietnamese('Æsir æ straße Łódź \u00D0\u00E0'), 'AEsir ae strasse Lodz Da');
  assert.equal(foldVietnamese('Bà Rịa'), 'Ba Ria');
});

test('typography becomes plain punctuation', () => {
  assert.equal(foldVietnamese('“Trả kết quả” – ‘Chờ bổ sung’ — xong…'), '"Tra ket qua" - \'Cho bo sung\' - xong...');
  assert.equal(foldVietnamese('a\u00A0b\u202Fc\u2009d\u3000e'), 'a b c d e');
  assert.equal(foldVietnamese('a\u200Bb\u200Cc\u200Dd\uFEFFe\u2060f\u00ADg'), 'abcdefg');
  assert.equal(foldVietnamese('tab\there'), 'tab here');
  assert.equal(foldVietnamese('`code`'), "'code'");
  assert.equal(foldVietnamese('a ≠ b, x ≤ y, 3×4, • item'), 'a != b, x <= y, 3x4, - item');
});

test('compatibility forms fold through NFKD', () => {
  assert.equal(foldVietnamese('ＭＣＫＨ　０１０１７０１２３４'), 'MCKH 0101701234');
  assert.equal(foldVietnamese('ﬁle ½ ² №5 ™'), 'file 1/2 2 No5 TM');
});

test('anything else becomes one "?" per character', () => {
  assert.equal(foldVietnamese('Cảm ơn 😀'), 'Cam on ?');
  assert.equal(foldVietnamese('❤️'), '?', 'variation selector dropped');
  assert.equal(foldVietnamese('👍🏽'), '?', 'skin tone dropped');
  assert.equal(foldVietnamese('한국 中文'), '?? ??');
  assert.equal(foldVietnamese('25°C'), '25?C');
});

test('GSM symbols that are not letters are kept; ASCII is untouched', () => {
  assert.equal(foldVietnamese('£5 €5 ¥5 §1 ¿¡ Δ'), '£5 €5 ¥5 §1 ¿¡ Δ');
  const ascii = 'MCKH 000.00.15.H34-210312-0001 {x}[y]~^\\| @_$!"#%&\'()*+,-./:;<=>?\r\n';
  assert.equal(foldVietnamese(ascii), ascii);
});

test('controls other than CR/LF/FF are dropped', () => {
  assert.equal(foldVietnamese('a\u0000b\u0007c\u001Bd\u007Fe\u009Bf\u2028g'), 'abcdef\ng');
});

test('output is always GSM, Latin letters always ASCII, folding is idempotent', () => {
  const latinNonAscii = /(?![\x00-\x7F])\p{Script=Latin}/u;
  const samples: string[] = [];
  for (let cp = 0; cp <= 0xffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    samples.push(String.fromCharCode(cp));
  }
  for (const cp of [0x1f600, 0x1f3fd, 0x1d400, 0x20000, 0xe0041]) samples.push(String.fromCodePoint(cp));
  for (const ch of samples) {
    const folded = foldVietnamese(ch);
    assert.ok(isGsmText(folded), `U+${ch.codePointAt(0)?.toString(16)} → ${JSON.stringify(folded)} is not GSM`);
    assert.ok(!latinNonAscii.test(folded), `U+${ch.codePointAt(0)?.toString(16)} → ${JSON.stringify(folded)} keeps an accented letter`);
    assert.equal(foldVietnamese(folded), folded);
  }
});

test('stripDiacritics only removes marks', () => {
  assert.equal(stripDiacritics('Hồ sơ Đắk Lắk “x” 😀'), 'Ho so Dak Lak “x” 😀');
});
