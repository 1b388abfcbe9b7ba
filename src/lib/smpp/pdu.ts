/**
 * SMPP 3.4 PDU codec: the commands an ESME and a simple SMSC need, their TLVs, the command_status
 * names, and a streaming frame splitter for TCP (partial reads, coalesced frames, bad lengths).
 *
 * Pure: no sockets, no timers. Decoding a malformed body throws a `PduDecodeError` that carries what a
 * generic_nack needs; a frame whose length is impossible makes the splitter throw a `FrameError`,
 * after which the stream cannot be resynchronised and the connection must be closed.
 */

export const COMMAND_ID = {
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_receiver_resp: 0x80000001,
  bind_transmitter: 0x00000002,
  bind_transmitter_resp: 0x80000002,
  submit_sm: 0x00000004,
  submit_sm_resp: 0x80000004,
  deliver_sm: 0x00000005,
  deliver_sm_resp: 0x80000005,
  unbind: 0x00000006,
  unbind_resp: 0x80000006,
  bind_transceiver: 0x00000009,
  bind_transceiver_resp: 0x80000009,
  enquire_link: 0x00000015,
  enquire_link_resp: 0x80000015,
} as const;

export type CommandName = keyof typeof COMMAND_ID;

const COMMAND_BY_ID = new Map<number, CommandName>(
  (Object.entries(COMMAND_ID) as Array<[CommandName, number]>).map(([name, id]) => [id, name]),
);

/** command_status values of SMPP 3.4 (and ESME_RINVDCS from 5.0, which SMSCs return in 3.4 binds too). */
export const STATUS = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVCMDLEN: 0x02,
  ESME_RINVCMDID: 0x03,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RINVPRTFLG: 0x06,
  ESME_RINVREGDLVFLG: 0x07,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RINVMSGID: 0x0c,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RCANCELFAIL: 0x11,
  ESME_RREPLACEFAIL: 0x13,
  ESME_RMSGQFUL: 0x14,
  ESME_RINVSERTYP: 0x15,
  ESME_RINVNUMDESTS: 0x33,
  ESME_RINVDLNAME: 0x34,
  ESME_RINVDESTFLAG: 0x40,
  ESME_RINVSUBREP: 0x42,
  ESME_RINVESMCLASS: 0x43,
  ESME_RCNTSUBDL: 0x44,
  ESME_RSUBMITFAIL: 0x45,
  ESME_RINVSRCTON: 0x48,
  ESME_RINVSRCNPI: 0x49,
  ESME_RINVDSTTON: 0x50,
  ESME_RINVDSTNPI: 0x51,
  ESME_RINVSYSTYP: 0x53,
  ESME_RINVREPFLAG: 0x54,
  ESME_RINVNUMMSGS: 0x55,
  ESME_RTHROTTLED: 0x58,
  ESME_RINVSCHED: 0x61,
  ESME_RINVEXPIRY: 0x62,
  ESME_RINVDFTMSGID: 0x63,
  ESME_RX_T_APPN: 0x64,
  ESME_RX_P_APPN: 0x65,
  ESME_RX_R_APPN: 0x66,
  ESME_RQUERYFAIL: 0x67,
  ESME_RINVOPTPARSTREAM: 0xc0,
  ESME_ROPTPARNOTALLWD: 0xc1,
  ESME_RINVPARLEN: 0xc2,
  ESME_RMISSINGOPTPARAM: 0xc3,
  ESME_RINVOPTPARAMVAL: 0xc4,
  ESME_RDELIVERYFAILURE: 0xfe,
  ESME_RUNKNOWNERR: 0xff,
  ESME_RINVDCS: 0x104,
} as const;

const STATUS_NAMES = new Map<number, string>(Object.entries(STATUS).map(([name, value]) => [value, name]));

/** `ESME_RTHROTTLED`, or `0x00000401` for a vendor-specific value. */
export function commandStatusName(status: number): string {
  return STATUS_NAMES.get(status) ?? `0x${status.toString(16).padStart(8, '0')}`;
}

export const TLV_TAG = {
  user_message_reference: 0x0204,
  sar_msg_ref_num: 0x020c,
  sar_total_segments: 0x020e,
  sar_segment_seqnum: 0x020f,
  sc_interface_version: 0x0210,
  receipted_message_id: 0x001e,
  network_error_code: 0x0423,
  message_payload: 0x0424,
  message_state: 0x0427,
} as const;

export interface Tlv {
  readonly tag: number;
  readonly value: Buffer;
}

