/**
 * One TCP connection to the SMSC: framing, sequence numbers, requests waiting for their answers,
 * enquire_link when idle, and what to do when a submit_sm stays unanswered (check the link, then
 * either keep waiting for a slow SMSC or replace the connection).
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { LOCAL_FAILURE, classifyCommandStatus } from '../error-table.js';
import { type FrameError, FrameSplitter, type Pdu, type PduDecodeError, STATUS, decodePdu, encodePdu, isResponse } from '../pdu.js';
import type { SmppClock, SmppError } from '../types.js';
import { type BindRole, type EsmeTiming, failure } from './types.js';

interface PendingRequest {
  readonly command: string;
  readonly isSubmit: boolean;
  readonly sentAt: number;
  timer: NodeJS.Timeout | null;
  settle(outcome: { pdu: Pdu } | { error: SmppError }): void;
}

export interface ConnectionHandlers {
  onRequest(connection: SmppConnection, pdu: Pdu): void;
  onClose(connection: SmppConnection, reason: string): void;
  /** A submit_sm passed the current response timeout; the connection checks the link next. */
  onResponseTimeout(connection: SmppConnection): void;
  /** The link answered after a response timeout: the SMSC is slow. Returns the timeout to wait with now. */
  onSlowSmsc(connection: SmppConnection): number;
  /** A submit_sm answered; `ms` is how long it took. */
  onSubmitAnswered(ms: number): void;
  /** Submits stayed unanswered past every limit: the connection is being replaced. */
  onReplaced(connection: SmppConnection): void;
}

export class SmppConnection {
  private readonly splitter = new FrameSplitter();
  private readonly pending = new Map<number, PendingRequest>();
  private sequence = 0;
  private lastInboundAt: number;
  private enquireTimer: NodeJS.Timeout | null = null;
  private closedReason: string | null = null;
  private linkCheck: Promise<boolean> | null = null;
  /** Link checks made, and the last one that found the SMSC slow (one widening per check). */
  private linkChecks = 0;
  private slowCheck = 0;
  private slowWaitMs = 0;
  private readonly drainWaiters: Array<() => void> = [];
  bound = false;
  /** Bound at some point: its loss is a disconnection, not a failed attempt. */
  wasBound = false;
  outstandingSubmits = 0;

  constructor(
    readonly role: BindRole,
    private readonly socket: Socket,
    private readonly timing: EsmeTiming,
    private readonly clock: SmppClock,
    private readonly handlers: ConnectionHandlers,
    private readonly logger: Logger,
  ) {
    this.lastInboundAt = clock.now();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.logger.warn({ role, err: error.message }, 'SMPP socket error'));
    socket.on('close', () => this.finish(this.closedReason ?? 'closed by peer'));
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  private nextSequence(): number {
    this.sequence = this.sequence >= 0x7fffffff ? 1 : this.sequence + 1;
    return this.sequence;
  }

  /**
   * Sends a request and settles with its response (any command_status) or a retryable SmppError.
   * A bind, unbind or enquire_link fails at `timeoutMs`. A submit_sm is never failed by its timeout
   * alone: past it the link is checked, and the submit either waits on (slow SMSC) or fails with the
   * connection, which is then replaced.
   */
  request(pdu: Pdu | Buffer, timeoutMs: number, command: string): Promise<Pdu> {
    return new Promise<Pdu>((resolve, reject) => {
      if (this.closed) {
        reject(failure(LOCAL_FAILURE.connectionLost, `SMPP connection closed before ${command} was sent`, false));
        return;
      }
      const sequenceNumber = this.nextSequence();
      const isSubmit = command === 'submit_sm';
      const request: PendingRequest = {
        command,
        isSubmit,
        sentAt: this.clock.now(),
        timer: null,
        settle: (outcome) => {
          if (request.timer) clearTimeout(request.timer);
          if ('pdu' in outcome) resolve(outcome.pdu);
          else reject(outcome.error);
        },
      };
      const expire = () => {
        if (isSubmit) return this.onSubmitOverdue(sequenceNumber, request);
        this.pending.delete(sequenceNumber);
        request.settle({ error: failure(LOCAL_FAILURE.responseTimeout, `no ${command}_resp within ${timeoutMs} ms`) });
      };
      request.timer = setTimeout(expire, timeoutMs);
      this.pending.set(sequenceNumber, request);
      if (isSubmit) this.outstandingSubmits++;
      this.write(Buffer.isBuffer(pdu) ? withSequence(pdu, sequenceNumber) : encodePdu({ ...pdu, sequenceNumber }));
    });
  }

  respond(pdu: Pdu): void {
    this.write(encodePdu(pdu));
  }

