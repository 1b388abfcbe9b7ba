/**
 * MOs answered as a group (one read of the senders' hour, one insert of the replies, one of the MOs)
 * decide exactly as one after the other would: the flood and enumeration guards count the group's own
 * earlier MOs, and a message id seen twice in a group gets one reply.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

describe(`look-ups answered in groups (${TEST_DB})`, () => {
  let h: Harness;
  const code = 'GROUP-1';
  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: code }) });
  });
  after(async () => h.close());

  const ask = (from: string, text: string, messageId: string | null = null) =>
    h.ctx.lookup.handleInbound({ gateway: 'smpp', messageId, from, to: '8083', text, receivedAt: null, replyVia: 'outbox' });

  test('65 look-ups at once from one number: the first 60 answered, the rest rate-limited', async () => {
    const results = await Promise.all(Array.from({ length: 65 }, () => ask('0912300001', `MCKH ${code}`)));
    assert.equal(results.filter((r) => r.outcome === 'found').length, 60);
    assert.equal(results.filter((r) => r.outcome === 'rate_limited').length, 5);
    assert.ok(results.every((r) => !r.duplicate && r.notificationId !== null));
  });

  test('7 unknown codes at once from one number: 6 answered not found, then the enumeration guard', async () => {
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => ask('0912300002', `MCKH 99999${i}`)));
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['not_found', 'not_found', 'not_found', 'not_found', 'not_found', 'not_found', 'rate_limited'],
    );
  });

  test('one message id four times at once: one MO row, one reply, three duplicates with its answer', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => ask('0912300003', `MCKH ${code}`, 'group-dup-1')));
    assert.equal(results.filter((r) => !r.duplicate).length, 1);
    const first = results.find((r) => !r.duplicate)!;
    assert.ok(results.every((r) => r.outcome === 'found' && r.reply === first.reply && r.notificationId === first.notificationId));
    const mos = await h.ctx.db.kysely.selectFrom('inbound_messages').select('id').where('gateway_message_id', '=', 'group-dup-1').execute();
    assert.equal(mos.length, 1);
    const replies = await h.ctx.db.kysely
      .selectFrom('notifications')
      .select('id')
      .where('dedupe_key', '=', 'lookup|smpp|group-dup-1')
      .execute();
    assert.equal(replies.length, 1);
  });
});
