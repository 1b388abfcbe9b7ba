/**
 * The look-up fast path (issue 14): a reply row is committed already claimed with its MO and handed to
 * this process's dispatcher in memory — sent with no poll and no claim. Still durable: a hand-off that
 * never sends (a crash right after the commit) leaves a leased row that the ordinary claim sends once
 * the lease ends, once; with no dispatcher running here the reply waits in the outbox as before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

describe(`look-up fast path (${TEST_DB})`, () => {
  let h: Harness;
  const code = 'FAST-PATH-1';
  let serial = 0;
  before(async () => {
    // The dispatcher polls once an hour: only the fast path can send within the test.
    h = await startHarness({ env: { MOTCUA_DISPATCH_POLL_MS: '3600000', MOTCUA_DISPATCH_LEASE_SECONDS: '60' } });
    await seedBasics(h);
    await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: code }) });
    // Its notifications out of the way (the intake's own messages, if any).
    await h.ctx.dispatcher.runOnce();
  });
  after(async () => h.close());

  const ask = () =>
    h.ctx.lookup.handleInbound({
      gateway: 'smpp',
      messageId: null,
      from: `09${String(40_000_000 + ++serial).slice(-8)}`,
      to: '8083',
      text: `MCKH ${code}`,
      receivedAt: null,
      replyVia: 'outbox',
    });
  const row = (id: number | null) =>
    h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', Number(id)).executeTakeFirstOrThrow();

  test('with the dispatcher running, replies are sent straight after the commit, one attempt each, no claim', async () => {
    h.ctx.dispatcher.start();
    try {
      const results = await Promise.all(Array.from({ length: 30 }, ask));
      // Committed claimed, never pending: no outbox poke (which waits 20 ms) could have sent it.
      const first = await ask();
      assert.notEqual((await row(first.notificationId)).status, 'pending');
      for (const result of [...results, first]) {
        const sent = await waitFor('the reply sent', async () => {
          const r = await row(result.notificationId);
          return r.status === 'delivered' || r.status === 'sent' ? r : null;
        });
        assert.equal(sent.attempts, 1);
        assert.equal(sent.provider !== null, true);
      }
    } finally {
      await h.ctx.dispatcher.stop();
    }
  });

  test('a hand-off lost after the commit (crash): the leased row is claimed and sent once when the lease ends', async () => {
    const handoffs: number[] = [];
    h.ctx.lookup.setReplyHandoff({ ready: () => true, send: (rows) => handoffs.push(...rows.map((r) => r.id)) });
    const result = await ask();
    assert.deepEqual(handoffs, [result.notificationId]);
    const claimed = await row(result.notificationId);
    assert.equal(claimed.status, 'sending');
    assert.equal(claimed.attempts, 1);
    assert.equal(Number(claimed.lease_until), h.clock.now() + 60_000);
    assert.equal(await h.ctx.dispatcher.runOnce(), 0, 'not claimable while leased');
    h.clock.advance(60_001);
    assert.equal(await h.ctx.dispatcher.runOnce(), 1);
    const sent = await row(result.notificationId);
    assert.equal(sent.status, 'delivered');
    assert.equal(sent.attempts, 2);
    assert.equal(await h.ctx.dispatcher.runOnce(), 0, 'sent once');
    const replies = await h.ctx.db.kysely.selectFrom('inbound_messages').select('reply_notification_id').where('id', '>', 0).execute();
    assert.equal(new Set(replies.map((r) => r.reply_notification_id)).size, replies.length, 'one reply row per MO');
  });

  test('no dispatcher running in this process: the reply waits in the outbox (pending) for whichever process sends', async () => {
    h.ctx.lookup.setReplyHandoff({ ready: () => false, send: () => assert.fail('not ready: nothing is handed off') });
    const result = await ask();
    const pending = await row(result.notificationId);
    assert.equal(pending.status, 'pending');
    assert.equal(pending.attempts, 0);
    assert.equal(await h.ctx.dispatcher.runOnce(), 1);
    assert.equal((await row(result.notificationId)).status, 'delivered');
  });
});
