/**
 * Issue 13 item 1: an attempt is counted before its password is hashed, in one statement, so a burst
 * cannot slip past the limit; hashes are computed at most two at a time, and a real login during a burst
 * from another address gets through. Asserted with counts, never with timings.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';
import { passwordHashGate } from '../../../src/accounts/password.js';

const PASSWORD = 'mot-khau-du-dai-2026';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** Wrong passwords counted per (username, address) before the first delay. */
const PAIR_FREE = 5;
/** Wrong passwords counted per address before the first delay. */
const ADDRESS_FREE = 20;

type Reply = { statusCode: number; headers: Record<string, unknown>; body: string };
const cookieValue = (res: Reply, name: string) => {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  return all
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1);
};

describe(`login throttling under concurrency (${TEST_DB})`, () => {
  let h: Harness;
  let form: { cookie: string; csrf: string };

  /** One login form, reused: its CSRF cookie is not tied to an address. */
  const attempt = (username: string, password: string, ip: string) =>
    h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      remoteAddress: ip,
      headers: { ...FORM, cookie: form.cookie },
      payload: new URLSearchParams({ _csrf: form.csrf, username, password }).toString(),
    });
  const tally = (replies: Reply[]) => {
    const counts: Record<number, number> = {};
    for (const r of replies) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1;
    return counts;
  };

  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    for (const username of ['nan-nhan', 'nguoi-that'])
      await h.ctx.accounts.create({ username, displayName: 'Người dùng', role: 'clerk', agencyCode: 'STC', password: PASSWORD });
    const page = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    form = { cookie: `mcs_login=${cookieValue(page, 'mcs_login')}`, csrf: /name="_csrf" value="([^"]*)"/.exec(page.body)![1]! };
  });
  after(async () => h.close());

  test('30 concurrent attempts on one account from one address: only the first five are checked; the right password at position 27 does not get in', async () => {
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => attempt('nan-nhan', i === 26 ? PASSWORD : `sai-mat-khau-${i}`, '10.1.0.1')),
    );
    const counts = tally(replies);
    const checked = (counts[401] ?? 0) + (counts[303] ?? 0);
    assert.ok(checked <= PAIR_FREE, `at most ${PAIR_FREE} passwords checked, got ${JSON.stringify(counts)}`);
    assert.equal(counts[429], 30 - checked, JSON.stringify(counts));
    assert.equal(counts[303] ?? 0, 0, `the right password, 27th, is refused: ${JSON.stringify(counts)}`);
    assert.ok(replies.every((r) => cookieValue(r, 'mcs_session') === undefined));
    const afterwards = await attempt('nan-nhan', PASSWORD, '10.1.0.1');
    assert.equal(afterwards.statusCode, 429, 'the limit holds after the burst too');
    assert.match(String(afterwards.headers['retry-after']), /^\d+$/);
  });

  test('40 concurrent failures from one address: at most 20 are hashed, two at a time; a real login from elsewhere during the burst gets in', async () => {
    h.clock.advance(60 * 60_000);
    const computedBefore = passwordHashGate.stats.computed;
    const burst = Array.from({ length: 40 }, (_, i) => attempt(`ai-do-${i}`, 'sai-mat-khau-1', '10.2.0.1'));
    let computedWhenRealDone = -1;
    const real = attempt('nguoi-that', PASSWORD, '10.3.0.1').then((r) => {
      computedWhenRealDone = passwordHashGate.stats.computed - computedBefore;
      return r;
    });
    const attacker = await Promise.all(burst);
    const counts = tally(attacker);
    assert.ok((counts[401] ?? 0) <= ADDRESS_FREE, `at most ${ADDRESS_FREE} of them checked: ${JSON.stringify(counts)}`);
    assert.equal((counts[401] ?? 0) + (counts[429] ?? 0), 40, JSON.stringify(counts));
    const ok = await real;
    assert.equal(ok.statusCode, 303, 'the real login is not starved');
    assert.ok(cookieValue(ok, 'mcs_session'));
    assert.ok(passwordHashGate.stats.peakRunning <= 2, `at most 2 hashes at once (peak ${passwordHashGate.stats.peakRunning})`);
    assert.ok(
      computedWhenRealDone <= ADDRESS_FREE + 1,
      `the real login waited behind at most ${ADDRESS_FREE} attacker hashes (${computedWhenRealDone} computed by then)`,
    );
  });

  test('the hash gate: two run, a bounded queue waits in order, the rest are refused at once', async () => {
    const { HashGate, HashesBusyError } = await import('../../../src/accounts/password.js');
    const gate = new HashGate(2, 3);
    const releases: Array<() => void> = [];
    const started: number[] = [];
    const job = (n: number) =>
      gate.run(
        () =>
          new Promise<number>((resolve) => {
            started.push(n);
            releases.push(() => resolve(n));
          }),
      );
    const runs = [0, 1, 2, 3, 4].map(job);
    await assert.rejects(job(5), HashesBusyError);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1], 'two run at once');
    for (let i = 0; i < 5; i++) {
      releases[i]!();
      await runs[i];
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(started, [0, 1, 2, 3, 4], 'the waiting ones ran in arrival order');
    assert.deepEqual(gate.stats, { peakRunning: 2, computed: 5, refused: 1 });
  });
});
