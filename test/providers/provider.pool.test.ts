import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino, { type Logger } from 'pino';
import { ManualClock } from '../../src/platform/clock.js';
import { ConfigError } from '../../src/platform/config/config.js';
import { createMetrics, type Metrics } from '../../src/platform/metrics.js';
import type { Carrier } from '../../src/lib/phone/phone.js';
import { Provider, ProviderError, type OutgoingMessage, type SendOutcome } from '../../src/providers/provider.js';
import type { HealthPolicy } from '../../src/providers/provider.health.js';
import { ProviderPool } from '../../src/providers/provider.pool.js';

type Step = 'ok' | Error;

/** A provider whose deliver() follows a script (then succeeds). */
class ScriptedProvider extends Provider {
  readonly sent: number[] = [];
  closed = 0;
  private readonly script: Step[] = [];

  constructor(
    readonly name: string,
    readonly channel: 'sms' | 'email',
    logger: Logger,
    metrics: Metrics,
  ) {
    super(logger, metrics);
  }

  // biome-ignore lint/suspicious/noThenProperty: a script reads "run this, then that"; it is never awaited
  then(...steps: Step[]): this {
    this.script.push(...steps);
    return this;
  }

  protected async deliver(message: OutgoingMessage): Promise<SendOutcome> {
    this.sent.push(message.id);
    const step = this.script.shift() ?? 'ok';
    if (step !== 'ok') throw step;
    return { status: 'sent', providerMessageId: `${this.name}-${message.id}` };
  }

  override async close(): Promise<void> {
    this.closed++;
  }
}

/** mulberry32: a small seeded generator, so the statistical tests give the same numbers every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

interface MemberSpec {
  name: string;
  priority: number;
  weight: number;
  channel?: 'sms' | 'email';
  carriers?: Carrier[];
  tps?: number;
}

const START = Date.UTC(2025, 0, 6, 1, 0, 0);

function setup(specs: MemberSpec[], options: { policy?: Partial<HealthPolicy>; random?: () => number } = {}) {
  const clock = new ManualClock(START);
  const metrics = createMetrics({ defaultMetrics: false });
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const providers = new Map(specs.map((s) => [s.name, new ScriptedProvider(s.name, s.channel ?? 'sms', logger, metrics)]));
  const pool = new ProviderPool(
    specs.map(({ name, channel, ...rest }) => ({ ...rest, channel: channel ?? 'sms', provider: providers.get(name)! })),
    { clock, logger, metrics, random: options.random ?? seeded(42), policy: options.policy },
  );
  const provider = (name: string) => providers.get(name)!;
  const weight = (name: string) => pool.health().find((h) => h.name === name)!.effectiveWeight;
  /** Decision lines: what the pool logs at info and above. */
  const decisions = () =>
    lines
      .filter((l) => l.level >= 30 && l.msg !== 'send failed')
      .map((l) => `${l.msg}${l.from ? ` ${String(l.from)}→${String(l.to)}` : ''}`);
  return { pool, clock, metrics, lines, provider, weight, decisions };
}

let nextId = 1;
function message(carrier: string | null = 'viettel'): OutgoingMessage {
  return {
    id: nextId++,
    kind: 'received',
    channel: 'sms',
    to: '+84983123456',
    from: 'UBND',
    body: 'Ho so da tiep nhan',
    encoding: 'gsm7',
    segments: 1,
    carrier,
  };
}

/** What the dispatcher does: pick, then send through the picked provider. Returns the provider's name. */
async function dispatch(pool: ProviderPool, carrier: string | null = 'viettel'): Promise<string> {
  const pick = pool.pick({ channel: 'sms', carrier });
  assert.ok(pick);
  assert.equal(pick.waitMs, 0);
  await pick.provider.send(message(carrier)).catch(() => undefined);
  return pick.provider.name;
}

function shares(pool: ProviderPool, picks: number, carrier: string | null = 'viettel'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < picks; i++) {
    const name = pool.pick({ channel: 'sms', carrier })!.provider.name;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, n / picks]));
}

async function metric(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const found = metrics.registry.getSingleMetric(name);
  assert.ok(found, name);
  const { values } = await found.get();
  return values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value ?? 0;
}

