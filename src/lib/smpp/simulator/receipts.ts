/** Delivery receipts on their way: sent after their delay to a receiver bound for the account, or kept until one is. */
import { STATUS, type ShortMessagePdu } from '../pdu.js';
import { NO_ANSWER, type SimConnection } from './connection.js';

interface PendingReceipt {
  readonly systemId: string;
  readonly pdu: Omit<ShortMessagePdu, 'sequenceNumber'>;
}

export class ReceiptDesk {
  sent = 0;
  /** Receipts sent again after a temporary error or no answer (retryMs set). */
  retried = 0;
  private readonly pending: PendingReceipt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly connections: ReadonlyMap<number, SimConnection>,
    private readonly silent: () => boolean,
    private readonly onAnswer: (status: number) => void,
    /** As an SMSC does: a receipt answered ESME_RX_T_APPN, or whose connection went before it was
     *  answered, is sent again after this long; null = never (each receipt is sent once). */
    private readonly retryMs: number | null = null,
  ) {}

  /** Sends the receipt after `delayMs`, on `preferred` when it is a transceiver still up. */
  schedule(systemId: string, pdu: PendingReceipt['pdu'], delayMs: number, preferred: SimConnection): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.deliver({ systemId, pdu }, preferred);
    }, delayMs);
    this.timers.add(timer);
  }

  /** Sends what was kept (a receiver has bound, or the SMSC is no longer silent). */
  flush(): void {
    for (const receipt of this.pending.splice(0)) this.deliver(receipt);
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  private deliver(receipt: PendingReceipt, preferred?: SimConnection): void {
    const receiver = this.silent() ? null : this.receiverFor(receipt.systemId, preferred);
    if (!receiver) {
      this.pending.push(receipt);
      return;
    }
    this.sent++;
    receiver.request(receipt.pdu, (status) => {
      if (status !== NO_ANSWER) this.onAnswer(status);
      if (this.retryMs === null || (status !== NO_ANSWER && status !== STATUS.ESME_RX_T_APPN)) return;
      this.retried++;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.deliver(receipt);
      }, this.retryMs);
      this.timers.add(timer);
    });
  }

  private receiverFor(systemId: string, preferred?: SimConnection): SimConnection | null {
    if (preferred?.role === 'transceiver' && !preferred.socket.destroyed) return preferred;
    for (const connection of this.connections.values()) {
      if ((connection.role === 'receiver' || connection.role === 'transceiver') && connection.systemId === systemId) return connection;
    }
    return null;
  }
}
