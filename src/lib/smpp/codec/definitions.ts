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
  query_sm: 0x00000003,
  query_sm_resp: 0x80000003,
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

export const COMMAND_BY_ID = new Map<number, CommandName>(
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

/** query_sm_resp message_state (SMPP 3.4 §5.2.28). */
export const MESSAGE_STATE = {
  ENROUTE: 1,
  DELIVERED: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIVERABLE: 5,
  ACCEPTED: 6,
  UNKNOWN: 7,
  REJECTED: 8,
} as const;

export type MessageStateName = keyof typeof MESSAGE_STATE;

const MESSAGE_STATE_NAMES = new Map<number, MessageStateName>(
  (Object.entries(MESSAGE_STATE) as Array<[MessageStateName, number]>).map(([name, value]) => [value, name]),
);

/** `DELIVERED`, or null for a value SMPP 3.4 does not define. */
export function messageStateName(state: number): MessageStateName | null {
  return MESSAGE_STATE_NAMES.get(state) ?? null;
}

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

export interface Header {
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
/** query_sm (§4.8.1): the message_id the SMSC gave, and the source address the message was sent from. */
export type QuerySmPdu = Header & { readonly command: 'query_sm'; readonly messageId: string; readonly source: Address };
/**
 * query_sm_resp (§4.8.2): final_date is an SMPP absolute time or '' while the message is not final;
 * error_code is the network error code, 0 when none. An error response may carry no body: the
 * decoder then gives '' / 0 for every field.
 */
export type QuerySmRespPdu = Header & {
  readonly command: 'query_sm_resp';
  readonly messageId: string;
  readonly finalDate: string;
  readonly messageState: number;
  readonly errorCode: number;
};
export type EmptyPdu = Header & { readonly command: EmptyCommand };
/** A well-framed PDU whose command_id this codec does not know: answer it with generic_nack ESME_RINVCMDID. */
export type UnknownPdu = Header & { readonly command: 'unknown'; readonly commandId: number };

export type Pdu = BindPdu | BindRespPdu | ShortMessagePdu | MessageIdRespPdu | QuerySmPdu | QuerySmRespPdu | EmptyPdu | UnknownPdu;

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
