import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/platform/clock.js';
import { GSM_BASIC_TABLE, GSM_EXTENSION_TABLE, gsmSeptets } from '../../../src/lib/sms-text/gsm.js';
import {
  ConcatReassembler,
  decodeGsm7,
  decodeText,
  decodeUcs2,
  encodeGsm7,
  encodeUcs2,
  parseUserData,
  splitForSmpp,
  type MoPart,
  type SmppPart,
} from '../../../src/lib/smpp/udh.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A folded result notice, long enough for two parts. */
const FOLDED_RESULT =
  'MotcuaSMS: Ho so 000.00.15.H34-210312-0001 cua ong/ba Nguyen Van A da co ket qua. ' +
  'Moi ong/ba den Bo phan Mot cua UBND huyen Dong Anh (so 68 duong Cao Lo, thi tran Dong Anh) ' +
  'de nhan ket qua tu ngay 15/03/2021, mang theo giay bien nhan. Tra cuu: soan MCKH 000.00.15.H34-210312-0001 gui 8083.';
/** The same notice with its diacritics, sent as UCS-2. */
const UNICODE_RESULT =
  'MotcuaSMS: Hồ sơ 000.00.15.H34-210312-0001 của ông/bà Nguyễn Văn A đã có kết quả. ' +
  'Mời ông/bà đến Bộ phận Một cửa UBND huyện Đông Anh để nhận kết quả từ ngày 15/03/2021.';

/** Joins the parts' payloads back (what a handset does) and checks the UDH of each. */
function reassemble(parts: SmppPart[], dataCoding: 0 | 8, reference: number): string {
  return parts
    .map((part, index) => {
      const parsed = parseUserData(part.shortMessage, part.esmClass);
      if (parts.length > 1) {
        assert.equal(part.esmClass, 0x40);
        assert.deepEqual(
          parsed.udh,
          hex(
            `050003 ${(reference & 0xff).toString(16).padStart(2, '0')} ${parts.length.toString(16).padStart(2, '0')} ${(index + 1).toString(16).padStart(2, '0')}`,
          ),
        );
      } else {
        assert.equal(part.esmClass, 0);
        assert.equal(parsed.udh.length, 0);
      }
      const text = decodeText(parsed.payload, dataCoding);
      assert.equal(text, part.text);
      return text;
    })
    .join('');
}

describe('GSM 7-bit, one septet per octet', () => {
  test('every basic character round-trips to its own septet value', () => {
    Array.from(GSM_BASIC_TABLE).forEach((ch, septet) => {
      if (septet === 0x1b) return;
      assert.deepEqual(encodeGsm7(ch), Buffer.from([septet]), `septet ${septet}`);
      assert.equal(decodeGsm7(Buffer.from([septet])), ch);
    });
  });

  test('every extension character is the escape pair 1B xx', () => {
    for (const [ch, septet] of Object.entries(GSM_EXTENSION_TABLE)) {
      assert.deepEqual(encodeGsm7(ch), Buffer.from([0x1b, septet]), ch);
      assert.equal(decodeGsm7(Buffer.from([0x1b, septet])), ch);
    }
  });

  const rows: Array<[string, string]> = [
    ['@£$', '00 01 02'],
    ['Ho so', '48 6f 20 73 6f'],
    ['€5', '1b65 35'],
    ['{x}', '1b28 78 1b29'],
    ['[~]', '1b3c 1b3d 1b3e'],
    ['a\\b|c^', '61 1b2f 62 1b40 63 1b14'],
    ['_', '11'],
  ];
  for (const [text, octets] of rows) {
    test(`${JSON.stringify(text)} ↔ ${octets}`, () => {
      assert.deepEqual(encodeGsm7(text), hex(octets));
      assert.equal(decodeGsm7(hex(octets)), text);
    });
  }

  test('a character outside the alphabet is a RangeError naming it', () => {
    assert.throws(() => encodeGsm7('Hồ sơ'), { name: 'RangeError', message: /U\+1ED3 at index 1/ });
    assert.throws(() => encodeGsm7('a\u001Bb'), RangeError);
  });

  test('decoding is lenient: unknown extension shows the basic character, lone trailing escape is dropped, top bit ignored', () => {
    assert.equal(decodeGsm7(hex('1b41')), 'A');
    assert.equal(decodeGsm7(hex('41 1b')), 'A');
    assert.equal(decodeGsm7(hex('c1')), 'A');
    assert.equal(decodeGsm7(hex('1b1b')), ' ');
  });

  test('data_coding 1 and 3 decode as Latin-1', () => {
    assert.equal(decodeText(Buffer.from('MCKH 0101@_', 'latin1'), 1), 'MCKH 0101@_');
    assert.equal(decodeText(Buffer.from('café', 'latin1'), 3), 'café');
  });
});

