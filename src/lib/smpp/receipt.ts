/**
 * SMSC delivery receipts carried by deliver_sm: the de-facto text format of SMPP 3.4 Appendix B
 * (`id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…`) and the receipt TLVs.
 */
import type { SmppDeliveryReceipt as DeliveryReceipt } from './types.js';
import { ESM_CLASS, TLV_TAG, findTlv, messageOctets, tlvInteger, tlvString, type ShortMessage } from './pdu.js';

/** Asia/Ho_Chi_Minh: UTC+7 all year. */
export const VIETNAM_UTC_OFFSET_MINUTES = 7 * 60;

const STAT_WORDS: Readonly<Record<string, DeliveryReceipt['status']>> = {
  DELIVRD: 'delivered',
  DELIVERED: 'delivered',
  UNDELIV: 'failed',
  UNDELIVERABLE: 'failed',
  EXPIRED: 'failed',
  DELETED: 'failed',
  REJECTD: 'failed',
  REJECTED: 'failed',
  UNKNOWN: 'failed',
  ENROUTE: 'sent',
  ACCEPTD: 'sent',
  ACCEPTED: 'sent',
  BUFFRED: 'sent',
  BUFFERED: 'sent',
};

/** message_state TLV values (SMPP 3.4 §5.2.28). */
const MESSAGE_STATES: Readonly<Record<number, DeliveryReceipt['status']>> = {
  1: 'sent',
  2: 'delivered',
  3: 'failed',
  4: 'failed',
  5: 'failed',
  6: 'sent',
  7: 'failed',
  8: 'failed',
};

/** True when esm_class marks a delivery receipt (or an intermediate notification) rather than an MO. */
export function isReceipt(esmClass: number): boolean {
  return (esmClass & (ESM_CLASS.DELIVERY_RECEIPT | ESM_CLASS.INTERMEDIATE_NOTIFICATION)) !== 0;
}

export interface ReceiptText {
  readonly id: string | null;
  readonly sub: string | null;
  readonly dlvrd: string | null;
  readonly submitDate: string | null;
  readonly doneDate: string | null;
  readonly stat: string | null;
  readonly err: string | null;
  readonly text: string | null;
}

const FIELD = /(?:^|\s)(id|sub|dlvrd|submit\s+date|done\s+date|stat|err|text)\s*:/gi;

/** Reads the fields of a receipt text; a missing field is null. Field names are matched in any case. */
export function parseReceiptText(input: string): ReceiptText {
  const found = new Map<string, string>();
  const marks = [...input.matchAll(FIELD)];
  for (let i = 0; i < marks.length; i++) {
    const mark = marks[i]!;
    const name = mark[1]!.toLowerCase().replace(/\s+/, ' ');
    const start = mark.index + mark[0].length;
    if (name === 'text') {
      // The text is last and free-form: whatever looks like a field inside it belongs to it.
      if (!found.has(name)) found.set(name, input.slice(start).trim());
      break;
    }
    const end = i + 1 < marks.length ? marks[i + 1]!.index : input.length;
    const value = input.slice(start, end).trim().split(/\s+/)[0] ?? '';
    if (!found.has(name) && value !== '') found.set(name, value);
  }
  const get = (name: string) => found.get(name) ?? null;
  return {
    id: get('id'),
    sub: get('sub'),
    dlvrd: get('dlvrd'),
    submitDate: get('submit date'),
    doneDate: get('done date'),
    stat: get('stat'),
    err: get('err'),
    text: get('text'),
  };
}

/**
 * `YYMMDDhhmm` or `YYMMDDhhmmss` in the SMSC's local time to epoch ms; null when it is not a valid date.
 * Years 00–99 are 2000–2099.
 */
export function parseReceiptDate(value: string, utcOffsetMinutes: number = VIETNAM_UTC_OFFSET_MINUTES): number | null {
  const match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(2000 + year, month - 1, day, hour, minute, second);
  if (new Date(utc).getUTCDate() !== day) return null;
  return utc - utcOffsetMinutes * 60_000;
}

export interface ReceiptOptions {
  /** The configured provider name the receipt is reported under. */
  readonly provider: string;
  /** The SMSC's local time zone for the text's dates; Asia/Ho_Chi_Minh by default. */
  readonly utcOffsetMinutes?: number;
}

/**
 * The delivery receipt a deliver_sm carries, or null when it is not a receipt or names no message id
 * or no status it can be mapped from. receipted_message_id and message_state are preferred over the text.
 */
export function parseDeliveryReceipt(sm: ShortMessage, options: ReceiptOptions): DeliveryReceipt | null {
  if (!isReceipt(sm.esmClass)) return null;
  const text = parseReceiptText(messageOctets(sm).toString('latin1'));
  const id = (tlvString(sm.tlvs, TLV_TAG.receipted_message_id) ?? '').trim() || text.id;
  if (!id) return null;

  const state = tlvInteger(sm.tlvs, TLV_TAG.message_state);
  const stateStatus = state === null ? undefined : MESSAGE_STATES[state];
  const statWord = text.stat?.toUpperCase() ?? null;
  const wordStatus = statWord === null ? undefined : STAT_WORDS[statWord];
  const status = stateStatus ?? wordStatus;
  if (status === undefined) return null;

  return {
    provider: options.provider,
    providerMessageId: id,
    status,
    providerStatus: stateStatus !== undefined ? String(state) : statWord!,
    errorCode: text.err ?? networkErrorCode(sm),
    at: text.doneDate === null ? null : parseReceiptDate(text.doneDate, options.utcOffsetMinutes),
  };
}

/** network_error_code is network type (1 octet) + error code (2 octets): `3:0011` style. */
function networkErrorCode(sm: ShortMessage): string | null {
  const value = findTlv(sm.tlvs, TLV_TAG.network_error_code);
  if (value === null || value.length !== 3) return null;
  return `${value[0]}:${value.readUInt16BE(1).toString().padStart(4, '0')}`;
}

const DECIMAL = /^[0-9]+$/;
const HEX = /^[0-9a-f]+$/;
const MAX_NUMERIC_ID = 64;

/**
 * The forms an SMSC's message id may take elsewhere, lowercased and without duplicates: as given, without
 * leading zeros, read as hex and written in decimal, read as decimal and written in hex. SMSCs disagree:
 * many answer submit_sm in hex and write the receipt's id in decimal, or the other way round.
 */
export function receiptIdCandidates(id: string): string[] {
  const given = id.trim().toLowerCase();
  const candidates = new Set<string>([given]);
  if (given === '' || given.length > MAX_NUMERIC_ID || !HEX.test(given)) return [...candidates];
  const stripped = given.replace(/^0+(?=.)/, '');
  candidates.add(stripped);
  candidates.add(BigInt(`0x${given}`).toString(10));
  if (DECIMAL.test(given)) candidates.add(BigInt(given).toString(16));
  return [...candidates];
}
