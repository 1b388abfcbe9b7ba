import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareSms } from '../../../src/lib/sms-text/encode.js';

test('empty text is 0 segments in both encodings', () => {
  assert.deepEqual(prepareSms('', 'ascii'), { body: '', dataCoding: 'gsm7', segments: 0, characters: 0 });
  assert.deepEqual(prepareSms('', 'unicode'), { body: '', dataCoding: 'gsm7', segments: 0, characters: 0 });
});

test('ascii: folds and counts GSM segments at 160/161', () => {
  assert.deepEqual(prepareSms('Hồ sơ đã xong', 'ascii'), { body: 'Ho so da xong', dataCoding: 'gsm7', segments: 1, characters: 13 });
  assert.equal(prepareSms('ệ'.repeat(160), 'ascii').segments, 1);
  const over = prepareSms('ệ'.repeat(161), 'ascii');
  assert.equal(over.body, 'e'.repeat(161));
  assert.equal(over.segments, 2);
  assert.equal(over.characters, 161);
});

test('ascii: 306 septets is 2 segments, 307 is 3', () => {
  assert.equal(prepareSms('đ'.repeat(306), 'ascii').segments, 2);
  assert.equal(prepareSms('đ'.repeat(307), 'ascii').segments, 3);
});

test('ascii: extension characters count 2 septets', () => {
  assert.deepEqual(prepareSms('{'.repeat(80), 'ascii'), { body: '{'.repeat(80), dataCoding: 'gsm7', segments: 1, characters: 160 });
  assert.deepEqual(prepareSms('€'.repeat(81), 'ascii').segments, 2);
  // 152 plain + € + 153 plain: 307 septets, and the € cannot straddle parts → 3 parts
  const text = `${'a'.repeat(152)}€${'b'.repeat(152)}`;
  const sms = prepareSms(text, 'ascii');
  assert.equal(sms.characters, 306);
  assert.equal(sms.segments, 3, 'the escape pair moves to part 2, which then overflows');
});

test('unicode: Vietnamese goes as UCS-2, 70/71 code units', () => {
  assert.deepEqual(prepareSms('ệ'.repeat(70), 'unicode'), { body: 'ệ'.repeat(70), dataCoding: 'ucs2', segments: 1, characters: 70 });
  assert.equal(prepareSms('ệ'.repeat(71), 'unicode').segments, 2);
  assert.equal(prepareSms('ệ'.repeat(134), 'unicode').segments, 2);
  assert.equal(prepareSms('ệ'.repeat(135), 'unicode').segments, 3);
});

test('unicode: NFD input is sent as NFC', () => {
  const sms = prepareSms('Kha\u0301nh Ho\u0300a', 'unicode');
  assert.equal(sms.body, 'Khánh Hòa');
  assert.equal(sms.dataCoding, 'ucs2');
  assert.equal(sms.characters, 9);
});

test('unicode: plain ASCII GSM text is still sent as gsm7', () => {
  assert.deepEqual(prepareSms('MCKH 0101701234', 'unicode'), { body: 'MCKH 0101701234', dataCoding: 'gsm7', segments: 1, characters: 15 });
  const long = prepareSms('x'.repeat(161), 'unicode');
  assert.equal(long.dataCoding, 'gsm7');
  assert.equal(long.segments, 2);
  assert.equal(prepareSms('[a]', 'unicode').characters, 5);
});

test('unicode: accented GSM letters are not sent as gsm7 (aggregators expect ASCII)', () => {
  const sms = prepareSms('Bà Cà Mau', 'unicode');
  assert.equal(sms.dataCoding, 'ucs2');
  assert.equal(sms.body, 'Bà Cà Mau');
  assert.equal(prepareSms('`tick`', 'unicode').dataCoding, 'ucs2', 'backtick is ASCII but not GSM');
});

test('unicode: emoji count 2 code units', () => {
  assert.equal(prepareSms('😀'.repeat(35), 'unicode').segments, 1);
  const two = prepareSms('😀'.repeat(36), 'unicode');
  assert.equal(two.characters, 72);
  assert.equal(two.segments, 2);
});
