/**
 * Issue 13 item 9: /gia-lap writes and reads only the simulator's own threads (its sender range
 * `sim:<user>:<number>`): never a citizen's real look-up thread, never an MO as a real number, so it
 * cannot trip a citizen's guard; its look-ups pay no fee and are no revenue.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

const PASSWORD = 'mot-khau-du-dai-2026';
const CITIZEN = '0912 345 678';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe(`phone simulator scope (${TEST_DB})`, () => {
  let h: Harness;
  const sessions: Record<string, { cookie: string; csrf: string }> = {};

  const citizenMo = async (text: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/sms',
      headers: admin,
      payload: { from: CITIZEN, to: h.config.lookup.shortCode, text },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { outcome: string; reply: string | null };
  };
  const simulate = (who: string, phone: string, text: string) =>
    h.app.inject({
      method: 'POST',
      url: '/gia-lap',
      headers: { ...FORM, cookie: sessions[who]!.cookie },
      payload: new URLSearchParams({ _csrf: sessions[who]!.csrf, phone, text }).toString(),
    });
  const simulatorPage = (who: string, phone: string) =>
    h.app.inject({ method: 'GET', url: `/gia-lap?so=${encodeURIComponent(phone)}`, headers: { cookie: sessions[who]!.cookie } });

  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    for (const [username, agencyCode] of [
      ['stp-motcua', 'STP'],
      ['stc-motcua', 'STC'],
    ] as const) {
      const user = await h.ctx.accounts.create({ username, displayName: 'Cán bộ', role: 'clerk', agencyCode, password: PASSWORD });
      const { id } = await h.ctx.accounts.createSession(user.id, null);
      const page = await h.app.inject({ method: 'GET', url: '/gia-lap', headers: { cookie: `mcs_session=${id}` } });
      assert.equal(page.statusCode, 200);
      sessions[username] = { cookie: `mcs_session=${id}`, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)![1]! };
    }
  });
  after(async () => h.close());

  test("a staff member cannot read a citizen's real look-up thread", async () => {
    await citizenMo('MCKH BIMATCUADAN-0001');
    const page = await simulatorPage('stp-motcua', CITIZEN);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /BIMATCUADAN/, "the citizen's message is not shown");
  });

  test("MOs sent as a citizen's number do not trip that citizen's enumeration guard", async () => {
    const limit = h.config.lookup.unknownCodeLimitPerHour;
    for (let i = 0; i <= limit + 1; i++)
      assert.equal((await simulate('stp-motcua', CITIZEN, `MCKH 000.00.99.H34-261123-${String(1000 + i)}`)).statusCode, 303);
    const real = await citizenMo('MCKH 000.00.99.H34-261123-2000');
    assert.equal(real.outcome, 'not_found', 'the real citizen is answered, not throttled');
    const rows = await h.ctx.db.kysely.selectFrom('inbound_messages').select(['sender', 'sender_e164', 'gateway']).execute();
    const real84 = rows.filter((r) => r.sender === '+84912345678');
    assert.equal(real84.length, 2, 'only the two real MOs are stored under the real number');
    assert.ok(real84.every((r) => r.gateway === 'api'));
    const simulated = rows.filter((r) => r.gateway === 'simulator');
    assert.equal(simulated.length, limit + 2);
    assert.ok(simulated.every((r) => r.sender?.startsWith('sim:') === true && r.sender_e164 === null));
    assert.ok(!(await h.ctx.lookup.throttled()).some((t) => t.sender.startsWith('sim:')), 'no simulator number in the throttled list');
  });

  test('each staff member sees only the threads they created', async () => {
    await simulate('stp-motcua', '0987 654 321', 'MCKH CUA-STP-0001');
    assert.match((await simulatorPage('stp-motcua', '0987 654 321')).body, /CUA-STP-0001/);
    assert.doesNotMatch((await simulatorPage('stc-motcua', '0987 654 321')).body, /CUA-STP-0001/, 'another agency’s clerk does not see it');
  });

  test('simulated look-ups are no revenue and no look-up count', async () => {
    const stats = await h.ctx.stats.compute({ from: '2026-11-01', to: '2026-11-30', groupBy: 'agency', agencyCode: null });
    const lookups = stats.rows.reduce((s, r) => s + r.lookups, 0) + stats.lookupsUnattributed.lookups;
    const revenue = stats.rows.reduce((s, r) => s + r.lookupRevenueVnd, 0) + stats.lookupsUnattributed.lookupRevenueVnd;
    assert.equal(lookups, 2, 'the two real MOs only');
    assert.equal(revenue, 2 * h.config.lookup.feeVnd);
    const fees = await h.ctx.db.kysely.selectFrom('inbound_messages').select('fee_vnd').where('gateway', '=', 'simulator').execute();
    assert.ok(fees.every((f) => f.fee_vnd === 0));
  });
});
