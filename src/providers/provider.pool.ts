import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import { ConfigError } from '../platform/config/config.js';
import type { Metrics } from '../platform/metrics.js';
import type { Channel } from '../platform/config/provider-file.js';
import type { Carrier } from '../lib/phone/phone.js';
import type { Provider, SendResult } from './provider.js';
import type { ProviderPick, ProviderRoute, ProviderRouter } from './provider.router.js';
import { bucketOf, HealthRules, MemberHealth, type HealthPolicy, type ProviderHealth, type ScoreChange } from './provider.health.js';

export interface PoolMember {
  readonly provider: Provider;
  readonly channel: Channel;
  /** Lower first: the next priority takes traffic only while every member of this one is down to 0. */
  readonly priority: number;
  /** Share of traffic among the healthy members of the same priority. */
  readonly weight: number;
  /** Only messages for these carriers (a direct connection to one network); absent = every carrier. */
  readonly carriers?: readonly Carrier[];
  /** Sends per second; 0 or absent = unlimited. */
  readonly tps?: number;
}

export interface PoolOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** [0, 1), as Math.random; tests pass a seeded one. */
  readonly random?: () => number;
  readonly policy?: Partial<HealthPolicy>;
}

class MemberState {
  readonly name: string;
  readonly carriers: ReadonlySet<string> | null;
  readonly tps: number;
  readonly health: MemberHealth;
  tokens: number;
  refilledAt: number;

  constructor(
    readonly member: PoolMember,
    now: number,
    rules: HealthRules,
    changed: ScoreChange,
  ) {
    this.name = member.provider.name;
    this.carriers = member.carriers ? new Set(member.carriers) : null;
    this.tps = member.tps ?? 0;
    this.health = new MemberHealth(rules, now, changed);
    this.tokens = this.capacity;
    this.refilledAt = now;
  }

  get capacity(): number {
    return Math.max(1, this.tps);
  }

  get effectiveWeight(): number {
    return (this.member.weight * this.health.score) / 100;
  }

  get limited(): boolean {
    return this.tps > 0 && this.tokens < 1;
  }

  get waitMs(): number {
    return this.limited ? Math.ceil(((1 - this.tokens) * 1000) / this.tps) : 0;
  }

  refill(now: number): void {
    if (this.tps === 0) return;
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, now - this.refilledAt) * this.tps) / 1000);
    this.refilledAt = now;
  }
}

/**
 * Chooses a provider per message among several per channel: by carrier, then priority, then weight scaled
 * by health, skipping members at their rate limit. Health comes from `report`, which every member's
 * `send` calls through its observer. Rate limits and health are per process.
 */
export class ProviderPool implements ProviderRouter {
  private readonly members: MemberState[];
  private readonly byProvider = new Map<Provider, MemberState>();
  private readonly rules: HealthRules;
  private readonly random: () => number;
  /** Which priority each distinct set of eligible members is routed to, to log failover once. */
  private readonly routes = new Map<string, { priority: number; allDown: boolean }>();
  private closing: Promise<void> | null = null;
  private started = false;

  constructor(
    members: readonly PoolMember[],
    private readonly options: PoolOptions,
  ) {
    this.rules = new HealthRules(options.policy);
    this.random = options.random ?? Math.random;
    const now = options.clock.now();
    // Names label the metrics and the message rows, so they must be unique per channel (the sandbox serves both).
    const names = new Set<string>();
    this.members = members.map((member) => {
      const { provider } = member;
      const where = `provider ${provider.name}`;
      const key = `${member.channel}:${provider.name}`;
      if (names.has(key) || this.byProvider.has(provider)) throw new ConfigError(`${where} is listed twice for ${member.channel}`);
      if (member.channel !== provider.channel) throw new ConfigError(`${where} sends ${provider.channel}, not ${member.channel}`);
      if (!Number.isFinite(member.priority)) throw new ConfigError(`${where}: priority must be a number`);
      if (!(member.weight > 0 && Number.isFinite(member.weight))) throw new ConfigError(`${where}: weight must be positive`);
      if (member.tps !== undefined && !(member.tps >= 0 && Number.isFinite(member.tps)))
        throw new ConfigError(`${where}: tps must be 0 or more`);
      if (member.carriers?.length === 0)
        throw new ConfigError(`${where}: an empty carrier list would never be used; omit it for every carrier`);
      const state: MemberState = new MemberState(member, now, this.rules, (before, cause) => this.scoreChanged(state, before, cause));
      names.add(key);
      this.byProvider.set(provider, state);
      return state;
    });
    for (const m of this.members) {
      const { provider } = m.member;
      provider.setObserver((result, latencyMs, reason) => this.report(provider, result, latencyMs, reason));
      this.publish(m);
    }
  }

