/**
 * kill -9 mid-send with Zalo first and SMS as the fallback (issue 17), with real worker processes against a
 * real database. The Zalo simulator (its per-message log: every accepted send, by tracking_id) and the SMS
 * sandbox's journal (every message the "SMSC" accepted) are the witnesses; the webhook is the product's route,
 * served by this process.
 *
 * The citizens: some are not on Zalo (permanent -118 → an SMS), some get the Zalo message and its delivery
 * event, some get it with no delivery event ever (→ an SMS after fallbackAfterSeconds). A worker is killed
 * while Zalo sends are in flight, the next one while fallback SMS are in flight, a third one settles everything.
 *
 * What must hold: no citizen gets the same channel twice beyond the responses the kills lost (Zalo: none at
 * all, as the retry carries the same tracking_id and Zalo answers it with the first msg_id); nobody gets both
 * channels except after a timeout; every notification ends delivered, or failed with a reason and a linked
 * SMS that is itself delivered.
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startZaloSimulator, type ZaloSimulator } from '../../../src/main/zalo-sim/zalo-sim.js';
import { TEST_DB, createTestDatabase, dossierWithResult, seedBasics, startHarness, type Harness } from '../../support/harness.js';
import { freePort, waitFor } from '../../support/wait.js';
import { countBy, killWorker, readJournal, sessionsGone, startWorker, stopWorker, workerEnv } from '../../support/workers.js';
import { writeZaloProvidersFile } from '../../support/zalo.js';

const APP = { appId: '4143281000000000777', appSecret: 'crash-app-secret-0123', oaSecretKey: 'crash-oa-secret-abcdef' };
const CITIZENS = 120;
/** The shortest the provider accepts: the notifications with no delivery event fall back within seconds. */
const FALLBACK_AFTER_S = 10;
/** Generous: covers tsx start-up on a loaded machine. Nothing asserts on elapsed time. */
const POLL = { everyMs: 5, timeoutMs: 300_000 };

type Kind = 'not_on_zalo' | 'delivered' | 'no_event';
/** 30% not on Zalo, 20% with no delivery event, the rest delivered by Zalo. */
const kindOf = (i: number): Kind => (i % 10 < 3 ? 'not_on_zalo' : i % 10 < 5 ? 'no_event' : 'delivered');
const phoneOf = (i: number) => `0913${String(100_000 + i).slice(-6)}`;
const zaloPhone = (phone: string) => `84${phone.slice(1)}`;
const e164 = (phone: string) => `+84${phone.slice(1)}`;

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

interface Row {
  id: number;
  channel: string;
  status: string;
  failure_reason: string | null;
  to_address: string | null;
  provider_message_id: string | null;
  fallback_of: number | null;
  attempts: number;
}

async function rows(h: Harness): Promise<Row[]> {
  return h.ctx.db.kysely
    .selectFrom('notifications')
    .select(['id', 'channel', 'status', 'failure_reason', 'to_address', 'provider_message_id', 'fallback_of', 'attempts'])
    .where('kind', '=', 'result_ready')
    .orderBy('id')
    .execute();
}

