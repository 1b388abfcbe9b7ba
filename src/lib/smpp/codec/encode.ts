/** SMPP 3.4 PDU encoding: the body of each command this codec knows, and the header. */
import { COMMAND_ID, HEADER_LENGTH, type Pdu, type Tlv } from './definitions.js';

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
    case 'query_sm':
      return w
        .cString(pdu.messageId, C_STRING_MAX.messageId, 'message_id')
        .u8(pdu.source.ton)
        .u8(pdu.source.npi)
        .cString(pdu.source.addr, C_STRING_MAX.address, 'source_addr')
        .body();
    case 'query_sm_resp':
      if (pdu.commandStatus !== 0 && pdu.messageId === '' && pdu.messageState === 0) return w.body();
      return w
        .cString(pdu.messageId, C_STRING_MAX.messageId, 'message_id')
        .cString(pdu.finalDate, C_STRING_MAX.time, 'final_date')
        .u8(pdu.messageState)
        .u8(pdu.errorCode)
        .body();
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
