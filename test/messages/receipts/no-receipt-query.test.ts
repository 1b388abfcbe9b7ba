/**
 * Issue 12 item 7, last point: before a `sent` message without a receipt becomes `unknown`, the SMSC is
 * asked (query_sm). Through the product, against the simulator (which sends no receipts here and answers
 * query_sm from its own state), on both databases.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSmscSimulator, type SmscSimulator } from '../../../src/lib/smpp/simulator/smsc-simulator.js';
import { admin, seedBasics, startHarness, type Harness, dossierWithResult } from '../../support/harness.js';

describe('no receipt in time: ask the SMSC first (query_sm)', () => {
  let sim: SmscSimulator;
  let h: Harness;

  before(async () => {
    sim = await startSmscSimulator({ receiptDelayMs: null });
    h = await startHarness({
      env: {
        MOTCUA_SMS_PROVIDER: 'smpp',
        MOTCUA_SMPP_URL: `smpp://motcua:x@127.0.0.1:${sim.port}?window=20`,
        MOTCUA_RECEIPT_TIMEOUT_SECONDS: '3600',
      },
    });
    await seedBasics(h);
    h.ctx.providers.start();
  });

  after(async () => {
    await h?.close();
    await sim?.close();
  });

  async function sentMessage(serial: number): Promise<{ id: number; providerMessageId: string }> {
    const id = await dossierWithResult(h, serial);
    for (let round = 0; round < 50; round++) {
      const row = await h.ctx.db.kysely
        .selectFrom('notifications')
        .select(['status', 'provider_message_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      if (row.status === 'sent' && row.provider_message_id) return { id, providerMessageId: row.provider_message_id };
      assert.ok(row.status === 'pending' || row.status === 'sending', `unexpected status ${row.status}`);
      await h.ctx.dispatcher.runOnce();
    }
    throw new Error(`message ${id} was never sent`);
  }

  const statusOf = (id: number) =>
    h.ctx.db.kysely.selectFrom('notifications').select(['status', 'failure_reason']).where('id', '=', id).executeTakeFirstOrThrow();

  test('DELIVERED → delivered, UNDELIVERABLE → failed, ENROUTE/UNKNOWN/no answer → unknown', async () => {
    const delivered = await sentMessage(1);
    const undeliverable = await sentMessage(2);
    const enroute = await sentMessage(3);
    const unknown = await sentMessage(4);
    assert.equal(sim.setMessageState(delivered.providerMessageId, 'DELIVRD'), true);
    assert.equal(sim.setMessageState(undeliverable.providerMessageId, 'UNDELIV'), true);
    assert.equal(sim.setMessageState(unknown.providerMessageId, 'UNKNOWN'), true);

    // Not yet due: nothing is asked, nothing changes.
    assert.equal(await h.ctx.noReceiptSweeper.runOnce(), 0);
    assert.equal(sim.stats().queries, 0);
    assert.deepEqual(await statusOf(delivered.id), { status: 'sent', failure_reason: null });

    h.clock.advance(2 * 3600_000);
    assert.equal(await h.ctx.noReceiptSweeper.runOnce(), 0);
    assert.equal(sim.stats().queries, 4, 'each due message was asked about once');
    assert.deepEqual(await statusOf(delivered.id), { status: 'delivered', failure_reason: null });
    assert.deepEqual(await statusOf(undeliverable.id), { status: 'failed', failure_reason: 'carrier_undelivered' });
    assert.deepEqual(await statusOf(enroute.id), { status: 'unknown', failure_reason: 'no_receipt' });
    assert.deepEqual(await statusOf(unknown.id), { status: 'unknown', failure_reason: 'no_receipt' });

    const listed = await h.app.inject({ method: 'GET', url: '/api/v1/notifications?status=delivered', headers: admin });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(
      (listed.json().items as { id: number }[]).map((n) => n.id),
      [delivered.id],
    );

    // A later sweep asks nothing again: those messages are final.
    assert.equal(await h.ctx.noReceiptSweeper.runOnce(), 0);
    assert.equal(sim.stats().queries, 4);
  });

  test('an SMSC that cannot be asked (session closed): unknown / no_receipt as before', async () => {
    const silent = await sentMessage(5);
    sim.setMessageState(silent.providerMessageId, 'DELIVRD');
    await h.ctx.providers.close();
    h.clock.advance(2 * 3600_000);
    const queries = sim.stats().queries;
    assert.equal(await h.ctx.noReceiptSweeper.runOnce(), 0);
    assert.equal(sim.stats().queries, queries, 'nothing reached the SMSC');
    assert.deepEqual(await statusOf(silent.id), { status: 'unknown', failure_reason: 'no_receipt' });
  });
});
