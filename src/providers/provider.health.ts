import type { SendResult } from './provider.js';
import type { Channel } from '../platform/config/provider-file.js';
import type { Carrier } from '../lib/phone/phone.js';

/**
 * How health moves. Each member has a score of 0–100 scaling its weight: errors and slowness take steps
 * off, good behaviour puts them back (GOV.UK Notify's provider switching, applied to weights).
 */
export interface HealthPolicy {
  /** Taken off per counted error (retryable, timeout, or a permanent one in `providerFaults`). */
  readonly errorStep: number;
  /** Taken off per `intervalMs` while the latency average is above `slowMs`. */
  readonly slowStep: number;
  /** Given back per `intervalMs` without a penalty, and per `recoverAfter` successes in a row. */
  readonly recoverStep: number;
  readonly recoverAfter: number;
  readonly intervalMs: number;
  readonly slowMs: number;
  /** Slowness is judged only on at least this many sends since the last judgement. */
  readonly slowMinSamples: number;
  /** Smoothing of the latency average (weight of the newest send). */
  readonly latencyAlpha: number;
  /** How many recent sends the error rate is taken over. */
  readonly errorWindow: number;
  /** Permanent reasons that are the provider's fault (credentials, account); any other permanent error
   *  is about the message itself (invalid destination) and does not count against the provider. */
  readonly providerFaults: readonly string[];
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = {
  errorStep: 20,
  slowStep: 10,
  recoverStep: 10,
  recoverAfter: 10,
  intervalMs: 60_000,
  slowMs: 3_000,
  slowMinSamples: 5,
  latencyAlpha: 0.3,
  errorWindow: 50,
  // Zalo: our app refused or its token refused for good — the provider's side, not the message's.
  providerFaults: ['provider_auth', 'zalo_app_invalid', 'zalo_token_failed'],
};

export interface ProviderHealth {
  readonly name: string;
  readonly channel: Channel;
  readonly priority: number;
  readonly weight: number;
  readonly effectiveWeight: number;
  /** 0–100: the part of `weight` the provider keeps after errors and slowness. */
  readonly score: number;
  readonly healthy: boolean;
  /** Moving average of send latency; null before the first send. */
  readonly latencyMs: number | null;
  /** Counted errors among the last `errorWindow` sends (message-level permanent errors excluded). */
  readonly errorRate: number;
  readonly recentSends: number;
  readonly lastErrorReason: string | null;
  readonly lastErrorAt: number | null;
  readonly tps: number | null;
  readonly carriers: readonly Carrier[] | null;
}

export type Bucket = 'down' | 'degraded' | 'reduced' | 'full';

export function bucketOf(score: number): Bucket {
  if (score <= 0) return 'down';
  if (score < 50) return 'degraded';
  if (score < 100) return 'reduced';
  return 'full';
}

/** The health policy applied: the defaults with the deployment's overrides. */
export class HealthRules {
  readonly policy: HealthPolicy;
  private readonly faults: ReadonlySet<string>;

  constructor(overrides: Partial<HealthPolicy> = {}) {
    this.policy = { ...DEFAULT_HEALTH_POLICY, ...overrides };
    this.faults = new Set(this.policy.providerFaults);
  }

  /** Whether an outcome counts against the provider (a message-level permanent error does not). */
  counts(result: SendResult, reason: string | null): boolean {
    return result === 'retryable' || (result === 'permanent' && reason !== null && this.faults.has(reason));
  }
}

/** Called when a member's score moves, with the score before and what moved it. */
export type ScoreChange = (before: number, cause: string) => void;

/**
 * One provider's health: its score, latency average and recent errors, moved by its sends and by time.
 * Knows nothing of picking; the pool reads `score` and is told of each change.
 */
export class MemberHealth {
  score = 100;
  latencyMs: number | null = null;
  /** Start of the current run without a penalty or slow send (time-based recovery counts whole intervals from it). */
  private goodSince: number;
  private goodStreak = 0;
  private lastSlowCheckAt: number;
  private samplesSinceCheck = 0;
  /** Ring of recent sends, 1 = counted error. */
  private readonly outcomes: Uint8Array;
  private outcomeCount = 0;
  lastErrorReason: string | null = null;
  lastErrorAt: number | null = null;

  constructor(
    private readonly rules: HealthRules,
    now: number,
    private readonly changed: ScoreChange,
  ) {
    this.goodSince = now;
    this.lastSlowCheckAt = now;
    this.outcomes = new Uint8Array(rules.policy.errorWindow);
  }

  get recentSends(): number {
    return Math.min(this.outcomeCount, this.outcomes.length);
  }

  get errorRate(): number {
    const n = this.recentSends;
    return n === 0 ? 0 : this.outcomes.subarray(0, n).reduce((sum, e) => sum + e, 0) / n;
  }

  /** One settled send. */
  report(result: SendResult, latencyMs: number, reason: string | null, now: number): void {
    const policy = this.rules.policy;
    this.latencyMs = this.latencyMs === null ? latencyMs : this.latencyMs + policy.latencyAlpha * (latencyMs - this.latencyMs);
    this.samplesSinceCheck++;
    // Sends while the average is slow are not good behaviour: the quiet-interval credit starts again.
    if (this.latencyMs > policy.slowMs) this.goodSince = now;
    this.recover(now);
    if (this.rules.counts(result, reason)) {
      this.recordOutcome(true);
      this.lastErrorReason = reason ?? result;
      this.lastErrorAt = now;
      this.penalise(policy.errorStep, `${result}:${reason ?? 'unknown'}`, now);
    } else if (result === 'ok') {
      this.recordOutcome(false);
      if (this.latencyMs <= policy.slowMs && ++this.goodStreak >= policy.recoverAfter) {
        this.goodStreak = 0;
        this.setScore(this.score + policy.recoverStep, 'good sends');
      }
    }
    if (now - this.lastSlowCheckAt >= policy.intervalMs && this.samplesSinceCheck >= policy.slowMinSamples) {
      this.lastSlowCheckAt = now;
      this.samplesSinceCheck = 0;
      if (this.latencyMs > policy.slowMs) this.penalise(policy.slowStep, 'slow', now);
    }
  }

  /** Time-based drift back up: whole intervals since the last penalty or slow send. */
  recover(now: number): void {
    const { intervalMs, recoverStep } = this.rules.policy;
    const intervals = Math.floor((now - this.goodSince) / intervalMs);
    if (intervals <= 0) return;
    this.goodSince += intervals * intervalMs;
    if (this.score < 100) this.setScore(this.score + intervals * recoverStep, 'good interval');
  }

  private recordOutcome(error: boolean): void {
    this.outcomes[this.outcomeCount % this.outcomes.length] = error ? 1 : 0;
    this.outcomeCount++;
  }

  private penalise(step: number, cause: string, now: number): void {
    this.goodSince = now;
    this.goodStreak = 0;
    this.setScore(this.score - step, cause);
  }

  private setScore(score: number, cause: string): void {
    const before = this.score;
    this.score = Math.min(100, Math.max(0, score));
    if (this.score !== before) this.changed(before, cause);
  }
}
