/**
 * The read pages through app.inject() with real logged-in sessions: dossier search and timeline, the
 * message log, and the phone simulator.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_DB, type Harness } from '../../support/harness.js';
import { buildApp } from '../../../src/main/app.js';
import type { AppContext } from '../../../src/main/context.js';
import { type Session, CODES, login, get, attr, startReportScenario } from '../../support/web-reports.js';

describe(`web dossier and message pages (${TEST_DB})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let oversight: Session;
  let stcAdmin: Session;
  let stpClerk: Session;

  before(async () => {
    ({ h, oversight, stcAdmin, stpClerk } = await startReportScenario());
  });

  after(async () => {
    await h?.close();
  });

  test('dossier search by code, phone or name, scoped by agency; bad input is 400', async () => {
    const codesOf = async (session: Session, q: string) => {
      const res = await get(h.app, session, `/ho-so?q=${encodeURIComponent(q)}`);
      assert.equal(res.statusCode, 200, res.body);
      return attr(/<table data-testid="dossiers">[\s\S]*?<\/table>/.exec(res.body)?.[0] ?? '', 'data-code');
    };
    assert.deepEqual(await codesOf(oversight, '261123-0004'), [CODES.failed]);
    assert.deepEqual(await codesOf(oversight, 'h34-261123-0001'), [CODES.delivered]);
    assert.deepEqual((await codesOf(oversight, '0912 345 678')).sort(), [CODES.delivered, CODES.held, CODES.open].sort());
    assert.deepEqual((await codesOf(stcAdmin, '0912 345 678')).sort(), [CODES.delivered, CODES.open].sort());
    assert.deepEqual(await codesOf(oversight, 'Trần Thị Bình'), [CODES.held]);
    assert.deepEqual(await codesOf(stcAdmin, 'Trần Thị Bình'), []);
    assert.deepEqual(await codesOf(stpClerk, 'Bình'), [CODES.held]);
    assert.equal((await codesOf(oversight, '')).length, 8);
    const empty = await get(h.app, oversight, '/ho-so?q=khong-co-gi');
    assert.match(empty.body, /Không tìm thấy hồ sơ nào/);
    for (const url of ['/ho-so?page=0', '/ho-so?page=abc', `/ho-so?q=${'x'.repeat(101)}`, '/ho-so/bad%20code', '/ho-so?agency=a%20b']) {
      assert.equal((await get(h.app, oversight, url)).statusCode, 400, url);
    }
    assert.equal((await get(h.app, oversight, '/ho-so/KHONG-CO-0001')).statusCode, 404);
    const page2 = await get(h.app, oversight, '/ho-so?page=2');
    assert.equal(page2.statusCode, 200, 'a page past the end is no error');
    assert.match(page2.body, /Không có trang 2: danh sách chỉ có 1 trang\. <a href="\/ho-so">Đến trang cuối<\/a>/);
    assert.ok(!page2.body.includes('data-testid="dossiers"'), 'no empty table');
    assert.match((await get(h.app, oversight, '/ho-so')).body, /data-testid="range">1–8 \/ 8</);
  });

  test('dossier timeline: intake, events and messages in order, with Vietnamese labels and times', async () => {
    const res = await get(h.app, oversight, `/ho-so/${CODES.delivered.toLowerCase()}`);
    assert.equal(res.statusCode, 200);
    const timeline = /<ol class="timeline"[\s\S]*?<\/ol>/.exec(res.body)?.[0] ?? '';
    assert.deepEqual(attr(timeline, 'data-kind'), ['intake', 'event', 'event', 'message']);
    assert.match(timeline, /Chuyển bước – Thẩm định hồ sơ/);
    assert.match(timeline, /Chuyển bước – Trả kết quả/);
    assert.match(timeline, /<time datetime="2026-11-23T10:00:00\+07:00">10:00 23\/11\/2026<\/time>/);
    assert.match(timeline, /Có kết quả <span class="badge ontime" data-status="delivered">✓ Đã đến máy/);
    assert.match(timeline, /GSM 7-bit \(không dấu\)/);
    assert.match(timeline, /TB: Ho so cua quy ong\/ba \(MS: 000\.00\.15\.H34-261123-0001\) da duoc giai quyet xong/);
    assert.match(timeline, /<dt>Nhà cung cấp<\/dt><dd>sandbox/);
    assert.match(timeline, /<dt>Chi phí<\/dt><dd>750\s₫/);
    assert.match(res.body, /data-testid="portal-status">9 – Đã xử lý xong/);
    assert.match(res.body, /data-testid="deadline"><span class="badge ontime">✓ Đúng hạn/);
    const failed = await get(h.app, oversight, `/ho-so/${CODES.landline}`);
    assert.match(failed.body, /Số máy bàn \(không nhận SMS\)/);
    const english = await get(h.app, oversight, `/ho-so/${CODES.delivered}?lang=en`);
    assert.match(english.body, /<html lang="en">/);
    assert.match(english.body, /Timeline of events and messages/);
  });

  test('message log: filters, scope, newest first, links to dossiers', async () => {
    const ids = (body: string) => attr(/<table data-testid="messages">[\s\S]*?<\/table>/.exec(body)?.[0] ?? '', 'data-id').map(Number);
    const all = await get(h.app, oversight, '/tin-nhan');
    assert.equal(all.statusCode, 200);
    const allIds = ids(all.body);
    assert.ok(allIds.length >= 5);
    assert.deepEqual(
      allIds,
      [...allIds].sort((a, b) => b - a),
      'newest first',
    );
    const failed = await get(h.app, oversight, '/tin-nhan?status=failed');
    const statuses = attr(/<table data-testid="messages">[\s\S]*?<\/table>/.exec(failed.body)?.[0] ?? '', 'data-status');
    assert.ok(statuses.length >= 3 && statuses.every((s) => s === 'failed'));
    const pending = await get(h.app, oversight, '/tin-nhan?status=pending&kind=result_ready&channel=sms&from=2026-11-23&to=2026-11-23');
    assert.equal(ids(pending.body).length, 1);
    assert.ok(pending.body.includes(`href="/ho-so/${CODES.held}"`));
    const byCode = await get(h.app, oversight, `/tin-nhan?q=${encodeURIComponent(CODES.landline.toLowerCase())}`);
    assert.equal(ids(byCode.body).length, 1);
    const byPhone = await get(h.app, oversight, '/tin-nhan?q=0987%20111%20222');
    assert.equal(ids(byPhone.body).length, 1);
    assert.equal(ids((await get(h.app, oversight, '/tin-nhan?channel=email')).body).length, 0);
    assert.equal(ids((await get(h.app, oversight, '/tin-nhan?from=2026-12-01')).body).length, 0);
    const stp = await get(h.app, stpClerk, '/tin-nhan');
    assert.ok(ids(stp.body).length >= 1 && !stp.body.includes(CODES.delivered));
    for (const url of [
      '/tin-nhan?kind=spam',
      '/tin-nhan?status=lost',
      '/tin-nhan?channel=fax',
      '/tin-nhan?from=2026-12-02&to=2026-12-01',
      '/tin-nhan?page=-1',
    ]) {
      assert.equal((await get(h.app, oversight, url)).statusCode, 400, url);
    }
  });

  test('phone simulator: the reply equals the look-up service reply and is stored', async () => {
    const page = await get(h.app, stpClerk, '/gia-lap');
    assert.equal(page.statusCode, 200);
    assert.match(
      page.body,
      new RegExp(`>MCKH ${CODES.held.replace(/\./g, '\\.')}</textarea>`),
      'prefilled with a code of the clerk’s agency',
    );
    const text = `mckh ${CODES.delivered}`;
    const send = await h.app.inject({
      method: 'POST',
      url: '/gia-lap',
      headers: { cookie: stpClerk.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: stpClerk.csrf, phone: '0912 000 111', text }).toString(),
    });
    assert.equal(send.statusCode, 303, send.body);
    assert.equal(send.headers.location, '/gia-lap?so=0912%20000%20111');
    const stored = await h.ctx.db.kysely.selectFrom('inbound_messages').selectAll().where('gateway', '=', 'simulator').execute();
    assert.equal(stored.length, 1);
    assert.match(stored[0]!.sender ?? '', /^sim:\d+:\+84912000111$/, 'the simulator’s own sender range, never the real number');
    assert.equal(stored[0]!.sender_e164, null);
    assert.equal(stored[0]!.fee_vnd, 0, 'no fee');
    assert.equal(stored[0]!.outcome, 'found');
    const direct = await h.ctx.lookup.handleInbound({
      gateway: 'api',
      messageId: null,
      from: '0912 000 222',
      to: h.config.lookup.shortCode,
      text,
      receivedAt: null,
      replyVia: 'outbox',
    });
    assert.equal(stored[0]!.reply, direct.reply);
    const reply = await h.ctx.db.kysely
      .selectFrom('notifications')
      .selectAll()
      .where('id', '=', Number(stored[0]!.reply_notification_id))
      .executeTakeFirstOrThrow();
    assert.equal(reply.kind, 'lookup_reply');
    assert.equal(reply.to_address, stored[0]!.sender);
    assert.equal(reply.status, 'sent', 'answered on the page, never dispatched');
    const thread = await get(h.app, stpClerk, String(send.headers.location));
    const shown = /data-testid="reply-text">([^<]*)</.exec(thread.body)?.[1];
    assert.equal(shown, direct.reply!.replace(/&/g, '&#38;').replace(/'/g, '&#39;').replace(/"/g, '&#34;'));
    assert.ok(thread.body.includes(`>${text}<time`), 'the sent text is shown');

    const noCsrf = await h.app.inject({
      method: 'POST',
      url: '/gia-lap',
      headers: { cookie: stpClerk.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ phone: '0912 000 111', text }).toString(),
    });
    assert.equal(noCsrf.statusCode, 403);
    const blank = await h.app.inject({
      method: 'POST',
      url: '/gia-lap',
      headers: { cookie: stpClerk.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: stpClerk.csrf, phone: ' ', text }).toString(),
    });
    assert.equal(blank.statusCode, 400);
    assert.match(blank.body, /role="alert"/);
  });

  test('phone simulator is 404 when the SMS provider is not the sandbox', async () => {
    const ctx: AppContext = { ...h.ctx, config: { ...h.ctx.config, sms: { ...h.ctx.config.sms, provider: 'smpp' } } };
    const app = await buildApp(ctx);
    await app.ready();
    try {
      const session = await login(app, 'giamsat-test');
      assert.equal((await get(app, session, '/gia-lap')).statusCode, 404);
      const res = await app.inject({
        method: 'POST',
        url: '/gia-lap',
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: session.csrf, phone: '0912 000 111', text: 'MCKH X' }).toString(),
      });
      assert.equal(res.statusCode, 404);
      assert.equal((await h.ctx.db.kysely.selectFrom('inbound_messages').select('id').where('text', '=', 'MCKH X').execute()).length, 0);
    } finally {
      await app.close();
    }
  });
});
