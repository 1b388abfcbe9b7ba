/**
 * The ESME side of SMPP 3.4: one transceiver bind, or a transmitter and a receiver bind, each kept up
 * by its own slot (bind-slot.ts), and a sender that keeps at most `window` submit_sm outstanding, holds
 * the account's TPS, slows down (AIMD, throttle.ts) when the SMSC throttles, and queues briefly while
 * the bind is down. A submit_sm left unanswered is not sent again on the same bind: the link is checked
 * with enquire_link; a slow SMSC gets a wider timeout, a dead one a new connection (connection.ts).
 */
import { EventEmitter } from 'node:events';
import { LOCAL_FAILURE, classifyCommandStatus } from '../error-table.js';
import { type Address, STATUS, commandStatusName, encodePdu, messageStateName, shortMessageDefaults, type Pdu } from '../pdu.js';
import { SmppError, wallClock, type SmppClock } from '../types.js';
import { BindSlot, type BindSlotOwner } from './bind-slot.js';
import type { ConnectionHandlers, SmppConnection } from './connection.js';
import { DeliverHandler } from './deliver.js';
import { AimdRate, TokenBucket } from './throttle.js';
import {
  DEFAULT_TIMING,
  type EsmeSessionDeps,
  type EsmeSessionOptions,
  type EsmeStats,
  type EsmeTiming,
  type QueryResult,
  type SubmitRequest,
  type SubmitResult,
  failure,
} from './types.js';

interface QueuedSubmit {
  readonly frame: Buffer;
  readonly enqueuedAt: number;
  notBefore: number;
  readonly resolve: (result: SubmitResult) => void;
  readonly reject: (error: SmppError) => void;
}

/**
 * Events: `bound` (role), `unbound` (role, reason), `reconnecting` (role), `throttled` (the allowed tps it
 * slowed to), `recovered` (back to the configured rate), `slow` (the widened response timeout).
 * Call `start()` once; `close()` unbinds cleanly.
 */
export class EsmeSession extends EventEmitter implements BindSlotOwner {
  private readonly timing: EsmeTiming;
  /** The wall clock: every duration here is also a real timer, so an injected clock could not move them. */
  private readonly clock: SmppClock = wallClock;
  private readonly slots: BindSlot[];
  private readonly queue: QueuedSubmit[] = [];
  private readonly bucket: TokenBucket;
  private readonly rate: AimdRate;
  private readonly deliver: DeliverHandler;
  private readonly recentSends: number[] = [];
  private housekeeping: NodeJS.Timeout | null = null;
  private pumpTimer: NodeJS.Timeout | null = null;
  private downSince: number;
  private responseTimeoutMs: number;
  private started = false;
  private closing = false;
  private readonly counters = { throttled: 0, reconnects: 0, deadPeers: 0, responseTimeouts: 0, slowSmsc: 0, bindsReplaced: 0 };

  readonly handlers: ConnectionHandlers = {
    onRequest: (connection, pdu) => this.onRequest(connection, pdu),
    onClose: (connection, reason) => {
      if (reason.startsWith('dead peer')) this.count('deadPeers', 'dead_peer');
      this.slots.find((slot) => slot.connection === connection)?.onClosed(connection, reason);
    },
    onResponseTimeout: () => this.count('responseTimeouts', 'response_timeout'),
    onSlowSmsc: () => {
      this.count('slowSmsc', 'slow_smsc');
      const widened = Math.min(this.timing.maxResponseWaitMs, this.responseTimeoutMs * 2);
      if (widened !== this.responseTimeoutMs) {
        this.responseTimeoutMs = widened;
        this.deps.logger.warn({ responseTimeoutMs: widened }, 'SMSC slow (enquire_link answered): waiting longer for submit_sm_resp');
        this.emit('slow', widened);
      }
      return this.responseTimeoutMs;
    },
    onSubmitAnswered: (ms) => {
      // Answers within the configured timeout narrow a widened one back, a tenth at a time.
      if (ms < this.timing.responseTimeoutMs && this.responseTimeoutMs > this.timing.responseTimeoutMs)
        this.responseTimeoutMs = Math.max(this.timing.responseTimeoutMs, Math.round(this.responseTimeoutMs * 0.9));
    },
    onReplaced: () => this.count('bindsReplaced', 'bind_replaced'),
  };

