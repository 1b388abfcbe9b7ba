/** The zalo_zns adapter against the Zalo simulator (built from Zalo's documentation), on a real database. */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createMetrics } from '../../../src/platform/metrics.js';
import type { ProviderError, OutgoingMessage } from '../../../src/providers/provider.js';
import { parseZaloOptions, ZaloZnsProvider } from '../../../src/providers/adapters/zalo/zalo.provider.js';
import { zaloCodeRule } from '../../../src/providers/adapters/zalo/zalo.errors.js';
import { parseZaloEvent, zaloReceipt, zaloSignature, zaloSignatureMatches } from '../../../src/providers/adapters/zalo/zalo.webhook.js';
import { startZaloSimulator, type ZaloSimulator } from '../../../src/main/zalo-sim/zalo-sim.js';
import { createTestDatabase, startHarness, type Harness, type TestDatabase } from '../../support/harness.js';

const logger = pino({ level: 'silent' });
const APP = { appId: '4143281000000000001', appSecret: 'app-secret-0123456789', oaSecretKey: 'oa-secret-abcdefghij' };

const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: 4711,
  kind: 'result_ready',
  channel: 'zalo',
  to: '+84912345678',
  from: 'MOTCUA',
  body: JSON.stringify({ templateId: '301234', data: { ma_ho_so: '000.00.15.H34-261123-0001', co_quan: 'Sở Tài chính' } }),
  encoding: 'text',
  segments: 0,
  carrier: 'viettel',
  ...overrides,
});

