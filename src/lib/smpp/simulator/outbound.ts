/** What the simulator sends on its own: concatenated MO parts and delivery receipts. */
import { isGsmText, splitGsm, splitUcs2 } from '../../sms-text/gsm.js';
import {
  DATA_CODING,
  ESM_CLASS,
  NPI,
  TON,
  TLV_TAG,
  cStringTlv,
  shortMessageDefaults,
  uint16Tlv,
  uint8Tlv,
  type ShortMessagePdu,
  type Tlv,
} from '../pdu.js';
import { VIETNAM_UTC_OFFSET_MINUTES } from '../receipt.js';
import { encodeText, type SmppDataCoding } from '../udh.js';
import type { MoRequest, ReceiptStat, SubmittedMessage } from './types.js';

/** The query_sm_resp / receipt message_state of each receipt stat word. */
export const STAT_STATE: Readonly<Record<ReceiptStat, number>> = {
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
};

function formatReceiptDate(epochMs: number): string {
  const local = new Date(epochMs + VIETNAM_UTC_OFFSET_MINUTES * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(local.getUTCFullYear() % 100)}${two(local.getUTCMonth() + 1)}${two(local.getUTCDate())}${two(local.getUTCHours())}${two(local.getUTCMinutes())}`;
}

/** An SMPP absolute time (§7.1.1) in Vietnam time: YYMMDDhhmmss, tenths 0, +28 quarter hours. */
export function formatAbsoluteTime(epochMs: number): string {
  const local = new Date(epochMs + VIETNAM_UTC_OFFSET_MINUTES * 60_000);
  const quarters = String(Math.abs(VIETNAM_UTC_OFFSET_MINUTES / 15)).padStart(2, '0');
  return `${formatReceiptDate(epochMs)}${String(local.getUTCSeconds()).padStart(2, '0')}0${quarters}${VIETNAM_UTC_OFFSET_MINUTES >= 0 ? '+' : '-'}`;
}

/** A delivery receipt deliver_sm for a recorded submit (sequence number given when sent). */
export function receiptPdu(
  record: SubmittedMessage,
  id: string,
  stat: ReceiptStat,
  doneAt: number,
  withTlvs: boolean,
): Omit<ShortMessagePdu, 'sequenceNumber'> {
  const text = `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${formatReceiptDate(record.receivedAt)} done date:${formatReceiptDate(doneAt)} stat:${stat} err:${stat === 'DELIVRD' ? '000' : '001'} text:${record.text.slice(0, 20)}`;
  const tlvs: Tlv[] = withTlvs ? [cStringTlv(TLV_TAG.receipted_message_id, id), uint8Tlv(TLV_TAG.message_state, STAT_STATE[stat])] : [];
  return {
    command: 'deliver_sm',
    commandStatus: 0,
    ...shortMessageDefaults(),
    source: record.destination,
    destination: record.source,
    esmClass: ESM_CLASS.DELIVERY_RECEIPT,
    shortMessage: Buffer.from(text, 'latin1'),
    tlvs,
  };
}

export interface MoPartToSend {
  readonly sequence: number;
  readonly esmClass: number;
  readonly shortMessage: Buffer;
  readonly tlvs: readonly Tlv[];
}

/**
 * Concatenated MO parts as an SMSC hands them on. The part sizes are those of the 8-bit IE whatever the
 * concatenation: over SMPP the text is not packed, so the one extra octet of the 16-bit IE still fits.
 */
export function moParts(
  text: string,
  dataCoding: SmppDataCoding,
  reference: number,
  concatenation: 'udh8' | 'udh16' | 'sar',
): MoPartToSend[] {
  const texts = dataCoding === DATA_CODING.GSM ? splitGsm(text) : splitUcs2(text);
  if (texts.length <= 1) return [{ sequence: 1, esmClass: 0, shortMessage: encodeText(text, dataCoding), tlvs: [] }];
  return texts.map((partText, index) => {
    const sequence = index + 1;
    const payload = encodeText(partText, dataCoding);
    if (concatenation === 'sar') {
      const tlvs = [
        uint16Tlv(TLV_TAG.sar_msg_ref_num, reference),
        uint8Tlv(TLV_TAG.sar_total_segments, texts.length),
        uint8Tlv(TLV_TAG.sar_segment_seqnum, sequence),
      ];
      return { sequence, esmClass: 0, shortMessage: payload, tlvs };
    }
    const header =
      concatenation === 'udh16'
        ? Buffer.from([0x06, 0x08, 0x04, (reference >> 8) & 0xff, reference & 0xff, texts.length, sequence])
        : Buffer.from([0x05, 0x00, 0x03, reference & 0xff, texts.length, sequence]);
    return { sequence, esmClass: ESM_CLASS.UDHI, shortMessage: Buffer.concat([header, payload]), tlvs: [] };
  });
}

/** The deliver_sm PDUs of an MO as the simulator injects it (split, filtered and ordered as asked). */
export function moPartsFor(mo: MoRequest, reference: number): Array<{ readonly pdu: Omit<ShortMessagePdu, 'sequenceNumber'> }> {
  const dataCoding: SmppDataCoding =
    (mo.encoding ?? (isGsmText(mo.text) ? 'gsm7' : 'ucs2')) === 'gsm7' ? DATA_CODING.GSM : DATA_CODING.UCS2;
  const all = mo.split
    ? moParts(mo.text, dataCoding, reference, mo.concatenation ?? 'udh8')
    : [{ sequence: 1, esmClass: 0, shortMessage: encodeText(mo.text, dataCoding), tlvs: [] }];
  const parts = mo.onlyParts ? all.filter((part) => mo.onlyParts!.includes(part.sequence)) : all;
  if (mo.reverse) parts.reverse();
  return parts.map((part) => ({
    pdu: {
      command: 'deliver_sm',
      commandStatus: 0,
      ...shortMessageDefaults(),
      source: { ton: TON.INTERNATIONAL, npi: NPI.ISDN, addr: mo.from },
      destination: { ton: TON.UNKNOWN, npi: NPI.ISDN, addr: mo.to },
      esmClass: part.esmClass,
      dataCoding,
      shortMessage: part.shortMessage,
      tlvs: part.tlvs,
    },
  }));
}
