/**
 * Text ↔ short_message octets for SMPP: GSM 7-bit (data_coding 0, one septet per octet, unpacked, as
 * SMSCs expect it over SMPP) and UCS-2 (data_coding 8, UTF-16BE); splitting into concatenated parts
 * with a user data header; and reassembly of concatenated mobile-originated parts.
 */
import type { SmppClock as Clock } from './types.js';
import { GSM_BASIC_TABLE, GSM_ESCAPE, GSM_EXTENSION_TABLE, splitGsm, splitUcs2 } from '../sms-text/gsm.js';
import { DATA_CODING, ESM_CLASS } from './pdu.js';

export type SmppDataCoding = typeof DATA_CODING.GSM | typeof DATA_CODING.UCS2;

const BASIC_SEPTET = new Map<string, number>(
  Array.from(GSM_BASIC_TABLE)
    .map((ch, septet) => [ch, septet] as [string, number])
    .filter(([, septet]) => septet !== GSM_ESCAPE),
);
const EXTENSION_CHAR = new Map<number, string>(Object.entries(GSM_EXTENSION_TABLE).map(([ch, septet]) => [septet, ch]));

/** One octet per septet; an extension character is the pair 0x1B xx. Throws a RangeError for a non-GSM character. */
export function encodeGsm7(text: string): Buffer {
  const septets: number[] = [];
  let index = 0;
  for (const ch of text) {
    const basic = BASIC_SEPTET.get(ch);
    const extension = GSM_EXTENSION_TABLE[ch];
    if (basic !== undefined) septets.push(basic);
    else if (extension !== undefined) septets.push(GSM_ESCAPE, extension);
    else
      throw new RangeError(
        `Character U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} at index ${index} is not in the GSM 03.38 alphabet`,
      );
    index += ch.length;
  }
  return Buffer.from(septets);
}

/**
 * Unpacked GSM 7-bit octets to text. The top bit of each octet is ignored; an escape followed by a
 * septet that has no extension character shows that septet's basic character (3GPP TS 23.038 §6.2.1.1),
 * and a trailing lone escape is dropped.
 */
export function decodeGsm7(octets: Buffer): string {
  let text = '';
  for (let i = 0; i < octets.length; i++) {
    const septet = octets[i]! & 0x7f;
    if (septet !== GSM_ESCAPE) {
      text += GSM_BASIC_TABLE[septet];
      continue;
    }
    if (i + 1 >= octets.length) break;
    const next = octets[++i]! & 0x7f;
    text += EXTENSION_CHAR.get(next) ?? (next === GSM_ESCAPE ? ' ' : GSM_BASIC_TABLE[next]);
  }
  return text;
}

export function encodeUcs2(text: string): Buffer {
  const octets = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) octets.writeUInt16BE(text.charCodeAt(i), i * 2);
  return octets;
}

/** UTF-16BE to text; a trailing odd octet is dropped. */
export function decodeUcs2(octets: Buffer): string {
  let text = '';
  for (let i = 0; i + 1 < octets.length; i += 2) text += String.fromCharCode(octets.readUInt16BE(i));
  return text;
}

export function encodeText(text: string, dataCoding: SmppDataCoding): Buffer {
  return dataCoding === DATA_CODING.GSM ? encodeGsm7(text) : encodeUcs2(text);
}

/** Decodes by data_coding: 8 is UCS-2, 1 (IA5) and 3 (Latin-1) are read as Latin-1, anything else as the GSM default alphabet. */
export function decodeText(octets: Buffer, dataCoding: number): string {
  if (dataCoding === DATA_CODING.UCS2) return decodeUcs2(octets);
  if (dataCoding === DATA_CODING.IA5 || dataCoding === DATA_CODING.LATIN1) return octets.toString('latin1');
  return decodeGsm7(octets);
}

export interface SmppPart {
  /** UDH (when concatenated) followed by the encoded text: the short_message octets. */
  readonly shortMessage: Buffer;
  /** 0x40 (UDHI) for a part of a concatenated message, else 0. */
  readonly esmClass: number;
  readonly text: string;
}

/**
 * Splits a prepared text into what is sent: one part with no UDH when it fits (160 septets / 70 UCS-2
 * units), otherwise parts of at most 153 septets / 67 units, each behind the 6-octet UDH
 * `05 00 03 ref total seq`. An escape pair or a surrogate pair is never cut. The empty text gives no parts.
 * Throws a RangeError when data_coding 0 is asked for a text that is not GSM.
 */
export function splitForSmpp(text: string, dataCoding: SmppDataCoding, reference: number): SmppPart[] {
  const texts = dataCoding === DATA_CODING.GSM ? splitGsm(text) : splitUcs2(text);
  if (texts.length > 255) throw new RangeError(`text needs ${texts.length} parts; concatenation allows 255`);
  if (texts.length === 1) return [{ shortMessage: encodeText(text, dataCoding), esmClass: 0, text }];
  return texts.map((partText, index) => ({
    shortMessage: Buffer.concat([
      Buffer.from([0x05, 0x00, 0x03, reference & 0xff, texts.length, index + 1]),
      encodeText(partText, dataCoding),
    ]),
    esmClass: ESM_CLASS.UDHI,
    text: partText,
  }));
}

