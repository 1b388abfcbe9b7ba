import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMMAND_ID,
  FrameError,
  FrameSplitter,
  MAX_FRAME_LENGTH,
  PduDecodeError,
  STATUS,
  MESSAGE_STATE,
  TLV_TAG,
  commandStatusName,
  messageStateName,
  cStringTlv,
  decodePdu,
  encodePdu,
  isResponse,
  messageOctets,
  shortMessageDefaults,
  tlvInteger,
  tlvString,
  uint16Tlv,
  uint8Tlv,
  type Pdu,
  type ShortMessagePdu,
} from '../../../src/lib/smpp/pdu.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const submit = (overrides: Partial<ShortMessagePdu> = {}): ShortMessagePdu => ({
  command: 'submit_sm',
  commandStatus: 0,
  sequenceNumber: 7,
  ...shortMessageDefaults(),
  source: { ton: 5, npi: 0, addr: 'MotcuaSMS' },
  destination: { ton: 1, npi: 1, addr: '84912345678' },
  registeredDelivery: 1,
  shortMessage: Buffer.from('Ho so da co ket qua', 'latin1'),
  ...overrides,
});

/** Every command the codec knows, in a form that survives a round trip. */
const SAMPLES: Array<[note: string, pdu: Pdu]> = [
  [
    'bind_transmitter',
    {
      command: 'bind_transmitter',
      commandStatus: 0,
      sequenceNumber: 1,
      systemId: 'motcua',
      password: 'secret',
      systemType: 'VMA',
      interfaceVersion: 0x34,
      addrTon: 0,
      addrNpi: 0,
      addressRange: '',
    },
  ],
  [
    'bind_receiver',
    {
      command: 'bind_receiver',
      commandStatus: 0,
      sequenceNumber: 2,
      systemId: 'motcua',
      password: '',
      systemType: '',
      interfaceVersion: 0x34,
      addrTon: 1,
      addrNpi: 1,
      addressRange: '^84',
    },
  ],
  [
    'bind_transceiver',
    {
      command: 'bind_transceiver',
      commandStatus: 0,
      sequenceNumber: 3,
      systemId: 'x'.repeat(15),
      password: 'p'.repeat(8),
      systemType: 't'.repeat(12),
      interfaceVersion: 0x34,
      addrTon: 0,
      addrNpi: 0,
      addressRange: '',
    },
  ],
  ['bind_transmitter_resp', { command: 'bind_transmitter_resp', commandStatus: 0, sequenceNumber: 1, systemId: 'SMSC', tlvs: [] }],
  [
    'bind_receiver_resp with sc_interface_version',
    {
      command: 'bind_receiver_resp',
      commandStatus: 0,
      sequenceNumber: 2,
      systemId: 'SMSC',
      tlvs: [uint8Tlv(TLV_TAG.sc_interface_version, 0x34)],
    },
  ],
  [
    'bind_transceiver_resp refused',
    { command: 'bind_transceiver_resp', commandStatus: STATUS.ESME_RINVPASWD, sequenceNumber: 3, systemId: '', tlvs: [] },
  ],
  ['unbind', { command: 'unbind', commandStatus: 0, sequenceNumber: 9 }],
  ['unbind_resp', { command: 'unbind_resp', commandStatus: 0, sequenceNumber: 9 }],
  ['enquire_link', { command: 'enquire_link', commandStatus: 0, sequenceNumber: 0x7fffffff }],
  ['enquire_link_resp', { command: 'enquire_link_resp', commandStatus: 0, sequenceNumber: 0x7fffffff }],
  ['generic_nack', { command: 'generic_nack', commandStatus: STATUS.ESME_RINVCMDID, sequenceNumber: 4 }],
  ['submit_sm plain', submit()],
  [
    'submit_sm with UDH and UCS-2',
    submit({
      esmClass: 0x40,
      dataCoding: 8,
      shortMessage: Buffer.concat([hex('050003 2a 02 01'), Buffer.from('Hồ sơ', 'utf16le').swap16()]),
    }),
  ],
  [
    'submit_sm with sar TLVs',
    submit({
      tlvs: [uint16Tlv(TLV_TAG.sar_msg_ref_num, 0x1234), uint8Tlv(TLV_TAG.sar_total_segments, 3), uint8Tlv(TLV_TAG.sar_segment_seqnum, 2)],
    }),
  ],
  [
    'submit_sm with message_payload',
    submit({ shortMessage: Buffer.alloc(0), tlvs: [{ tag: TLV_TAG.message_payload, value: Buffer.alloc(600, 0x41) }] }),
  ],
  [
    'submit_sm with every optional string filled',
    submit({
      serviceType: 'CMT',
      scheduleDeliveryTime: '240312153000000+',
      validityPeriod: '000001000000000R',
      priorityFlag: 1,
      protocolId: 0,
      replaceIfPresentFlag: 1,
      smDefaultMsgId: 0,
    }),
  ],
  ['submit_sm_resp', { command: 'submit_sm_resp', commandStatus: 0, sequenceNumber: 7, messageId: '2F00001A' }],
  ['submit_sm_resp with the longest id', { command: 'submit_sm_resp', commandStatus: 0, sequenceNumber: 7, messageId: 'f'.repeat(64) }],
  [
    'submit_sm_resp throttled (no body)',
    { command: 'submit_sm_resp', commandStatus: STATUS.ESME_RTHROTTLED, sequenceNumber: 8, messageId: '' },
  ],
  [
    'deliver_sm receipt',
    {
      command: 'deliver_sm',
      commandStatus: 0,
      sequenceNumber: 11,
      ...shortMessageDefaults(),
      source: { ton: 1, npi: 1, addr: '84912345678' },
      destination: { ton: 5, npi: 0, addr: 'MotcuaSMS' },
      esmClass: 0x04,
      shortMessage: Buffer.from(
        'id:2F00001A sub:001 dlvrd:001 submit date:2403121530 done date:2403121531 stat:DELIVRD err:000 text:Ho so',
        'latin1',
      ),
      tlvs: [
        cStringTlv(TLV_TAG.receipted_message_id, '2F00001A'),
        uint8Tlv(TLV_TAG.message_state, 2),
        { tag: TLV_TAG.network_error_code, value: hex('03 0000') },
      ],
    },
  ],
  ['deliver_sm_resp', { command: 'deliver_sm_resp', commandStatus: 0, sequenceNumber: 11, messageId: '' }],
  [
    'query_sm',
    { command: 'query_sm', commandStatus: 0, sequenceNumber: 21, messageId: '2F00001A', source: { ton: 5, npi: 0, addr: 'MotcuaSMS' } },
  ],
  [
    'query_sm_resp delivered',
    {
      command: 'query_sm_resp',
      commandStatus: 0,
      sequenceNumber: 21,
      messageId: '2F00001A',
      finalDate: '261130153000000+',
      messageState: MESSAGE_STATE.DELIVERED,
      errorCode: 0,
    },
  ],
  [
    'query_sm_resp enroute (no final date)',
    { command: 'query_sm_resp', commandStatus: 0, sequenceNumber: 22, messageId: '2F00001B', finalDate: '', messageState: 1, errorCode: 0 },
  ],
  [
    'query_sm_resp failed query (no body)',
    {
      command: 'query_sm_resp',
      commandStatus: STATUS.ESME_RQUERYFAIL,
      sequenceNumber: 23,
      messageId: '',
      finalDate: '',
      messageState: 0,
      errorCode: 0,
    },
  ],
  [
    'deliver_sm_resp temporary error',
    { command: 'deliver_sm_resp', commandStatus: STATUS.ESME_RX_T_APPN, sequenceNumber: 12, messageId: '' },
  ],
];