const unavailable = () => new ProviderError('SMSC unavailable', true, 'provider_unavailable');

describe('ProviderPool selection', () => {
  test('weights are respected within a priority', async () => {
    const { pool, metrics } = setup([
      { name: 'vietguys', priority: 1, weight: 70 },
      { name: 'esms', priority: 1, weight: 30 },
    ]);
    const share = shares(pool, 20_000);
    assert.ok(Math.abs(share.vietguys! - 0.7) < 0.015, `vietguys share ${share.vietguys}`);
    assert.ok(Math.abs(share.esms! - 0.3) < 0.015, `esms share ${share.esms}`);
    assert.equal(
      (await metric(metrics, 'motcua_provider_selected_total', { provider: 'vietguys' })) +
        (await metric(metrics, 'motcua_provider_selected_total', { provider: 'esms' })),
      20_000,
    );
  });

  test('a lower priority number always wins while it is healthy', () => {
    const { pool } = setup([
      { name: 'backup', priority: 2, weight: 100 },
      { name: 'primary', priority: 1, weight: 1 },
    ]);
    assert.deepEqual(shares(pool, 500), { primary: 1 });
  });

  test('carrier routing: a Viettel-only member takes Viettel messages, the general member the rest', () => {
    const { pool, decisions } = setup([
      { name: 'viettel-direct', priority: 1, weight: 100, carriers: ['viettel'] },
      { name: 'aggregator', priority: 2, weight: 100 },
    ]);
    assert.deepEqual(shares(pool, 200, 'viettel'), { 'viettel-direct': 1 });
    assert.deepEqual(shares(pool, 200, 'vinaphone'), { aggregator: 1 });
    assert.deepEqual(shares(pool, 200, null), { aggregator: 1 }, 'no carrier hint: general members only');
    assert.deepEqual(decisions(), [], 'a different natural priority per carrier is not a failover');
  });

  test('no eligible member: null (the dispatcher fails the message with no_provider)', () => {
    const { pool } = setup([{ name: 'viettel-direct', priority: 1, weight: 1, carriers: ['viettel'] }]);
    assert.equal(pool.pick({ channel: 'sms', carrier: 'mobifone' }), null);
    assert.equal(pool.pick({ channel: 'email', carrier: null }), null);
    assert.equal(pool.pick({ channel: 'sms', carrier: 'viettel' })?.provider.name, 'viettel-direct');
  });
});