export interface ConcatInfo {
  readonly reference: number;
  readonly total: number;
  readonly sequence: number;
}

export interface ParsedUserData {
  /** The UDH octets including its length octet; empty when there is none. */
  readonly udh: Buffer;
  readonly payload: Buffer;
  /** From IE 0x00 (8-bit reference) or 0x08 (16-bit reference); null when the message is not a part. */
  readonly concat: ConcatInfo | null;
}

/**
 * Splits short_message into UDH and payload when esm_class has the UDH indicator. A UDH whose length
 * runs past the message is treated as absent (the whole message is payload).
 */
export function parseUserData(shortMessage: Buffer, esmClass: number): ParsedUserData {
  const none: ParsedUserData = { udh: Buffer.alloc(0), payload: shortMessage, concat: null };
  if ((esmClass & ESM_CLASS.UDHI) === 0 || shortMessage.length === 0) return none;
  const udhLength = shortMessage[0]!;
  if (1 + udhLength > shortMessage.length) return none;
  const udh = shortMessage.subarray(0, 1 + udhLength);
  let concat: ConcatInfo | null = null;
  for (let i = 1; i + 1 < udh.length; ) {
    const id = udh[i]!;
    const length = udh[i + 1]!;
    const data = udh.subarray(i + 2, i + 2 + length);
    if (data.length !== length) break;
    if (id === 0x00 && length === 3) concat = { reference: data[0]!, total: data[1]!, sequence: data[2]! };
    if (id === 0x08 && length === 4) concat = { reference: data.readUInt16BE(0), total: data[2]!, sequence: data[3]! };
    i += 2 + length;
  }
  if (concat && (concat.total === 0 || concat.sequence === 0 || concat.sequence > concat.total)) concat = null;
  return { udh, payload: shortMessage.subarray(1 + udhLength), concat };
}

export interface MoPart {
  readonly from: string;
  readonly to: string;
  readonly concat: ConcatInfo;
  readonly dataCoding: number;
  readonly payload: Buffer;
}

export interface ReassembledMo {
  /** Identifies the group: pass it to `release` once the text has been handled. */
  readonly key: string;
  readonly text: string;
}

export interface ExpiredGroup {
  readonly from: string;
  readonly received: number;
  readonly total: number;
}

interface Group {
  readonly from: string;
  readonly total: number;
  readonly firstReceivedAt: number;
  readonly parts: Map<number, { dataCoding: number; payload: Buffer }>;
}

/**
 * Collects the parts of concatenated MOs (by sender, recipient, reference and total), in any order;
 * a duplicate part is ignored. Payloads are joined before decoding, so a sender that cut an escape
 * or surrogate pair at a part boundary still decodes. A complete group stays until `release` (so a
 * part redelivered after a failed hand-off completes it again) or until it expires.
 */
export class ConcatReassembler {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly options: { readonly timeoutMs: number; readonly clock: Clock; readonly maxGroups?: number }) {}

  add(part: MoPart): ReassembledMo | null {
    const key = `${part.from}\u0000${part.to}\u0000${part.concat.reference}\u0000${part.concat.total}`;
    let group = this.groups.get(key);
    if (!group) {
      this.makeRoom();
      group = { from: part.from, total: part.concat.total, firstReceivedAt: this.options.clock.now(), parts: new Map() };
      this.groups.set(key, group);
    }
    if (!group.parts.has(part.concat.sequence))
      group.parts.set(part.concat.sequence, { dataCoding: part.dataCoding, payload: part.payload });
    if (group.parts.size < group.total) return null;
    const ordered = [...group.parts.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
    const text = decodeText(Buffer.concat(ordered.map((p) => p.payload)), ordered[0]!.dataCoding);
    return { key, text };
  }

  release(key: string): void {
    this.groups.delete(key);
  }

  /** Drops groups older than the timeout and says which (complete ones never released included). */
  evictExpired(): ExpiredGroup[] {
    const cutoff = this.options.clock.now() - this.options.timeoutMs;
    const expired: ExpiredGroup[] = [];
    for (const [key, group] of this.groups) {
      if (group.firstReceivedAt > cutoff) continue;
      this.groups.delete(key);
      expired.push({ from: group.from, received: group.parts.size, total: group.total });
    }
    return expired;
  }

  get size(): number {
    return this.groups.size;
  }

  private makeRoom(): void {
    const max = this.options.maxGroups ?? 10_000;
    // Map iteration is insertion order: the first key is the oldest group.
    while (this.groups.size >= max) this.groups.delete(this.groups.keys().next().value!);
  }
}