describe('UCS-2', () => {
  const rows: Array<[string, string]> = [
    ['Hồ sơ', '0048 1ed3 0020 0073 01a1'],
    ['đã có', '0111 00e3 0020 0063 00f3'],
    ['😀', 'd83d de00'],
  ];
  for (const [text, octets] of rows) {
    test(`${text} ↔ ${octets}`, () => {
      assert.deepEqual(encodeUcs2(text), hex(octets));
      assert.equal(decodeUcs2(hex(octets)), text);
    });
  }
  test('a trailing odd octet is dropped', () => assert.equal(decodeUcs2(hex('0041 00')), 'A'));
});

describe('splitForSmpp: GSM (data_coding 0)', () => {
  test('up to 160 septets is one part without UDH', () => {
    const text = 'a'.repeat(160);
    const parts = splitForSmpp(text, 0, 1);
    assert.equal(parts.length, 1);
    assert.deepEqual(parts[0]!.shortMessage, Buffer.alloc(160, 0x61));
    assert.equal(reassemble(parts, 0, 1), text);
  });

  test('160 septets made with extension characters is still one part', () => {
    const text = '€'.repeat(80);
    const parts = splitForSmpp(text, 0, 1);
    assert.equal(parts.length, 1);
    assert.equal(parts[0]!.shortMessage.length, 160);
  });

  test('161 septets is two parts of 153 + 8 behind the UDH', () => {
    const parts = splitForSmpp('a'.repeat(161), 0, 0x2a);
    assert.deepEqual(
      parts.map((p) => p.shortMessage.length),
      [6 + 153, 6 + 8],
    );
    assert.equal(reassemble(parts, 0, 0x2a), 'a'.repeat(161));
  });

  test('the reference is written modulo 256', () => {
    const parts = splitForSmpp('b'.repeat(300), 0, 257);
    assert.equal(parts[0]!.shortMessage[3], 1);
  });

  test('the folded result notice splits into parts that decode back to it', () => {
    assert.ok(gsmSeptets(FOLDED_RESULT) > 160);
    const parts = splitForSmpp(FOLDED_RESULT, 0, 7);
    assert.equal(parts.length, 2);
    for (const part of parts) assert.ok(part.shortMessage.length - 6 <= 153);
    assert.equal(reassemble(parts, 0, 7), FOLDED_RESULT);
  });

  for (const ch of ['€', '^', '{', '}', '[', ']', '~', '\\', '|']) {
    test(`an escape pair for ${ch} at the part boundary is never cut`, () => {
      // 152 septets, then the 2-septet character that would straddle septets 153–154
      const text = `${'x'.repeat(152)}${ch}${FOLDED_RESULT}`;
      const parts = splitForSmpp(text, 0, 3);
      const first = parseUserData(parts[0]!.shortMessage, 0x40).payload;
      assert.equal(first.length, 152, 'the first part stops before the pair');
      assert.notEqual(first[first.length - 1], 0x1b);
      const second = parseUserData(parts[1]!.shortMessage, 0x40).payload;
      assert.deepEqual(second.subarray(0, 2), Buffer.from([0x1b, GSM_EXTENSION_TABLE[ch]!]));
      assert.equal(reassemble(parts, 0, 3), text);
    });
  }

  test('a text full of escapes: every part is at most 153 octets and none ends on an escape', () => {
    const text = 'Phi: 50€ {ho so} [A|B] ~ ^ \\ '.repeat(20);
    const parts = splitForSmpp(text, 0, 9);
    for (const part of parts) {
      const payload = parseUserData(part.shortMessage, 0x40).payload;
      assert.ok(payload.length <= 153);
      assert.notEqual(payload[payload.length - 1], 0x1b);
    }
    assert.equal(reassemble(parts, 0, 9), text);
  });

  test('non-GSM text with data_coding 0 is a RangeError', () => {
    assert.throws(() => splitForSmpp(UNICODE_RESULT, 0, 1), RangeError);
  });

  test('the empty text has no parts', () => assert.deepEqual(splitForSmpp('', 0, 1), []));
});

