/**
 * Issue 12 item 8 through the product: a 50 % ESME_RTHROTTLED storm on a bounded count drains with no
 * failure, and a throttle refusal or a local queue timeout never spends an attempt (every message ends
 * with attempts = 1). Bounded to a few hundred messages; the 2,000-message goal is in `npm run bench -- soak`.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startSmscSimulator, type SmscSimulator } from '../../../src/lib/smpp/simulator/smsc-simulator.js';
import { seeded } from '../../support/random.js';
import { seedBasics, startHarness, type Harness, dossierWithResult } from '../../support/harness.js';

const MESSAGES = 150;

describe('SMPP throttle storm through the product', () => {
  let sim: SmscSimulator;
  let h: Harness;

  before(async () => {
    sim = await startSmscSimulator({ receiptDelayMs: null, random: seeded(11), faults: { throttlePercent: 50 } });
    h = await startHarness({
      env: {
        MOTCUA_SMS_PROVIDER: 'smpp',
        MOTCUA_SMPP_URL: `smpp://motcua:x@127.0.0.1:${sim.port}?window=20`,
        MOTCUA_DISPATCH_MAX_ATTEMPTS: '3',
      },
    });
    await seedBasics(h);
    h.ctx.providers.start();
  });

  after(async () => {
    await h?.close();
    await sim?.close();
  });

  test(`${MESSAGES} messages under a 50 % throttle: all accepted once, none failed, no attempt spent on a refusal`, async (t: TestContext) => {
    for (let i = 1; i <= MESSAGES; i++) await dossierWithResult(h, i);
    const sms = () =>
      h.ctx.db.kysely.selectFrom('notifications').select(['id', 'status', 'attempts', 'failure_reason']).where('channel', '=', 'sms');
    const total = (await sms().execute()).length;
    let rounds = 0;
    for (; rounds < 500; rounds++) {
      const handled = await h.ctx.dispatcher.runOnce();
      const waiting = await sms().where('status', 'in', ['pending', 'sending']).execute();
      if (waiting.length === 0) break;
      // Released messages come due again a second later (business time).
      if (handled === 0) h.clock.advance(2_000);
    }
    const rows = await sms().execute();
    const failed = rows.filter((r) => r.status === 'failed');
    const stats = sim.stats();
    t.diagnostic(
      `${total} SMS in ${rounds} dispatcher rounds; SMSC: ${stats.submits} submit_sm, ${stats.throttled} throttled, ` +
        `${stats.accepted} accepted, ${stats.duplicates} duplicates; failed ${failed.length}`,
    );
    assert.equal(failed.length, 0, JSON.stringify(failed.slice(0, 3)));
    assert.ok(stats.throttled > total / 4, 'the storm happened');
    assert.equal(stats.accepted, total);
    assert.equal(stats.duplicates, 0);
    assert.deepEqual(
      rows.filter((r) => r.attempts !== 1).map((r) => r.id),
      [],
      'a throttle refusal or a queue timeout is not an attempt',
    );
  });
});