describe('ProviderPool health', () => {
  test('errors fail over to the next priority; the primary drifts back after recovery', async () => {
    const { pool, clock, provider, weight, decisions, metrics } = setup(
      [
        { name: 'primary', priority: 1, weight: 50 },
        { name: 'backup', priority: 2, weight: 50 },
      ],
      { policy: { errorStep: 25, recoverStep: 10, recoverAfter: 5, intervalMs: 60_000 } },
    );
    provider('primary').then(unavailable(), unavailable(), unavailable(), unavailable());
    const route: string[] = [];
    const weights: number[] = [];
    const step = async () => {
      route.push(await dispatch(pool));
      weights.push(weight('primary'));
    };

    for (let i = 0; i < 6; i++) await step();
    assert.equal(await metric(metrics, 'motcua_provider_weight', { provider: 'primary' }), 0);
    assert.equal(await metric(metrics, 'motcua_provider_healthy', { provider: 'primary' }), 0);
    assert.equal(await metric(metrics, 'motcua_provider_healthy', { provider: 'backup' }), 1);
    clock.advance(59_999);
    await step();
    clock.advance(1);
    for (let i = 0; i < 5; i++) await step();

    assert.deepEqual(route, [
      'primary',
      'primary',
      'primary',
      'primary',
      'backup',
      'backup',
      'backup',
      'primary',
      'primary',
      'primary',
      'primary',
      'primary',
    ]);
    // 25 off per error; +10 after a quiet minute; +10 per 5 good sends.
    assert.deepEqual(weights, [37.5, 25, 12.5, 0, 0, 0, 0, 5, 5, 5, 5, 10]);
    clock.advance(120_000);
    assert.equal(weight('primary'), 20, 'two more quiet minutes');
    assert.equal(weight('backup'), 50);

    assert.deepEqual(decisions(), [
      'provider weight changed full→reduced',
      'provider weight changed reduced→degraded',
      'provider weight changed degraded→down',
      'provider failover started primary→backup',
      'provider weight changed down→degraded',
      'provider failover ended backup→primary',
    ]);
    assert.equal(await metric(metrics, 'motcua_provider_switches_total', { from: 'primary', to: 'backup', reason: 'unhealthy' }), 1);
    assert.equal(await metric(metrics, 'motcua_provider_switches_total', { from: 'backup', to: 'primary', reason: 'recovered' }), 1);
    assert.equal(await metric(metrics, 'motcua_provider_selected_total', { provider: 'primary' }), 9);
    assert.equal(await metric(metrics, 'motcua_provider_selected_total', { provider: 'backup' }), 3);
    assert.equal(await metric(metrics, 'motcua_provider_weight', { provider: 'primary' }), 20);
    assert.equal(await metric(metrics, 'motcua_provider_healthy', { provider: 'primary' }), 1);
    const text = await metrics.registry.metrics();
    assert.match(text, /^motcua_provider_weight\{provider="backup",channel="sms"\} 50$/m);
    assert.match(text, /^motcua_provider_switches_total\{channel="sms",from="primary",to="backup",reason="unhealthy"\} 1$/m);
  });

  test('a failed probe after the quiet interval fails over again at once', async () => {
    const { pool, clock, provider, weight } = setup(
      [
        { name: 'primary', priority: 1, weight: 100 },
        { name: 'backup', priority: 2, weight: 100 },
      ],
      { policy: { errorStep: 50, recoverStep: 10, intervalMs: 60_000 } },
    );
    provider('primary').then(unavailable(), unavailable(), unavailable());
    assert.deepEqual([await dispatch(pool), await dispatch(pool), await dispatch(pool)], ['primary', 'primary', 'backup']);
    clock.advance(60_000);
    assert.equal(await dispatch(pool), 'primary', 'score 10: probing');
    assert.equal(weight('primary'), 0);
    assert.equal(await dispatch(pool), 'backup');
  });

  test('a slow provider loses share, and regains it once fast again', () => {
    const { pool, clock, provider, weight } = setup(
      [
        { name: 'slow', priority: 1, weight: 50 },
        { name: 'fast', priority: 1, weight: 50 },
      ],
      { policy: { slowMs: 1_000, slowMinSamples: 3, slowStep: 10, recoverStep: 10, intervalMs: 60_000 } },
    );
    const slow = provider('slow');
    const fast = provider('fast');
    const minute = (latency: number) => {
      clock.advance(60_000);
      for (let i = 0; i < 3; i++) {
        pool.report(slow, 'ok', latency);
        pool.report(fast, 'ok', 80);
      }
      return weight('slow');
    };
    assert.deepEqual([minute(2_500), minute(2_500), minute(2_500)], [45, 40, 35], 'judged once a minute, 10 points each');
    assert.equal(weight('fast'), 50);
    const share = shares(pool, 20_000);
    assert.ok(Math.abs(share.slow! - 35 / 85) < 0.015, `slow share ${share.slow}`);
    // Three fast sends bring the average under 1 s; from then on quiet minutes give points back.
    assert.deepEqual([minute(100), minute(100), minute(100)], [35, 40, 45]);
    assert.equal(pool.health().find((h) => h.name === 'slow')!.latencyMs! < 1_000, true);
  });

  test('permanent errors about the message do not count against the provider; auth errors do', async () => {
    const { pool, provider, weight } = setup([
      { name: 'vietguys', priority: 1, weight: 100 },
      { name: 'esms', priority: 2, weight: 100 },
    ]);
    const invalid = () => new ProviderError('invalid destination', false, 'invalid_destination');
    provider('vietguys').then(invalid(), invalid(), invalid(), invalid(), invalid(), invalid());
    for (let i = 0; i < 6; i++) assert.equal(await dispatch(pool), 'vietguys');
    let health = pool.health().find((h) => h.name === 'vietguys')!;
    assert.equal(health.score, 100);
    assert.equal(health.errorRate, 0);
    assert.equal(health.lastErrorReason, null);

    provider('vietguys').then(new ProviderError('bad credentials', false, 'provider_auth'), new Error('socket hang up'));
    await dispatch(pool);
    assert.equal(weight('vietguys'), 80, 'provider_auth is the provider’s fault');
    await dispatch(pool);
    assert.equal(weight('vietguys'), 60, 'anything not a ProviderError is a retryable provider_error');
    health = pool.health().find((h) => h.name === 'vietguys')!;
    assert.equal(health.lastErrorReason, 'provider_error');
    assert.equal(health.errorRate, 1);
  });

  test('every member at 0: still picks, from the best priority by configured weight', async () => {
    const { pool, provider, decisions } = setup([
      { name: 'a', priority: 1, weight: 3 },
      { name: 'b', priority: 1, weight: 1 },
      { name: 'c', priority: 2, weight: 1 },
    ]);
    for (const name of ['a', 'b', 'c']) for (let i = 0; i < 5; i++) pool.report(provider(name), 'retryable', 10, 'timeout');
    assert.deepEqual(
      pool.health().map((h) => h.score),
      [0, 0, 0],
    );
    const share = shares(pool, 20_000);
    assert.equal(share.c, undefined);
    assert.ok(Math.abs(share.a! - 0.75) < 0.015, `a share ${share.a}`);
    assert.deepEqual(
      decisions().filter((d) => d.startsWith('every')),
      ['every provider is down: sending through the first priority anyway a+b→a+b'],
    );
  });
});

