/**
 * The ESME side of SMPP 3.4: one transceiver bind, or a transmitter and a receiver bind, each kept up
 * by its own connection loop (reconnect with exponential backoff and jitter, rebind, enquire_link both
 * ways, dead-peer detection), and a sender that keeps at most `window` submit_sm outstanding, holds a
 * per-bind TPS limit, backs off when the SMSC throttles, and queues briefly while the bind is down.
 *
 * Incoming deliver_sm are always answered: receipts go to `sink.receipt`, MOs (reassembled when
 * concatenated) to `sink.inbound`. A handler that throws or hangs gets ESME_RX_T_APPN, so the SMSC
 * delivers it again later instead of losing it.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../platform/clock.js';
import type { Metrics } from '../../platform/metrics.js';
import { ProviderError, type ProviderSink } from '../../providers/provider.js';
import { LOCAL_FAILURE, classifyCommandStatus, type SmppFailure } from './error-table.js';
import {
  type FrameError,
  FrameSplitter,
  INTERFACE_VERSION_34,
  type PduDecodeError,
  STATUS,
  TLV_TAG,
  commandStatusName,
  decodePdu,
  encodePdu,
  isResponse,
  messageOctets,
  shortMessageDefaults,
  tlvInteger,
  type Address,
  type BindCommand,
  type Pdu,
  type ShortMessagePdu,
} from './pdu.js';
import { parseDeliveryReceipt, isReceipt } from './receipt.js';
import { ConcatReassembler, decodeText, parseUserData, type ConcatInfo } from './udh.js';

export type BindStyle = 'transceiver' | 'tx_rx';
type BindRole = 'transceiver' | 'transmitter' | 'receiver';

export interface EsmeTiming {
  /** An idle connection (nothing received) sends enquire_link this often. */
  readonly enquireLinkMs: number;
  /** No enquire_link_resp within this: the peer is dead, the connection is dropped and made again. */
  readonly enquireLinkTimeoutMs: number;
  /** A submit_sm (or bind, unbind) not answered within this fails retryably. */
  readonly responseTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  /** 0..1: the share of each reconnect delay that is random (0.5 → between 50 % and 100 % of it). */
  readonly reconnectJitter: number;
  /** Queued sends fail retryably once the transmitter has been down this long. */
  readonly downLimitMs: number;
  /** A send not yet on the wire this long after it was asked for (throttle retries included) fails retryably. */
  readonly submitDeadlineMs: number;
  /** A throttled submit_sm is sent again after this. */
  readonly throttleRetryMs: number;
  /** After a throttle, the allowed rate grows by half every this long without another one. */
  readonly throttleRecoveryMs: number;
  /** Throttling never slows the sender below this many submit_sm per second. */
  readonly throttleFloorTps: number;
  readonly unbindTimeoutMs: number;
  /** Parts of a concatenated MO still incomplete after this are dropped. */
  readonly reassemblyTimeoutMs: number;
  /** A sink call that takes longer is answered ESME_RX_T_APPN (the SMSC redelivers). */
  readonly deliverHandlerTimeoutMs: number;
  /** How often queued sends are checked against their limits. */
  readonly housekeepingMs: number;
}

/** Defaults sized for a real SMSC; the dispatcher's own send timeout (half the lease, 30 s) must exceed submitDeadlineMs + responseTimeoutMs. */
export const DEFAULT_TIMING: EsmeTiming = {
  enquireLinkMs: 30_000,
  enquireLinkTimeoutMs: 10_000,
  responseTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  reconnectInitialMs: 1_000,
  reconnectMaxMs: 60_000,
  reconnectJitter: 0.5,
  downLimitMs: 15_000,
  submitDeadlineMs: 15_000,
  throttleRetryMs: 1_000,
  throttleRecoveryMs: 1_000,
  throttleFloorTps: 1,
  unbindTimeoutMs: 2_000,
  reassemblyTimeoutMs: 5 * 60_000,
  deliverHandlerTimeoutMs: 10_000,
  housekeepingMs: 250,
};

