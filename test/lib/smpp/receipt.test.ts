import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeliveryReceipt } from '../../../src/providers/provider.js';
import { TLV_TAG, cStringTlv, shortMessageDefaults, uint8Tlv, type ShortMessage, type Tlv } from '../../../src/lib/smpp/pdu.js';
import { isReceipt, parseDeliveryReceipt, parseReceiptDate, parseReceiptText, receiptIdCandidates } from '../../../src/lib/smpp/receipt.js';

const deliver = (text: string, tlvs: Tlv[] = [], esmClass = 0x04, payload = false): ShortMessage => ({
  ...shortMessageDefaults(),
  source: { ton: 1, npi: 1, addr: '84912345678' },
  destination: { ton: 5, npi: 0, addr: 'MotcuaSMS' },
  esmClass,
  shortMessage: payload ? Buffer.alloc(0) : Buffer.from(text, 'latin1'),
  tlvs: payload ? [...tlvs, { tag: TLV_TAG.message_payload, value: Buffer.from(text, 'latin1') }] : tlvs,
});

/** 2024-03-12 15:31 in Hà Nội is 08:31 UTC. */
const DONE = Date.UTC(2024, 2, 12, 8, 31);
const STANDARD = 'id:2F00001A sub:001 dlvrd:001 submit date:2403121530 done date:2403121531 stat:DELIVRD err:000 text:MotcuaSMS: Ho so 000';

type Expect = Omit<DeliveryReceipt, 'provider'> | null;
const r = (
  providerMessageId: string,
  status: DeliveryReceipt['status'],
  providerStatus: string,
  errorCode: string | null,
  at: number | null,
): Expect => ({
  providerMessageId,
  status,
  providerStatus,
  errorCode,
  at,
});

const ROWS: Array<[note: string, sm: ShortMessage, expected: Expect]> = [
  ['the standard text', deliver(STANDARD), r('2F00001A', 'delivered', 'DELIVRD', '000', DONE)],
  ['lower-case field names and stat', deliver(STANDARD.toLowerCase()), r('2f00001a', 'delivered', 'DELIVRD', '000', DONE)],
  [
    'Title-case field names',
    deliver('Id:77 Sub:001 Dlvrd:001 Submit Date:2403121530 Done Date:2403121531 Stat:DELIVRD Err:000 Text:x'),
    r('77', 'delivered', 'DELIVRD', '000', DONE),
  ],
  [
    'extra spaces everywhere',
    deliver('  id: 77   sub:001  dlvrd:001   submit  date:2403121530  done   date:2403121531   stat: UNDELIV   err:  012 text:  '),
    r('77', 'failed', 'UNDELIV', '012', DONE),
  ],
  [
    '12-digit dates with seconds',
    deliver('id:5 submit date:240312153000 done date:240312153145 stat:DELIVRD'),
    r('5', 'delivered', 'DELIVRD', null, DONE + 45_000),
  ],
  ['only id and stat', deliver('id:123456789 stat:EXPIRED'), r('123456789', 'failed', 'EXPIRED', null, null)],
  [
    'no text field at all',
    deliver('id:1 sub:001 dlvrd:000 submit date:2403121530 done date:2403121531 stat:REJECTD err:0B'),
    r('1', 'failed', 'REJECTD', '0B', DONE),
  ],
  [
    'a text that itself contains "id:" and "stat:"',
    deliver('id:9 stat:DELIVRD err:000 text:id:1 stat:UNDELIV'),
    r('9', 'delivered', 'DELIVRD', '000', null),
  ],
  ['an invalid done date gives no time', deliver('id:9 done date:2413451531 stat:DELIVRD'), r('9', 'delivered', 'DELIVRD', null, null)],
  ['in message_payload instead of short_message', deliver(STANDARD, [], 0x04, true), r('2F00001A', 'delivered', 'DELIVRD', '000', DONE)],
  ['intermediate notification (esm_class 0x20)', deliver('id:3 stat:ENROUTE'), r('3', 'sent', 'ENROUTE', null, null)],
  [
    'TLVs preferred over the text',
    deliver(STANDARD.replace('DELIVRD', 'UNDELIV'), [
      cStringTlv(TLV_TAG.receipted_message_id, '788529178'),
      uint8Tlv(TLV_TAG.message_state, 2),
    ]),
    r('788529178', 'delivered', '2', '000', DONE),
  ],
  [
    'TLVs alone, empty text',
    deliver('', [
      cStringTlv(TLV_TAG.receipted_message_id, 'abc'),
      uint8Tlv(TLV_TAG.message_state, 5),
      { tag: TLV_TAG.network_error_code, value: Buffer.from([3, 0x00, 0x11]) },
    ]),
    r('abc', 'failed', '5', '3:0017', null),
  ],
  [
    'receipted_message_id without NUL',
    deliver('stat:DELIVRD', [{ tag: TLV_TAG.receipted_message_id, value: Buffer.from('x1') }]),
    r('x1', 'delivered', 'DELIVRD', null, null),
  ],
  [
    'an empty receipted_message_id falls back to the text id',
    deliver('id:42 stat:DELIVRD', [cStringTlv(TLV_TAG.receipted_message_id, '')]),
    r('42', 'delivered', 'DELIVRD', null, null),
  ],
  [
    'an unknown message_state falls back to the stat word',
    deliver('id:42 stat:ACCEPTD', [uint8Tlv(TLV_TAG.message_state, 0)]),
    r('42', 'sent', 'ACCEPTD', null, null),
  ],
  ['not a receipt (esm_class 0)', deliver(STANDARD, [], 0x00), null],
  ['no id anywhere', deliver('sub:001 stat:DELIVRD'), null],
  ['no status anywhere', deliver('id:1 sub:001 dlvrd:001'), null],
  ['a stat word nobody uses', deliver('id:1 stat:WHATEVER'), null],
  ['garbage', deliver('\u0000\u00ff not a receipt at all'), null],
];

