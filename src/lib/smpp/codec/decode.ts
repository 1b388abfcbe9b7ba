/** SMPP 3.4 PDU decoding and the TCP frame splitter. */
import {
  COMMAND_BY_ID,
  FrameError,
  HEADER_LENGTH,
  MAX_FRAME_LENGTH,
  PduDecodeError,
  STATUS,
  TLV_TAG,
  findTlv,
  type BindPdu,
  type Header,
  type Pdu,
  type ShortMessage,
  type Tlv,
} from './definitions.js';

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
    case 'query_sm': {
      const messageId = r.cString('message_id');
      const source = { ton: r.u8('source_addr_ton'), npi: r.u8('source_addr_npi'), addr: r.cString('source_addr') };
      r.end(command);
      return { command, ...header, messageId, source };
    }
    // Read leniently: an error answer may stop anywhere (or have no body), and 5.0 SMSCs append TLVs.
    case 'query_sm_resp': {
      const messageId = r.optionalCString('message_id');
      const finalDate = r.optionalCString('final_date');
      const messageState = r.remaining > 0 ? r.u8('message_state') : 0;
      const errorCode = r.remaining > 0 ? r.u8('error_code') : 0;
      return { command, ...header, messageId, finalDate, messageState, errorCode };
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