describe('zalo_zns provider', () => {
  let database: TestDatabase;
  let one: Harness;
  let two: Harness;
  let sim: ZaloSimulator;
  const providers: ZaloZnsProvider[] = [];

  const provider = (h: Harness, extra: Record<string, unknown> = {}) => {
    const built = new ZaloZnsProvider(
      'zalo',
      parseZaloOptions({ ...APP, baseUrl: sim.url, oauthUrl: sim.oauthUrl, refreshToken: 'first-refresh-token', ...extra }, 'zalo'),
      h.ctx.db,
      logger,
      createMetrics({ defaultMetrics: false }),
    );
    providers.push(built);
    return built;
  };

  before(async () => {
    database = await createTestDatabase();
    one = await startHarness({ database });
    two = await startHarness({ database });
  });
  after(async () => {
    await one.close();
    await two.close();
    await database.drop();
  });
  beforeEach(async () => {
    sim = await startZaloSimulator({ ...APP, refreshToken: 'first-refresh-token' });
    await one.ctx.db.kysely.deleteFrom('zalo_tokens').execute();
  });
  afterEach(async () => {
    for (const p of providers.splice(0)) await p.close();
    await sim.close();
  });

  test('sends the template to the 84… number with our id as tracking_id, and returns msg_id', async () => {
    const zalo = provider(one);
    const outcome = await zalo.send(message());
    assert.equal(outcome.status, 'sent');
    assert.equal(sim.sends.length, 1);
    const sent = sim.sends[0]!;
    assert.equal(outcome.providerMessageId, sent.msgId);
    assert.equal(sent.phone, '84912345678');
    assert.equal(sent.templateId, '301234');
    assert.equal(sent.trackingId, '4711');
    assert.deepEqual(sent.templateData, { ma_ho_so: '000.00.15.H34-261123-0001', co_quan: 'Sở Tài chính' });
    // A retry of the same notification is the same request: Zalo's side keeps one message.
    const again = await zalo.send(message());
    assert.equal(again.providerMessageId, sent.msgId);
    assert.equal(sim.sends.length, 1);
  });

  test('the rotated refresh token is stored in the database, and a restart keeps working with it', async () => {
    await provider(one).send(message());
    assert.equal(sim.stats.refreshes, 1);
    const row = await one.ctx.db.kysely.selectFrom('zalo_tokens').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.refresh_token, sim.currentRefreshToken());
    assert.notEqual(row.refresh_token, 'first-refresh-token');
    // Another process (same config file, same database) reuses the stored access token: no refresh at all.
    await provider(two).send(message({ id: 4712 }));
    assert.equal(sim.stats.refreshes, 1);
    // Tokens expire: the next process refreshes with the rotated token, not the one in the file.
    sim.expireAccessTokens();
    await provider(two).send(message({ id: 4713 }));
    assert.equal(sim.stats.refreshes, 2);
    assert.equal(sim.stats.refusedRefreshes, 0);
  });

  test('an expired token mid-run is refreshed once, even with two processes sending at once', async () => {
    const a = provider(one);
    const b = provider(two);
    await a.send(message({ id: 1 }));
    await b.send(message({ id: 2 }));
    assert.equal(sim.stats.refreshes, 1);
    sim.expireAccessTokens();
    const sends = [];
    for (let i = 0; i < 10; i++) sends.push(a.send(message({ id: 100 + i })), b.send(message({ id: 200 + i })));
    const outcomes = await Promise.all(sends);
    assert.ok(outcomes.every((o) => o.status === 'sent'));
    assert.equal(sim.stats.refreshes, 2, 'one refresh for the expiry, whichever process saw it first');
    assert.equal(sim.stats.refusedRefreshes, 0, 'nobody burnt a used refresh token');
    assert.equal(sim.sends.length, 22);
  });

  test('a refused refresh token fails for good: health alert, permanent errors, a new token in the file recovers', async () => {
    const zalo = provider(one);
    await zalo.send(message({ id: 1 }));
    // The stored (rotated) refresh token is revoked in Zalo's console, and the access token expires.
    sim.revokeRefreshToken();
    sim.expireAccessTokens();
    await assert.rejects(zalo.send(message()), (e: ProviderError) => !e.retryable && e.reason === 'zalo_token_failed');
    await assert.rejects(zalo.send(message()), (e: ProviderError) => !e.retryable && e.reason === 'zalo_token_failed');
    assert.equal(sim.stats.refusedRefreshes, 1, 'a refused token is not tried again and again');
    assert.equal(zalo.tokens.health.ok, false);
    const row = await one.ctx.db.kysely.selectFrom('zalo_tokens').selectAll().executeTakeFirstOrThrow();
    assert.match(row.failed_reason ?? '', /-14014/);
    // Another process learns it from the database without burning anything.
    const other = provider(two);
    assert.equal((await other.tokens.load()).ok, false);
    // The operator copies a new refresh token from Zalo into the config file.
    const restarted = await startZaloSimulator({ ...APP, refreshToken: 'new-refresh-token' });
    try {
      const fixed = new ZaloZnsProvider(
        'zalo',
        parseZaloOptions({ ...APP, baseUrl: restarted.url, oauthUrl: restarted.oauthUrl, refreshToken: 'new-refresh-token' }, 'zalo'),
        two.ctx.db,
        logger,
        createMetrics({ defaultMetrics: false }),
      );
      providers.push(fixed);
      assert.equal((await fixed.send(message())).status, 'sent');
      assert.equal(fixed.tokens.health.ok, true);
    } finally {
      await restarted.close();
    }
  });

  test('answer codes: transient ones retry, permanent and unknown ones do not', async () => {
    const zalo = provider(one);
    sim.setPhone('84912000001', { error: -118 });
    sim.setPhone('84912000002', { httpStatus: 503 });
    sim.setPhone('84912000003', { error: -999 });
    sim.setPhone('84912000004', { error: -100 });
    const failure = async (to: string) => {
      try {
        await zalo.send(message({ to }));
      } catch (error) {
        return error as ProviderError;
      }
      assert.fail('expected a failure');
    };
    assert.deepEqual([(await failure('+84912000001')).retryable, (await failure('+84912000001')).reason], [false, 'zalo_not_a_user']);
    assert.equal((await failure('+84912000002')).retryable, true);
    assert.deepEqual([(await failure('+84912000003')).retryable, (await failure('+84912000003')).reason], [false, 'zalo_rejected']);
    assert.equal((await failure('+84912000004')).retryable, true);
    assert.deepEqual(zaloCodeRule('-115'), { retryable: false, reason: 'zalo_quota_exhausted' });
    assert.deepEqual(zaloCodeRule('-139'), { retryable: false, reason: 'zalo_blocked' });
    assert.deepEqual(zaloCodeRule('-108'), { retryable: false, reason: 'zalo_phone_invalid' });
  });
});

describe('zalo webhook signature', () => {
  test('mac = sha256(app id + body + timestamp + OA secret key), checked in full', async () => {
    const sim = await startZaloSimulator({ ...APP, refreshToken: 'x' });
    try {
      const { body, signature } = sim.event('abc123', 1_790_000_000_000);
      assert.equal(signature, zaloSignature(APP.appId, body, '1790000000000', APP.oaSecretKey));
      assert.ok(zaloSignatureMatches(signature, signature));
      assert.ok(zaloSignatureMatches(signature, signature.slice(4)), 'with or without the mac= prefix');
      assert.ok(
        !zaloSignatureMatches(signature, zaloSignature(APP.appId, body, '1790000000000', APP.appSecret)),
        'the app secret is not the key',
      );
      assert.ok(!zaloSignatureMatches(signature, undefined));
      const event = parseZaloEvent(JSON.parse(body))!;
      assert.equal(event.timestamp, 1_790_000_000_000);
      assert.deepEqual(zaloReceipt('zalo', event), {
        provider: 'zalo',
        providerMessageId: 'abc123',
        status: 'delivered',
        providerStatus: 'user_received_message',
        errorCode: null,
        at: 1_790_000_000_000,
      });
      assert.equal(zaloReceipt('zalo', { ...event, eventName: 'user_send_text' }), null);
    } finally {
      await sim.close();
    }
  });
});