export interface EsmeSessionOptions {
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  readonly bind: BindStyle;
  /** Most submit_sm outstanding at once on the transmitter. */
  readonly window: number;
  /** Most submit_sm per second on the transmitter; 0 = no limit. */
  readonly tps: number;
  readonly timing?: Partial<EsmeTiming>;
}

export interface EsmeSessionDeps {
  /** The provider name receipts are reported under. */
  readonly providerName: string;
  readonly sink: ProviderSink;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** Stamps InboundMo.receivedAt (the application's clock); timers and rates always run on the wall clock. */
  readonly clock?: Clock;
  /** For the reconnect jitter. */
  readonly random?: () => number;
  /** The SMSC's time zone for receipt dates; Asia/Ho_Chi_Minh by default. */
  readonly receiptUtcOffsetMinutes?: number;
}

export interface SubmitRequest {
  readonly source: Address;
  readonly destination: Address;
  readonly esmClass: number;
  readonly dataCoding: number;
  readonly registeredDelivery: number;
  readonly shortMessage: Buffer;
}

export interface SubmitResult {
  /** Null when the SMSC answered with an empty message_id. */
  readonly messageId: string | null;
}

export interface EsmeStats {
  readonly bound: Readonly<Record<string, boolean>>;
  readonly outstanding: number;
  readonly queued: number;
  /** The rate the sender holds itself to after throttling; null = the configured limit (or none). */
  readonly allowedTps: number | null;
  readonly throttled: number;
  readonly reconnects: number;
  readonly deadPeers: number;
  readonly responseTimeouts: number;
}

/** Without a configured limit, a rate that has recovered to this after throttling is lifted altogether. */
const UNLIMITED_RECOVERY_TPS = 1000;

const failure = (f: SmppFailure, message: string) => new ProviderError(message, f.retryable, f.reason);

// ── one TCP connection ─────────────────────────────────────────────────────

interface PendingRequest {
  readonly command: string;
  readonly isSubmit: boolean;
  timer: NodeJS.Timeout | null;
  /** Timed out and already failed; still counts against the window until answered or the connection goes. */
  expired: boolean;
  settle(outcome: { pdu: Pdu } | { error: ProviderError }): void;
}

interface ConnectionHandlers {
  onRequest(connection: SmppConnection, pdu: Pdu): void;
  onClose(connection: SmppConnection, reason: string): void;
  onResponseTimeout(connection: SmppConnection): void;
}

class SmppConnection {
  private readonly splitter = new FrameSplitter();
  private readonly pending = new Map<number, PendingRequest>();
  private sequence = 0;
  private lastInboundAt: number;
  private enquireTimer: NodeJS.Timeout | null = null;
  private closedReason: string | null = null;
  bound = false;
  /** Bound at some point: its loss is a disconnection, not a failed attempt. */
  wasBound = false;
  outstandingSubmits = 0;

