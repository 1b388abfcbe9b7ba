/**
 * The whole product over SMPP, against two SMSC simulators (src/lib/smpp/simulator/smsc-simulator.ts) configured
 * through a providers file: the outbox → dispatcher → SMPP submit_sm, receipts back on the receiver
 * bind → delivered, an MO deliver_sm → look-up → reply from the short code, long and Unicode
 * messages, and failover to the second provider when the first throttles everything or drops.
 * Every message is accounted for (none lost); duplicates are counted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, intakeBody, seedBasics, startHarness, type Harness } from '../../support/harness.js';
import { waitFor } from '../../support/wait.js';
import { startSmscSimulator, type SmscSimulator } from '../../../src/lib/smpp/simulator/smsc-simulator.js';

describe('SMPP transport through the product', () => {
  let dir: string;
  let primary: SmscSimulator;
  let secondary: SmscSimulator;
  let h: Harness;
  let serial = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-smpp-'));
    primary = await startSmscSimulator({
      systemId: 'motcua',
      password: 'secret1',
      idStyle: 'hex',
      receiptIdStyle: 'decimal',
      receiptDelayMs: 20,
    });
    secondary = await startSmscSimulator({ systemId: 'motcua', password: 'secret2', idStyle: 'decimal', receiptDelayMs: 20 });
    const configFile = join(dir, 'providers.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        providers: [
          {
            name: 'smsc-a',
            type: 'smpp',
            priority: 1,
            options: { url: `smpp://motcua:secret1@127.0.0.1:${primary.port}?bind=tx_rx&window=20&shortCode=8083` },
          },
          {
            name: 'smsc-b',
            type: 'smpp',
            priority: 2,
            options: { url: `smpp://motcua:secret2@127.0.0.1:${secondary.port}?bind=transceiver&window=20&shortCode=8083` },
          },
          { name: 'mail', type: 'sandbox', channel: 'email' },
        ],
      }),
    );
    h = await startHarness({ env: { MOTCUA_CONFIG_FILE: configFile, MOTCUA_DISPATCH_LEASE_SECONDS: '30' } });
    await seedBasics(h);
    h.ctx.providers.start();
    await waitFor('binds at both simulators', () => primary.stats().bound >= 2 && secondary.stats().bound >= 1);
  });

  after(async () => {
    await h?.close();
    await primary?.close();
    await secondary?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function resultMessage(overrides: Record<string, unknown> = {}) {
    const code = `000.00.15.H34-261123-${String(++serial).padStart(4, '0')}`;
    const intake = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: code, ...overrides }),
    });
    assert.equal(intake.statusCode, 201, intake.body);
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${code}/events`,
      headers: admin,
      payload: { type: 'result_ready' },
    });
    const note = (res.json().notifications as { id: number; kind: string; body: string; segments: number }[]).find(
      (n) => n.kind === 'result_ready',
    )!;
    return { code, note };
  }

  const row = (id: number) => h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  /** Runs the dispatcher until nothing is due, moving business time on so retries come due. */
  async function drain(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const handled = await h.ctx.dispatcher.runOnce();
      const waiting = await h.ctx.db.kysely
        .selectFrom('notifications')
        .select('id')
        .where('status', 'in', ['pending', 'sending'])
        .execute();
      if (handled === 0 && waiting.length === 0) return;
      if (handled === 0) h.clock.advance(60_000);
    }
    throw new Error('the outbox never emptied');
  }

  test('a result message leaves by submit_sm from the brandname and its receipt (decimal id for a hex submit id) delivers it', async () => {
    const { note } = await resultMessage();
    await drain();
    const sent = primary.submitted.find((m) => m.destination.addr === '84912345678')!;
    assert.equal(sent.text, note.body);
    assert.equal(sent.source.addr, 'MotcuaSMS');
    assert.equal(sent.source.ton, 5);
    assert.equal(sent.registeredDelivery, 1);
    const delivered = await waitFor('the receipt', async () => ((await row(note.id)).status === 'delivered' ? row(note.id) : null));
    assert.equal(delivered.provider, 'smsc-a');
  });

  test('a long Unicode message is split with UDH and is delivered only when every part is', async () => {
    await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STC',
      headers: admin,
      payload: { name: 'Sở Tài chính', settings: { holdSeconds: 0, quietHours: null, smsEncoding: 'unicode' } },
    });
    const before = primary.submitted.length;
    const { note } = await resultMessage({ applicant: { name: 'Nguyễn Thị Hồng Nhung', phone: '0987 654 321' } });
    await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STC',
      headers: admin,
      payload: { name: 'Sở Tài chính', settings: { holdSeconds: 0, quietHours: null } },
    });
    assert.ok(note.segments >= 2, `segments ${note.segments}`);
    await drain();
    const parts = primary.submitted.slice(before).filter((m) => m.destination.addr === '84987654321');
    assert.equal(parts.length, note.segments);
    assert.ok(parts.every((p) => p.dataCoding === 8 && p.concat !== null));
    assert.equal(parts.map((p) => p.text).join(''), note.body);
    await waitFor('every part delivered', async () => (await row(note.id)).status === 'delivered');
    const ids = await h.ctx.db.kysely
      .selectFrom('provider_message_parts')
      .select(['part', 'status'])
      .where('notification_id', '=', note.id)
      .orderBy('part')
      .execute();
    assert.equal(ids.length, note.segments);
  });

  test('an MO deliver_sm is looked up and answered from the short code over SMPP', async () => {
    const { code } = await resultMessage();
    await drain();
    const before = primary.submitted.length + secondary.submitted.length;
    await primary.injectMo({ from: '84903111222', to: '8083', text: `MCKH ${code}` });
    const inbound = await waitFor('the MO stored', () =>
      h.ctx.db.kysely.selectFrom('inbound_messages').selectAll().where('sender', '=', '+84903111222').executeTakeFirst(),
    );
    assert.equal(inbound.outcome, 'found');
    assert.equal(inbound.gateway, 'smpp');
    await drain();
    const reply = [...primary.submitted, ...secondary.submitted].slice(before).filter((m) => m.destination.addr === '84903111222');
    assert.equal(reply.map((part) => part.text).join(''), inbound.reply);
    assert.equal(reply[0]!.source.addr, '8083');
  });

  test('an MO from a short sender ("456") is answered to that address with its TON/NPI, as the SMSC gave it', async () => {
    const { code } = await resultMessage();
    await drain();
    const before = primary.submitted.length + secondary.submitted.length;
    await primary.injectMo({ from: '456', to: '8083', text: `MCKH ${code}` });
    const inbound = await waitFor('the MO stored', () =>
      h.ctx.db.kysely.selectFrom('inbound_messages').selectAll().where('sender', '=', '456').executeTakeFirst(),
    );
    assert.equal(inbound.outcome, 'found');
    await drain();
    const reply = [...primary.submitted, ...secondary.submitted].slice(before).filter((m) => m.destination.addr === '456');
    assert.equal(reply.length, 1);
    assert.equal(reply[0]!.text, inbound.reply);
    // The simulator sends every MO from TON 1 NPI 1: the reply goes back with exactly those.
    assert.deepEqual([reply[0]!.destination.ton, reply[0]!.destination.npi], [1, 1]);
  });

  test('a concatenated MO is reassembled before the look-up', async () => {
    const { code } = await resultMessage();
    await drain();
    await primary.injectMo({
      from: '84903111333',
      to: '8083',
      text: `MCKH ${code} ${'xin cam on '.repeat(20)}`,
      split: true,
      reverse: true,
    });
    const inbound = await waitFor('the MO stored', () =>
      h.ctx.db.kysely.selectFrom('inbound_messages').selectAll().where('sender', '=', '+84903111333').executeTakeFirst(),
    );
    assert.ok(inbound.text.startsWith(`MCKH ${code} xin cam on`));
  });

  test('failover: with the primary failing every submit (system error), messages move to the secondary; none is lost', async () => {
    primary.setFaults({ rejectPercent: 100, rejectStatus: 0x08 });
    const notes = [];
    for (let i = 0; i < 12; i++)
      notes.push((await resultMessage({ applicant: { name: 'Trần Văn B', phone: `09120000${String(10 + i)}` } })).note);
    await drain();
    primary.setFaults({ rejectPercent: 0 });
    const rows = await Promise.all(notes.map((n) => row(n.id)));
    assert.ok(
      rows.every((r) => r.status === 'sent' || r.status === 'delivered'),
      JSON.stringify(rows.map((r) => [r.id, r.status, r.failure_reason])),
    );
    assert.ok(
      rows.every((r) => r.provider === 'smsc-b'),
      'every message went through the secondary',
    );
    const destinations = new Set(notes.map((_, i) => `849120000${String(10 + i)}`));
    const accepted = [...primary.submitted, ...secondary.submitted].filter((m) => destinations.has(m.destination.addr));
    process.stdout.write(
      `# failover: ${notes.length} messages, ${accepted.length} accepted by an SMSC, duplicates ${accepted.length - notes.length}\n`,
    );
    assert.equal(accepted.length, notes.length, 'each message accepted exactly once');
    const health = h.ctx.providers.health().find((p) => p.name === 'smsc-a')!;
    assert.ok(health.effectiveWeight < health.weight, 'the primary lost weight');
    const metrics = await h.ctx.metrics.registry.metrics();
    assert.match(metrics, /motcua_provider_switches_total\{[^}]*from="smsc-a"[^}]*\} [1-9]/);
  });

  test('a dropped connection mid-stream: sessions come back, every message is sent, duplicates are counted', async () => {
    const notes = [];
    for (let i = 0; i < 10; i++)
      notes.push((await resultMessage({ applicant: { name: 'Lê Thị C', phone: `09130000${String(10 + i)}` } })).note);
    // The failover above may have left either provider in front: both drop after their third submit.
    primary.setFaults({ dropAfterSubmits: 3 });
    secondary.setFaults({ dropAfterSubmits: 3 });
    const dropsBefore = primary.stats().drops + secondary.stats().drops;
    await drain();
    assert.ok(primary.stats().drops + secondary.stats().drops > dropsBefore, 'a connection was dropped');
    const rows = await Promise.all(notes.map((n) => row(n.id)));
    assert.ok(
      rows.every((r) => r.status === 'sent' || r.status === 'delivered'),
      JSON.stringify(rows.map((r) => [r.id, r.status, r.failure_reason])),
    );
    const destinations = new Set(notes.map((_, i) => `849130000${String(10 + i)}`));
    const received = [...primary.submitted, ...secondary.submitted].filter((m) => destinations.has(m.destination.addr));
    const duplicates = received.length - notes.length;
    const responsesLost = primary.stats().responsesLost + secondary.stats().responsesLost;
    process.stdout.write(
      `# dropped connection: ${notes.length} messages, ${received.length} submits received, duplicates ${duplicates} (responses lost ${responsesLost})\n`,
    );
    assert.ok(duplicates <= responsesLost, 'a duplicate only where the SMSC took a submit whose answer was lost');
  });
});