export const ESM_CLASS = {
  /** Message type bits 2–5 = 0001: SMSC delivery receipt. */
  DELIVERY_RECEIPT: 0x04,
  /** Message type bits 2–5 = 1000: intermediate delivery notification. */
  INTERMEDIATE_NOTIFICATION: 0x20,
  /** UDH indicator: short_message starts with a user data header. */
  UDHI: 0x40,
} as const;

export const DATA_CODING = { GSM: 0x00, IA5: 0x01, LATIN1: 0x03, UCS2: 0x08 } as const;

export const TON = {
  UNKNOWN: 0,
  INTERNATIONAL: 1,
  NATIONAL: 2,
  NETWORK_SPECIFIC: 3,
  SUBSCRIBER: 4,
  ALPHANUMERIC: 5,
  ABBREVIATED: 6,
} as const;
export const NPI = { UNKNOWN: 0, ISDN: 1 } as const;

export const INTERFACE_VERSION_34 = 0x34;
export const HEADER_LENGTH = 16;
/** Larger frames are refused; SMPP 3.4 PDUs are far smaller (message_payload is at most 64 K itself). */
export const MAX_FRAME_LENGTH = 64 * 1024;

export interface Address {
  readonly ton: number;
  readonly npi: number;
  readonly addr: string;
}

export interface BindBody {
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  readonly interfaceVersion: number;
  readonly addrTon: number;
  readonly addrNpi: number;
  readonly addressRange: string;
}

/** The mandatory and optional parameters shared by submit_sm and deliver_sm. */
export interface ShortMessage {
  readonly serviceType: string;
  readonly source: Address;
  readonly destination: Address;
  readonly esmClass: number;
  readonly protocolId: number;
  readonly priorityFlag: number;
  readonly scheduleDeliveryTime: string;
  readonly validityPeriod: string;
  readonly registeredDelivery: number;
  readonly replaceIfPresentFlag: number;
  readonly dataCoding: number;
  readonly smDefaultMsgId: number;
  readonly shortMessage: Buffer;
  readonly tlvs: readonly Tlv[];
}

interface Header {
  readonly commandStatus: number;
  readonly sequenceNumber: number;
}

export type BindCommand = 'bind_transmitter' | 'bind_receiver' | 'bind_transceiver';
export type BindRespCommand = `${BindCommand}_resp`;
export type EmptyCommand = 'unbind' | 'unbind_resp' | 'enquire_link' | 'enquire_link_resp' | 'generic_nack';

export type BindPdu = Header & { readonly command: BindCommand } & BindBody;
export type BindRespPdu = Header & { readonly command: BindRespCommand; readonly systemId: string; readonly tlvs: readonly Tlv[] };
export type ShortMessagePdu = Header & { readonly command: 'submit_sm' | 'deliver_sm' } & ShortMessage;
export type MessageIdRespPdu = Header & { readonly command: 'submit_sm_resp' | 'deliver_sm_resp'; readonly messageId: string };
export type EmptyPdu = Header & { readonly command: EmptyCommand };
/** A well-framed PDU whose command_id this codec does not know: answer it with generic_nack ESME_RINVCMDID. */
export type UnknownPdu = Header & { readonly command: 'unknown'; readonly commandId: number };

export type Pdu = BindPdu | BindRespPdu | ShortMessagePdu | MessageIdRespPdu | EmptyPdu | UnknownPdu;

export function isResponse(pdu: Pdu): boolean {
  return pdu.command === 'generic_nack' || pdu.command.endsWith('_resp');
}

/** The body of a submit_sm with the usual defaults; callers set addresses, coding and text. */
export function shortMessageDefaults(): Omit<ShortMessage, 'source' | 'destination' | 'shortMessage'> {
  return {
    serviceType: '',
    esmClass: 0,
    protocolId: 0,
    priorityFlag: 0,
    scheduleDeliveryTime: '',
    validityPeriod: '',
    registeredDelivery: 0,
    replaceIfPresentFlag: 0,
    dataCoding: 0,
    smDefaultMsgId: 0,
    tlvs: [],
  };
}

export class PduDecodeError extends Error {
  constructor(
    message: string,
    readonly commandId: number,
    readonly sequenceNumber: number,
    /** The status a generic_nack (or the command's own response) should carry. */
    readonly status: number,
  ) {
    super(message);
    this.name = 'PduDecodeError';
  }
}