  constructor(
    readonly role: BindRole,
    private readonly socket: Socket,
    private readonly timing: EsmeTiming,
    private readonly clock: Clock,
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

  get allOutstandingExpired(): boolean {
    let expired = 0;
    for (const request of this.pending.values()) if (request.isSubmit && request.expired) expired++;
    return expired > 0 && expired === this.outstandingSubmits;
  }

  private nextSequence(): number {
    this.sequence = this.sequence >= 0x7fffffff ? 1 : this.sequence + 1;
    return this.sequence;
  }

  /** Sends a request and settles with its response (any command_status) or a retryable ProviderError. */
  request(pdu: Pdu | Buffer, timeoutMs: number, command: string): Promise<Pdu> {
    return new Promise<Pdu>((resolve, reject) => {
      if (this.closed) {
        reject(failure(LOCAL_FAILURE.connectionLost, `SMPP connection closed before ${command} was sent`));
        return;
      }
      const sequenceNumber = this.nextSequence();
      const isSubmit = command === 'submit_sm';
      const request: PendingRequest = {
        command,
        isSubmit,
        timer: null,
        expired: false,
        settle: (outcome) => {
          if (request.timer) clearTimeout(request.timer);
          if (request.expired) return;
          if ('pdu' in outcome) resolve(outcome.pdu);
          else reject(outcome.error);
        },
      };
      request.timer = setTimeout(() => {
        request.settle({ error: failure(LOCAL_FAILURE.responseTimeout, `no ${command}_resp within ${timeoutMs} ms`) });
        request.expired = true;
        // A late answer frees the slot; a submit never answered keeps it until the connection goes.
        if (!isSubmit) this.pending.delete(sequenceNumber);
        this.handlers.onResponseTimeout(this);
      }, timeoutMs);
      this.pending.set(sequenceNumber, request);
      if (isSubmit) this.outstandingSubmits++;
      this.write(Buffer.isBuffer(pdu) ? withSequence(pdu, sequenceNumber) : encodePdu({ ...pdu, sequenceNumber }));
    });
  }

  respond(pdu: Pdu): void {
    this.write(encodePdu(pdu));
  }

  startEnquireLink(): void {
    const check = () => {
      const idle = this.clock.now() - this.lastInboundAt;
      if (idle < this.timing.enquireLinkMs) {
        this.enquireTimer = setTimeout(check, this.timing.enquireLinkMs - idle);
        return;
      }
      this.request({ command: 'enquire_link', commandStatus: 0, sequenceNumber: 0 }, this.timing.enquireLinkTimeoutMs, 'enquire_link').then(
        () => {
          if (!this.closed) this.enquireTimer = setTimeout(check, this.timing.enquireLinkMs);
        },
        () => this.destroy('dead peer: no enquire_link_resp'),
      );
    };
    this.enquireTimer = setTimeout(check, this.timing.enquireLinkMs);
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
      this.pending.delete(error.sequenceNumber);
      if (request.isSubmit) this.outstandingSubmits--;
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
    this.pending.delete(pdu.sequenceNumber);
    if (request.isSubmit) this.outstandingSubmits--;
    request.settle({ pdu });
  }

  private finish(reason: string): void {
    this.closedReason ??= reason;
    this.bound = false;
    if (this.enquireTimer) clearTimeout(this.enquireTimer);
    const lost = failure(LOCAL_FAILURE.connectionLost, `SMPP connection lost (${reason}) before the answer`);
    for (const request of this.pending.values()) request.settle({ error: lost });
    this.pending.clear();
    this.outstandingSubmits = 0;
    this.handlers.onClose(this, this.closedReason);
  }
}

function withSequence(frame: Buffer, sequenceNumber: number): Buffer {
  const copy = Buffer.from(frame);
  copy.writeUInt32BE(sequenceNumber, 12);
  return copy;
}

// ── the sender's rate ──────────────────────────────────────────────────────

/** Token bucket with a burst of a tenth of a second (at least one token); rate null = unlimited. */
class TokenBucket {
  private tokens = 1;
  private last: number;
  private rate: number | null = null;

  constructor(private readonly clock: Clock) {
    this.last = clock.now();
  }