describe('splitForSmpp: UCS-2 (data_coding 8)', () => {
  test('up to 70 units is one part', () => {
    const text = 'Hồ sơ đã có kết quả'.padEnd(70, '.');
    const parts = splitForSmpp(text, 8, 1);
    assert.equal(parts.length, 1);
    assert.equal(parts[0]!.shortMessage.length, 140);
    assert.equal(reassemble(parts, 8, 1), text);
  });

  test('71 units is two parts of 67 + 4', () => {
    const text = 'ồ'.repeat(71);
    const parts = splitForSmpp(text, 8, 200);
    assert.deepEqual(
      parts.map((p) => p.shortMessage.length),
      [6 + 134, 6 + 8],
    );
    assert.equal(reassemble(parts, 8, 200), text);
  });

  test('the Unicode result notice splits and decodes back', () => {
    const parts = splitForSmpp(UNICODE_RESULT, 8, 77);
    assert.equal(parts.length, Math.ceil(UNICODE_RESULT.length / 67));
    assert.equal(reassemble(parts, 8, 77), UNICODE_RESULT);
  });

  test('a surrogate pair at the boundary is never cut', () => {
    const text = `${'ơ'.repeat(66)}😀${'ư'.repeat(10)}`;
    const parts = splitForSmpp(text, 8, 5);
    const first = parseUserData(parts[0]!.shortMessage, 0x40).payload;
    assert.equal(first.length, 132, '66 units: the emoji moves to part 2');
    assert.equal(parts[1]!.text.startsWith('😀'), true);
    assert.equal(reassemble(parts, 8, 5), text);
  });
});

describe('parseUserData', () => {
  const rows: Array<
    [string, string, number, { udh: string; payload: string; concat: { reference: number; total: number; sequence: number } | null }]
  > = [
    ['no UDHI: all payload', '050003010201 41', 0x00, { udh: '', payload: '050003010201 41', concat: null }],
    [
      '8-bit reference',
      '050003 2a 03 02 4142',
      0x40,
      { udh: '050003 2a 03 02', payload: '4142', concat: { reference: 0x2a, total: 3, sequence: 2 } },
    ],
    [
      '16-bit reference',
      '060804 1234 02 01 41',
      0x40,
      { udh: '060804 1234 02 01', payload: '41', concat: { reference: 0x1234, total: 2, sequence: 1 } },
    ],
    [
      'port IE before the concat IE',
      '0b 0504 0b84 23f0 0003 07 02 02 41',
      0x43,
      { udh: '0b 0504 0b84 23f0 0003 07 02 02', payload: '41', concat: { reference: 7, total: 2, sequence: 2 } },
    ],
    ['sequence above total: not a part', '050003 01 02 03 41', 0x40, { udh: '050003 01 02 03', payload: '41', concat: null }],
    ['sequence 0: not a part', '050003 01 02 00 41', 0x40, { udh: '050003 01 02 00', payload: '41', concat: null }],
    ['UDH length past the message: all payload', '09 0003 01 02 01', 0x40, { udh: '', payload: '09 0003 01 02 01', concat: null }],
    ['IE length past the UDH', '03 00 05 01 41', 0x40, { udh: '03 00 05 01', payload: '41', concat: null }],
  ];
  for (const [note, input, esmClass, expected] of rows) {
    test(note, () => {
      const parsed = parseUserData(hex(input), esmClass);
      assert.deepEqual(
        { udh: parsed.udh.toString('hex'), payload: parsed.payload.toString('hex'), concat: parsed.concat },
        { udh: hex(expected.udh).toString('hex'), payload: hex(expected.payload).toString('hex'), concat: expected.concat },
      );
    });
  }
  test('empty short_message', () => assert.equal(parseUserData(Buffer.alloc(0), 0x40).concat, null));
});