  pick(message: ProviderRoute): ProviderPick | null {
    const now = this.options.clock.now();
    const eligible = this.members.filter(
      (m) => m.member.channel === message.channel && (m.carriers === null || (message.carrier !== null && m.carriers.has(message.carrier))),
    );
    if (eligible.length === 0) return null;
    for (const m of eligible) {
      m.health.recover(now);
      m.refill(now);
    }
    const healthy = eligible.filter((m) => m.health.score > 0);
    const allDown = healthy.length === 0;
    const tiers = byPriority(allDown ? eligible : healthy);
    const first = tiers[0]!;
    this.follow(message, eligible, first[0]!.member.priority, allDown);

    // With every member at 0 the configured weights decide, so the traffic still spreads as configured.
    const weightOf = allDown ? (m: MemberState) => m.member.weight : (m: MemberState) => m.effectiveWeight;
    const preferred = this.weighted(first, weightOf);
    if (!preferred.limited) return this.take(preferred);
    for (const tier of tiers) {
      const open = tier.filter((m) => !m.limited);
      if (open.length === 0) continue;
      const chosen = this.weighted(open, weightOf);
      this.options.metrics.providerSwitches.inc({
        channel: message.channel,
        from: preferred.name,
        to: chosen.name,
        reason: 'rate_limited',
      });
      this.options.logger.debug(
        { channel: message.channel, from: preferred.name, to: chosen.name, reason: 'rate_limited' },
        'provider skipped',
      );
      return this.take(chosen);
    }
    const soonest = tiers.flat().reduce((a, b) => (b.waitMs < a.waitMs ? b : a));
    this.options.logger.debug({ provider: soonest.name, waitMs: soonest.waitMs }, 'every provider at its rate limit');
    return { provider: soonest.member.provider, waitMs: soonest.waitMs };
  }

  report(provider: Provider, result: SendResult, latencyMs: number, reason: string | null = null): void {
    const m = this.byProvider.get(provider);
    if (!m) throw new Error(`provider ${provider.name} is not in this pool`);
    m.health.report(result, latencyMs, reason, this.options.clock.now());
  }

  /** Zalo providers whose refresh token Zalo refused for good (read from the database: any process may have
   *  found out): the health alert of /cai-dat. Everything goes by SMS meanwhile. */
  async zaloAlerts(): Promise<{ provider: string; reason: string }[]> {
    const alerts: { provider: string; reason: string }[] = [];
    for (const m of this.members) {
      const provider = m.member.provider;
      const reason = await provider.credentialsRefused();
      if (reason !== null) alerts.push({ provider: provider.name, reason });
    }
    return alerts;
  }

  health(): ProviderHealth[] {
    const now = this.options.clock.now();
    return this.members.map((m) => {
      m.health.recover(now);
      m.refill(now);
      return {
        name: m.name,
        channel: m.member.channel,
        priority: m.member.priority,
        weight: m.member.weight,
        effectiveWeight: m.effectiveWeight,
        score: m.health.score,
        healthy: m.health.score > 0,
        latencyMs: m.health.latencyMs,
        errorRate: m.health.errorRate,
        recentSends: m.health.recentSends,
        lastErrorReason: m.health.lastErrorReason,
        lastErrorAt: m.health.lastErrorAt,
        tps: m.tps > 0 ? m.tps : null,
        carriers: m.member.carriers ?? null,
      };
    });
  }

  /** The member named `name` on `channel` (the name a message row records), or null. */
  find(channel: string, name: string): Provider | null {
    return this.members.find((m) => m.member.channel === channel && m.name === name)?.member.provider ?? null;
  }

  /**
   * The in-flight limits (SMPP windows) of the providers that take a channel's traffic at once, for the
   * dispatcher's sizing: per channel, those of its first priority (the next ones stand by for failover).
   */
  inFlightLimits(): number[] {
    const first = new Map<Channel, number>();
    for (const { member } of this.members) first.set(member.channel, Math.min(first.get(member.channel) ?? Infinity, member.priority));
    return this.members.flatMap(({ member }) => {
      const limit = member.provider.inFlightLimit;
      return limit !== null && member.priority === first.get(member.channel) ? [limit] : [];
    });
  }