  setRate(rate: number | null): void {
    this.refill();
    this.rate = rate !== null && rate > 0 ? rate : null;
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  take(): boolean {
    if (this.rate === null) return true;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  msUntilToken(): number {
    if (this.rate === null) return 0;
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
  }

  private capacity(): number {
    return this.rate === null ? 1 : Math.max(1, this.rate / 10);
  }

  private refill(): void {
    const now = this.clock.now();
    if (this.rate !== null) this.tokens = Math.min(this.capacity(), this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }
}

// ── a bind kept alive ──────────────────────────────────────────────────────

const BIND_COMMAND: Readonly<Record<BindRole, BindCommand>> = {
  transceiver: 'bind_transceiver',
  transmitter: 'bind_transmitter',
  receiver: 'bind_receiver',
};

class BindSlot {
  connection: SmppConnection | null = null;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    readonly role: BindRole,
    private readonly session: EsmeSession,
  ) {}

  get bound(): boolean {
    return this.connection?.bound === true;
  }

  get sends(): boolean {
    return this.role !== 'receiver';
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    await this.connection?.unbind();
  }

  private open(): void {
    const { options, timing, logger } = this.session.internals;
    const socket = connect({ host: options.host, port: options.port });
    const connection = new SmppConnection(this.role, socket, timing, this.session.internals.clock, this.session.handlers, logger);
    this.connection = connection;
    const connectTimer = setTimeout(
      () => connection.destroy(`no TCP connection within ${timing.connectTimeoutMs} ms`),
      timing.connectTimeoutMs,
    );
    socket.once('close', () => clearTimeout(connectTimer));
    socket.once('connect', () => {
      clearTimeout(connectTimer);
      void this.bind(connection);
    });
  }

  private async bind(connection: SmppConnection): Promise<void> {
    const { options, timing, logger } = this.session.internals;
    let response: Pdu;
    try {
      response = await connection.request(
        {
          command: BIND_COMMAND[this.role],
          commandStatus: 0,
          sequenceNumber: 0,
          systemId: options.systemId,
          password: options.password,
          systemType: options.systemType,
          interfaceVersion: INTERFACE_VERSION_34,
          addrTon: 0,
          addrNpi: 0,
          addressRange: '',
        },
        timing.responseTimeoutMs,
        BIND_COMMAND[this.role],
      );
    } catch (error) {
      connection.destroy(`bind not answered: ${(error as Error).message}`);
      return;
    }
    if (response.commandStatus !== STATUS.ESME_ROK) {
      logger.error(
        {
          role: this.role,
          status: commandStatusName(response.commandStatus),
          reason: classifyCommandStatus(response.commandStatus).reason,
        },
        'SMPP bind refused',
      );
      connection.destroy(`bind refused: ${commandStatusName(response.commandStatus)}`);
      return;
    }
    if (connection.closed) return;
    connection.bound = true;
    connection.wasBound = true;
    this.attempt = 0;
    connection.startEnquireLink();
    logger.info({ role: this.role, smsc: 'systemId' in response ? response.systemId : null }, 'SMPP bound');
    this.session.onBound(this);
  }

  /** Called once per connection when it is gone. */
  onClosed(connection: SmppConnection, reason: string): void {
    if (connection !== this.connection) return;
    this.connection = null;
    if (connection.wasBound) this.session.onUnbound(this, reason);
    if (this.stopped) return;
    const { timing, random, logger } = this.session.internals;
    const exponential = Math.min(timing.reconnectMaxMs, timing.reconnectInitialMs * 2 ** this.attempt);
    const delay = Math.round(exponential * (1 - timing.reconnectJitter * random()));
    this.attempt++;
    if (!connection.wasBound)
      logger.warn({ role: this.role, reason, attempt: this.attempt, retryInMs: delay }, 'SMPP connect or bind failed');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }
}

// ── the session ────────────────────────────────────────────────────────────

interface QueuedSubmit {
  readonly frame: Buffer;
  readonly enqueuedAt: number;
  notBefore: number;
  readonly resolve: (result: SubmitResult) => void;
  readonly reject: (error: ProviderError) => void;
}

/**
 * Events: `bound` (role), `unbound` (role, reason), `reconnecting` (role), `throttled` (the allowed tps it
 * slowed to), `recovered` (back to the configured rate).
 * Call `start()` once; `close()` unbinds cleanly.
 */
export class EsmeSession extends EventEmitter {
  private readonly timing: EsmeTiming;
  /** The wall clock: every duration here is also a real timer, so an injected clock could not move them. */
  private readonly clock: Clock = systemClock;
  private readonly slots: BindSlot[];
  private readonly queue: QueuedSubmit[] = [];
  private readonly bucket: TokenBucket;
  private readonly reassembler: ConcatReassembler;
  private readonly recentSends: number[] = [];
  private drainWaiters: Array<() => void> = [];
  private housekeeping: NodeJS.Timeout | null = null;
  private pumpTimer: NodeJS.Timeout | null = null;
  private downSince: number;
  private allowedTps: number | null = null;
  private lastThrottleCutAt = Number.NEGATIVE_INFINITY;
  private lastRaiseAt = Number.NEGATIVE_INFINITY;
  private started = false;
  private closing = false;
  private readonly counters = { throttled: 0, reconnects: 0, deadPeers: 0, responseTimeouts: 0 };

  readonly handlers: ConnectionHandlers = {
    onRequest: (connection, pdu) => this.onRequest(connection, pdu),
    onClose: (connection, reason) => {
      if (reason.startsWith('dead peer')) {
        this.counters.deadPeers++;
        this.deps.metrics?.smppEvents.inc({ provider: this.deps.providerName, event: 'dead_peer' });
      }
      this.slots.find((slot) => slot.connection === connection)?.onClosed(connection, reason);
    },
    onResponseTimeout: (connection) => {
      this.counters.responseTimeouts++;
      this.deps.metrics?.smppEvents.inc({ provider: this.deps.providerName, event: 'response_timeout' });
      // Every slot of the window is held by a submit the SMSC never answered: nothing can move on this connection.
      if (connection.outstandingSubmits >= this.options.window && connection.allOutstandingExpired)
        connection.destroy('window stuck on unanswered submits');
      this.pump();
    },
  };

  constructor(
    private readonly options: EsmeSessionOptions,
    private readonly deps: EsmeSessionDeps,
  ) {
    super();
    if (!Number.isInteger(options.window) || options.window < 1) throw new RangeError('window must be a positive integer');
    if (!(options.tps >= 0)) throw new RangeError('tps must be 0 (no limit) or more');
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.downSince = this.clock.now();
    this.bucket = new TokenBucket(this.clock);
    this.bucket.setRate(options.tps);
    this.reassembler = new ConcatReassembler({ timeoutMs: this.timing.reassemblyTimeoutMs, clock: this.clock });
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
      allowedTps: this.allowedTps,
      ...this.counters,
    };
  }

  /** Sends one submit_sm. Rejects with a ProviderError classified by the error table. */
  submit(request: SubmitRequest): Promise<SubmitResult> {
    if (this.closing || !this.started) return Promise.reject(failure(LOCAL_FAILURE.closing, 'SMPP session is not running'));
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
      return Promise.reject(new ProviderError(`submit_sm cannot be encoded: ${(error as Error).message}`, false, 'invalid_message'));
    }
    if (!this.transmitter()?.bound && this.queue.length >= this.options.window) {
      return Promise.reject(failure(LOCAL_FAILURE.sessionDown, 'SMPP transmitter is not bound and the wait queue is full'));
    }
    return new Promise<SubmitResult>((resolve, reject) => {
      const now = this.clock.now();
      this.queue.push({ frame, enqueuedAt: now, notBefore: now, resolve, reject });
      this.pump();
    });
  }

