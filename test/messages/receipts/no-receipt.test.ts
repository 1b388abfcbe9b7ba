/**
 * Issue 12 item 7: a `sent` message whose receipt never comes becomes final `unknown` (reason
 * `no_receipt`) after MOTCUA_RECEIPT_TIMEOUT_SECONDS (shortened here to an hour), counted apart in the
 * statistics and the reconciliation. Runs on both databases.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { markNoReceipt } from '../../../src/messages/receipts/no-receipt.js';
import { admin, seedBasics, startHarness, type Harness, dossierWithResult } from '../../support/harness.js';

describe('no receipt in time → unknown', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { MOTCUA_RECEIPT_TIMEOUT_SECONDS: '3600' } });
    await seedBasics(h);
  });
  after(async () => {
    await h?.close();
  });

  const resultMessage = (serial: number) => dossierWithResult(h, serial);

  const markSent = (id: number, sentAt: number) =>
    h.ctx.db.kysely
      .updateTable('notifications')
      .set({ status: 'sent', sent_at: sentAt, provider: 'smpp', provider_message_id: `M${id}` })
      .where('id', '=', id)
      .execute();
  const statusOf = async (id: number) =>
    h.ctx.db.kysely.selectFrom('notifications').select(['status', 'failure_reason']).where('id', '=', id).executeTakeFirstOrThrow();

  test('after the timeout a sent message becomes unknown/no_receipt once; a recent one stays sent', async () => {
    const old = await resultMessage(1);
    const recent = await resultMessage(2);
    const now = h.clock.now();
    await markSent(old, now - 2 * 3600_000);
    await markSent(recent, now - 10 * 60_000);

    assert.equal(await h.ctx.noReceiptSweeper.runOnce(), 0, 'a partial batch: no need to run again at once');
    assert.deepEqual(await statusOf(old), { status: 'unknown', failure_reason: 'no_receipt' });
    assert.deepEqual(await statusOf(recent), { status: 'sent', failure_reason: null });
    assert.deepEqual(await markNoReceipt(h.ctx.db, now, now), [recent], 'each message is claimed once');
    assert.deepEqual(await markNoReceipt(h.ctx.db, now, now), []);

    const listed = await h.app.inject({ method: 'GET', url: '/api/v1/notifications?status=unknown', headers: admin });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(
      (listed.json().items as { id: number; status: string; failureReason: string }[]).map((n) => [n.id, n.status, n.failureReason]).sort(),
      [
        [old, 'unknown', 'no_receipt'],
        [recent, 'unknown', 'no_receipt'],
      ].sort(),
    );

    const stats = await h.app.inject({ method: 'GET', url: '/api/v1/stats?from=2026-11-01&to=2026-11-30&groupBy=agency', headers: admin });
    assert.equal(stats.statusCode, 200, stats.body);
    const row = (
      stats.json().rows as { agencyCode: string; messages: Record<string, number>; reconciliation: Record<string, number> }[]
    ).find((r) => r.agencyCode === 'STC')!;
    assert.equal(row.messages.unknown, 2);
    assert.equal(row.messages.delivered, 0);
    assert.equal(row.reconciliation.resultMessagesUnknown, 2);
  });
});