export class FrameError extends Error {
  constructor(
    message: string,
    readonly commandLength: number,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

// ── TLV helpers ────────────────────────────────────────────────────────────

export function findTlv(tlvs: readonly Tlv[], tag: number): Buffer | null {
  return tlvs.find((t) => t.tag === tag)?.value ?? null;
}

/** A C-octet string TLV (receipted_message_id); tolerates a missing terminator. */
export function tlvString(tlvs: readonly Tlv[], tag: number): string | null {
  const value = findTlv(tlvs, tag);
  if (value === null) return null;
  const end = value.indexOf(0);
  return value.subarray(0, end === -1 ? value.length : end).toString('latin1');
}

/** An unsigned integer TLV of 1, 2 or 4 octets. */
export function tlvInteger(tlvs: readonly Tlv[], tag: number): number | null {
  const value = findTlv(tlvs, tag);
  if (value === null) return null;
  if (value.length === 1) return value.readUInt8(0);
  if (value.length === 2) return value.readUInt16BE(0);
  if (value.length === 4) return value.readUInt32BE(0);
  return null;
}

export function uint8Tlv(tag: number, value: number): Tlv {
  return { tag, value: Buffer.from([value & 0xff]) };
}

export function uint16Tlv(tag: number, value: number): Tlv {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value & 0xffff);
  return { tag, value: buffer };
}

export function cStringTlv(tag: number, value: string): Tlv {
  return { tag, value: Buffer.concat([Buffer.from(value, 'latin1'), Buffer.from([0])]) };
}

// ── encoding ───────────────────────────────────────────────────────────────

/** Maximum lengths of C-octet strings, terminator included (SMPP 3.4 §5.2). */
const C_STRING_MAX = {
  systemId: 16,
  password: 9,
  systemType: 13,
  addressRange: 41,
  serviceType: 6,
  address: 21,
  time: 17,
  messageId: 65,
} as const;

class Writer {
  private readonly chunks: Buffer[] = [];

  u8(value: number): this {
    this.chunks.push(Buffer.from([value & 0xff]));
    return this;
  }

  cString(value: string, max: number, field: string): this {
    const bytes = Buffer.from(value, 'latin1');
    if (bytes.length + 1 > max) throw new RangeError(`${field} is ${bytes.length} octets; SMPP allows at most ${max - 1}`);
    this.chunks.push(bytes, Buffer.from([0]));
    return this;
  }

  octets(value: Buffer): this {
    this.chunks.push(value);
    return this;
  }

  tlvs(tlvs: readonly Tlv[]): this {
    for (const tlv of tlvs) {
      if (tlv.value.length > 0xffff) throw new RangeError(`TLV 0x${tlv.tag.toString(16)} value is longer than 65535 octets`);
      const head = Buffer.alloc(4);
      head.writeUInt16BE(tlv.tag, 0);
      head.writeUInt16BE(tlv.value.length, 2);
      this.chunks.push(head, tlv.value);
    }
    return this;
  }