  /** Waits for outstanding submits (briefly), unbinds every connection and stops reconnecting. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.housekeeping) clearInterval(this.housekeeping);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    for (const queued of this.queue.splice(0)) queued.reject(failure(LOCAL_FAILURE.closing, 'SMPP session closing'));
    if (this.outstanding() > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.timing.unbindTimeoutMs);
        this.drainWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
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
      this.counters.reconnects++;
      this.deps.metrics?.smppEvents.inc({ provider: this.deps.providerName, event: 'reconnect' });
      this.emit('reconnecting', slot.role);
    }
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
      .request(queued.frame, this.timing.responseTimeoutMs, 'submit_sm')
      .then(
        (response) => this.onSubmitResponse(queued, response),
        (error: ProviderError) => queued.reject(error),
      )
      .finally(() => {
        if (this.outstanding() === 0) for (const waiter of this.drainWaiters.splice(0)) waiter();
        this.pump();
      });
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
    }
    queued.reject(failure(classified, `SMSC answered submit_sm with ${commandStatusName(status)}`));
  }

  /** Halves the allowed rate, at most once per throttle retry period (one storm is one cut). */
  private slowDown(): void {
    const now = this.clock.now();
    this.counters.throttled++;
    this.deps.metrics?.smppEvents.inc({ provider: this.deps.providerName, event: 'throttled' });
    if (now - this.lastThrottleCutAt < this.timing.throttleRetryMs) return;
    const current = this.allowedTps ?? (this.options.tps > 0 ? this.options.tps : Math.max(1, this.sendsInLastSecond()));
    const halved = Math.max(this.timing.throttleFloorTps, current / 2);
    const cut = this.options.tps > 0 ? Math.min(halved, this.options.tps) : halved;
    this.lastThrottleCutAt = now;
    this.lastRaiseAt = now;
    if (cut === this.allowedTps) return;
    this.allowedTps = cut;
    this.bucket.setRate(this.allowedTps);
    this.deps.logger.warn({ allowedTps: this.allowedTps }, 'SMSC throttling: sending slower');
    this.emit('throttled', this.allowedTps);
  }