describe('PDU round trips', () => {
  for (const [note, pdu] of SAMPLES) {
    test(note, () => {
      const frame = encodePdu(pdu);
      assert.equal(frame.readUInt32BE(0), frame.length, 'command_length is the frame length');
      assert.equal(frame.readUInt32BE(4), COMMAND_ID[pdu.command as keyof typeof COMMAND_ID]);
      assert.deepEqual(decodePdu(frame), pdu);
    });
  }

  test('every known command has a sample', () => {
    assert.deepEqual(new Set(SAMPLES.map(([, p]) => p.command)), new Set(Object.keys(COMMAND_ID)));
  });

  test('isResponse', () => {
    for (const [, pdu] of SAMPLES)
      assert.equal(isResponse(pdu), pdu.command.endsWith('_resp') || pdu.command === 'generic_nack', pdu.command);
  });
});

describe('PDU bytes', () => {
  test('enquire_link is a bare 16-octet header', () => {
    assert.deepEqual(
      encodePdu({ command: 'enquire_link', commandStatus: 0, sequenceNumber: 1 }),
      hex('00000010 00000015 00000000 00000001'),
    );
  });

  test('bind_transceiver body: C-strings, then version 0x34, TON, NPI, empty address_range', () => {
    const frame = encodePdu({
      command: 'bind_transceiver',
      commandStatus: 0,
      sequenceNumber: 2,
      systemId: 'ab',
      password: 'pw',
      systemType: '',
      interfaceVersion: 0x34,
      addrTon: 0,
      addrNpi: 0,
      addressRange: '',
    });
    assert.deepEqual(frame, hex('0000001b 00000009 00000000 00000002 616200 707700 00 34 00 00 00'));
  });

  test('submit_sm body in field order', () => {
    const frame = encodePdu(
      submit({ sequenceNumber: 1, shortMessage: Buffer.from('Hi'), registeredDelivery: 1, esmClass: 0x40, dataCoding: 8 }),
    );
    const body = frame.subarray(16);
    assert.deepEqual(
      body,
      Buffer.concat([
        hex('00'), // service_type
        hex('05 00'),
        Buffer.from('MotcuaSMS\0'),
        hex('01 01'),
        Buffer.from('84912345678\0'),
        hex('40 00 00'), // esm_class, protocol_id, priority
        hex('00 00'), // schedule, validity
        hex('01 00 08 00'), // registered_delivery, replace, data_coding, sm_default_msg_id
        hex('02'),
        Buffer.from('Hi'),
      ]),
    );
  });

  test('a TLV is tag, length, value', () => {
    const frame = encodePdu(submit({ shortMessage: Buffer.alloc(0), tlvs: [uint8Tlv(TLV_TAG.message_state, 2)] }));
    assert.deepEqual(frame.subarray(frame.length - 5), hex('0427 0001 02'));
  });

  test('a response with an error status may carry no body and still decodes', () => {
    const frame = hex('00000010 80000004 00000058 00000005');
    assert.deepEqual(decodePdu(frame), {
      command: 'submit_sm_resp',
      commandStatus: STATUS.ESME_RTHROTTLED,
      sequenceNumber: 5,
      messageId: '',
    });
    assert.deepEqual(decodePdu(hex('00000010 80000009 0000000e 00000001')), {
      command: 'bind_transceiver_resp',
      commandStatus: 0x0e,
      sequenceNumber: 1,
      systemId: '',
      tlvs: [],
    });
  });

  test('submit_sm_resp with trailing TLVs (SMPP 5.0 SMSCs) is read for its id', () => {
    const frame = hex('00000019 80000004 00000000 00000003 616263 00 0425 0001 00');
    assert.deepEqual(decodePdu(frame), { command: 'submit_sm_resp', commandStatus: 0, sequenceNumber: 3, messageId: 'abc' });
  });

  test('an unknown command_id decodes as unknown (to be answered with generic_nack)', () => {
    assert.deepEqual(decodePdu(hex('00000014 00000103 00000000 0000002a deadbeef')), {
      command: 'unknown',
      commandId: 0x103,
      commandStatus: 0,
      sequenceNumber: 42,
    });
  });
});

