/**
 * Delivery receipts → message statuses (parts, early receipts, hex/decimal ids, duplicates), and the
 * agencies' HMAC-signed status callbacks posted to a real local HTTP server, with retries.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { admin, bearer, intakeBody, seedBasics, startHarness, type Harness } from '../../support/harness.js';
import { transaction } from '../../../src/platform/db/database.js';
import { signCallback } from '../../../src/messages/callbacks/status-callback.service.js';
import { lockReceiptIds } from '../../../src/messages/receipts/receipt.service.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

describe('delivery receipts and status callbacks', () => {
  let h: Harness;
  let server: Server;
  let received: Received[] = [];
  let answers: number[] = [];
  let callbackUrl = '';
  let gateway = '';
  let sequence = 0;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = answers.shift() ?? 200;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/motcua/status`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(async () => {
    await h?.close();
    h = await startHarness();
    await seedBasics(h, { holdSeconds: 0, quietHours: null, statusCallbackUrl: callbackUrl });
    received = [];
    answers = [];
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'gateway' } });
    gateway = res.json().token as string;
  });

  after(async () => {
    await h?.close();
  });

  /** A result message the provider accepted in parts, as the dispatcher records it. */
  async function sentMessage(ids: string[], provider = 'smsc1'): Promise<number> {
    const code = `000.00.15.H34-261123-${String(++sequence).padStart(4, '0')}`;
    let res = await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: code }) });
    assert.equal(res.statusCode, 201, res.body);
    res = await h.app.inject({ method: 'POST', url: `/api/v1/dossiers/${code}/events`, headers: admin, payload: { type: 'result_ready' } });
    const id = (res.json().notifications as { id: number; kind: string }[]).find((n) => n.kind === 'result_ready')!.id;
    const now = h.clock.now();
    await transaction(h.ctx.db, async (tx) => {
      await lockReceiptIds(tx, [{ provider, ids }]);
      await tx.kysely
        .updateTable('notifications')
        .set({ status: 'sent', provider, provider_message_id: ids[0] ?? null, sent_at: now })
        .where('id', '=', id)
        .execute();
      await h.ctx.receipts.recordParts(tx, [{ notificationId: id, provider, ids }], now);
    });
    return id;
  }

  const receipt = (payload: Record<string, unknown>, token = gateway) =>
    h.app.inject({ method: 'POST', url: '/api/v1/receipts', headers: bearer(token), payload: { provider: 'smsc1', ...payload } });

  async function notification(id: number) {
    return h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  test('a two-part message is delivered when both parts are; duplicates and late reports change nothing', async () => {
    const id = await sentMessage(['A1', 'A2']);
    let res = await receipt({ providerMessageId: 'a1', status: 'delivered', providerStatus: 'DELIVRD', at: '2026-11-23T09:00:05+07:00' });
    assert.deepEqual(res.json(), { matched: true, notificationId: id, status: 'sent' });
    res = await receipt({ providerMessageId: 'A2', status: 'delivered', providerStatus: 'DELIVRD', at: '2026-11-23T09:00:07+07:00' });
    assert.deepEqual(res.json(), { matched: true, notificationId: id, status: 'delivered' });
    const row = await notification(id);
    assert.equal(row.status, 'delivered');
    assert.equal(Number(row.delivered_at), Date.parse('2026-11-23T09:00:07+07:00'));
    res = await receipt({ providerMessageId: 'A2', status: 'delivered', providerStatus: 'DELIVRD' });
    assert.equal(res.json().status, 'delivered');
    res = await receipt({ providerMessageId: 'A1', status: 'sent', providerStatus: 'ENROUTE' });
    assert.equal(res.json().status, 'delivered');
    const stored = await h.ctx.db.kysely.selectFrom('delivery_receipts').select(['notification_id']).execute();
    assert.equal(stored.length, 4);
    assert.ok(stored.every((r) => Number(r.notification_id) === id));
  });

  test('one failed part fails the message with the carrier reason', async () => {
    const id = await sentMessage(['b1', 'b2']);
    await receipt({ providerMessageId: 'b2', status: 'failed', providerStatus: 'EXPIRED', errorCode: '027' });
    const res = await receipt({ providerMessageId: 'b1', status: 'delivered', providerStatus: 'DELIVRD' });
    assert.equal(res.json().status, 'failed');
    const row = await notification(id);
    assert.equal(row.status, 'failed');
    assert.equal(row.failure_reason, 'carrier_expired');
    assert.equal(row.last_error, 'receipt EXPIRED err:027');
  });

  test('hex ids from the submit answer match decimal ids in the receipt, and back', async () => {
    const hexId = await sentMessage(['1a2b']);
    let res = await receipt({ providerMessageId: '6699', status: 'delivered', providerStatus: 'DELIVRD' });
    assert.deepEqual(res.json(), { matched: true, notificationId: hexId, status: 'delivered' });
    const decimalId = await sentMessage(['4660']);
    res = await receipt({ providerMessageId: '1234', status: 'delivered', providerStatus: 'DELIVRD' });
    assert.deepEqual(res.json(), { matched: true, notificationId: decimalId, status: 'delivered' });
  });

  test('a receipt that overtakes the sent update waits and is applied when the ids are recorded', async () => {
    const res = await receipt({ providerMessageId: 'early-1', status: 'delivered', providerStatus: 'DELIVRD' });
    assert.deepEqual(res.json(), { matched: false, notificationId: null, status: null });
    const id = await sentMessage(['EARLY-1']);
    assert.equal((await notification(id)).status, 'delivered');
  });

  test('a receipt that arrives while the sent update is uncommitted is applied once it commits (concurrent transactions)', async () => {
    // On PostgreSQL the two run in concurrent transactions: each would miss the other's uncommitted row
    // (the receipt finds no part, the sent update no early receipt) and the receipt stayed unmatched.
    const code = `000.00.15.H34-261123-${String(++sequence).padStart(4, '0')}`;
    assert.equal(
      (await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: code }) }))
        .statusCode,
      201,
    );
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${code}/events`,
      headers: admin,
      payload: { type: 'result_ready' },
    });
    const id = (res.json().notifications as { id: number; kind: string }[]).find((n) => n.kind === 'result_ready')!.id;
    const now = h.clock.now();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let partsRecorded!: () => void;
    const recorded = new Promise<void>((resolve) => (partsRecorded = resolve));
    const sending = transaction(h.ctx.db, async (tx) => {
      await lockReceiptIds(tx, [{ provider: 'smsc1', ids: ['2F00A001'] }]);
      await tx.kysely
        .updateTable('notifications')
        .set({ status: 'sent', provider: 'smsc1', provider_message_id: '2F00A001', sent_at: now })
        .where('id', '=', id)
        .execute();
      await h.ctx.receipts.recordParts(tx, [{ notificationId: id, provider: 'smsc1', ids: ['2F00A001'] }], now);
      partsRecorded();
      await held;
    });
    await recorded;
    const arriving = h.ctx.receipts.record({
      provider: 'smsc1',
      providerMessageId: String(0x2f00a001),
      status: 'delivered',
      providerStatus: 'DELIVRD',
      errorCode: null,
      at: null,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await sending;
    assert.deepEqual(await arriving, { matched: true, notificationId: id, status: 'delivered' });
    assert.equal((await notification(id)).status, 'delivered');
  });

  test('receipts arriving together are applied as one group: every part of each message, in order', async () => {
    const whole = await sentMessage(['g1', 'g2', 'g3']);
    const broken = await sentMessage(['h1', 'h2']);
    const record = (id: string, status: 'delivered' | 'failed' | 'sent', providerStatus: string, at: string | null = null) =>
      h.ctx.receipts.record({
        provider: 'smsc1',
        providerMessageId: id,
        status,
        providerStatus,
        errorCode: status === 'failed' ? '011' : null,
        at: at ? Date.parse(at) : null,
      });
    const results = await Promise.all([
      record('g1', 'delivered', 'DELIVRD'),
      record('h1', 'sent', 'ENROUTE'),
      record('g2', 'delivered', 'DELIVRD'),
      record('h2', 'failed', 'UNDELIV'),
      record('h2', 'delivered', 'DELIVRD'),
      record('g3', 'delivered', 'DELIVRD', '2026-11-23T09:00:09+07:00'),
      record('nobody', 'delivered', 'DELIVRD'),
    ]);
    assert.deepEqual(
      results.map((r) => [r.matched, r.notificationId, r.status]),
      [
        [true, whole, 'delivered'],
        [true, broken, 'failed'],
        [true, whole, 'delivered'],
        [true, broken, 'failed'],
        [true, broken, 'failed'],
        [true, whole, 'delivered'],
        [false, null, null],
      ],
    );
    assert.equal(Number((await notification(whole)).delivered_at), Date.parse('2026-11-23T09:00:09+07:00'));
    const brokenRow = await notification(broken);
    assert.equal(brokenRow.failure_reason, 'carrier_undelivered');
    assert.equal(brokenRow.last_error, 'receipt UNDELIV err:011');
    const parts = await h.ctx.db.kysely
      .selectFrom('provider_message_parts')
      .select(['message_id', 'status'])
      .where('notification_id', '=', broken)
      .orderBy('part')
      .execute();
    assert.deepEqual(
      parts.map((p) => [p.message_id, p.status]),
      [
        ['h1', 'sent'],
        ['h2', 'failed'],
      ],
      'the first final report of a part is kept',
    );
  });

  test("another provider's id does not match", async () => {
    const id = await sentMessage(['c1'], 'smsc2');
    const res = await receipt({ providerMessageId: 'c1', status: 'delivered', providerStatus: 'DELIVRD' });
    assert.equal(res.json().matched, false);
    assert.equal((await notification(id)).status, 'sent');
  });

  test('receipts need a gateway or admin token and a valid body; nothing is stored otherwise', async () => {
    const agency = (
      await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'agency', agencyCode: 'STC' } })
    ).json().token as string;
    assert.equal((await receipt({ providerMessageId: 'x', status: 'delivered' }, agency)).statusCode, 403);
    assert.equal(
      (
        await h.app.inject({
          method: 'POST',
          url: '/api/v1/receipts',
          payload: { provider: 'p', providerMessageId: 'x', status: 'delivered' },
        })
      ).statusCode,
      401,
    );
    const bad = await receipt({ providerMessageId: 'x', status: 'DELIVRD' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'status');
    assert.equal((await receipt({ providerMessageId: 'x', status: 'delivered', extra: 1 })).statusCode, 400);
    assert.equal((await h.ctx.db.kysely.selectFrom('delivery_receipts').select('id').execute()).length, 0);
  });

  test('a final status is posted once to the agency, signed; a 500 is retried with backoff', async () => {
    const secretRes = await h.app.inject({ method: 'POST', url: '/api/v1/agencies/STC/callback-secret', headers: admin });
    assert.equal(secretRes.statusCode, 201, secretRes.body);
    const secret = secretRes.json().secret as string;
    const id = await sentMessage(['d1']);
    await receipt({ providerMessageId: 'd1', status: 'delivered', providerStatus: 'DELIVRD' });
    await receipt({ providerMessageId: 'd1', status: 'delivered', providerStatus: 'DELIVRD' });

    answers = [500];
    assert.equal(await h.ctx.callbackWorker.runOnce(), 1);
    assert.equal(received.length, 1);
    assert.equal(await h.ctx.callbackWorker.runOnce(), 0, 'the retry waits for its backoff');
    h.clock.advance(31_000);
    assert.equal(await h.ctx.callbackWorker.runOnce(), 1);
    assert.equal(received.length, 2);
    assert.equal(await h.ctx.callbackWorker.runOnce(), 0);

    const last = received[1]!;
    const timestamp = Number(last.headers['x-motcua-timestamp']);
    assert.equal(last.headers['x-motcua-signature'], signCallback(secret, timestamp, last.body));
    assert.equal(last.headers['content-type'], 'application/json; charset=utf-8');
    const payload = JSON.parse(last.body);
    assert.equal(payload.event, 'notification.status');
    assert.equal(payload.notificationId, id);
    assert.equal(payload.receiptCode, `000.00.15.H34-261123-${String(sequence).padStart(4, '0')}`);
    assert.equal(payload.status, 'delivered');
    assert.equal(payload.agencyCode, 'STC');
    assert.equal(last.headers['x-motcua-delivery'], received[0]!.headers['x-motcua-delivery'], 'the same delivery id on a retry');

    const list = await h.app.inject({ method: 'GET', url: '/api/v1/status-callbacks?agencyCode=STC', headers: admin });
    assert.equal(list.statusCode, 200);
    const [item] = list.json().items;
    assert.equal(item.status, 'delivered');
    assert.equal(item.attempts, 2);
    assert.equal(item.responseStatus, 200);
  });

  test("sandbox deliveries and permanent failures are reported too; a receiver's 4xx is not retried", async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/agencies/STC/callback-secret', headers: admin });
    await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: 'SB-1' }) });
    await h.app.inject({ method: 'POST', url: '/api/v1/dossiers/SB-1/events', headers: admin, payload: { type: 'result_ready' } });
    assert.equal(await h.ctx.dispatcher.runOnce(), 1);
    answers = [404];
    assert.equal(await h.ctx.callbackWorker.runOnce(), 1);
    h.clock.advance(3_600_000);
    assert.equal(await h.ctx.callbackWorker.runOnce(), 0);
    const [row] = await h.ctx.statusCallbacks.list('STC', 10);
    assert.equal(row!.status, 'failed');
    assert.equal(row!.last_error, 'HTTP 404');
    assert.equal(JSON.parse(received[0]!.body).status, 'delivered');
  });

  test('without a secret the callback fails with a reason that says what to do', async () => {
    await sentMessage(['e1']);
    await receipt({ providerMessageId: 'e1', status: 'delivered', providerStatus: 'DELIVRD' });
    assert.equal(await h.ctx.callbackWorker.runOnce(), 1);
    assert.equal(received.length, 0);
    const [row] = await h.ctx.statusCallbacks.list('STC', 10);
    assert.equal(row!.status, 'failed');
    assert.match(row!.last_error ?? '', /^no_callback_secret/);
  });

  test("agencies without a callback URL get none; a bad URL is refused; secrets are the agency's own", async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STC',
      headers: admin,
      payload: { name: 'Sở Tài chính', settings: { statusCallbackUrl: 'ftp://x.example/y' } },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, 'settings.statusCallbackUrl');
    await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STC',
      headers: admin,
      payload: { name: 'Sở Tài chính', settings: { holdSeconds: 0, quietHours: null } },
    });
    await sentMessage(['f1']);
    await receipt({ providerMessageId: 'f1', status: 'delivered', providerStatus: 'DELIVRD' });
    assert.equal(await h.ctx.callbackWorker.runOnce(), 0);
    const stp = (
      await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'agency', agencyCode: 'STP' } })
    ).json().token as string;
    assert.equal(
      (await h.app.inject({ method: 'POST', url: '/api/v1/agencies/STC/callback-secret', headers: bearer(stp) })).statusCode,
      403,
    );
    assert.equal(
      (await h.app.inject({ method: 'POST', url: '/api/v1/agencies/STP/callback-secret', headers: bearer(stp) })).statusCode,
      201,
    );
    assert.equal(
      (await h.app.inject({ method: 'GET', url: '/api/v1/status-callbacks?agencyCode=STC', headers: bearer(stp) })).statusCode,
      403,
    );
  });
});