  private recover(now: number): void {
    if (this.allowedTps === null || now - this.lastRaiseAt < this.timing.throttleRecoveryMs) return;
    this.lastRaiseAt = now;
    const raised = this.allowedTps * 1.5;
    const ceiling = this.options.tps > 0 ? this.options.tps : UNLIMITED_RECOVERY_TPS;
    this.allowedTps = raised >= ceiling ? null : raised;
    this.bucket.setRate(this.allowedTps ?? this.options.tps);
    if (this.allowedTps === null) {
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
    this.recover(now);
    const downTooLong = now - this.downSince > this.timing.downLimitMs;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const queued = this.queue[i]!;
      if (downTooLong)
        queued.reject(failure(LOCAL_FAILURE.sessionDown, `SMPP transmitter down for more than ${this.timing.downLimitMs} ms`));
      else if (now - queued.enqueuedAt > this.timing.submitDeadlineMs)
        queued.reject(failure(LOCAL_FAILURE.queueTimeout, `submit_sm not sent within ${this.timing.submitDeadlineMs} ms`));
      else continue;
      this.queue.splice(i, 1);
    }
    for (const group of this.reassembler.evictExpired()) {
      this.deps.logger.warn({ from: group.from, received: group.received, total: group.total }, 'incomplete concatenated MO dropped');
    }
    this.setGauges();
  }

  private setGauges(): void {
    const metrics = this.deps.metrics;
    if (!metrics) return;
    metrics.smppBound.set({ provider: this.deps.providerName }, this.slots.filter((slot) => slot.bound).length);
    metrics.smppWindowInUse.set({ provider: this.deps.providerName }, this.outstanding());
  }

  // ── what the SMSC sends ──

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
        void this.onDeliver(connection, pdu);
        return;
      default:
        connection.respond({ command: 'generic_nack', commandStatus: STATUS.ESME_RINVCMDID, sequenceNumber: pdu.sequenceNumber });
    }
  }

  private async onDeliver(connection: SmppConnection, pdu: ShortMessagePdu): Promise<void> {
    let status: number = STATUS.ESME_ROK;
    try {
      await this.withHandlerTimeout(this.handleDeliver(pdu));
    } catch (error) {
      status = STATUS.ESME_RX_T_APPN;
      this.deps.logger.error(
        { err: (error as Error).message, from: pdu.source.addr },
        'deliver_sm handler failed: answered ESME_RX_T_APPN so the SMSC delivers it again',
      );
    } finally {
      connection.respond({ command: 'deliver_sm_resp', commandStatus: status, sequenceNumber: pdu.sequenceNumber, messageId: '' });
    }
  }

  private async withHandlerTimeout(work: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`handler took more than ${this.timing.deliverHandlerTimeoutMs} ms`)),
        this.timing.deliverHandlerTimeoutMs,
      );
    });
    try {
      await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async handleDeliver(pdu: ShortMessagePdu): Promise<void> {
    if (isReceipt(pdu.esmClass)) {
      const receipt = parseDeliveryReceipt(pdu, {
        provider: this.deps.providerName,
        ...(this.deps.receiptUtcOffsetMinutes === undefined ? {} : { utcOffsetMinutes: this.deps.receiptUtcOffsetMinutes }),
      });
      if (!receipt) {
        this.deps.logger.warn(
          { text: messageOctets(pdu).toString('latin1').slice(0, 200) },
          'delivery receipt without id or status: dropped',
        );
        return;
      }
      await this.deps.sink.receipt(receipt);
      return;
    }
    const { payload, concat: udhConcat } = parseUserData(messageOctets(pdu), pdu.esmClass);
    const concat = udhConcat ?? sarConcat(pdu);
    const receivedAt = (this.deps.clock ?? systemClock).now();
    if (concat === null) {
      await this.deps.sink.inbound({
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
    await this.deps.sink.inbound({
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
