/**
 * Zalo first, SMS as the fallback (issue 17), through the product: providers from a config file (the Zalo
 * simulator and the SMS sandbox), dossiers through the API, the dispatcher, and the signed webhook.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startZaloSimulator, type ZaloSimulator } from '../../../src/main/zalo-sim/zalo-sim.js';
import { admin, seedBasics, startHarness, type Harness, intakeDossier, resultReadyEvent } from '../../support/harness.js';
import { writeZaloProvidersFile } from '../../support/zalo.js';

const APP = { appId: '4143281000000000001', appSecret: 'app-secret-0123456789', oaSecretKey: 'oa-secret-abcdefghij' };

describe('Zalo first, SMS as the fallback', () => {
  let dir: string;
  let sim: ZaloSimulator;
  let h: Harness;
  let seq = 0;

  before(async () => {
    sim = await startZaloSimulator({ ...APP, refreshToken: 'first-refresh-token' });
    dir = mkdtempSync(join(tmpdir(), 'motcua-zalo-'));
    const configFile = writeZaloProvidersFile(dir, {
      app: APP,
      url: sim.url,
      refreshToken: 'first-refresh-token',
      fallbackAfterSeconds: 900,
      templates: { result_ready: { templateId: '301234', data: { ma_ho_so: '{Mã số biên nhận}', co_quan: '{Tên cơ quan}' } } },
    });
    h = await startHarness({ env: { MOTCUA_CONFIG_FILE: configFile, MOTCUA_ZALO_PRICE_VND: '200', MOTCUA_SMS_PRICE_VND: 'default=800' } });
    await seedBasics(h, { holdSeconds: 0, quietHours: null, channels: ['zalo', 'sms'] });
  });

  after(async () => {
    await h?.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    sim.sends.length = 0;
  });
  afterEach(async () => {
    // Leave nothing due for the next test.
    await drain();
  });

  async function drain() {
    while ((await h.ctx.dispatcher.runOnce()) > 0);
  }

  async function resultReady(phone: string, agency = 'STC', procedure = '1.004227') {
    const code = `000.00.15.H34-261123-${String(++seq).padStart(4, '0')}`;
    await intakeDossier(h, { receiptCode: code, agencyCode: agency, procedureCode: procedure, applicant: { name: 'Trần Thị B', phone } });
    const notes = (await resultReadyEvent(h, code)).filter((n) => n.kind === 'result_ready');
    assert.equal(notes.length, 1);
    return { code, note: notes[0]! };
  }

  const rowsFor = (code: string) =>
    h.ctx.db.kysely
      .selectFrom('notifications')
      .innerJoin('dossiers', 'dossiers.id', 'notifications.dossier_id')
      .selectAll('notifications')
      .where('dossiers.receipt_code', '=', code)
      .where('notifications.kind', '=', 'result_ready')
      .orderBy('notifications.id')
      .execute();

  async function webhook(msgId: string, options: { timestamp?: number; signature?: string } = {}) {
    const { body, signature } = sim.event(msgId, options.timestamp);
    return h.app.inject({
      method: 'POST',
      url: '/webhooks/zalo',
      headers: { 'content-type': 'application/json', 'x-zevent-signature': options.signature ?? signature },
      payload: body,
    });
  }

  test('happy path: delivered by Zalo with the rendered template, no SMS', async () => {
    const { code, note } = await resultReady('0912 000 101');
    assert.equal(note.channel, 'zalo');
    await drain();
    const sent = sim.sends.find((s) => s.trackingId === String(note.id))!;
    assert.ok(sent);
    assert.equal(sent.phone, '84912000101');
    assert.deepEqual(sent.templateData, { ma_ho_so: code, co_quan: 'Sở Tài chính' });
    const res = await webhook(sent.msgId);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { ok: true, matched: true });
    const rows = await rowsFor(code);
    assert.deepEqual(
      rows.map((r) => [r.channel, r.status, r.cost_vnd]),
      [['zalo', 'delivered', 200]],
    );
  });

  test('a permanent Zalo answer (not a Zalo user): one SMS, linked, delivered', async () => {
    sim.setPhone('84912000102', { error: -118 });
    const { code } = await resultReady('0912 000 102');
    await drain();
    const rows = await rowsFor(code);
    assert.deepEqual(
      rows.map((r) => [r.channel, r.status, r.failure_reason]),
      [
        ['zalo', 'failed', 'zalo_not_a_user'],
        ['sms', 'delivered', null],
      ],
    );
    assert.equal(Number(rows[1]!.fallback_of), rows[0]!.id);
    assert.match(rows[1]!.body ?? '', new RegExp(code.replace(/\./g, '\\.')));
    assert.equal(sim.attempts.get('84912000102'), 1, 'a permanent answer is not retried');
  });

  test('transient 5xx then success: Zalo only, the attempts counted', async () => {
    sim.setPhone('84912000103', { httpStatus: 503, times: 2 });
    const { code } = await resultReady('0912 000 103');
    for (let i = 0; i < 3; i++) {
      await drain();
      h.clock.advance(60 * 60_000);
    }
    const rows = await rowsFor(code);
    assert.deepEqual(
      rows.map((r) => [r.channel, r.status, r.attempts]),
      [['zalo', 'sent', 3]],
    );
    assert.equal(sim.attempts.get('84912000103'), 3);
  });

  test('no delivery event in time: SMS instead, and a late Zalo delivery is recorded', async () => {
    const { code, note } = await resultReady('0912 000 104');
    await drain();
    const sent = sim.sends.find((s) => s.trackingId === String(note.id))!;
    h.clock.advance(899_000);
    await h.ctx.zaloFallback.sweep();
    assert.equal((await rowsFor(code))[0]!.status, 'sent', 'not before fallbackAfterSeconds');
    h.clock.advance(2_000);
    assert.ok((await h.ctx.zaloFallback.sweep()) >= 1);
    await drain();
    let rows = await rowsFor(code);
    assert.deepEqual(
      rows.map((r) => [r.channel, r.status, r.failure_reason]),
      [
        ['zalo', 'failed', 'zalo_no_receipt'],
        ['sms', 'delivered', null],
      ],
    );
    await h.ctx.zaloFallback.sweep();
    assert.equal((await rowsFor(code)).length, 2, 'one SMS, however often the sweep runs');
    const res = await webhook(sent.msgId);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { ok: true, matched: true, late: true });
    rows = await rowsFor(code);
    assert.equal(rows[0]!.status, 'failed');
    assert.ok(rows[0]!.delivered_at !== null, 'the late delivery is recorded');
    assert.equal(rows.length, 2);
  });

  test('a delivery event that overtakes the sent update is applied when the update lands', async () => {
    const { code, note } = await resultReady('0912 000 105');
    await drain();
    const sent = sim.sends.find((s) => s.trackingId === String(note.id))!;
    // Back to the moment between Zalo's answer and our sent update: the msg_id is not recorded yet.
    await h.ctx.db.kysely.deleteFrom('provider_message_parts').where('message_id', '=', sent.msgId).execute();
    await h.ctx.db.kysely.updateTable('notifications').set({ status: 'sending' }).where('id', '=', note.id).execute();
    const res = await webhook(sent.msgId);
    assert.deepEqual(res.json(), { ok: true, matched: false });
    // The sent update records the msg_id, in a transaction, and applies the event that was waiting.
    await h.ctx.db.kysely
      .transaction()
      .execute((trx) =>
        h.ctx.receipts.recordParts(
          { kysely: trx, dialect: h.ctx.db.dialect, afterCommit: () => undefined },
          [{ notificationId: note.id, provider: 'zalo', ids: [sent.msgId] }],
          h.clock.now(),
        ),
      );
    const rows = await rowsFor(code);
    assert.deepEqual(
      rows.map((r) => [r.channel, r.status]),
      [['zalo', 'delivered']],
    );
  });

  test('webhook: a wrong signature is 401, an event over 15 minutes old is refused as a replay, neither changes anything', async () => {
    const { code, note } = await resultReady('0912 000 106');
    await drain();
    const sent = sim.sends.find((s) => s.trackingId === String(note.id))!;
    const forged = await webhook(sent.msgId, { signature: `mac=${'a'.repeat(64)}` });
    assert.equal(forged.statusCode, 401);
    assert.equal(forged.json().error.code, 'ZALO_SIGNATURE_INVALID');
    const old = await webhook(sent.msgId, { timestamp: Date.now() - 16 * 60_000 });
    assert.equal(old.statusCode, 401);
    assert.equal(old.json().error.code, 'ZALO_EVENT_REPLAYED');
    const junk = await h.app.inject({
      method: 'POST',
      url: '/webhooks/zalo',
      headers: { 'content-type': 'application/json' },
      payload: '{"x":',
    });
    assert.equal(junk.statusCode, 400);
    const rows = await rowsFor(code);
    assert.deepEqual(
      rows.map((r) => [r.channel, r.status]),
      [['zalo', 'sent']],
    );
    assert.equal((await webhook(sent.msgId)).statusCode, 200);
  });

  test('quiet hours and hold apply to the Zalo notification and again to its SMS fallback', async () => {
    await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STP',
      headers: admin,
      payload: {
        name: 'Sở Tư pháp',
        settings: { holdSeconds: 120, quietHours: { start: '21:00', end: '07:00' }, channels: ['zalo', 'sms'] },
      },
    });
    h.clock.set('2026-11-23T20:50:00+07:00');
    sim.setPhone('84912000107', { noDelivery: true });
    const { code } = await resultReady('0912 000 107', 'STP', '2.000488');
    let rows = await rowsFor(code);
    assert.equal(rows[0]!.channel, 'zalo');
    assert.equal(rows[0]!.send_after, Date.parse('2026-11-23T20:52:00+07:00'), 'held 120 s');
    h.clock.set('2026-11-23T20:52:00+07:00');
    await drain();
    // Sent at 20:52; no event by 21:07: the SMS waits for the end of the quiet hours.
    h.clock.set('2026-11-23T21:08:00+07:00');
    assert.ok((await h.ctx.zaloFallback.sweep()) >= 1);
    rows = await rowsFor(code);
    assert.equal(rows[1]!.channel, 'sms');
    assert.equal(rows[1]!.status, 'pending');
    assert.equal(rows[1]!.send_after, Date.parse('2026-11-24T07:00:00+07:00'));
    await drain();
    assert.equal((await rowsFor(code))[1]!.status, 'pending', 'not inside the quiet hours');
    h.clock.set('2026-11-24T07:00:00+07:00');
    await drain();
    assert.equal((await rowsFor(code))[1]!.status, 'delivered');
    h.clock.set('2026-11-23T09:00:00+07:00');
  });

  test('an agency without Zalo in its channels, and a kind without a template, go by SMS', async () => {
    await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STP',
      headers: admin,
      payload: { name: 'Sở Tư pháp', settings: { holdSeconds: 0, quietHours: null } },
    });
    const { note } = await resultReady('0912 000 108', 'STP', '2.000488');
    assert.equal(note.channel, 'sms');
    const bad = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STP',
      headers: admin,
      payload: { name: 'Sở Tư pháp', settings: { channels: ['zalo'] } },
    });
    assert.equal(bad.statusCode, 400, bad.body);
  });
  test('settings: the Zalo form beside the SMS preview, and an alert when Zalo refuses the refresh token for good', async () => {
    const PASSWORD = 'mot-khau-du-dai-2026';
    await h.ctx.accounts.create({
      username: 'stc-admin',
      displayName: 'Lê Thị Mai',
      role: 'agency_admin',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    const cookiesOf = (res: { headers: Record<string, unknown> }) => {
      const raw = res.headers['set-cookie'];
      const list = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
      return Object.fromEntries(list.map((c: string) => c.split(';')[0]!.split('=') as [string, string]));
    };
    const loginPage = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const res = await h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      headers: { ...form, cookie: `mcs_login=${cookiesOf(loginPage).mcs_login}` },
      payload: new URLSearchParams({
        _csrf: /name="_csrf" value="([^"]*)"/.exec(loginPage.body)?.[1] ?? '',
        username: 'stc-admin',
        password: PASSWORD,
      }).toString(),
    });
    assert.equal(res.statusCode, 303, res.body);
    const cookie = `mcs_session=${cookiesOf(res).mcs_session}`;
    let page = await h.app.inject({ method: 'GET', url: '/cai-dat', headers: { cookie } });
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes('data-testid="zalo-alert"'));
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)![1]!;
    const preview = await h.app.inject({
      method: 'POST',
      url: '/cai-dat/xem-truoc',
      headers: { ...form, cookie },
      payload: new URLSearchParams({
        _csrf: csrf,
        agency: 'STC',
        kind: 'result_ready',
        template: 'Hồ sơ {Mã số biên nhận} đã có kết quả.',
      }).toString(),
    });
    assert.equal(preview.statusCode, 200, preview.body);
    const fragment = preview.json().html as string;
    assert.match(fragment, /data-testid="preview-body"/);
    assert.match(fragment, /data-testid="preview-zalo"/);
    assert.match(fragment, /<dt>co_quan<\/dt><dd>Sở Tài chính<\/dd>/);

    // Zalo revokes the stored refresh token; the access token expires: everything falls back to SMS.
    sim.revokeRefreshToken();
    sim.expireAccessTokens();
    const { code } = await resultReady('0912 000 109');
    await drain();
    const rows = await rowsFor(code);
    assert.deepEqual(
      rows.map((r) => [r.channel, r.status, r.failure_reason]),
      [
        ['zalo', 'failed', 'zalo_token_failed'],
        ['sms', 'delivered', null],
      ],
    );
    page = await h.app.inject({ method: 'GET', url: '/cai-dat', headers: { cookie } });
    assert.match(page.body, /data-testid="zalo-alert"/);
    assert.match(page.body, /refresh token/);
    const metrics = await h.ctx.metrics.registry.getSingleMetricAsString('motcua_zalo_token_healthy');
    assert.match(metrics, /motcua_zalo_token_healthy\{provider="zalo"\} 0/);
  });
});

describe('Zalo figures in the stats', () => {
  test('messages and cost split by channel, reach by Zalo and by SMS after fallback, money saved: as computed by hand', async () => {
    const sim = await startZaloSimulator({ ...APP, refreshToken: 'rt-stats' });
    const dir = mkdtempSync(join(tmpdir(), 'motcua-zalo-stats-'));
    const template = { templateId: '301234', data: { ma_ho_so: '{Mã số biên nhận}' } };
    const configFile = writeZaloProvidersFile(dir, {
      app: APP,
      url: sim.url,
      refreshToken: 'rt-stats',
      templates: { result_ready: template },
    });
    const h = await startHarness({
      env: { MOTCUA_CONFIG_FILE: configFile, MOTCUA_ZALO_PRICE_VND: '200', MOTCUA_SMS_PRICE_VND: 'default=800' },
    });
    try {
      await seedBasics(h, { holdSeconds: 0, quietHours: null, channels: ['zalo', 'sms'] });
      sim.setPhone('84912000202', { error: -114 });
      const codes = ['A', 'B', 'C'].map((x, i) => `000.00.15.H34-261123-90${i}${x === 'A' ? 1 : x === 'B' ? 2 : 3}`);
      for (const [i, code] of codes.entries()) {
        const phone = `0912 000 20${i + 1}`;
        await intakeDossier(h, { receiptCode: code, applicant: { name: 'Lê C', phone } });
        await resultReadyEvent(h, code);
      }
      const drain = async () => {
        while ((await h.ctx.dispatcher.runOnce()) > 0);
      };
      await drain();
      // A: delivered by Zalo. B: not eligible, SMS. C: no event in time, SMS, then Zalo's late event.
      const byTracking = async (code: string) => {
        const row = await h.ctx.db.kysely
          .selectFrom('notifications')
          .innerJoin('dossiers', 'dossiers.id', 'notifications.dossier_id')
          .select('notifications.id')
          .where('dossiers.receipt_code', '=', code)
          .where('notifications.channel', '=', 'zalo')
          .executeTakeFirstOrThrow();
        return sim.sends.find((s) => s.trackingId === String(row.id))!.msgId;
      };
      const signed = async (msgId: string) => {
        const { body, signature } = sim.event(msgId);
        const res = await h.app.inject({
          method: 'POST',
          url: '/webhooks/zalo',
          headers: { 'content-type': 'application/json', 'x-zevent-signature': signature },
          payload: body,
        });
        assert.equal(res.statusCode, 200, res.body);
      };
      await signed(await byTracking(codes[0]!));
      const lateId = await byTracking(codes[2]!);
      h.clock.advance(901_000);
      await h.ctx.zaloFallback.sweep();
      await drain();
      await signed(lateId);

      const sms = await h.ctx.db.kysely
        .selectFrom('notifications')
        .selectAll()
        .where('channel', '=', 'sms')
        .where('kind', '=', 'result_ready')
        .execute();
      assert.equal(sms.length, 2);
      const segments = sms[0]!.segments;
      assert.ok(segments >= 1);
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/stats?from=2026-11-23&to=2026-11-23', headers: admin });
      assert.equal(res.statusCode, 200, res.body);
      const row = res.json().rows.find((r: { agencyCode: string }) => r.agencyCode === 'STC');
      assert.deepEqual(row.byChannel.zalo, { created: 3, sent: 1, delivered: 1, failed: 2, costVnd: 200 });
      assert.deepEqual(row.byChannel.sms, { created: 2, sent: 2, delivered: 2, failed: 0, costVnd: 2 * segments * 800 });
      assert.deepEqual(row.zalo, {
        deliveredByZalo: 1,
        smsFallbacks: 2,
        deliveredBySmsAfterFallback: 2,
        lateZaloDeliveries: 1,
        savedVnd: segments * 800 - 200,
      });
    } finally {
      await h.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