describe('PDU encoding refuses what SMPP cannot carry', () => {
  const rows: Array<[string, Pdu, RegExp]> = [
    [
      'system_id of 16',
      {
        command: 'bind_transmitter',
        commandStatus: 0,
        sequenceNumber: 1,
        systemId: 'x'.repeat(16),
        password: '',
        systemType: '',
        interfaceVersion: 0x34,
        addrTon: 0,
        addrNpi: 0,
        addressRange: '',
      },
      /system_id/,
    ],
    [
      'password of 9',
      {
        command: 'bind_transmitter',
        commandStatus: 0,
        sequenceNumber: 1,
        systemId: 'a',
        password: 'x'.repeat(9),
        systemType: '',
        interfaceVersion: 0x34,
        addrTon: 0,
        addrNpi: 0,
        addressRange: '',
      },
      /password/,
    ],
    ['source_addr of 21', submit({ source: { ton: 1, npi: 1, addr: '1'.repeat(21) } }), /source_addr/],
    ['destination of 21', submit({ destination: { ton: 1, npi: 1, addr: '1'.repeat(21) } }), /destination_addr/],
    ['short_message of 255', submit({ shortMessage: Buffer.alloc(255) }), /message_payload/],
    ['TLV over 65535', submit({ tlvs: [{ tag: TLV_TAG.message_payload, value: Buffer.alloc(65536) }] }), /65535/],
    ['message_id of 65', { command: 'submit_sm_resp', commandStatus: 0, sequenceNumber: 1, messageId: 'x'.repeat(65) }, /message_id/],
  ];
  for (const [note, pdu, message] of rows) test(note, () => assert.throws(() => encodePdu(pdu), { name: 'RangeError', message }));
});