  constructor(
    private readonly options: EsmeSessionOptions,
    private readonly deps: EsmeSessionDeps,
  ) {
    super();
    if (!Number.isInteger(options.window) || options.window < 1) throw new RangeError('window must be a positive integer');
    if (!(options.tps >= 0)) throw new RangeError('tps must be 0 (no limit) or more');
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.responseTimeoutMs = this.timing.responseTimeoutMs;
    this.downSince = this.clock.now();
    this.bucket = new TokenBucket(this.clock);
    this.bucket.setRate(options.tps);
    this.rate = new AimdRate(
      {
        accountTps: options.tps,
        floorTps: this.timing.throttleFloorTps,
        cutEveryMs: this.timing.throttleRetryMs,
        raiseEveryMs: this.timing.throttleRecoveryMs,
      },
      this.clock,
    );
    this.deliver = new DeliverHandler({
      providerName: deps.providerName,
      sink: deps.sink,
      logger: deps.logger,
      handlerTimeoutMs: this.timing.deliverHandlerTimeoutMs,
      reassemblyTimeoutMs: this.timing.reassemblyTimeoutMs,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.receiptUtcOffsetMinutes === undefined ? {} : { receiptUtcOffsetMinutes: deps.receiptUtcOffsetMinutes }),
    });
    this.slots =
      options.bind === 'transceiver'
        ? [new BindSlot('transceiver', this)]
        : [new BindSlot('transmitter', this), new BindSlot('receiver', this)];
  }

  /** What the bind slots need from the session. */
  get internals() {
    return {
      options: this.options,
      timing: this.timing,
      logger: this.deps.logger,
      clock: this.clock,
      random: this.deps.random ?? Math.random,
    };
  }

  /** The longest `close()` can take: the last answer waited for, the link check, the unbind. */
  get closeTimeoutMs(): number {
    return this.timing.maxResponseWaitMs + this.timing.enquireLinkTimeoutMs + 2 * this.timing.unbindTimeoutMs;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.downSince = this.clock.now();
    for (const slot of this.slots) slot.start();
    this.housekeeping = setInterval(() => this.housekeep(), this.timing.housekeepingMs);
    this.housekeeping.unref();
  }

  /** Resolves when every bind is up. */
  async whenBound(): Promise<void> {
    while (!this.slots.every((slot) => slot.bound)) await new Promise((resolve) => this.once('bound', resolve));
  }

  get isBound(): boolean {
    return this.slots.every((slot) => slot.bound);
  }

  stats(): EsmeStats {
    return {
      bound: Object.fromEntries(this.slots.map((slot) => [slot.role, slot.bound])),
      outstanding: this.outstanding(),
      queued: this.queue.length,
      allowedTps: this.rate.allowedTps,
      responseTimeoutMs: this.responseTimeoutMs,
      ...this.counters,
    };
  }

  /** Sends one submit_sm. Rejects with an SmppError classified by the error table. */
  submit(request: SubmitRequest): Promise<SubmitResult> {
    if (this.closing || !this.started) return Promise.reject(failure(LOCAL_FAILURE.closing, 'SMPP session is not running', false));
    let frame: Buffer;
    try {
      frame = encodePdu({
        command: 'submit_sm',
        commandStatus: 0,
        sequenceNumber: 0,
        ...shortMessageDefaults(),
        source: request.source,
        destination: request.destination,
        esmClass: request.esmClass,
        dataCoding: request.dataCoding,
        registeredDelivery: request.registeredDelivery,
        shortMessage: request.shortMessage,
      });
    } catch (error) {
      return Promise.reject(new SmppError(`submit_sm cannot be encoded: ${(error as Error).message}`, false, 'invalid_message', false));
    }
    if (!this.transmitter()?.bound && this.queue.length >= this.options.window) {
      return Promise.reject(failure(LOCAL_FAILURE.sessionDown, 'SMPP transmitter is not bound and the wait queue is full', false));
    }
    return new Promise<SubmitResult>((resolve, reject) => {
      const now = this.clock.now();
      this.queue.push({ frame, enqueuedAt: now, notBefore: now, resolve, reject });
      this.pump();
    });
  }

  /**
   * Asks the SMSC what became of a message (query_sm on the transmitter or transceiver bind).
   * Resolves with the state, or null when the SMSC could not say (ESME_RQUERYFAIL, ESME_RINVMSGID, any
   * other error status, or a generic_nack from an SMSC that has no query_sm). Rejects with a retryable
   * SmppError when no bind is up or no answer comes within the response timeout.
   */
  async query(messageId: string, source: Address): Promise<QueryResult | null> {
    if (this.closing || !this.started) throw failure(LOCAL_FAILURE.closing, 'SMPP session is not running', false);
    const connection = this.transmitter()?.connection;
    if (!connection?.bound) throw failure(LOCAL_FAILURE.sessionDown, 'SMPP transmitter is not bound', false);
    let frame: Buffer;
    try {
      frame = encodePdu({ command: 'query_sm', commandStatus: 0, sequenceNumber: 0, messageId, source });
    } catch (error) {
      throw new SmppError(`query_sm cannot be encoded: ${(error as Error).message}`, false, 'invalid_message', false);
    }
    const response = await connection.request(frame, this.responseTimeoutMs, 'query_sm');
    if (response.command !== 'query_sm_resp' || response.commandStatus !== STATUS.ESME_ROK) return null;
    return {
      messageState: response.messageState,
      stateName: messageStateName(response.messageState),
      finalDate: response.finalDate,
      errorCode: response.errorCode,
    };
  }

  /**
   * Stops taking submits, fails the queued ones at once (not sent: not an attempt), waits for every
   * submit_sm on the wire to be answered (up to its response limit, see `closeTimeoutMs`), then unbinds.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.housekeeping) clearInterval(this.housekeeping);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    for (const queued of this.queue.splice(0)) queued.reject(failure(LOCAL_FAILURE.closing, 'SMPP session closing', false));
    const connection = this.transmitter()?.connection;
    if (connection && connection.outstandingSubmits > 0) {
      this.deps.logger.info({ outstanding: connection.outstandingSubmits }, 'SMPP closing: waiting for the submits on the wire');
      await connection.whenDrained();
    }
    await Promise.all(this.slots.map((slot) => slot.stop()));
    this.setGauges();
  }

  onBound(slot: BindSlot): void {
    if (slot.sends) this.downSince = Number.POSITIVE_INFINITY;
    this.setGauges();
    this.emit('bound', slot.role);
    this.pump();
  }

  onUnbound(slot: BindSlot, reason: string): void {
    if (slot.sends) this.downSince = Math.min(this.downSince, this.clock.now());
    this.setGauges();
    this.deps.logger.warn({ role: slot.role, reason }, 'SMPP connection down');
    this.emit('unbound', slot.role, reason);
    if (!this.closing) {
      this.count('reconnects', 'reconnect');
      this.emit('reconnecting', slot.role);
    }
  }

  private count(counter: keyof typeof this.counters, event: string): void {
    this.counters[counter]++;
    this.deps.observer?.event(event);
  }

  private transmitter(): BindSlot | undefined {
    return this.slots.find((slot) => slot.sends);
  }

  private outstanding(): number {
    return this.transmitter()?.connection?.outstandingSubmits ?? 0;
  }

  private pump(): void {
    if (this.pumpTimer) {
      clearTimeout(this.pumpTimer);
      this.pumpTimer = null;
    }
    const connection = this.transmitter()?.connection;
    while (this.queue.length > 0 && connection?.bound && connection.outstandingSubmits < this.options.window) {
      const head = this.queue[0]!;
      const wait = head.notBefore - this.clock.now();
      if (wait > 0) {
        this.pumpLater(wait);
        return;
      }
      if (!this.bucket.take()) {
        this.pumpLater(this.bucket.msUntilToken());
        return;
      }
      this.queue.shift();
      this.send(connection, head);
    }
    this.setGauges();
  }

  private pumpLater(ms: number): void {
    this.setGauges();
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = null;
      this.pump();
    }, ms);
  }

  private send(connection: SmppConnection, queued: QueuedSubmit): void {
    this.recentSends.push(this.clock.now());
    connection
      .request(queued.frame, this.responseTimeoutMs, 'submit_sm')
      .then(
        (response) => this.onSubmitResponse(queued, response),
        (error: SmppError) => queued.reject(error),
      )
      .finally(() => this.pump());
  }

  private onSubmitResponse(queued: QueuedSubmit, response: Pdu): void {
    const status = response.commandStatus;
    if (status === STATUS.ESME_ROK && response.command === 'submit_sm_resp') {
      const messageId = response.messageId.trim();
      queued.resolve({ messageId: messageId === '' ? null : messageId });
      return;
    }
    const classified = classifyCommandStatus(status);
    if (status === STATUS.ESME_RTHROTTLED || status === STATUS.ESME_RMSGQFUL) {
      this.slowDown();
      const now = this.clock.now();
      if (!this.closing && now + this.timing.throttleRetryMs - queued.enqueuedAt <= this.timing.submitDeadlineMs) {
        queued.notBefore = now + this.timing.throttleRetryMs;
        this.queue.unshift(queued);
        return;
      }
      // The SMSC refused to take it: it was not delivered, nor attempted at the handset.
      queued.reject(failure(classified, `SMSC answered submit_sm with ${commandStatusName(status)}`, false));
      return;
    }
    queued.reject(failure(classified, `SMSC answered submit_sm with ${commandStatusName(status)}`));
  }

  /** Multiplicative decrease (once per storm), see AimdRate. */
  private slowDown(): void {
    this.count('throttled', 'throttled');
    const cut = this.rate.onThrottle(this.sendsInLastSecond());
    if (cut === null) return;
    this.bucket.setRate(cut);
    this.deps.logger.warn({ allowedTps: cut }, 'SMSC throttling: sending slower');
    this.emit('throttled', cut);
  }

  /** Additive increase while the SMSC stays quiet. */
  private recover(): void {
    const change = this.rate.tick();
    if (change === null) return;
    this.bucket.setRate(this.rate.allowedTps ?? this.options.tps);
    if (change === 'recovered') {
      this.deps.logger.info('SMSC no longer throttling: back to the configured rate');
      this.emit('recovered');
    }
  }

  private sendsInLastSecond(): number {
    const cutoff = this.clock.now() - 1000;
    while (this.recentSends.length > 0 && this.recentSends[0]! < cutoff) this.recentSends.shift();
    return this.recentSends.length;
  }

  private housekeep(): void {
    const now = this.clock.now();
    this.sendsInLastSecond();
    this.recover();
    const downTooLong = now - this.downSince > this.timing.downLimitMs;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const queued = this.queue[i]!;
      if (downTooLong)
        queued.reject(failure(LOCAL_FAILURE.sessionDown, `SMPP transmitter down for more than ${this.timing.downLimitMs} ms`, false));
      else if (now - queued.enqueuedAt > this.timing.submitDeadlineMs)
        queued.reject(failure(LOCAL_FAILURE.queueTimeout, `submit_sm not sent within ${this.timing.submitDeadlineMs} ms`, false));
      else continue;
      this.queue.splice(i, 1);
    }
    this.deliver.evictExpired();
    this.setGauges();
  }

  private setGauges(): void {
    this.deps.observer?.gauges(this.slots.filter((slot) => slot.bound).length, this.outstanding());
  }

  private onRequest(connection: SmppConnection, pdu: Pdu): void {
    switch (pdu.command) {
      case 'enquire_link':
        connection.respond({ command: 'enquire_link_resp', commandStatus: 0, sequenceNumber: pdu.sequenceNumber });
        return;
      case 'unbind':
        connection.respond({ command: 'unbind_resp', commandStatus: 0, sequenceNumber: pdu.sequenceNumber });
        connection.end('unbound by the SMSC');
        return;
      case 'deliver_sm':
        void this.deliver.onDeliver(connection, pdu);
        return;
      default:
        connection.respond({ command: 'generic_nack', commandStatus: STATUS.ESME_RINVCMDID, sequenceNumber: pdu.sequenceNumber });
    }
  }
}