  /** Resolves once no submit_sm is outstanding here (answered, or failed with the connection). */
  whenDrained(): Promise<void> {
    if (this.outstandingSubmits === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  startEnquireLink(): void {
    const check = () => {
      const idle = this.clock.now() - this.lastInboundAt;
      if (idle < this.timing.enquireLinkMs) {
        this.enquireTimer = setTimeout(check, this.timing.enquireLinkMs - idle);
        return;
      }
      void this.checkLink().then((alive) => {
        if (!alive) this.destroy('dead peer: no enquire_link_resp');
        else if (!this.closed) this.enquireTimer = setTimeout(check, this.timing.enquireLinkMs);
      });
    };
    this.enquireTimer = setTimeout(check, this.timing.enquireLinkMs);
  }

  /** One enquire_link at a time; true when it was answered. */
  checkLink(): Promise<boolean> {
    if (!this.linkCheck) this.linkChecks++;
    this.linkCheck ??= this.request(
      { command: 'enquire_link', commandStatus: 0, sequenceNumber: 0 },
      this.timing.enquireLinkTimeoutMs,
      'enquire_link',
    )
      .then(
        () => true,
        () => false,
      )
      .finally(() => {
        this.linkCheck = null;
      });
    return this.linkCheck;
  }

  /** Sends unbind, waits briefly for unbind_resp, then ends the connection. */
  async unbind(): Promise<void> {
    if (this.closed) return;
    if (this.bound) {
      this.bound = false;
      await this.request({ command: 'unbind', commandStatus: 0, sequenceNumber: 0 }, this.timing.unbindTimeoutMs, 'unbind').catch(
        () => undefined,
      );
    }
    this.closedReason ??= 'unbound';
    await new Promise<void>((resolve) => {
      if (this.socket.destroyed) return resolve();
      const force = setTimeout(() => this.socket.destroy(), this.timing.unbindTimeoutMs);
      this.socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      this.socket.end();
    });
  }

  destroy(reason: string): void {
    if (this.closed) return;
    this.closedReason = reason;
    this.socket.destroy();
  }

  /** Closes after what was written has gone out (an unbind_resp, a generic_nack). */
  end(reason: string): void {
    if (this.closed) return;
    this.closedReason = reason;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), this.timing.unbindTimeoutMs).unref();
  }

  private onSubmitOverdue(sequenceNumber: number, request: PendingRequest): void {
    request.timer = null;
    if (this.closed || !this.pending.has(sequenceNumber)) return;
    const waited = this.clock.now() - request.sentAt;
    if (waited >= this.timing.maxResponseWaitMs) {
      this.handlers.onReplaced(this);
      this.destroy(`submit_sm unanswered for ${waited} ms: connection replaced`);
      return;
    }
    this.handlers.onResponseTimeout(this);
    const check = this.checkLink();
    const generation = this.linkChecks;
    void check.then((alive) => {
      if (this.closed || !this.pending.has(sequenceNumber)) return;
      if (!alive) {
        this.destroy('dead peer: no enquire_link_resp after a submit_sm response timeout');
        return;
      }
      if (this.slowCheck !== generation) {
        this.slowCheck = generation;
        this.slowWaitMs = this.handlers.onSlowSmsc(this);
      }
      const timeout = this.slowWaitMs;
      const left = this.timing.maxResponseWaitMs - (this.clock.now() - request.sentAt);
      request.timer = setTimeout(() => this.onSubmitOverdue(sequenceNumber, request), Math.max(1, Math.min(timeout, left)));
    });
  }

  private write(frame: Buffer): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(frame);
  }

  private onData(chunk: Buffer): void {
    this.lastInboundAt = this.clock.now();
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (error) {
      this.logger.error({ role: this.role, err: (error as Error).message }, 'SMPP framing lost: closing the connection');
      this.respond({ command: 'generic_nack', commandStatus: STATUS.ESME_RINVCMDLEN, sequenceNumber: 0 });
      this.end(`framing lost: ${(error as FrameError).message}`);
      return;
    }
    for (const frame of frames) {
      if (this.closed) return;
      let pdu: Pdu;
      try {
        pdu = decodePdu(frame);
      } catch (error) {
        this.onUndecodable(error as PduDecodeError);
        continue;
      }
      if (isResponse(pdu)) this.onResponse(pdu);
      else this.handlers.onRequest(this, pdu);
    }
  }

  private onUndecodable(error: PduDecodeError): void {
    this.logger.warn({ role: this.role, err: error.message }, 'undecodable SMPP PDU');
    const request = this.pending.get(error.sequenceNumber);
    if ((error.commandId & 0x80000000) !== 0 && request) {
      this.take(error.sequenceNumber, request);
      request.settle({
        error: failure(classifyCommandStatus(STATUS.ESME_RINVCMDLEN), `undecodable ${request.command}_resp: ${error.message}`),
      });
      return;
    }
    this.respond({ command: 'generic_nack', commandStatus: error.status, sequenceNumber: error.sequenceNumber });
  }

  private onResponse(pdu: Pdu): void {
    const request = this.pending.get(pdu.sequenceNumber);
    if (!request) {
      this.logger.debug({ role: this.role, command: pdu.command, sequence: pdu.sequenceNumber }, 'response to no request');
      return;
    }
    this.take(pdu.sequenceNumber, request);
    if (request.isSubmit) this.handlers.onSubmitAnswered(this.clock.now() - request.sentAt);
    request.settle({ pdu });
  }

  private take(sequenceNumber: number, request: PendingRequest): void {
    this.pending.delete(sequenceNumber);
    if (!request.isSubmit) return;
    this.outstandingSubmits--;
    if (this.outstandingSubmits === 0) for (const waiter of this.drainWaiters.splice(0)) waiter();
  }

  private finish(reason: string): void {
    this.closedReason ??= reason;
    this.bound = false;
    if (this.enquireTimer) clearTimeout(this.enquireTimer);
    const lost = failure(LOCAL_FAILURE.connectionLost, `SMPP connection lost (${reason}) before the answer`);
    for (const request of this.pending.values()) request.settle({ error: lost });
    this.pending.clear();
    this.outstandingSubmits = 0;
    for (const waiter of this.drainWaiters.splice(0)) waiter();
    this.handlers.onClose(this, this.closedReason);
  }
}

function withSequence(frame: Buffer, sequenceNumber: number): Buffer {
  const copy = Buffer.from(frame);
  copy.writeUInt32BE(sequenceNumber, 12);
  return copy;
}