describe('ProviderPool rate limits', () => {
  test('a member at its tps is skipped for the next priority; when all are limited, the soonest and the wait', async () => {
    const { pool, clock, metrics } = setup([
      { name: 'primary', priority: 1, weight: 1, tps: 2 },
      { name: 'backup', priority: 2, weight: 1, tps: 1 },
    ]);
    const pick = () => {
      const p = pool.pick({ channel: 'sms', carrier: 'viettel' })!;
      return `${p.provider.name}+${p.waitMs}`;
    };
    assert.deepEqual([pick(), pick(), pick()], ['primary+0', 'primary+0', 'backup+0']);
    assert.deepEqual([pick(), pick()], ['primary+500', 'primary+500'], 'a pick that must wait reserves nothing');
    clock.advance(100);
    assert.equal(pick(), 'primary+400');
    clock.advance(400);
    assert.equal(pick(), 'primary+0');
    assert.equal(await metric(metrics, 'motcua_provider_switches_total', { from: 'primary', to: 'backup', reason: 'rate_limited' }), 1);
    assert.equal(await metric(metrics, 'motcua_provider_selected_total', { provider: 'primary' }), 3);
    assert.equal(await metric(metrics, 'motcua_provider_selected_total', { provider: 'backup' }), 1);
  });

  test('a limited member gives way to another of the same priority first', () => {
    const { pool } = setup(
      [
        { name: 'a', priority: 1, weight: 1, tps: 1 },
        { name: 'b', priority: 1, weight: 1 },
        { name: 'c', priority: 2, weight: 1 },
      ],
      { random: () => 0 },
    );
    const names = Array.from({ length: 3 }, () => pool.pick({ channel: 'sms', carrier: null })!.provider.name);
    assert.deepEqual(names, ['a', 'b', 'b']);
  });
});

