/**
 * Zalo in the demo (issue 17): `serve --demo` adds a Zalo provider served by the in-process simulator
 * (src/main/demo/demo.zalo.ts), two demo agencies list Zalo first, and their notices end delivered by Zalo
 * (the event through the product's webhook) or by SMS after a fallback; the stats split them by channel.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoMode } from '../../src/platform/config/config.js';
import { loadDemoData } from '../../src/main/demo/demo.data.js';
import { DEMO_ZALO_AGENCIES, withDemoZalo } from '../../src/main/demo/demo.zalo.js';
import type { ZaloSimulator } from '../../src/main/zalo-sim/zalo-sim.js';
import { startHarness, TEST_DB, type Harness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

describe(`the demo sends by Zalo first for two agencies (${TEST_DB})`, () => {
  let h: Harness;
  let sim: ZaloSimulator | null = null;
  before(async () => {
    h = await startHarness({
      configure: async (config) => {
        const demo = await withDemoZalo(demoMode(config));
        sim = demo.simulator;
        return demoMode(demo.config);
      },
    });
  });
  after(async () => {
    await h?.close();
    await sim?.close();
  });

  const zaloRows = () =>
    h.ctx.db.kysely
      .selectFrom('notifications')
      .select(['id', 'agency_code', 'status', 'failure_reason', 'to_address'])
      .where('channel', '=', 'zalo')
      .execute();
  const drain = async () => {
    while ((await h.ctx.dispatcher.runOnce()) > 0);
  };

  test('Zalo notices delivered through the webhook, the others replaced by one SMS each, figures split by channel', async () => {
    assert.ok(sim, 'the demo starts its Zalo simulator');
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    sim.setWebhookUrl(`${address}/webhooks/zalo`);
    await loadDemoData(h.ctx);
    // Past every hold and quiet hour of the demo's notices.
    h.clock.advance(24 * 3600_000);
    await drain();
    const sent = await zaloRows();
    assert.ok(sent.length > 0, 'the demo has Zalo notifications');
    assert.ok(
      sent.every((r) => DEMO_ZALO_AGENCIES.includes(r.agency_code!)),
      'only the agencies that list Zalo first',
    );
    const noEvent = sent.filter((r) => r.to_address === '+84936222333' && r.status === 'sent').length;
    await waitFor('the delivery events', async () => (await zaloRows()).filter((r) => r.status === 'sent').length === noEvent);
    // No delivery event within fallbackAfterSeconds (60 s): SMS instead.
    h.clock.advance(61_000);
    await h.ctx.zaloFallback.sweep();
    await drain();

    const rows = await h.ctx.db.kysely
      .selectFrom('notifications')
      .select(['id', 'agency_code', 'channel', 'status', 'failure_reason', 'fallback_of', 'to_address'])
      .where('agency_code', 'in', [...DEMO_ZALO_AGENCIES])
      .execute();
    const zalo = rows.filter((r) => r.channel === 'zalo');
    const fallbacks = new Map(rows.filter((r) => r.fallback_of !== null).map((r) => [r.fallback_of!, r]));
    const reasons = new Set<string>();
    for (const row of zalo) {
      // Cancelled: the dossier moved on within the hold (returned at once), nothing was due any more.
      if (row.status === 'delivered' || row.status === 'cancelled') {
        assert.equal(fallbacks.get(row.id), undefined, `Zalo ${row.id} ${row.status}, no SMS`);
        continue;
      }
      assert.equal(row.status, 'failed', `Zalo ${row.id} (${row.to_address})`);
      reasons.add(row.failure_reason!);
      assert.equal(fallbacks.get(row.id)?.status, 'delivered', `Zalo ${row.id} failed (${row.failure_reason}): its SMS is delivered`);
    }
    assert.ok(
      zalo.some((r) => r.status === 'delivered'),
      'some delivered by Zalo',
    );
    assert.ok(reasons.size > 0, 'some fall back to SMS');

    const stats = await h.ctx.stats.compute({ from: '2026-10-01', to: '2026-12-31', agencyCode: null, groupBy: 'agency' });
    for (const code of DEMO_ZALO_AGENCIES) {
      const row = stats.rows.find((r) => r.agencyCode === code)!;
      assert.ok(row.byChannel.zalo, `${code}: Zalo figures`);
      assert.equal(row.zalo.deliveredByZalo, zalo.filter((r) => r.status === 'delivered' && r.agency_code === code).length);
    }
  });
});