describe('ConcatReassembler', () => {
  const partsOf = (text: string, dataCoding: 0 | 8, reference: number, from = '84912345678'): MoPart[] =>
    splitForSmpp(text, dataCoding, reference).map((p) => {
      const { payload, concat } = parseUserData(p.shortMessage, p.esmClass);
      return { from, to: '8083', concat: concat!, dataCoding, payload };
    });
  const make = (clock = new ManualClock(0), timeoutMs = 60_000) => new ConcatReassembler({ timeoutMs, clock });

  test('in order: the last part completes it', () => {
    const r = make();
    const parts = partsOf(FOLDED_RESULT, 0, 1);
    assert.equal(r.add(parts[0]!), null);
    assert.equal(r.add(parts[1]!)?.text, FOLDED_RESULT);
  });

  test('out of order, with duplicates', () => {
    const r = make();
    const text = `MCKH ${'000.00.15.H34-210312-0001 '.repeat(20)}`;
    const parts = partsOf(text, 0, 9);
    assert.equal(parts.length, 4);
    for (const index of [3, 1, 3, 0, 1]) assert.equal(r.add(parts[index]!), null);
    assert.equal(r.add(parts[2]!)?.text, text);
  });

  test('UCS-2 parts out of order', () => {
    const r = make();
    const parts = partsOf(UNICODE_RESULT, 8, 250).reverse();
    const results = parts.map((p) => r.add(p));
    assert.equal(results.at(-1)?.text, UNICODE_RESULT);
    assert.ok(results.slice(0, -1).every((x) => x === null));
  });

  test('16-bit references are kept apart from 8-bit ones that share the low octet', () => {
    const r = make();
    const a: MoPart = {
      from: '849',
      to: '8083',
      dataCoding: 0,
      concat: { reference: 0x0105, total: 2, sequence: 1 },
      payload: encodeGsm7('MCKH '),
    };
    const b: MoPart = {
      from: '849',
      to: '8083',
      dataCoding: 0,
      concat: { reference: 0x05, total: 2, sequence: 2 },
      payload: encodeGsm7('WRONG'),
    };
    assert.equal(r.add(a), null);
    assert.equal(r.add(b), null);
    assert.equal(r.add({ ...a, concat: { reference: 0x0105, total: 2, sequence: 2 }, payload: encodeGsm7('123') })?.text, 'MCKH 123');
  });

  test('two senders with the same reference do not mix', () => {
    const r = make();
    const one = partsOf(FOLDED_RESULT, 0, 4, '84911111111');
    const two = partsOf(`${FOLDED_RESULT} (2)`, 0, 4, '84922222222');
    assert.equal(r.add(one[0]!), null);
    assert.equal(r.add(two[1]!), null);
    assert.equal(r.add(two[0]!)?.text, `${FOLDED_RESULT} (2)`);
    assert.equal(r.add(one[1]!)?.text, FOLDED_RESULT);
  });

  test('payloads are joined before decoding: an escape pair or surrogate pair cut by the sender survives', () => {
    const r = make();
    const gsm: MoPart[] = [
      { from: '84', to: '8083', dataCoding: 0, concat: { reference: 1, total: 2, sequence: 1 }, payload: hex('41 1b') },
      { from: '84', to: '8083', dataCoding: 0, concat: { reference: 1, total: 2, sequence: 2 }, payload: hex('65 42') },
    ];
    r.add(gsm[0]!);
    assert.equal(r.add(gsm[1]!)?.text, 'A€B');
    const ucs: MoPart[] = [
      { from: '84', to: '8083', dataCoding: 8, concat: { reference: 2, total: 2, sequence: 1 }, payload: hex('0041 d83d') },
      { from: '84', to: '8083', dataCoding: 8, concat: { reference: 2, total: 2, sequence: 2 }, payload: hex('de00') },
    ];
    r.add(ucs[1]!);
    assert.equal(r.add(ucs[0]!)?.text, 'A😀');
  });

  test('a complete group stays until released: a part delivered again completes it again', () => {
    const r = make();
    const parts = partsOf(FOLDED_RESULT, 0, 11);
    r.add(parts[0]!);
    const done = r.add(parts[1]!)!;
    assert.equal(r.add(parts[1]!)?.text, FOLDED_RESULT, 'hand-off failed, the SMSC redelivers the last part');
    r.release(done.key);
    assert.equal(r.size, 0);
    assert.equal(r.add(parts[1]!), null, 'after release a stray part starts a new group');
  });

  test('incomplete groups expire after the timeout (injected clock)', () => {
    const clock = new ManualClock(1_000);
    const r = make(clock, 60_000);
    const parts = partsOf(FOLDED_RESULT, 0, 12);
    r.add(parts[0]!);
    clock.advance(59_999);
    assert.deepEqual(r.evictExpired(), []);
    clock.advance(1);
    const expired = r.evictExpired();
    assert.equal(expired.length, 1);
    assert.equal(expired[0]!.received, 1);
    assert.equal(expired[0]!.total, 2);
    assert.equal(r.size, 0);
    assert.equal(r.add(parts[1]!), null, 'the late part starts over');
  });

  test('the timeout runs from the first part, not the last', () => {
    const clock = new ManualClock(5_000);
    const r = make(clock, 10_000);
    const text = `MCKH ${'000.00.15.H34-210312-0001 '.repeat(20)}`;
    const parts = partsOf(text, 0, 13);
    r.add(parts[0]!);
    clock.advance(6_000);
    r.add(parts[1]!);
    clock.advance(4_000);
    assert.equal(r.evictExpired().length, 1);
  });

  test('at most maxGroups groups are held; the oldest goes first', () => {
    const r = new ConcatReassembler({ timeoutMs: 60_000, clock: new ManualClock(0), maxGroups: 3 });
    for (let ref = 0; ref < 5; ref++)
      r.add({ from: '84', to: '8083', dataCoding: 0, concat: { reference: ref, total: 2, sequence: 1 }, payload: encodeGsm7('a') });
    assert.equal(r.size, 3);
    assert.equal(
      r.add({ from: '84', to: '8083', dataCoding: 0, concat: { reference: 0, total: 2, sequence: 2 }, payload: encodeGsm7('b') }),
      null,
      'group 0 was dropped',
    );
    assert.equal(
      r.add({ from: '84', to: '8083', dataCoding: 0, concat: { reference: 4, total: 2, sequence: 2 }, payload: encodeGsm7('b') })?.text,
      'ab',
    );
  });
});