describe('malformed frames are rejected with what a generic_nack needs', () => {
  const withLength = (body: string, commandId = '00000004', seq = '0000000c') => {
    const b = hex(body);
    return Buffer.concat([hex((16 + b.length).toString(16).padStart(8, '0')), hex(commandId), hex('00000000'), hex(seq), b]);
  };
  const rows: Array<[string, Buffer, number]> = [
    ['submit_sm cut inside source_addr (no NUL)', withLength('00 05 00 4d6f7463'), STATUS.ESME_RINVCMDLEN],
    ['submit_sm without esm_class', withLength('00 05 00 4100 01 01 383400'), STATUS.ESME_RINVCMDLEN],
    ['sm_length larger than the rest', withLength('00 0500 4100 0101 383400 00 00 00 00 00 01 00 00 00 0a 4142'), STATUS.ESME_RINVMSGLEN],
    ['TLV header cut short', withLength('00 0500 4100 0101 383400 00 00 00 00 00 01 00 00 00 00 0424'), STATUS.ESME_RINVOPTPARSTREAM],
    [
      'TLV longer than the frame',
      withLength('00 0500 4100 0101 383400 00 00 00 00 00 01 00 00 00 00 0424 0010 41'),
      STATUS.ESME_RINVPARLEN,
    ],
    ['enquire_link with a body', withLength('00', '00000015'), STATUS.ESME_RINVCMDLEN],
    ['bind without its last field', withLength('6100 7000 00 34 00', '00000009'), STATUS.ESME_RINVCMDLEN],
  ];
  for (const [note, frame, status] of rows) {
    test(note, () => {
      assert.throws(
        () => decodePdu(frame),
        (error: unknown) => {
          assert.ok(error instanceof PduDecodeError);
          assert.equal(error.status, status, commandStatusName(error.status));
          assert.equal(error.sequenceNumber, 12);
          return true;
        },
      );
    });
  }

  test('a frame shorter than the header or disagreeing with its length is a FrameError', () => {
    assert.throws(() => decodePdu(hex('00000010 00000015')), FrameError);
    assert.throws(() => decodePdu(hex('00000011 00000015 00000000 00000001')), FrameError);
  });

  test('random bytes inside valid framing never throw anything but the codec errors', () => {
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const ids = Object.values(COMMAND_ID);
    for (let i = 0; i < 3000; i++) {
      const body = Buffer.from(Array.from({ length: Math.floor(next() * 80) }, () => Math.floor(next() * 256)));
      const frame = Buffer.alloc(16 + body.length);
      frame.writeUInt32BE(frame.length, 0);
      frame.writeUInt32BE(ids[Math.floor(next() * ids.length)]!, 4);
      body.copy(frame, 16);
      try {
        decodePdu(frame);
      } catch (error) {
        assert.ok(error instanceof PduDecodeError, String(error));
      }
    }
  });
});

