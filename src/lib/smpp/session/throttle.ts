/**
 * The sender's rate: a token bucket, and the additive-increase / multiplicative-decrease controller that
 * sets it when the SMSC throttles (ESME_RTHROTTLED, ESME_RMSGQFUL) and recovers when it stops.
 */
import type { SmppClock } from '../types.js';

/** Token bucket with a burst of a tenth of a second (at least one token); rate null = unlimited. */
export class TokenBucket {
  private tokens = 1;
  private last: number;
  private rate: number | null = null;

  constructor(private readonly clock: SmppClock) {
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

/** Without a configured limit, a rate that has recovered to this after throttling is lifted altogether. */
export const UNLIMITED_RECOVERY_TPS = 1000;

export interface AimdOptions {
  /** The account's TPS: the ceiling of recovery; 0 = no configured limit. */
  readonly accountTps: number;
  /** Never below this (kept above 1 TPS). */
  readonly floorTps: number;
  /** One storm is one cut: throttles closer together than this cut once. */
  readonly cutEveryMs: number;
  /** The rate rises by one step this often while no throttle comes. */
  readonly raiseEveryMs: number;
}

/**
 * AIMD: a throttle halves the allowed rate (once per period, not below the floor); every period adds a
 * step of a tenth of the ceiling (at least 1 TPS) until the ceiling, where the limit returns to the account's TPS.
 */
export class AimdRate {
  /** Null: no throttle in force, the account's TPS (or none) applies. */
  allowedTps: number | null = null;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  private lastRaiseAt = Number.NEGATIVE_INFINITY;
  private readonly floor: number;

  constructor(
    private readonly options: AimdOptions,
    private readonly clock: SmppClock,
  ) {
    this.floor = Math.max(1.01, options.floorTps);
  }

  get ceiling(): number {
    return this.options.accountTps > 0 ? this.options.accountTps : UNLIMITED_RECOVERY_TPS;
  }

  /** A throttle answer. Returns the new allowed rate, or null when this storm was already cut for. */
  onThrottle(currentRate: number): number | null {
    const now = this.clock.now();
    if (now - this.lastCutAt < this.options.cutEveryMs) return null;
    this.lastCutAt = now;
    // The additive steps run on their own period from the first cut: under a steady storm the rate
    // settles where halving and adding balance (twice the step) instead of sinking to the floor.
    if (this.allowedTps === null) this.lastRaiseAt = now;
    const current = this.allowedTps ?? (this.options.accountTps > 0 ? this.options.accountTps : Math.max(this.floor, currentRate));
    const cut = Math.min(this.ceiling, Math.max(this.floor, current / 2));
    if (cut === this.allowedTps) return null;
    this.allowedTps = cut;
    return cut;
  }

  /** Called periodically. Returns 'raised', 'recovered' (back to the account's TPS) or null. */
  tick(): 'raised' | 'recovered' | null {
    const now = this.clock.now();
    if (this.allowedTps === null || now - this.lastRaiseAt < this.options.raiseEveryMs) return null;
    this.lastRaiseAt = now;
    const step = Math.max(1, this.ceiling / 10);
    const raised = this.allowedTps + step;
    if (raised >= this.ceiling) {
      this.allowedTps = null;
      return 'recovered';
    }
    this.allowedTps = raised;
    return 'raised';
  }
}
