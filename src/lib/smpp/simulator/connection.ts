/** One ESME connection as the simulator sees it, and how PDUs are written to it. */
import type { Socket } from 'node:net';
import { FrameSplitter, encodePdu, type Pdu } from '../pdu.js';
import type { SubmitLogEntry } from './types.js';

export type Role = 'transmitter' | 'receiver' | 'transceiver';

/** What a request still waiting is told when its connection closes. */
export const NO_ANSWER = -1;

/** A PDU before its sequence number is given (Omit over each member of the union). */
type WithoutSequence<P> = P extends Pdu ? Omit<P, 'sequenceNumber'> : never;
export type RequestPdu = WithoutSequence<Pdu>;

export class SimConnection {
  readonly splitter = new FrameSplitter();
  role: Role | null = null;
  systemId = '';
  private sequence = 0;
  /** Submits not yet answered, by sequence number. */
  readonly unanswered = new Map<number, SubmitLogEntry>();
  readonly timers = new Set<NodeJS.Timeout>();
  /** Requests sent to the ESME, waiting for their answer. */
  readonly awaiting = new Map<number, (status: number) => void>();
  enquireTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {}

  /** Writes a PDU; `onWritten(false)` when it never left (the socket was gone, or went before flushing it). */
  send(pdu: Pdu, onWritten?: (written: boolean) => void): void {
    if (this.socket.destroyed || !this.socket.writable) {
      onWritten?.(false);
      return;
    }
    this.socket.write(encodePdu(pdu), (error) => onWritten?.(!error));
  }

  request(pdu: RequestPdu, onResponse: (status: number) => void = () => undefined): void {
    this.sequence = this.sequence >= 0x7fffffff ? 1 : this.sequence + 1;
    this.awaiting.set(this.sequence, onResponse);
    this.send({ ...pdu, sequenceNumber: this.sequence } as Pdu);
  }

  /** Runs `work` after `ms` (now when 0), unless the connection closes first. */
  later(ms: number, work: () => void): void {
    if (ms <= 0) {
      work();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, ms);
    this.timers.add(timer);
  }

  /** The connection is gone: timers stop, waiting requests hear NO_ANSWER. Returns the submits left unanswered. */
  closed(): SubmitLogEntry[] {
    for (const timer of this.timers) clearTimeout(timer);
    if (this.enquireTimer) clearInterval(this.enquireTimer);
    const unanswered = [...this.unanswered.values()];
    this.unanswered.clear();
    for (const callback of this.awaiting.values()) callback(NO_ANSWER);
    this.awaiting.clear();
    return unanswered;
  }
}