  /** Opens what providers keep open (SMPP binds), so receipts and MOs arrive before the first send. */
  start(): void {
    this.started = true;
    for (const m of this.members) m.member.provider.start();
  }

  /** For readiness: the providers started in this process that have no connection bound (SMPP), and the
   *  channels none of whose providers is bound. Nothing before `start()` (an API process opens no binds). */
  unbound(): { providers: string[]; channelsDown: string[] } {
    if (!this.started) return { providers: [], channelsDown: [] };
    const providers = this.members.filter((m) => !m.member.provider.bound).map((m) => m.name);
    const channels = new Set(this.members.map((m) => m.member.channel));
    const channelsDown = [...channels].filter((c) => this.members.every((m) => m.member.channel !== c || !m.member.provider.bound));
    return { providers, channelsDown };
  }

  /** The longest close() may take: the slowest member's. */
  get closeTimeoutMs(): number {
    return Math.max(0, ...this.members.map((m) => m.member.provider.closeTimeoutMs));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const m of this.members) m.member.provider.setObserver(null);
      const results = await Promise.allSettled(this.members.map((m) => m.member.provider.close()));
      const failure = results.find((r) => r.status === 'rejected');
      if (failure) throw failure.reason;
    })();
    return this.closing;
  }

  private take(m: MemberState): ProviderPick {
    if (m.tps > 0) m.tokens -= 1;
    this.options.metrics.providerSelected.inc({ provider: m.name, channel: m.member.channel });
    return { provider: m.member.provider, waitMs: 0 };
  }

  private weighted(members: readonly MemberState[], weightOf: (m: MemberState) => number): MemberState {
    const total = members.reduce((sum, m) => sum + weightOf(m), 0);
    let r = this.random() * total;
    for (const m of members) {
      r -= weightOf(m);
      if (r < 0) return m;
    }
    return members[members.length - 1]!;
  }

  /** Publishes a member's new weight, and logs the change (at info when it crosses a bucket). */
  private scoreChanged(m: MemberState, before: number, cause: string): void {
    const score = m.health.score;
    this.publish(m);
    const from = bucketOf(before);
    const to = bucketOf(score);
    const fields = { provider: m.name, channel: m.member.channel, score, effectiveWeight: m.effectiveWeight, from, to, cause };
    if (from === to) this.options.logger.debug(fields, 'provider weight changed');
    else this.options.logger.info(fields, 'provider weight changed');
  }

  private publish(m: MemberState): void {
    const labels = { provider: m.name, channel: m.member.channel };
    this.options.metrics.providerWeight.set(labels, m.effectiveWeight);
    this.options.metrics.providerHealthy.set(labels, m.health.score > 0 ? 1 : 0);
  }

  /** Logs and counts when the priority a set of eligible members is routed to changes. */
  private follow(message: ProviderRoute, eligible: readonly MemberState[], priority: number, allDown: boolean): void {
    const key = `${message.channel}:${eligible.map((m) => m.name).join(',')}`;
    const natural = Math.min(...eligible.map((m) => m.member.priority));
    const before = this.routes.get(key) ?? { priority: natural, allDown: false };
    if (before.priority === priority && before.allDown === allDown) return;
    this.routes.set(key, { priority, allDown });
    const label = (p: number) =>
      eligible
        .filter((m) => m.member.priority === p)
        .map((m) => m.name)
        .join('+');
    const from = label(before.priority);
    const to = label(priority);
    const fields = { channel: message.channel, carrier: message.carrier, from, to, fromPriority: before.priority, toPriority: priority };
    if (allDown) {
      if (from !== to) this.options.metrics.providerSwitches.inc({ channel: message.channel, from, to, reason: 'all_down' });
      this.options.logger.warn(fields, 'every provider is down: sending through the first priority anyway');
      return;
    }
    if (before.priority !== priority) {
      this.options.metrics.providerSwitches.inc({
        channel: message.channel,
        from,
        to,
        reason: priority > before.priority ? 'unhealthy' : 'recovered',
      });
    }
    const what = priority === natural ? 'ended' : before.priority === natural ? 'started' : 'moved';
    this.options.logger.info(fields, `provider failover ${what}`);
  }
}

function byPriority(members: readonly MemberState[]): MemberState[][] {
  const tiers = new Map<number, MemberState[]>();
  for (const m of members) {
    const tier = tiers.get(m.member.priority);
    if (tier) tier.push(m);
    else tiers.set(m.member.priority, [m]);
  }
  return [...tiers.entries()].sort(([a], [b]) => a - b).map(([, tier]) => tier);
}