describe('FrameSplitter', () => {
  const frames = SAMPLES.map(([, pdu]) => encodePdu(pdu));
  const stream = Buffer.concat(frames);

  test('coalesced frames in one chunk come out one by one', () => {
    assert.deepEqual(new FrameSplitter().push(stream), frames);
  });

  test('one octet at a time', () => {
    const splitter = new FrameSplitter();
    const out: Buffer[] = [];
    for (const octet of stream) out.push(...splitter.push(Buffer.from([octet])));
    assert.deepEqual(out, frames);
    assert.equal(splitter.buffered, 0);
  });

  test('cut at every position into two chunks', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const splitter = new FrameSplitter();
      const out = [...splitter.push(stream.subarray(0, cut)), ...splitter.push(stream.subarray(cut))];
      assert.equal(out.length, frames.length, `cut at ${cut}`);
    }
  });

  test('ragged chunks of 1 to 37 octets', () => {
    const splitter = new FrameSplitter();
    const out: Buffer[] = [];
    for (let at = 0, size = 1; at < stream.length; at += size, size = (size % 37) + 1)
      out.push(...splitter.push(stream.subarray(at, at + size)));
    assert.deepEqual(out, frames);
  });

  test('a partial frame waits', () => {
    const splitter = new FrameSplitter();
    assert.deepEqual(splitter.push(frames[0]!.subarray(0, 10)), []);
    assert.equal(splitter.buffered, 10);
  });

  test('a length under 16 is a FrameError', () => {
    assert.throws(
      () => new FrameSplitter().push(hex('0000000f 00000015 00000000 00000001')),
      (e: unknown) => e instanceof FrameError && e.commandLength === 15,
    );
    assert.throws(() => new FrameSplitter().push(hex('00000000')), FrameError);
  });

  test('over 64 KiB is a FrameError as soon as the length is seen; exactly 64 KiB passes', () => {
    const over = Buffer.alloc(4);
    over.writeUInt32BE(MAX_FRAME_LENGTH + 1);
    assert.throws(
      () => new FrameSplitter().push(over),
      (e: unknown) => e instanceof FrameError && /exceeds/.test(e.message),
    );
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(0xffffffff);
    assert.throws(() => new FrameSplitter().push(huge), FrameError);
    const exact = encodePdu(submit({ shortMessage: Buffer.alloc(0), tlvs: [{ tag: TLV_TAG.message_payload, value: Buffer.alloc(0) }] }));
    const padding = MAX_FRAME_LENGTH - exact.length;
    const big = encodePdu(
      submit({ shortMessage: Buffer.alloc(0), tlvs: [{ tag: TLV_TAG.message_payload, value: Buffer.alloc(padding) }] }),
    );
    assert.equal(big.length, MAX_FRAME_LENGTH);
    assert.deepEqual(new FrameSplitter().push(big), [big]);
  });

  test('a smaller limit can be set', () => {
    assert.throws(() => new FrameSplitter(100).push(encodePdu(submit({ shortMessage: Buffer.alloc(200) }))), FrameError);
  });
});

describe('TLV helpers', () => {
  const tlvs = [
    uint8Tlv(TLV_TAG.message_state, 5),
    uint16Tlv(TLV_TAG.sar_msg_ref_num, 0xbeef),
    { tag: 0x1400, value: hex('00010203') },
    cStringTlv(TLV_TAG.receipted_message_id, 'abc'),
    { tag: 0x1401, value: hex('010203') },
  ];
  test('integers of 1, 2 and 4 octets; other widths are null', () => {
    assert.equal(tlvInteger(tlvs, TLV_TAG.message_state), 5);
    assert.equal(tlvInteger(tlvs, TLV_TAG.sar_msg_ref_num), 0xbeef);
    assert.equal(tlvInteger(tlvs, 0x1400), 0x00010203);
    assert.equal(tlvInteger(tlvs, 0x1401), null);
    assert.equal(tlvInteger(tlvs, 0x9999), null);
  });
  test('C-strings with or without the NUL', () => {
    assert.equal(tlvString(tlvs, TLV_TAG.receipted_message_id), 'abc');
    assert.equal(tlvString([{ tag: 1, value: Buffer.from('xyz') }], 1), 'xyz');
    assert.equal(tlvString(tlvs, 0x9999), null);
  });
  test('messageOctets prefers message_payload when short_message is empty', () => {
    assert.equal(
      messageOctets(
        submit({ shortMessage: Buffer.alloc(0), tlvs: [{ tag: TLV_TAG.message_payload, value: Buffer.from('payload') }] }),
      ).toString(),
      'payload',
    );
    assert.equal(messageOctets(submit({ shortMessage: Buffer.from('short') })).toString(), 'short');
  });
});

