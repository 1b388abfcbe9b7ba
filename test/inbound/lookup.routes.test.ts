import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { admin, bearer, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

describe(`look-up (${TEST_DB})`, () => {
  let h: Harness;
  let gateway: string;
  let senderSerial = 0;
  const code = '000.00.15.H34-261123-0001';
  before(async () => {
    h = await startHarness({ env: { MOTCUA_AGGREGATOR_SECRET: 'aggregator-secret', MOTCUA_WEB_LOOKUP_RATE_LIMIT: '5' } });
    await seedBasics(h);
    gateway = (await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'gateway' } })).json().token;
    await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: code }) });
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${code}/events`,
      headers: admin,
      payload: { type: 'step', step: 'Thẩm định hồ sơ' },
    });
  });
  after(async () => h.close());

  const newSender = () => `09${String(10_000_000 + ++senderSerial).slice(-8)}`;
  const mo = (text: string, from = newSender(), extra: Record<string, unknown> = {}) =>
    h.app.inject({ method: 'POST', url: '/api/v1/inbound/sms', headers: bearer(gateway), payload: { from, to: '8083', text, ...extra } });

  test('found: current step and on time, exact text, ascii-folded (the reply is the text that leaves), recorded as a lookup_reply from the short code', async () => {
    const res = await mo(`mckh ${code.toLowerCase()}`, '0912345678');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      outcome: 'found',
      reply: `Ho so ${code} dang o buoc Tham dinh ho so, trang thai: Dung han.`,
      duplicate: false,
    });
    const sent = await h.app.inject({ method: 'GET', url: '/api/v1/notifications?kind=lookup_reply&limit=1', headers: admin });
    const [note] = sent.json().items;
    assert.equal(note.body, `Ho so ${code} dang o buoc Tham dinh ho so, trang thai: Dung han.`);
    assert.equal(note.from, '8083');
    assert.equal(note.to, '+84912345678');
    assert.equal(note.status, 'pending');
    assert.ok(!note.body.includes('Nguyen'), 'never the applicant');
    await h.ctx.dispatcher.runOnce();
    const after = await h.app.inject({ method: 'GET', url: `/api/v1/notifications?kind=lookup_reply&limit=1`, headers: admin });
    assert.equal(after.json().items[0].status, 'delivered');
  });

  test('late, finished and returned dossiers', async () => {
    const late = 'LATE-LOOKUP-1';
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: late, receivedAt: '2026-11-02T08:00:00+07:00' }),
    });
    assert.equal((await mo(`MCKH ${late}`)).json().reply, `Ho so ${late} dang o buoc Tiep nhan ho so, trang thai: Tre han.`);
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${late}/events`,
      headers: admin,
      payload: { type: 'result_ready', at: '2026-11-04T08:00:00+07:00' },
    });
    assert.equal((await mo(`MCKH ${late}`)).json().reply, `Ho so ${late} da co ket qua tai So Tai chinh, trang thai: Dung han.`);
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${late}/events`,
      headers: admin,
      payload: { type: 'returned', at: '2026-11-05T09:00:00+07:00' },
    });
    assert.equal((await mo(`MCKH ${late}`)).json().reply, `Ho so ${late} da duoc tra ket qua ngay 05/11/2026.`);
  });

  test('not found and bad syntax replies repeat the syntax', async () => {
    const missing = await mo('MCKH 0101701234');
    assert.deepEqual(missing.json(), {
      outcome: 'not_found',
      reply: 'Khong tim thay ho so 0101701234. Xem lai ma so tren giay hen. Cu phap: MCKH <Ma so bien nhan> gui 8083',
      duplicate: false,
    });
    const junk = await mo('Xin chao');
    assert.deepEqual(junk.json(), {
      outcome: 'bad_syntax',
      reply: 'Sai cu phap. De tra cuu ho so, soan: MCKH <Ma so bien nhan> gui 8083',
      duplicate: false,
    });
    for (const text of ['', '   ', '😀', 'x'.repeat(2000), 'MCKH'])
      assert.equal((await mo(text)).json().outcome, 'bad_syntax', JSON.stringify(text.slice(0, 20)));
  });

  test('a re-delivered MO gets no second reply', async () => {
    const from = newSender();
    const first = await mo(`MCKH ${code}`, from, { messageId: 'smsc-42' });
    const again = await Promise.all([1, 2, 3].map(() => mo(`MCKH ${code}`, from, { messageId: 'smsc-42' })));
    assert.equal(first.json().duplicate, false);
    assert.ok(again.every((r) => r.json().duplicate === true && r.json().outcome === 'found'));
    const rows = await h.ctx.db.kysely.selectFrom('inbound_messages').selectAll().where('gateway_message_id', '=', 'smsc-42').execute();
    assert.equal(rows.length, 1);
    const replies = await h.ctx.db.kysely
      .selectFrom('notifications')
      .select('id')
      .where('to_address', '=', `+84${from.slice(1)}`)
      .execute();
    assert.equal(replies.length, 1);
  });

  test('a citizen asking about their own dossier is not cut off by a low cap; the flood guard stops at 60/hour', async () => {
    const from = newSender();
    for (let i = 0; i < 60; i++) assert.equal((await mo(`MCKH ${code}`, from)).json().outcome, 'found', `look-up ${i + 1}`);
    const limited = await mo(`MCKH ${code}`, from);
    assert.equal(limited.json().outcome, 'rate_limited');
    assert.match(limited.json().reply, /qua nhieu lan/);
    const throttled = await h.app.inject({ method: 'GET', url: '/api/v1/inbound/throttled', headers: admin });
    assert.ok(
      throttled.json().items.some((t: { sender: string; reason: string }) => t.sender === `+84${from.slice(1)}` && t.reason === 'flood'),
    );
    h.clock.advance(3_600_001);
    assert.equal((await mo(`MCKH ${code}`, from)).json().outcome, 'found', 'free again after the hour');
  });

  test('enumeration: more than 5 unknown codes in an hour throttles the number, even for a real code', async () => {
    const from = newSender();
    for (let i = 1; i <= 6; i++) assert.equal((await mo(`MCKH 000.00.15.H34-261123-9${i}00`, from)).json().outcome, 'not_found');
    assert.equal((await mo(`MCKH ${code}`, from)).json().outcome, 'rate_limited');
    const throttled = await h.app.inject({ method: 'GET', url: '/api/v1/inbound/throttled', headers: admin });
    const entry = throttled.json().items.find((t: { sender: string }) => t.sender === `+84${from.slice(1)}`);
    assert.equal(entry.reason, 'enumeration');
    assert.equal(entry.unknownCodesLastHour, 6);
    // The same unknown code typed again is not a new guess.
    const other = newSender();
    for (let i = 0; i < 8; i++) assert.equal((await mo('MCKH 0101701234', other)).json().outcome, 'not_found');
  });

  test('each MO is stored with its fee for reconciliation; look-ups count in the stats', async () => {
    const rows = await h.ctx.db.kysely.selectFrom('inbound_messages').select(['fee_vnd', 'short_code']).limit(5).execute();
    assert.ok(rows.every((r) => r.fee_vnd === 1000 && r.short_code === '8083'));
    const stats = await h.app.inject({ method: 'GET', url: '/api/v1/stats?from=2026-11-01&to=2026-11-30', headers: admin });
    const stc = stats.json().rows.find((r: { agencyCode: string }) => r.agencyCode === 'STC');
    assert.ok(stc.lookups >= 60);
    assert.equal(stc.lookupRevenueVnd, stc.lookups * 1000);
    assert.ok(stats.json().lookupsUnattributed.lookups > 0);
  });

  test('inbound auth: gateway or admin token; 401 and nothing stored otherwise', async () => {
    const count = async () =>
      Number(
        (
          await h.ctx.db.kysely
            .selectFrom('inbound_messages')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const oversight = (await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'oversight' } })).json()
      .token;
    const payload = { from: '0912345678', to: '8083', text: `MCKH ${code}` };
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/v1/inbound/sms', payload })).statusCode, 401);
    assert.equal(
      (await h.app.inject({ method: 'POST', url: '/api/v1/inbound/sms', headers: bearer('mcs_forged'), payload })).statusCode,
      401,
    );
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/v1/inbound/sms', headers: bearer(oversight), payload })).statusCode, 403);
    assert.equal(
      (await h.app.inject({ method: 'POST', url: '/api/v1/inbound/sms', headers: bearer(gateway), payload: { ...payload, extra: 1 } }))
        .statusCode,
      400,
    );
    assert.equal(
      (await h.app.inject({ method: 'GET', url: `/api/v1/inbound/kannel?token=wrong&from=0912345678&to=8083&text=MCKH+${code}` }))
        .statusCode,
      401,
    );
    assert.equal(await count(), before);
  });

  test('Kannel get-url: reply in the body, recorded as sent by the gateway, empty body for a re-delivery', async () => {
    const url = `/api/v1/inbound/kannel?token=${gateway}&from=%2B84912000111&to=8083&text=${encodeURIComponent(`MCKH_${code}`)}&id=k-1`;
    const res = await h.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/plain/);
    assert.equal(res.body, `Ho so ${code} dang o buoc Tham dinh ho so, trang thai: Dung han.`);
    assert.equal((await h.app.inject({ method: 'GET', url })).body, '');
    const note = await h.ctx.db.kysely
      .selectFrom('notifications')
      .selectAll()
      .where('to_address', '=', '+84912000111')
      .executeTakeFirstOrThrow();
    assert.equal(note.status, 'sent');
    assert.equal(note.provider, 'kannel');
  });

  test('aggregator callback: HMAC signature verified', async () => {
    const params = { phone: '0912000222', message: `MCKH ${code}`, shortcode: '8083', requestid: 'agg-1' };
    const signature = createHmac('sha256', 'aggregator-secret')
      .update(`${params.phone}|${params.message}|${params.shortcode}|${params.requestid}`)
      .digest('hex');
    const query = (sig: string) => new URLSearchParams({ ...params, signature: sig }).toString();
    const bad = await h.app.inject({ method: 'GET', url: `/api/v1/inbound/aggregator?${query('00'.repeat(32))}` });
    assert.equal(bad.statusCode, 401);
    const good = await h.app.inject({ method: 'GET', url: `/api/v1/inbound/aggregator?${query(signature)}` });
    assert.equal(good.statusCode, 200);
    assert.equal(good.json().status, 1);
    assert.match(good.json().message, /Tham dinh ho so/);
  });

  test('public JSON look-up: status only, 404 for unknown, per-IP limit', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/lookup/${code.toLowerCase()}`, remoteAddress: '203.0.113.1' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(Object.keys(res.json()).sort(), ['dueAt', 'onTime', 'receiptCode', 'state', 'statusText', 'step']);
    assert.equal(res.json().step, 'Thẩm định hồ sơ');
    assert.ok(!res.body.includes('Nguyễn') && !res.body.includes('0912'));
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/lookup/NOPE-1', remoteAddress: '203.0.113.1' })).statusCode, 404);
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await h.app.inject({ method: 'GET', url: `/api/v1/lookup/${code}`, remoteAddress: '203.0.113.1' })).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.equal((await h.app.inject({ method: 'GET', url: `/api/v1/lookup/${code}`, remoteAddress: '203.0.113.2' })).statusCode, 200);
  });

  test('public page works without JavaScript: form redirects to /tra-cuu/{code}', async () => {
    const form = await h.app.inject({ method: 'GET', url: '/tra-cuu', remoteAddress: '198.51.100.1' });
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<html lang="vi">/);
    assert.match(form.body, /<label for="ma">Mã số biên nhận<\/label>/);
    const redirect = await h.app.inject({
      method: 'GET',
      url: `/tra-cuu?ma=${encodeURIComponent(` ${code.toLowerCase()} `)}`,
      remoteAddress: '198.51.100.1',
    });
    assert.equal(redirect.statusCode, 303);
    assert.equal(redirect.headers.location, `/tra-cuu/${code}`);
    const page = await h.app.inject({ method: 'GET', url: `/tra-cuu/${code}`, remoteAddress: '198.51.100.1' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Thẩm định hồ sơ/);
    assert.match(page.body, /Đúng hạn/);
    assert.ok(!page.body.includes('Nguyễn Văn A'));
    const missing = await h.app.inject({ method: 'GET', url: '/tra-cuu/NOPE-404', remoteAddress: '198.51.100.1' });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /Không tìm thấy hồ sơ/);
    const xss = await h.app.inject({
      method: 'GET',
      url: `/tra-cuu?ma=${encodeURIComponent('<script>alert(1)</script>')}`,
      remoteAddress: '198.51.100.2',
    });
    assert.equal(xss.statusCode, 400);
    assert.ok(!xss.body.includes('<script>alert'));
  });
});
