/**
 * Issue 15 item 9: what a look-up is worth, decided in one place (inbound/lookup.billing.ts). A citizen's
 * SMS pays the fee and is revenue; a web look-up (/tra-cuu, GET /api/v1/lookup) is free and counted as
 * its own figure (`webLookups`); the phone simulator's look-ups are counted nowhere. Web look-ups never
 * count in an SMS guard or the throttled list.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, seedBasics, startHarness, TEST_DB, type Harness, intakeDossier } from '../support/harness.js';
import { isBilledLookup, lookupFeeVnd, WEB_LOOKUP_GATEWAY } from '../../src/inbound/lookup.billing.js';
import { SIMULATOR_GATEWAY } from '../../src/inbound/simulator.js';

const CODE = '000.00.15.H34-261123-0001';
const FEE = 1500;

describe(`look-ups: SMS billed, web counted apart, simulator nowhere (${TEST_DB})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { MOTCUA_LOOKUP_FEE_VND: String(FEE), MOTCUA_LOOKUP_RATE_LIMIT: '2' } });
    await seedBasics(h);
    await intakeDossier(h, { receiptCode: CODE });
  });
  after(async () => h.close());

  test('one rule: only an SMS gateway pays the fee', () => {
    assert.equal(lookupFeeVnd('smpp', FEE), FEE);
    assert.equal(lookupFeeVnd('api', FEE), FEE);
    assert.equal(lookupFeeVnd(WEB_LOOKUP_GATEWAY, FEE), 0);
    assert.equal(lookupFeeVnd(SIMULATOR_GATEWAY, FEE), 0);
    assert.equal(isBilledLookup('kannel'), true);
    assert.equal(isBilledLookup(WEB_LOOKUP_GATEWAY), false);
  });

  test('the stats count SMS look-ups with their revenue, web look-ups apart without a fee, and not the simulator', async () => {
    const sms = await h.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/sms',
      headers: admin,
      payload: { from: '0912 345 678', to: h.config.lookup.shortCode, text: `MCKH ${CODE}` },
    });
    assert.equal(sms.statusCode, 200, sms.body);
    assert.equal((await h.app.inject({ method: 'GET', url: `/tra-cuu/${CODE}` })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: `/api/v1/lookup/${CODE}` })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/lookup/000.00.15.H34-261123-9999' })).statusCode, 404);
    const user = await h.ctx.accounts.create({
      username: 'thu-gia-lap',
      displayName: 'Thử',
      role: 'admin',
      agencyCode: null,
      password: 'mot-khau-du-dai-2026',
    });
    await h.ctx.lookup.simulate(user.id, '0987 654 321', `MCKH ${CODE}`);

    const stats = await h.app.inject({ method: 'GET', url: '/api/v1/stats?from=2026-11-01&to=2026-11-30', headers: admin });
    assert.equal(stats.statusCode, 200, stats.body);
    const body = stats.json() as {
      rows: Array<{ agencyCode: string; lookups: number; lookupRevenueVnd: number; webLookups: number }>;
      lookupsUnattributed: { lookups: number; lookupRevenueVnd: number; webLookups: number };
    };
    const stc = body.rows.find((r) => r.agencyCode === 'STC')!;
    assert.deepEqual(
      { lookups: stc.lookups, lookupRevenueVnd: stc.lookupRevenueVnd, webLookups: stc.webLookups },
      { lookups: 1, lookupRevenueVnd: FEE, webLookups: 2 },
    );
    assert.deepEqual(body.lookupsUnattributed, { lookups: 0, lookupRevenueVnd: 0, webLookups: 1 });
  });

  test('the dashboard shows web look-ups as their own figure', async () => {
    const user = await h.ctx.accounts.create({
      username: 'giamsat-tc',
      displayName: 'Giám sát',
      role: 'oversight',
      agencyCode: null,
      password: 'mot-khau-du-dai-2026',
    });
    const { id } = await h.ctx.accounts.createSession(user.id, null);
    const page = await h.app.inject({
      method: 'GET',
      url: '/giam-sat?from=2026-11-01&to=2026-11-30',
      headers: { cookie: `mcs_session=${id}` },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-testid="total-lookups">1<small>/);
    assert.match(page.body, /Lượt tra cứu trên web<\/dt><dd data-testid="total-web-lookups">3<small>miễn phí/);
  });

  test('web look-ups never make the throttled list, however many', async () => {
    for (let i = 0; i < 4; i++) await h.app.inject({ method: 'GET', url: `/api/v1/lookup/${CODE}`, remoteAddress: `10.1.0.${i}` });
    const throttled = await h.app.inject({ method: 'GET', url: '/api/v1/inbound/throttled', headers: admin });
    assert.equal(throttled.statusCode, 200, throttled.body);
    const senders = (throttled.json() as { items: Array<{ sender: string }> }).items.map((i) => i.sender);
    assert.ok(!senders.includes(WEB_LOOKUP_GATEWAY), senders.join(', '));
  });
});