describe('command_status names', () => {
  const rows: Array<[number, string]> = [
    [0x00, 'ESME_ROK'],
    [0x01, 'ESME_RINVMSGLEN'],
    [0x0b, 'ESME_RINVDSTADR'],
    [0x0e, 'ESME_RINVPASWD'],
    [0x14, 'ESME_RMSGQFUL'],
    [0x45, 'ESME_RSUBMITFAIL'],
    [0x58, 'ESME_RTHROTTLED'],
    [0x66, 'ESME_RX_R_APPN'],
    [0xff, 'ESME_RUNKNOWNERR'],
    [0x104, 'ESME_RINVDCS'],
    [0x401, '0x00000401'],
  ];
  for (const [status, name] of rows) test(`${status} → ${name}`, () => assert.equal(commandStatusName(status), name));
  test('every status value has one name', () => assert.equal(new Set(Object.values(STATUS)).size, Object.keys(STATUS).length));
});

describe('query_sm / query_sm_resp', () => {
  test('query_sm body: message_id, source TON, NPI, source_addr', () => {
    const frame = encodePdu({
      command: 'query_sm',
      commandStatus: 0,
      sequenceNumber: 5,
      messageId: 'AB1',
      source: { ton: 5, npi: 0, addr: 'Sim' },
    });
    assert.deepEqual(frame.subarray(16), hex('414231 00 05 00 53696d 00'));
    assert.equal(frame.readUInt32BE(4), 0x00000003);
  });

  test('query_sm is read strictly: trailing octets and a missing source are refused', () => {
    const frame = encodePdu({
      command: 'query_sm',
      commandStatus: 0,
      sequenceNumber: 5,
      messageId: 'AB1',
      source: { ton: 5, npi: 0, addr: 'Sim' },
    });
    const longer = Buffer.concat([frame, Buffer.from([0])]);
    longer.writeUInt32BE(longer.length, 0);
    assert.throws(
      () => decodePdu(longer),
      (e: unknown) => e instanceof PduDecodeError && e.status === STATUS.ESME_RINVCMDLEN,
    );
    const shorter = Buffer.from(frame.subarray(0, 16 + 4));
    shorter.writeUInt32BE(shorter.length, 0);
    assert.throws(() => decodePdu(shorter), PduDecodeError);
  });

  test('query_sm_resp is read leniently: a body cut after message_id, and trailing TLVs', () => {
    const cut = Buffer.concat([hex('00000000 80000003 00000000 00000009'), Buffer.from('X1\0', 'latin1')]);
    cut.writeUInt32BE(cut.length, 0);
    assert.deepEqual(decodePdu(cut), {
      command: 'query_sm_resp',
      commandStatus: 0,
      sequenceNumber: 9,
      messageId: 'X1',
      finalDate: '',
      messageState: 0,
      errorCode: 0,
    });
    const full = encodePdu({
      command: 'query_sm_resp',
      commandStatus: 0,
      sequenceNumber: 9,
      messageId: 'X1',
      finalDate: '',
      messageState: 5,
      errorCode: 11,
    });
    const withTlv = Buffer.concat([full, hex('0427 0001 05')]);
    withTlv.writeUInt32BE(withTlv.length, 0);
    const decoded = decodePdu(withTlv);
    assert.equal(decoded.command, 'query_sm_resp');
    if (decoded.command === 'query_sm_resp') {
      assert.equal(decoded.messageState, MESSAGE_STATE.UNDELIVERABLE);
      assert.equal(decoded.errorCode, 11);
    }
  });

  test('message_state names', () => {
    assert.equal(messageStateName(2), 'DELIVERED');
    assert.equal(messageStateName(8), 'REJECTED');
    assert.equal(messageStateName(0), null);
    assert.equal(messageStateName(9), null);
  });
});
