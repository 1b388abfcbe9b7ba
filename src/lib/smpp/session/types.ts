/** The ESME session's options, timings, requests and results. */
import type { Logger } from 'pino';
import type { SmppFailure } from '../error-table.js';
import type { Address } from '../pdu.js';
import { type SmppClock, SmppError, type SmppSessionObserver, type SmppSink } from '../types.js';

export type BindStyle = 'transceiver' | 'tx_rx';
export type BindRole = 'transceiver' | 'transmitter' | 'receiver';

export interface EsmeTiming {
  /** An idle connection (nothing received) sends enquire_link this often. */
  readonly enquireLinkMs: number;
  /** No enquire_link_resp within this: the peer is dead, the connection is dropped and made again. */
  readonly enquireLinkTimeoutMs: number;
  /**
   * A bind or unbind not answered within this fails retryably. A submit_sm not answered within this
   * (widened adaptively while the SMSC proves slow) makes the session check the link with enquire_link.
   */
  readonly responseTimeoutMs: number;
  /**
   * The longest a submit_sm already on the wire is waited for. Past it the connection is replaced and
   * the submit fails retryably: it is sent again only on the new bind.
   */
  readonly maxResponseWaitMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  /** 0..1: the share of each reconnect delay that is random (0.5 → between 50 % and 100 % of it). */
  readonly reconnectJitter: number;
  /** Queued sends fail retryably (not as an attempt) once the transmitter has been down this long. */
  readonly downLimitMs: number;
  /** A send not yet on the wire this long after it was asked for (throttle retries included) fails retryably, not as an attempt. */
  readonly submitDeadlineMs: number;
  /** A throttled submit_sm is sent again after this. */
  readonly throttleRetryMs: number;
  /** After a throttle, the allowed rate grows additively every this long without another one. */
  readonly throttleRecoveryMs: number;
  /** Throttling never slows the sender below this many submit_sm per second (above 1). */
  readonly throttleFloorTps: number;
  readonly unbindTimeoutMs: number;
  /** Parts of a concatenated MO still incomplete after this are dropped. */
  readonly reassemblyTimeoutMs: number;
  /** A sink call that takes longer is answered ESME_RX_T_APPN (the SMSC redelivers). */
  readonly deliverHandlerTimeoutMs: number;
  /** How often queued sends are checked against their limits. */
  readonly housekeepingMs: number;
}

/**
 * Defaults sized for a real SMSC. The dispatcher's own send timeout (half the lease, 30 s) must exceed
 * submitDeadlineMs + maxResponseWaitMs, so that a submit the SMSC may still answer is never re-sent by it.
 */
export const DEFAULT_TIMING: EsmeTiming = {
  enquireLinkMs: 30_000,
  enquireLinkTimeoutMs: 5_000,
  responseTimeoutMs: 10_000,
  maxResponseWaitMs: 19_000,
  connectTimeoutMs: 10_000,
  reconnectInitialMs: 1_000,
  reconnectMaxMs: 60_000,
  reconnectJitter: 0.5,
  downLimitMs: 10_000,
  submitDeadlineMs: 10_000,
  throttleRetryMs: 1_000,
  throttleRecoveryMs: 1_000,
  throttleFloorTps: 2,
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
  /** Most submit_sm per second on the transmitter (the account's TPS); 0 = no limit. */
  readonly tps: number;
  readonly timing?: Partial<EsmeTiming>;
}

export interface EsmeSessionDeps {
  /** The provider name receipts are reported under. */
  readonly providerName: string;
  readonly sink: SmppSink;
  /** Numbers are masked in what the session logs (first 3 and last 2 digits). */
  readonly logger: Logger;
  readonly observer?: SmppSessionObserver;
  /** Stamps SmppInboundMo.receivedAt (the application's clock); timers and rates always run on the wall clock. */
  readonly clock?: SmppClock;
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

/** What query_sm_resp said about one message. */
export interface QueryResult {
  /** message_state as sent (1 ENROUTE … 8 REJECTED; see MESSAGE_STATE), and its name (null if undefined by SMPP 3.4). */
  readonly messageState: number;
  readonly stateName: string | null;
  /** final_date as sent ('' while not final). */
  readonly finalDate: string;
  /** The network error code, 0 when none. */
  readonly errorCode: number;
}

export interface EsmeStats {
  readonly bound: Readonly<Record<string, boolean>>;
  readonly outstanding: number;
  readonly queued: number;
  /** The rate the sender holds itself to after throttling; null = the configured limit (or none). */
  readonly allowedTps: number | null;
  /** The current (adaptive) submit_sm response timeout. */
  readonly responseTimeoutMs: number;
  readonly throttled: number;
  readonly reconnects: number;
  readonly deadPeers: number;
  readonly responseTimeouts: number;
  /** Response timeouts after which enquire_link answered: the SMSC was slow, not dead. */
  readonly slowSmsc: number;
  /** Connections dropped and bound again because submits stayed unanswered. */
  readonly bindsReplaced: number;
}

/** A retryable or permanent SmppError from the error table. `attempted` false: the submit never left. */
export const failure = (f: SmppFailure, message: string, attempted = true) => new SmppError(message, f.retryable, f.reason, attempted);