describe(`kill -9 mid-send, Zalo first and SMS as the fallback (${TEST_DB})`, () => {
  test('no citizen notified twice by one channel, none left without a final state', async (t: TestContext) => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-zalo-crash-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const journal = join(dir, 'journal.jsonl');
    const port = await freePort();
    const sim: ZaloSimulator = await startZaloSimulator({
      ...APP,
      refreshToken: 'crash-refresh-token',
      webhookUrl: `http://127.0.0.1:${port}/webhooks/zalo`,
      deliveryDelayMs: 100,
      // Accepted at once, answered later: a kill lands between Zalo taking a message and us recording it.
      answerDelayMs: 150,
    });
    cleanups.push(() => sim.close());
    for (let i = 0; i < CITIZENS; i++) {
      const phone = zaloPhone(phoneOf(i));
      if (kindOf(i) === 'not_on_zalo') sim.setPhone(phone, { error: -118 });
      if (kindOf(i) === 'no_event') sim.setPhone(phone, { noDelivery: true });
    }
    const configFile = writeZaloProvidersFile(dir, {
      app: APP,
      url: sim.url,
      refreshToken: 'crash-refresh-token',
      fallbackAfterSeconds: FALLBACK_AFTER_S,
      templates: { result_ready: { templateId: '301234', data: { ma_ho_so: '{Mã số biên nhận}' } } },
    });
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    // Business time a little in the past of the wall clock the workers use, so every message is due for them.
    const h = await startHarness({
      database,
      env: { MOTCUA_CONFIG_FILE: configFile },
      now: new Date(Date.now() - 10 * 60_000).toISOString(),
    });
    cleanups.push(() => h.close());
    // The API's side: Zalo's delivery events reach the product's webhook route.
    await h.app.listen({ port, host: '127.0.0.1' });
    await seedBasics(h, { holdSeconds: 0, quietHours: null, channels: ['zalo', 'sms'] });
    for (let i = 0; i < CITIZENS; i++) await dossierWithResult(h, i + 1, { name: 'Lê Thị C', phone: phoneOf(i) });
    const created = await rows(h);
    assert.equal(created.length, CITIZENS);
    assert.ok(created.every((r) => r.channel === 'zalo' && r.status === 'pending'));

    const env = workerEnv(h.database, journal, {
      MOTCUA_CONFIG_FILE: configFile,
      MOTCUA_SANDBOX_DELAY_MS: '150',
      MOTCUA_DISPATCH_CONCURRENCY: '10',
      MOTCUA_DISPATCH_BATCH: '20',
    });
    const inFlightAt = async (channel: string) =>
      new Set((await rows(h)).filter((r) => r.channel === channel && r.status === 'sending').map((r) => r.id));

    // 1. Killed while Zalo sends are in flight.
    const first = startWorker('zalo worker 1', env, h.database);
    await waitFor('a fifth of the Zalo sends accepted', () => sim.sends.length >= CITIZENS / 5, { ...POLL, processes: [first] });
    await killWorker(first);
    await sessionsGone(h.database, first, POLL.timeoutMs);
    const zaloInFlight = await inFlightAt('zalo');
    const acceptedAtKill = new Set(sim.sends.map((s) => Number(s.trackingId)));
    // Zalo had taken these, and the answer died with the worker: the responses lost.
    const zaloLost = [...zaloInFlight].filter((id) => acceptedAtKill.has(id));

    // 2. Killed while fallback SMS are in flight.
    const second = startWorker('zalo worker 2', env, h.database);
    await waitFor('fallback SMS leaving', () => readJournal(journal).length >= 5, { ...POLL, processes: [second] });
    await killWorker(second);
    await sessionsGone(h.database, second, POLL.timeoutMs);
    const smsInFlight = await inFlightAt('sms');
    const journaledAtKill = new Set(readJournal(journal).map((l) => l.id));
    const smsLost = [...smsInFlight].filter((id) => journaledAtKill.has(id));

    // 3. A third worker settles everything: sends, the timeout fallback, the fallback SMS.
    const third = startWorker('zalo worker 3', env, h.database);
    await waitFor(
      'every notification settled (nothing pending, sending, or sent by Zalo without an event)',
      async () => {
        const now = await rows(h);
        const open = now.filter((r) => ['pending', 'sending'].includes(r.status) || (r.channel === 'zalo' && r.status === 'sent'));
        return open.length === 0 && now.length > CITIZENS ? true : undefined;
      },
      { ...POLL, processes: [third] },
    );
    await stopWorker(third);

    const final = await rows(h);
    const sends = sim.sends;
    const lines = readJournal(journal);

    // Zalo: the retries of the lost answers carried the same tracking_id, so Zalo took each message once.
    const zaloByPhone = countBy(sends, (s) => s.phone);
    const zaloTwice = [...zaloByPhone].filter(([, n]) => n > 1);
    assert.deepEqual(zaloTwice, [], 'no citizen got the Zalo message twice');
    assert.deepEqual(
      [...countBy(sends, (s) => s.trackingId)].filter(([, n]) => n > 1),
      [],
      'one accepted send per notification',
    );
    for (const row of final.filter((r) => r.channel === 'zalo' && r.provider_message_id !== null)) {
      const send = sends.find((s) => s.trackingId === String(row.id));
      assert.equal(row.provider_message_id, send?.msgId, `Zalo notification ${row.id} records the msg_id Zalo gave it`);
    }
    const retriedRequests = [...sim.attempts.values()].reduce((sum, n) => sum + n, 0) - CITIZENS;

    // SMS: a duplicate only for a message the SMSC had taken when its worker died (no idempotency key there).
    const smsByPhone = countBy(lines, (l) => l.to);
    const smsById = countBy(lines, (l) => l.id);
    const smsDuplicates = [...smsById].filter(([, n]) => n > 1).map(([id]) => id);
    assert.ok(
      [...smsById.values()].every((n) => n <= 2),
      'no SMS went out more than twice',
    );
    for (const id of smsDuplicates) assert.ok(smsLost.includes(id), `duplicate SMS ${id} was not an answer lost at a kill`);
    assert.ok(smsDuplicates.length <= smsLost.length, `${smsDuplicates.length} duplicate SMS > ${smsLost.length} answers lost`);
    assert.equal(
      [...smsByPhone.values()].reduce((sum, n) => sum + n, 0) - smsByPhone.size,
      smsDuplicates.length,
      'every extra SMS to a citizen is one of those duplicates',
    );

    // Every notification is final: delivered, or failed with a reason and a delivered SMS linked to it.
    const byId = new Map(final.map((r) => [r.id, r]));
    const fallbackOf = new Map(final.filter((r) => r.fallback_of !== null).map((r) => [r.fallback_of!, r]));
    for (const row of final) {
      if (row.channel === 'sms') {
        assert.equal(row.status, 'delivered', `SMS ${row.id}`);
        assert.equal(byId.get(row.fallback_of ?? -1)?.channel, 'zalo', `SMS ${row.id} replaces a Zalo notification`);
        continue;
      }
      if (row.status === 'delivered') {
        assert.equal(fallbackOf.get(row.id), undefined, `Zalo ${row.id} delivered, and no SMS`);
        continue;
      }
      assert.equal(row.status, 'failed', `Zalo ${row.id} is final`);
      assert.ok(row.failure_reason, `Zalo ${row.id} failed with a reason`);
      assert.equal(fallbackOf.get(row.id)?.status, 'delivered', `Zalo ${row.id} failed: its SMS is delivered`);
    }

    // Per citizen: the channel their case calls for, once (beyond the duplicates counted above).
    for (let i = 0; i < CITIZENS; i++) {
      const phone = phoneOf(i);
      const zalo = final.find((r) => r.channel === 'zalo' && r.to_address === e164(phone))!;
      const gotZalo = zaloByPhone.get(zaloPhone(phone)) ?? 0;
      const gotSms = smsByPhone.get(e164(phone)) ?? 0;
      const expected = {
        not_on_zalo: ['failed', 'zalo_not_a_user', 0, 1],
        no_event: ['failed', 'zalo_no_receipt', 1, 1],
        delivered: ['delivered', null, 1, 0],
      }[kindOf(i)];
      const smsOnce = Math.min(gotSms, 1);
      assert.deepEqual([zalo.status, zalo.failure_reason, gotZalo, smsOnce], expected, `citizen ${i} (${kindOf(i)})`);
    }

    t.diagnostic(
      `${TEST_DB}: kill 1 with ${zaloInFlight.size} Zalo sends in flight (${zaloLost.length} accepted by Zalo, answer lost), ` +
        `kill 2 with ${smsInFlight.size} SMS in flight (${smsLost.length} accepted, answer lost); ` +
        `${sends.length} Zalo messages, ${retriedRequests} repeated Zalo requests, 0 duplicate Zalo deliveries; ` +
        `${lines.length} SMS, ${smsDuplicates.length} duplicate(s)`,
    );
  });
});
