/**
 * Issue 14, correctness: a look-up reply fits one SMS (every step name of the demo data, the longest
 * names the API allows, both encodings), and it goes back to the MO's source exactly as given — a
 * short code such as Kannel's "456" included — while notifications we start still need a mobile.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';
import { loadDemoData } from '../../src/main/demo/demo.data.js';
import { prepareSms } from '../../src/lib/sms-text/encode.js';
import { fitOneSegment } from '../../src/inbound/lookup.reply.js';
import { foldVietnamese } from '../../src/lib/sms-text/fold.js';

describe(`look-up replies: one segment, back to the MO's source (${TEST_DB})`, () => {
  let h: Harness;
  let serial = 0;
  const sender = () => `09${String(20_000_000 + ++serial).slice(-8)}`;
  before(async () => {
    h = await startHarness();
    await seedBasics(h);
  });
  after(async () => h.close());

  const ask = (text: string, from = sender(), extra: Record<string, unknown> = {}) =>
    h.ctx.lookup.handleInbound({ gateway: 'api', messageId: null, from, to: '8083', text, receivedAt: null, replyVia: 'outbox', ...extra });
  const replyRow = (id: number | null) =>
    h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', Number(id)).executeTakeFirstOrThrow();

  test('every dossier of the demo data (every step name, every agency) is answered in one segment, its step uncut', async () => {
    const demo = await startHarness();
    try {
      await demoReplies(demo);
    } finally {
      await demo.close();
    }
  });

  async function demoReplies(h: Harness): Promise<void> {
    let serial = 0;
    const ask = (text: string) =>
      h.ctx.lookup.handleInbound({
        gateway: 'api',
        messageId: null,
        from: `09${String(30_000_000 + ++serial).slice(-8)}`,
        to: '8083',
        text,
        receivedAt: null,
        replyVia: 'outbox',
      });
    const replyRow = (id: number | null) =>
      h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', Number(id)).executeTakeFirstOrThrow();
    await loadDemoData(h.ctx, 300);
    const dossiers = await h.ctx.db.kysely.selectFrom('dossiers').select(['receipt_code', 'step', 'state']).execute();
    assert.ok(dossiers.length > 250);
    const steps = new Set(dossiers.map((d) => d.step));
    assert.ok(steps.size >= 4, [...steps].join(', '));
    const results = await Promise.all(dossiers.map((d) => ask(`MCKH ${d.receipt_code}`)));
    for (const [i, result] of results.entries()) {
      const dossier = dossiers[i]!;
      assert.equal(result.outcome, 'found', dossier.receipt_code);
      const row = await replyRow(result.notificationId);
      assert.equal(row.segments, 1, `${dossier.receipt_code}: ${row.body}`);
      assert.equal(prepareSms(row.body, 'ascii').segments, 1);
      assert.ok(row.body.includes(dossier.receipt_code), row.body);
      if (dossier.state === 'received' || dossier.state === 'in_progress' || dossier.state === 'awaiting_supplement')
        assert.ok(foldVietnamese(row.body).includes(foldVietnamese(dossier.step)), `${dossier.step} uncut in ${row.body}`);
    }
  }

  test('the longest names allowed (200-character step and agency name, 64-character code) still fit, the code whole', async () => {
    const longName = 'Ủy ban nhân dân huyện Đắk Rlấp tỉnh Đắk Nông — Phòng Tài nguyên và Môi trường '.repeat(4).slice(0, 200);
    const longStep = 'Chuyển hồ sơ sang Phòng Quản lý đô thị để thẩm định, trình Chủ tịch Ủy ban nhân dân ký duyệt '
      .repeat(3)
      .slice(0, 200);
    for (const smsEncoding of ['ascii', 'unicode'] as const) {
      const agency = smsEncoding === 'ascii' ? 'LONGA' : 'LONGU';
      const put = await h.app.inject({
        method: 'PUT',
        url: `/api/v1/agencies/${agency}`,
        headers: admin,
        payload: { name: longName, settings: { holdSeconds: 0, quietHours: null, smsEncoding } },
      });
      assert.ok(put.statusCode < 300, put.body);
      await h.app.inject({
        method: 'PUT',
        url: `/api/v1/procedures/P-${agency}`,
        headers: admin,
        payload: { agencyCode: agency, name: longName, processingDays: 3 },
      });
      const code = `${agency}-${'9'.repeat(64)}`.slice(0, 64);
      assert.equal(code.length, 64);
      const created = await h.app.inject({
        method: 'POST',
        url: '/api/v1/dossiers',
        headers: admin,
        payload: intakeBody({ receiptCode: code, agencyCode: agency, procedureCode: `P-${agency}` }),
      });
      assert.equal(created.statusCode, 201, created.body);
      const event = (payload: Record<string, unknown>) =>
        h.app.inject({ method: 'POST', url: `/api/v1/dossiers/${code}/events`, headers: admin, payload });
      assert.ok((await event({ type: 'step', step: longStep })).statusCode < 300);
      const stepReply = await replyRow((await ask(`MCKH ${code}`)).notificationId);
      assert.equal(stepReply.segments, 1, stepReply.body);
      assert.equal(stepReply.encoding, 'gsm7');
      assert.ok(stepReply.body.includes(code), stepReply.body);
      assert.match(stepReply.body, /\.\.\., trang thai: Dung han\.$/, stepReply.body);
      assert.ok((await event({ type: 'result_ready' })).statusCode < 300);
      const finished = await replyRow((await ask(`MCKH ${code}`)).notificationId);
      assert.equal(finished.segments, 1, finished.body);
      assert.ok(finished.body.includes(code) && finished.body.includes('...'), finished.body);
    }
    const unknown = `NOPE-${'7'.repeat(59)}`;
    const missing = await replyRow((await ask(`MCKH ${unknown}`)).notificationId);
    assert.equal(missing.segments, 1, missing.body);
    assert.ok(missing.body.includes(unknown), missing.body);
    const junk = await replyRow((await ask('xin chao')).notificationId);
    assert.equal(junk.segments, 1);
  });

  test('a Unicode agency keeps its diacritics when the reply fits 70 characters, and folds only when it would not', () => {
    const short = fitOneSegment('lookup_returned', {}, { receiptCode: 'A-1', returnedDate: '05/11/2026' }, 'unicode');
    assert.deepEqual(short, { text: 'Hồ sơ A-1 đã được trả kết quả ngày 05/11/2026.', encoding: 'unicode' });
    const fits = fitOneSegment('lookup_reply', {}, { receiptCode: 'A-1', step: 'Thẩm định hồ sơ', statusText: 'Đúng hạn' }, 'unicode');
    assert.deepEqual(fits, { text: 'Hồ sơ A-1 đang ở bước Thẩm định hồ sơ, trạng thái: Đúng hạn.', encoding: 'unicode' });
    const step = 'Trình lãnh đạo Ủy ban phê duyệt';
    const long = fitOneSegment('lookup_reply', {}, { receiptCode: 'A-1', step, statusText: 'Đúng hạn' }, 'unicode');
    assert.equal(long.encoding, 'ascii');
    assert.equal(prepareSms(long.text, 'ascii').body, 'Ho so A-1 dang o buoc Trinh lanh dao Uy ban phe duyet, trang thai: Dung han.');
  });

  test('an MO from "456" with its TON/NPI is answered to "456" with the same TON/NPI, pending, not invalid_phone', async () => {
    const code = 'LOOP-456-1';
    await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: code }) });
    const result = await ask(`MCKH ${code}`, '456', { gateway: 'smpp', fromTon: 0, fromNpi: 0 });
    assert.equal(result.outcome, 'found');
    const row = await replyRow(result.notificationId);
    assert.equal(row.status, 'pending');
    assert.equal(row.failure_reason, null);
    assert.equal(row.to_address, '456');
    assert.equal(row.to_ton, 0);
    assert.equal(row.to_npi, 0);
    const national = await replyRow((await ask(`MCKH ${code}`, '0912000456', { gateway: 'smpp', fromTon: 2, fromNpi: 1 })).notificationId);
    assert.deepEqual([national.to_address, national.to_ton, national.to_npi, national.status], ['0912000456', 2, 1, 'pending']);
    // Without SMPP addressing (an HTTP gateway), a short sender is still answered, as given.
    const http = await replyRow((await ask(`MCKH ${code}`, '456')).notificationId);
    assert.deepEqual([http.to_address, http.to_ton, http.status], ['456', null, 'pending']);
    const mobile = await replyRow((await ask(`MCKH ${code}`, '0912 000 457')).notificationId);
    assert.deepEqual([mobile.to_address, mobile.to_ton, mobile.status], ['+84912000457', null, 'pending']);
  });

  test('a notification we start still needs a Vietnamese mobile: "456" as an applicant phone fails invalid_phone', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: 'NOTIFY-456', applicant: { name: 'Trần B', phone: '456', email: null } }),
    });
    assert.equal(res.statusCode, 201, res.body);
    await h.app.inject({ method: 'POST', url: '/api/v1/dossiers/NOTIFY-456/events', headers: admin, payload: { type: 'result_ready' } });
    const rows = await h.ctx.db.kysely
      .selectFrom('notifications')
      .innerJoin('dossiers', 'dossiers.id', 'notifications.dossier_id')
      .select(['notifications.status', 'notifications.failure_reason'])
      .where('dossiers.receipt_code', '=', 'NOTIFY-456')
      .execute();
    assert.ok(rows.length >= 1);
    assert.ok(
      rows.every((r) => r.status === 'failed' && r.failure_reason === 'invalid_phone'),
      JSON.stringify(rows),
    );
  });
});
