import type { Logger } from 'pino';
import type { Metrics } from '../platform/metrics.js';
import type { Channel } from '../platform/config/provider-file.js';

export interface OutgoingMessage {
  readonly id: number;
  readonly kind: string;
  readonly channel: Channel;
  readonly to: string;
  /** SMPP type of number and numbering plan of `to` when it is an MO's source address, kept as the
   *  SMSC gave it (a reply goes back exactly there); absent: a number we address ourselves. */
  readonly toTon?: number | null;
  readonly toNpi?: number | null;
  readonly from: string;
  readonly body: string;
  readonly encoding: 'gsm7' | 'ucs2' | 'text';
  readonly segments: number;
  readonly carrier: string | null;
}

export interface SendOutcome {
  /** `delivered` when the provider already knows (sandbox); `sent` when a receipt will follow. */
  readonly status: 'sent' | 'delivered';
  /** The provider's id of the message (of its first part when it was split). */
  readonly providerMessageId: string | null;
  /** Every part's id when the provider split the text and answered each part with its own id
   *  (SMPP concatenation); receipts arrive per part. Absent = one id for the whole message. */
  readonly partIds?: readonly string[];
}

/** A delivery report, whichever way it arrived (SMPP deliver_sm, HTTP callback, Kannel dlr-url). */
export interface DeliveryReceipt {
  /** The configured name of the provider that sent the message. */
  readonly provider: string;
  /** The provider's message id exactly as the receipt carries it (matching tries hex/decimal forms). */
  readonly providerMessageId: string;
  /** `delivered` and `failed` are final; `sent` is an intermediate report (ENROUTE, ACCEPTD, buffered). */
  readonly status: 'delivered' | 'failed' | 'sent';
  /** The provider's own status word or code (DELIVRD, UNDELIV, 2, …) and error code, for the record. */
  readonly providerStatus: string;
  readonly errorCode: string | null;
  /** When the handset got it (or the SMSC gave up), epoch ms; null when the receipt does not say. */
  readonly at: number | null;
}

/**
 * What a provider said when asked about one message (SMPP query_sm, an aggregator's status API).
 * `pending`: not final yet, or the provider does not know (ENROUTE, ACCEPTED, UNKNOWN).
 */
export interface ProviderQueryAnswer {
  readonly status: 'delivered' | 'failed' | 'pending';
  /** The provider's own word (DELIVERED, UNDELIVERABLE, …), for the record and the failure reason. */
  readonly providerStatus: string;
  readonly errorCode: string | null;
}

/** A mobile-originated message handed in by a provider's session (SMPP deliver_sm, reassembled). */
export interface InboundMo {
  readonly from: string;
  /** The source address's SMPP type of number and numbering plan, when the MO came over SMPP. */
  readonly fromTon?: number;
  readonly fromNpi?: number;
  readonly to: string;
  readonly text: string;
  /** The gateway's own id, so a re-delivered MO is answered once. */
  readonly gatewayMessageId: string | null;
  readonly receivedAt: number;
}

/** Where provider sessions hand what arrives unasked. Both must not throw for bad data (log and drop). */
export interface ProviderSink {
  receipt(receipt: DeliveryReceipt): Promise<void>;
  inbound(mo: InboundMo): Promise<void>;
}

/**
 * Retryable errors are tried again with backoff; permanent ones fail the message at once with `reason`.
 * `attempted` false: the message never reached the provider (a local queue timeout, a session down or
 * closing, a throttle refusal), so the try does not count toward the attempt limit.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly reason: string,
    readonly attempted: boolean = true,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export type SendResult = 'ok' | 'retryable' | 'permanent';

/** Told of every send once it settles; `reason` is the ProviderError's reason, null when it succeeded. */
export type SendObserver = (result: SendResult, latencyMs: number, reason: string | null) => void;

/** The base does timing, logging, metrics and the outcome; an adapter implements only `deliver`. */
export abstract class Provider {
  abstract readonly name: string;
  abstract readonly channel: Channel;
  private observer: SendObserver | null = null;

  constructor(
    protected readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  protected abstract deliver(message: OutgoingMessage): Promise<SendOutcome>;

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    const started = performance.now();
    try {
      const outcome = await this.deliver(message);
      this.record(message, 'ok', null, started);
      return outcome;
    } catch (error) {
      const providerError =
        error instanceof ProviderError ? error : new ProviderError((error as Error).message ?? String(error), true, 'provider_error');
      this.record(message, providerError.retryable ? 'retryable' : 'permanent', providerError.reason, started);
      this.logger.warn(
        {
          provider: this.name,
          notificationId: message.id,
          retryable: providerError.retryable,
          reason: providerError.reason,
          err: providerError.message,
        },
        'send failed',
      );
      throw providerError;
    }
  }

  /** Why this provider's credentials were refused for good (read from the database: any process may have
   *  found out), or null: fine, or nothing of the kind to refuse. The health alert of /cai-dat. */
  credentialsRefused(): Promise<string | null> {
    return Promise.resolve(null);
  }

  /** One observer (the provider pool's health tracking); null detaches it. */
  setObserver(observer: SendObserver | null): void {
    this.observer = observer;
  }

  private record(message: OutgoingMessage, outcome: SendResult, reason: string | null, started: number): void {
    const seconds = (performance.now() - started) / 1000;
    this.metrics.providerSends.inc({ provider: this.name, outcome });
    this.metrics.providerLatency.observe({ provider: this.name }, seconds);
    this.logger.debug({ provider: this.name, notificationId: message.id, outcome, ms: Math.round(seconds * 1000) }, 'provider send');
    try {
      this.observer?.(outcome, seconds * 1000, reason);
    } catch (error) {
      // Inside send's try: a throwing observer must not turn a delivered message into a failed one.
      this.logger.error({ provider: this.name, err: error }, 'send observer failed');
    }
  }

  /** True when `query` can ask the provider about a sent message; the default cannot. */
  get canQuery(): boolean {
    return false;
  }

  /**
   * Asks the provider what became of a message it accepted (`message`: its kind and the sender it was sent with).
   * Null when it cannot be asked or did not say; may throw a ProviderError (no bind, no answer).
   */
  async query(_providerMessageId: string, _message: Pick<OutgoingMessage, 'kind' | 'from'>): Promise<ProviderQueryAnswer | null> {
    return null;
  }

  /** Opens long-lived connections (SMPP binds); the default has none. */
  start(): void {}

  /** False while a provider that keeps a connection (an SMPP bind) has none up; readiness reads it. */
  get bound(): boolean {
    return true;
  }

  /** How many sends it takes in flight at once (an SMPP window), or null when it sets no such limit. */
  get inFlightLimit(): number | null {
    return null;
  }

  /** The longest close() may take (an SMPP session waits for the answers still due); 0 for most. */
  get closeTimeoutMs(): number {
    return 0;
  }

  async close(): Promise<void> {}
}
