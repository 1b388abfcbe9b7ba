/**
 * What the SMSC sends in deliver_sm: receipts go to `sink.receipt`, MOs (reassembled when concatenated)
 * to `sink.inbound`. Every deliver_sm is answered; a handler that throws or hangs gets ESME_RX_T_APPN,
 * so the SMSC delivers it again later instead of losing it. Numbers are masked in the logs.
 */
import type { Logger } from 'pino';
import { STATUS, TLV_TAG, messageOctets, tlvInteger, type ShortMessagePdu } from '../pdu.js';
import { isReceipt, parseDeliveryReceipt } from '../receipt.js';
import { maskNumber, type SmppClock, type SmppSink, wallClock } from '../types.js';
import { ConcatReassembler, decodeText, parseUserData, type ConcatInfo } from '../udh.js';
import type { SmppConnection } from './connection.js';

export interface DeliverHandlerOptions {
  readonly providerName: string;
  readonly sink: SmppSink;
  readonly logger: Logger;
  readonly handlerTimeoutMs: number;
  readonly reassemblyTimeoutMs: number;
  /** Stamps the MOs. */
  readonly clock?: SmppClock;
  readonly receiptUtcOffsetMinutes?: number;
}

export class DeliverHandler {
  private readonly reassembler: ConcatReassembler;

  constructor(private readonly options: DeliverHandlerOptions) {
    this.reassembler = new ConcatReassembler({ timeoutMs: options.reassemblyTimeoutMs, clock: wallClock });
  }

  async onDeliver(connection: SmppConnection, pdu: ShortMessagePdu): Promise<void> {
    let status: number = STATUS.ESME_ROK;
    try {
      await this.withHandlerTimeout(this.handle(pdu));
    } catch (error) {
      status = STATUS.ESME_RX_T_APPN;
      this.options.logger.error(
        { err: (error as Error).message, from: maskNumber(pdu.source.addr) },
        'deliver_sm handler failed: answered ESME_RX_T_APPN so the SMSC delivers it again',
      );
    } finally {
      connection.respond({ command: 'deliver_sm_resp', commandStatus: status, sequenceNumber: pdu.sequenceNumber, messageId: '' });
    }
  }

  /** Drops concatenated MOs still incomplete after the reassembly timeout. */
  evictExpired(): void {
    for (const group of this.reassembler.evictExpired()) {
      this.options.logger.warn(
        { from: maskNumber(group.from), received: group.received, total: group.total },
        'incomplete concatenated MO dropped',
      );
    }
  }

  private async withHandlerTimeout(work: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ms = this.options.handlerTimeoutMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`handler took more than ${ms} ms`)), ms);
    });
    try {
      await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async handle(pdu: ShortMessagePdu): Promise<void> {
    const { sink } = this.options;
    if (isReceipt(pdu.esmClass)) {
      const receipt = parseDeliveryReceipt(pdu, {
        provider: this.options.providerName,
        ...(this.options.receiptUtcOffsetMinutes === undefined ? {} : { utcOffsetMinutes: this.options.receiptUtcOffsetMinutes }),
      });
      if (!receipt) {
        this.options.logger.warn({ octets: messageOctets(pdu).length }, 'delivery receipt without id or status: dropped');
        return;
      }
      await sink.receipt(receipt);
      return;
    }
    const { payload, concat: udhConcat } = parseUserData(messageOctets(pdu), pdu.esmClass);
    const concat = udhConcat ?? sarConcat(pdu);
    const receivedAt = (this.options.clock ?? wallClock).now();
    if (concat === null) {
      await sink.inbound({
        from: pdu.source.addr,
        fromTon: pdu.source.ton,
        fromNpi: pdu.source.npi,
        to: pdu.destination.addr,
        text: decodeText(payload, pdu.dataCoding),
        gatewayMessageId: null,
        receivedAt,
      });
      return;
    }
    const complete = this.reassembler.add({ from: pdu.source.addr, to: pdu.destination.addr, concat, dataCoding: pdu.dataCoding, payload });
    if (!complete) return;
    await sink.inbound({
      from: pdu.source.addr,
      fromTon: pdu.source.ton,
      fromNpi: pdu.source.npi,
      to: pdu.destination.addr,
      text: complete.text,
      gatewayMessageId: null,
      receivedAt,
    });
    this.reassembler.release(complete.key);
  }
}

/** Concatenation told by the sar_* TLVs instead of a UDH. */
function sarConcat(pdu: ShortMessagePdu): ConcatInfo | null {
  const reference = tlvInteger(pdu.tlvs, TLV_TAG.sar_msg_ref_num);
  const total = tlvInteger(pdu.tlvs, TLV_TAG.sar_total_segments);
  const sequence = tlvInteger(pdu.tlvs, TLV_TAG.sar_segment_seqnum);
  if (reference === null || total === null || sequence === null || total === 0 || sequence === 0 || sequence > total) return null;
  return { reference, total, sequence };
}