describe('parseDeliveryReceipt', () => {
  for (const [note, sm, expected] of ROWS) {
    test(note, () => {
      const esm = note.startsWith('intermediate') ? { ...sm, esmClass: 0x20 } : sm;
      assert.deepEqual(
        parseDeliveryReceipt(esm, { provider: 'viettel-smpp' }),
        expected === null ? null : { provider: 'viettel-smpp', ...expected },
      );
    });
  }

  const statRows: Array<[string, DeliveryReceipt['status']]> = [
    ['DELIVRD', 'delivered'],
    ['UNDELIV', 'failed'],
    ['EXPIRED', 'failed'],
    ['DELETED', 'failed'],
    ['REJECTD', 'failed'],
    ['UNKNOWN', 'failed'],
    ['ENROUTE', 'sent'],
    ['ACCEPTD', 'sent'],
    ['BUFFRED', 'sent'],
  ];
  for (const [word, status] of statRows) {
    test(`stat:${word} → ${status}`, () =>
      assert.equal(parseDeliveryReceipt(deliver(`id:1 stat:${word}`), { provider: 'p' })?.status, status));
  }

  const stateRows: Array<[number, DeliveryReceipt['status']]> = [
    [1, 'sent'],
    [2, 'delivered'],
    [3, 'failed'],
    [4, 'failed'],
    [5, 'failed'],
    [6, 'sent'],
    [7, 'failed'],
    [8, 'failed'],
  ];
  for (const [state, status] of stateRows) {
    test(`message_state ${state} → ${status}`, () => {
      const receipt = parseDeliveryReceipt(
        deliver('', [cStringTlv(TLV_TAG.receipted_message_id, '1'), uint8Tlv(TLV_TAG.message_state, state)]),
        { provider: 'p' },
      );
      assert.equal(receipt?.status, status);
      assert.equal(receipt?.providerStatus, String(state));
    });
  }

  test('dates in another zone when told', () => {
    assert.equal(parseDeliveryReceipt(deliver(STANDARD), { provider: 'p', utcOffsetMinutes: 0 })?.at, Date.UTC(2024, 2, 12, 15, 31));
  });

  test('isReceipt looks at the message type bits', () => {
    assert.equal(isReceipt(0x04), true);
    assert.equal(isReceipt(0x44), true);
    assert.equal(isReceipt(0x20), true);
    assert.equal(isReceipt(0x00), false);
    assert.equal(isReceipt(0x40), false);
    assert.equal(isReceipt(0x03), false);
  });
});

describe('parseReceiptText', () => {
  test('all fields', () => {
    assert.deepEqual(parseReceiptText(STANDARD), {
      id: '2F00001A',
      sub: '001',
      dlvrd: '001',
      submitDate: '2403121530',
      doneDate: '2403121531',
      stat: 'DELIVRD',
      err: '000',
      text: 'MotcuaSMS: Ho so 000',
    });
  });
  test('nothing recognisable', () => {
    assert.deepEqual(parseReceiptText('hello'), {
      id: null,
      sub: null,
      dlvrd: null,
      submitDate: null,
      doneDate: null,
      stat: null,
      err: null,
      text: null,
    });
  });
  test('the first occurrence of a field wins', () => assert.equal(parseReceiptText('id:1 id:2 stat:DELIVRD').id, '1'));
});

describe('parseReceiptDate (Asia/Ho_Chi_Minh, UTC+7)', () => {
  const rows: Array<[string, number | null]> = [
    ['2403121531', DONE],
    ['240312153159', DONE + 59_000],
    ['2401010000', Date.UTC(2023, 11, 31, 17, 0)],
    ['2402290700', Date.UTC(2024, 1, 29, 0, 0)],
    ['2302290700', null],
    ['2413011200', null],
    ['2400011200', null],
    ['2401322400', null],
    ['2401012460', null],
    ['240101120', null],
    ['24010112000', null],
    ['abcdefghij', null],
  ];
  for (const [input, expected] of rows)
    test(`${input} → ${expected === null ? 'null' : new Date(expected).toISOString()}`, () =>
      assert.equal(parseReceiptDate(input), expected));
});

describe('receiptIdCandidates', () => {
  const rows: Array<[string, string[]]> = [
    ['2F00001A', ['2f00001a', '788529178']],
    ['788529178', ['788529178', '32351883640', '2f00001a']],
    ['000A1B', ['000a1b', 'a1b', '2587']],
    ['00123', ['00123', '123', '291', '7b']],
    ['0', ['0']],
    ['  AbC  ', ['abc', '2748']],
    ['msg-42', ['msg-42']],
    ['ffffffffffffffff', ['ffffffffffffffff', '18446744073709551615']],
    ['', ['']],
  ];
  for (const [input, expected] of rows) test(JSON.stringify(input), () => assert.deepEqual(receiptIdCandidates(input), expected));

  test('hex and decimal forms of the same number always meet', () => {
    for (const n of [1, 9, 10, 255, 4096, 0x2f00001a, 2 ** 32 - 1, 2 ** 40 + 7]) {
      const asHex = n.toString(16).toUpperCase();
      const asDecimal = String(n);
      assert.ok(receiptIdCandidates(asDecimal).includes(asHex.toLowerCase()), `${asDecimal} → ${asHex}`);
      assert.ok(receiptIdCandidates(asHex).includes(asDecimal), `${asHex} → ${asDecimal}`);
    }
  });

  test('an absurdly long id is only lowercased', () => {
    const long = 'A'.repeat(65);
    assert.deepEqual(receiptIdCandidates(long), [long.toLowerCase()]);
  });
});
