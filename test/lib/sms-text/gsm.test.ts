import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GSM_BASIC_TABLE,
  GSM_EXTENSION_TABLE,
  gsmCharSeptets,
  gsmSeptets,
  isGsmText,
  splitGsm,
  splitUcs2,
} from '../../../src/lib/sms-text/gsm.js';

test('basic table has 128 distinct entries in 03.38 order', () => {
  assert.equal(GSM_BASIC_TABLE.length, 128);
  assert.equal(new Set(GSM_BASIC_TABLE).size, 128);
  // spot checks by septet value
  assert.equal(GSM_BASIC_TABLE[0x00], '@');
  assert.equal(GSM_BASIC_TABLE[0x02], '$');
  assert.equal(GSM_BASIC_TABLE[0x10], 'Δ');
  assert.equal(GSM_BASIC_TABLE[0x11], '_');
  assert.equal(GSM_BASIC_TABLE[0x1b], '\u001b');
  assert.equal(GSM_BASIC_TABLE[0x24], '¤');
  assert.equal(GSM_BASIC_TABLE[0x40], '¡');
  assert.equal(GSM_BASIC_TABLE[0x41], 'A');
  assert.equal(GSM_BASIC_TABLE[0x5f], '§');
  assert.equal(GSM_BASIC_TABLE[0x60], '¿');
  assert.equal(GSM_BASIC_TABLE[0x7f], 'à');
  assert.deepEqual(Object.keys(GSM_EXTENSION_TABLE).sort(), ['\f', '[', '\\', ']', '^', '{', '|', '}', '~', '€'].sort());
});

test('isGsmText accepts the alphabet and rejects everything else', () => {
  assert.equal(isGsmText(''), true);
  assert.equal(isGsmText('Ho so 0101701234 @£$¥ èéùìòÇ ØøÅå ΔΦΓΛΩΠΨΣΘΞ ÆæßÉ ¤¡ÄÖÑÜ§¿äöñüà\r\n'), true);
  assert.equal(isGsmText('^{}\\[~]|€\f'), true);
  assert.equal(isGsmText('`'), false, 'backtick is ASCII but not GSM');
  assert.equal(isGsmText('\u001b'), false, 'the escape itself is not text');
  assert.equal(isGsmText('\t'), false);
  assert.equal(isGsmText('Hồ sơ'), false);
  assert.equal(isGsmText('e\u0301'), false, 'decomposed é is not GSM');
  assert.equal(isGsmText('é'), true);
  assert.equal(isGsmText('\u2126'), false, 'ohm sign is not the GSM Omega');
  assert.equal(isGsmText('😀'), false);
});

test('septets: extension characters count 2', () => {
  assert.equal(gsmSeptets(''), 0);
  assert.equal(gsmSeptets('abc'), 3);
  assert.equal(gsmSeptets('€'), 2);
  assert.equal(gsmSeptets('{x}'), 5);
  assert.equal(gsmSeptets('^{}\\[~]|€\f'), 20);
  assert.equal(gsmCharSeptets('a'), 1);
  assert.equal(gsmCharSeptets('|'), 2);
  assert.equal(gsmCharSeptets('ệ'), 0);
  assert.throws(() => gsmSeptets('ab`c'), { name: 'RangeError', message: /U\+0060 at index 2/ });
  assert.throws(() => gsmSeptets('Hồ'), RangeError);
});

test('GSM split: 160 is one part, 161 is two', () => {
  assert.deepEqual(splitGsm(''), []);
  assert.deepEqual(splitGsm('a'.repeat(160)), ['a'.repeat(160)]);
  const parts = splitGsm('a'.repeat(161));
  assert.deepEqual(
    parts.map((p) => p.length),
    [153, 8],
  );
});

test('GSM split: 306 septets is two parts, 307 is three', () => {
  assert.deepEqual(
    splitGsm('b'.repeat(306)).map((p) => p.length),
    [153, 153],
  );
  assert.deepEqual(
    splitGsm('b'.repeat(307)).map((p) => p.length),
    [153, 153, 1],
  );
});

test('GSM split: extension characters count 2 towards the limits', () => {
  assert.deepEqual(splitGsm('€'.repeat(80)), ['€'.repeat(80)], '80 € = 160 septets');
  const parts = splitGsm('€'.repeat(81));
  assert.deepEqual(parts, ['€'.repeat(76), '€'.repeat(5)], '76 € = 152 septets; a 77th would need 154');
  assert.equal(splitGsm(`${'a'.repeat(159)}{`).length, 2, '161 septets');
});

test('GSM split never separates an escape from its character', () => {
  const text = `${'a'.repeat(152)}€${'b'.repeat(10)}`;
  const parts = splitGsm(text);
  assert.equal(parts.length, 2);
  assert.equal(parts[0], 'a'.repeat(152), 'the € would straddle septets 153/154, so it moves');
  assert.equal(parts[1], `€${'b'.repeat(10)}`);
  assert.equal(parts.join(''), text);
  for (const part of parts) assert.ok(gsmSeptets(part) <= 153);
  // exactly fitting pair stays
  const fits = splitGsm(`${'a'.repeat(151)}[${'c'.repeat(20)}`);
  assert.equal(fits[0], `${'a'.repeat(151)}[`);
});

test('GSM split throws on non-GSM text', () => {
  assert.throws(() => splitGsm('Hồ sơ'), RangeError);
});

test('UCS-2 split: 70 units is one part, 71 is two of at most 67', () => {
  assert.deepEqual(splitUcs2(''), []);
  assert.deepEqual(splitUcs2('ệ'.repeat(70)), ['ệ'.repeat(70)]);
  assert.deepEqual(splitUcs2('ệ'.repeat(71)), ['ệ'.repeat(67), 'ệ'.repeat(4)]);
  assert.deepEqual(
    splitUcs2('ệ'.repeat(134)).map((p) => p.length),
    [67, 67],
  );
  assert.deepEqual(
    splitUcs2('ệ'.repeat(135)).map((p) => p.length),
    [67, 67, 1],
  );
});

test('UCS-2 split never cuts a surrogate pair', () => {
  const text = `${'a'.repeat(66)}😀${'b'.repeat(10)}`;
  const parts = splitUcs2(text);
  assert.deepEqual(parts, ['a'.repeat(66), `😀${'b'.repeat(10)}`]);
  assert.equal(parts.join(''), text);
  assert.deepEqual(splitUcs2('😀'.repeat(35)), ['😀'.repeat(35)], '70 code units');
  const emoji = splitUcs2('😀'.repeat(36));
  assert.deepEqual(
    emoji.map((p) => p.length),
    [66, 6],
  );
  for (const part of emoji) assert.ok(!/[\uD800-\uDBFF]$/.test(part));
});