  body(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function encodeBody(pdu: Pdu): Buffer {
  const w = new Writer();
  switch (pdu.command) {
    case 'bind_transmitter':
    case 'bind_receiver':
    case 'bind_transceiver':
      return w
        .cString(pdu.systemId, C_STRING_MAX.systemId, 'system_id')
        .cString(pdu.password, C_STRING_MAX.password, 'password')
        .cString(pdu.systemType, C_STRING_MAX.systemType, 'system_type')
        .u8(pdu.interfaceVersion)
        .u8(pdu.addrTon)
        .u8(pdu.addrNpi)
        .cString(pdu.addressRange, C_STRING_MAX.addressRange, 'address_range')
        .body();
    case 'bind_transmitter_resp':
    case 'bind_receiver_resp':
    case 'bind_transceiver_resp':
      // An error response may omit the body (SMPP 3.4 §4.1.2).
      if (pdu.commandStatus !== 0 && pdu.systemId === '' && pdu.tlvs.length === 0) return w.body();
      return w.cString(pdu.systemId, C_STRING_MAX.systemId, 'system_id').tlvs(pdu.tlvs).body();
    case 'submit_sm':
    case 'deliver_sm': {
      if (pdu.shortMessage.length > 254)
        throw new RangeError(`short_message is ${pdu.shortMessage.length} octets; use message_payload above 254`);
      return w
        .cString(pdu.serviceType, C_STRING_MAX.serviceType, 'service_type')
        .u8(pdu.source.ton)
        .u8(pdu.source.npi)
        .cString(pdu.source.addr, C_STRING_MAX.address, 'source_addr')
        .u8(pdu.destination.ton)
        .u8(pdu.destination.npi)
        .cString(pdu.destination.addr, C_STRING_MAX.address, 'destination_addr')
        .u8(pdu.esmClass)
        .u8(pdu.protocolId)
        .u8(pdu.priorityFlag)
        .cString(pdu.scheduleDeliveryTime, C_STRING_MAX.time, 'schedule_delivery_time')
        .cString(pdu.validityPeriod, C_STRING_MAX.time, 'validity_period')
        .u8(pdu.registeredDelivery)
        .u8(pdu.replaceIfPresentFlag)
        .u8(pdu.dataCoding)
        .u8(pdu.smDefaultMsgId)
        .u8(pdu.shortMessage.length)
        .octets(pdu.shortMessage)
        .tlvs(pdu.tlvs)
        .body();
    }
    case 'submit_sm_resp':
      if (pdu.commandStatus !== 0 && pdu.messageId === '') return w.body();
      return w.cString(pdu.messageId, C_STRING_MAX.messageId, 'message_id').body();
    case 'deliver_sm_resp':
      return w.cString(pdu.messageId, C_STRING_MAX.messageId, 'message_id').body();
    case 'unbind':
    case 'unbind_resp':
    case 'enquire_link':
    case 'enquire_link_resp':
    case 'generic_nack':
    case 'unknown':
      return w.body();
  }
}

export function encodePdu(pdu: Pdu): Buffer {
  const body = encodeBody(pdu);
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt32BE(HEADER_LENGTH + body.length, 0);
  header.writeUInt32BE(pdu.command === 'unknown' ? pdu.commandId : COMMAND_ID[pdu.command], 4);
  header.writeUInt32BE(pdu.commandStatus >>> 0, 8);
  header.writeUInt32BE(pdu.sequenceNumber >>> 0, 12);
  return Buffer.concat([header, body]);
}

// ── decoding ───────────────────────────────────────────────────────────────

class Reader {
  private offset = HEADER_LENGTH;

  constructor(
    private readonly frame: Buffer,
    private readonly fail: (what: string, status?: number) => never,
  ) {}

  get remaining(): number {
    return this.frame.length - this.offset;
  }

  u8(field: string): number {
    if (this.remaining < 1) this.fail(`${field} is missing`);
    return this.frame.readUInt8(this.offset++);
  }

  /** Over-long strings are accepted (some SMSCs send them); the frame bounds them anyway. */
  cString(field: string): string {
    const end = this.frame.indexOf(0, this.offset);
    if (end === -1) this.fail(`${field} has no terminating NUL`);
    const value = this.frame.subarray(this.offset, end).toString('latin1');
    this.offset = end + 1;
    return value;
  }

  /** A C-string that may be absent altogether at the end of a response body. */
  optionalCString(field: string): string {
    return this.remaining === 0 ? '' : this.cString(field);
  }

  octets(field: string, length: number): Buffer {
    if (this.remaining < length) this.fail(`${field} needs ${length} octets, ${this.remaining} left`, STATUS.ESME_RINVMSGLEN);
    const value = Buffer.from(this.frame.subarray(this.offset, this.offset + length));
    this.offset += length;
    return value;
  }

  tlvs(): Tlv[] {
    const tlvs: Tlv[] = [];
    while (this.remaining > 0) {
      if (this.remaining < 4) this.fail('truncated TLV header', STATUS.ESME_RINVOPTPARSTREAM);
      const tag = this.frame.readUInt16BE(this.offset);
      const length = this.frame.readUInt16BE(this.offset + 2);
      this.offset += 4;
      if (this.remaining < length)
        this.fail(`TLV 0x${tag.toString(16)} claims ${length} octets, ${this.remaining} left`, STATUS.ESME_RINVPARLEN);
      tlvs.push({ tag, value: Buffer.from(this.frame.subarray(this.offset, this.offset + length)) });
      this.offset += length;
    }
    return tlvs;
  }

  end(command: string): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} unexpected octets after the ${command} body`, STATUS.ESME_RINVCMDLEN);
  }
}

/**
 * Decodes one complete frame (as the splitter hands it out). Throws `PduDecodeError` for a body that
 * does not parse, or a `FrameError` if the frame itself is shorter than a header or disagrees with
 * its command_length.
 */
export function decodePdu(frame: Buffer): Pdu {
  if (frame.length < HEADER_LENGTH)
    throw new FrameError(`frame of ${frame.length} octets is shorter than the 16-octet header`, frame.length);
  const commandLength = frame.readUInt32BE(0);
  if (commandLength !== frame.length)
    throw new FrameError(`command_length ${commandLength} disagrees with the frame's ${frame.length} octets`, commandLength);
  const commandId = frame.readUInt32BE(4);
  const header: Header = { commandStatus: frame.readUInt32BE(8), sequenceNumber: frame.readUInt32BE(12) };
  const command = COMMAND_BY_ID.get(commandId);
  if (command === undefined) return { command: 'unknown', commandId, ...header };
  const r = new Reader(frame, (what, status = STATUS.ESME_RINVCMDLEN) => {
    throw new PduDecodeError(`malformed ${command}: ${what}`, commandId, header.sequenceNumber, status);
  });

  switch (command) {
    case 'bind_transmitter':
    case 'bind_receiver':
    case 'bind_transceiver': {
      const pdu: BindPdu = {
        command,
        ...header,
        systemId: r.cString('system_id'),
        password: r.cString('password'),
        systemType: r.cString('system_type'),
        interfaceVersion: r.u8('interface_version'),
        addrTon: r.u8('addr_ton'),
        addrNpi: r.u8('addr_npi'),
        addressRange: r.cString('address_range'),
      };
      r.end(command);
      return pdu;
    }
    case 'bind_transmitter_resp':
    case 'bind_receiver_resp':
    case 'bind_transceiver_resp':
      return { command, ...header, systemId: r.optionalCString('system_id'), tlvs: r.tlvs() };
    case 'submit_sm':
    case 'deliver_sm': {
      const serviceType = r.cString('service_type');
      const source = { ton: r.u8('source_addr_ton'), npi: r.u8('source_addr_npi'), addr: r.cString('source_addr') };
      const destination = { ton: r.u8('dest_addr_ton'), npi: r.u8('dest_addr_npi'), addr: r.cString('destination_addr') };
      const esmClass = r.u8('esm_class');
      const protocolId = r.u8('protocol_id');
      const priorityFlag = r.u8('priority_flag');
      const scheduleDeliveryTime = r.cString('schedule_delivery_time');
      const validityPeriod = r.cString('validity_period');
      const registeredDelivery = r.u8('registered_delivery');
      const replaceIfPresentFlag = r.u8('replace_if_present_flag');
      const dataCoding = r.u8('data_coding');
      const smDefaultMsgId = r.u8('sm_default_msg_id');
      const smLength = r.u8('sm_length');
      const shortMessage = r.octets('short_message', smLength);
      return {
        command,
        ...header,
        serviceType,
        source,
        destination,
        esmClass,
        protocolId,
        priorityFlag,
        scheduleDeliveryTime,
        validityPeriod,
        registeredDelivery,
        replaceIfPresentFlag,
        dataCoding,
        smDefaultMsgId,
        shortMessage,
        tlvs: r.tlvs(),
      };
    }
    // Responses are read leniently: SMPP 5.0 SMSCs append TLVs that a 3.4 body does not have.
    case 'submit_sm_resp':
    case 'deliver_sm_resp':
      return { command, ...header, messageId: r.optionalCString('message_id') };
    case 'unbind_resp':
    case 'enquire_link_resp':
    case 'generic_nack':
      return { command, ...header };
    case 'unbind':
    case 'enquire_link':
      r.end(command);
      return { command, ...header };
  }
}

/** The text of a submit_sm/deliver_sm: message_payload when present (short_message is then empty). */
export function messageOctets(sm: ShortMessage): Buffer {
  return sm.shortMessage.length === 0 ? (findTlv(sm.tlvs, TLV_TAG.message_payload) ?? sm.shortMessage) : sm.shortMessage;
}

// ── framing ────────────────────────────────────────────────────────────────

/**
 * Cuts a TCP byte stream into PDU frames. `push` returns every frame completed by the chunk (none,
 * one or several); the rest waits for the next chunk. A command_length under 16 or above the limit
 * throws a `FrameError`: the stream has lost its framing and the connection must be closed.
 */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameLength: number = MAX_FRAME_LENGTH) {}

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (length < HEADER_LENGTH) throw new FrameError(`command_length ${length} is shorter than the 16-octet header`, length);
      if (length > this.maxFrameLength)
        throw new FrameError(`command_length ${length} exceeds the ${this.maxFrameLength}-octet limit`, length);
      if (this.pending.length < length) break;
      frames.push(Buffer.from(this.pending.subarray(0, length)));
      this.pending = this.pending.subarray(length);
    }
    return frames;
  }

  /** Octets received that do not yet form a whole frame. */
  get buffered(): number {
    return this.pending.length;
  }
}
