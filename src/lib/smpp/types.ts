/**
 * What the SMPP library hands out and takes in, defined here so that lib/ imports nothing from the
 * product. The provider adapter maps these onto its own types (they are shaped alike on purpose).
 */

/** Where "now" comes from. */
export interface SmppClock {
  now(): number;
}

export const wallClock: SmppClock = { now: () => Date.now() };

/** A delivery receipt read from a deliver_sm. `delivered` and `failed` are final; `sent` is intermediate. */
export interface SmppDeliveryReceipt {
  readonly provider: string;
  readonly providerMessageId: string;
  readonly status: 'delivered' | 'failed' | 'sent';
  readonly providerStatus: string;
  readonly errorCode: string | null;
  /** Epoch ms, or null when the receipt does not say. */
  readonly at: number | null;
}

/** A mobile-originated message (reassembled when it came in parts). */
export interface SmppInboundMo {
  readonly from: string;
  /** The source address's SMPP TON and NPI, so a reply goes back exactly as it came. */
  readonly fromTon: number;
  readonly fromNpi: number;
  readonly to: string;
  readonly text: string;
  readonly gatewayMessageId: string | null;
  readonly receivedAt: number;
}

/** Where the session hands what the SMSC sends unasked. */
export interface SmppSink {
  receipt(receipt: SmppDeliveryReceipt): Promise<void>;
  inbound(mo: SmppInboundMo): Promise<void>;
}

/** Told of the session's events and gauges (the product turns them into metrics). */
export interface SmppSessionObserver {
  /** throttled, reconnect, dead_peer, response_timeout, link_check, slow_smsc */
  event(name: string): void;
  gauges(bound: number, windowInUse: number): void;
}

/**
 * A failed SMPP operation: `retryable` says whether trying again may help, `reason` is a stable word
 * (response_timeout, session_down, queue_timeout, invalid_destination, …).
 * `attempted` is false when the submit_sm never reached the wire (local queue timeout, session down):
 * such a failure is not an attempt at the SMSC.
 */
export class SmppError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly reason: string,
    readonly attempted: boolean = true,
  ) {
    super(message);
    this.name = 'SmppError';
  }
}

/** A phone number for the logs: the first 3 and the last 2 digits, the rest starred. */
export function maskNumber(value: string): string {
  if (value.length <= 5) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 5)}${value.slice(-2)}`;
}