describe('ProviderPool health() and lifecycle', () => {
  test('health() describes every member for the settings page', () => {
    const { pool, clock, provider } = setup(
      [
        { name: 'viettel-direct', priority: 1, weight: 100, carriers: ['viettel'], tps: 30 },
        { name: 'aggregator', priority: 2, weight: 40 },
        { name: 'mail', priority: 1, weight: 1, channel: 'email' },
      ],
      { policy: { errorWindow: 4 } },
    );
    const direct = provider('viettel-direct');
    pool.report(direct, 'ok', 200);
    clock.advance(5_000);
    pool.report(direct, 'permanent', 400, 'provider_auth');
    assert.deepEqual(pool.health()[0], {
      name: 'viettel-direct',
      channel: 'sms',
      priority: 1,
      weight: 100,
      effectiveWeight: 80,
      score: 80,
      healthy: true,
      latencyMs: 260,
      errorRate: 0.5,
      recentSends: 2,
      lastErrorReason: 'provider_auth',
      lastErrorAt: START + 5_000,
      tps: 30,
      carriers: ['viettel'],
    });
    for (let i = 0; i < 4; i++) pool.report(direct, 'ok', 200);
    assert.equal(pool.health()[0]!.errorRate, 0, 'only the last errorWindow sends count');
    assert.deepEqual(
      pool
        .health()
        .slice(1)
        .map((h) => [h.name, h.channel, h.score, h.latencyMs, h.tps, h.carriers]),
      [
        ['aggregator', 'sms', 100, null, null, null],
        ['mail', 'email', 100, null, null, null],
      ],
    );
  });

  test('close() closes every provider once and detaches the pool', async () => {
    const { pool, provider } = setup([
      { name: 'a', priority: 1, weight: 1 },
      { name: 'b', priority: 2, weight: 1 },
    ]);
    await Promise.all([pool.close(), pool.close()]);
    await pool.close();
    assert.deepEqual([provider('a').closed, provider('b').closed], [1, 1]);
    provider('a').then(unavailable());
    await provider('a')
      .send(message())
      .catch(() => undefined);
    assert.equal(pool.health()[0]!.score, 100, 'a send after close is not reported');
  });

  test('one name may serve both channels (the sandbox), each with its own health and metrics', async () => {
    const logger = pino({ level: 'silent' });
    const metrics = createMetrics({ defaultMetrics: false });
    const sms = new ScriptedProvider('sandbox', 'sms', logger, metrics);
    const mail = new ScriptedProvider('sandbox', 'email', logger, metrics);
    const pool = new ProviderPool(
      [
        { provider: sms, channel: 'sms', priority: 1, weight: 1 },
        { provider: mail, channel: 'email', priority: 1, weight: 1 },
      ],
      { clock: new ManualClock(START), logger, metrics },
    );
    for (let i = 0; i < 5; i++) pool.report(mail, 'retryable', 10, 'timeout');
    assert.equal(pool.pick({ channel: 'sms', carrier: null })!.provider, sms);
    assert.equal(pool.pick({ channel: 'email', carrier: null })!.provider, mail);
    assert.deepEqual(
      pool.health().map((h) => [h.channel, h.score]),
      [
        ['sms', 100],
        ['email', 0],
      ],
    );
    assert.equal(await metric(metrics, 'motcua_provider_healthy', { provider: 'sandbox', channel: 'sms' }), 1);
    assert.equal(await metric(metrics, 'motcua_provider_healthy', { provider: 'sandbox', channel: 'email' }), 0);
  });

  test('configuration mistakes are refused', () => {
    const logger = pino({ level: 'silent' });
    const metrics = createMetrics({ defaultMetrics: false });
    const options = { clock: new ManualClock(START), logger, metrics };
    const sms = new ScriptedProvider('x', 'sms', logger, metrics);
    const twin = new ScriptedProvider('x', 'sms', logger, metrics);
    const refused = (members: ConstructorParameters<typeof ProviderPool>[0], pattern: RegExp) =>
      assert.throws(
        () => new ProviderPool(members, options),
        (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
      );
    refused(
      [
        { provider: sms, channel: 'sms', priority: 1, weight: 1 },
        { provider: twin, channel: 'sms', priority: 2, weight: 1 },
      ],
      /listed twice for sms/,
    );
    refused([{ provider: sms, channel: 'email', priority: 1, weight: 1 }], /sends sms, not email/);
    refused([{ provider: sms, channel: 'sms', priority: 1, weight: 0 }], /weight must be positive/);
    refused([{ provider: sms, channel: 'sms', priority: 1, weight: 1, tps: -1 }], /tps/);
    refused([{ provider: sms, channel: 'sms', priority: 1, weight: 1, carriers: [] }], /empty carrier list/);
  });
});
