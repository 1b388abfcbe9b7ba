/**
 * Automatic messages end to end through the HTTP API with the sandbox provider: triggers and their
 * texts, phone problems, the hold and its corrections, quiet hours, idempotency, the dispatcher, the
 * listing, the 17:30 apology batch (HTTP job and scheduler) and the oversight figures.
 *
 * The dispatcher and scheduler are not started by the harness: tests call `dispatcher.runOnce()` and
 * `scheduler.tick()` themselves, with the manual clock set where the test needs it.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, bearer, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

// ---------------------------------------------------------------------------------------------------
// Helpers (independent of src/: expected texts and segment counts are written out by hand)

interface Note {
  id: number;
  receiptCode: string | null;
  agencyCode: string | null;
  kind: string;
  channel: 'sms' | 'email';
  to: string | null;
  from: string;
  body: string;
  encoding: string;
  segments: number;
  costVnd: number;
  status: string;
  attempts: number;
  createdAt: string;
  sendAfter: string;
  sentAt: string | null;
  deliveredAt: string | null;
  failureReason: string | null;
}

const PRICE = 750;
const GSM_EXTENSION = /[[\]{}|^~\\€]/;

/** Plain ASCII text: 1 segment up to 160 characters, else 153 per part. */
function gsmSegments(text: string): number {
  assert.match(text, /^[\x20-\x7E]*$/, 'expected plain ASCII text');
  assert.doesNotMatch(text, GSM_EXTENSION);
  return text.length <= 160 ? 1 : Math.ceil(text.length / 153);
}

/** UCS-2 text without surrogate pairs: 1 segment up to 70 units, else 67 per part. */
function ucs2Segments(text: string): number {
  return text.length <= 70 ? 1 : Math.ceil(text.length / 67);
}

const T = {
  result: (code: string, agency: string) =>
    `TB: Ho so cua quy ong/ba (MS: ${code}) da duoc giai quyet xong. Moi ong/ba den Bo phan Mot cua ${agency} de nhan ket qua.`,
  resultPostal: (code: string, agency: string) =>
    `TB: Ho so cua quy ong/ba (MS: ${code}) da duoc giai quyet xong. Ket qua dang duoc ${agency} gui qua dich vu buu chinh cong ich den dia chi cua ong/ba.`,
  resultOnline: (code: string, agency: string) =>
    `TB: Ho so cua quy ong/ba (MS: ${code}) da duoc giai quyet xong. Ket qua da duoc ${agency} tra truc tuyen qua Cong dich vu cong.`,
  supplement: (code: string, agency: string) =>
    `TB: Ho so cua quy ong/ba (MS: ${code}) can bo sung theo quy dinh. Moi ong/ba den Bo phan Mot cua ${agency} de nhan thong bao.`,
  apology: (code: string, date: string, agency: string) =>
    `TB: Ho so cua quy ong/ba (MS: ${code}) chua co ket qua vao ngay ${date}. Ong/ba co the den Bo phan Mot cua ${agency} nhan Thong bao xin loi, hen lai thoi gian tra ket qua hoac den nhan ket qua khi co tin nhan tiep theo.`,
  receivedOnline: (code: string, agency: string, due: string) =>
    `TB: ${agency} da tiep nhan ho so truc tuyen cua quy ong/ba (MS: ${code}), ngay hen tra ket qua: ${due}.`,
  receivedPostal: (code: string, agency: string, due: string) =>
    `TB: ${agency} da tiep nhan ho so gui qua dich vu buu chinh cong ich cua quy ong/ba (MS: ${code}), ngay hen tra ket qua: ${due}.`,
  clockStopped: (code: string, agency: string) =>
    `TB: Ho so (MS: ${code}) tam dung tinh thoi gian giai quyet de cho bo sung. Moi ong/ba bo sung ho so theo thong bao cua ${agency}.`,
  clockResumed: (code: string, agency: string, due: string) =>
    `TB: ${agency} da nhan du ho so bo sung (MS: ${code}) va tiep tuc giai quyet. Ngay hen tra ket qua moi: ${due}.`,
  refused: (code: string, agency: string) =>
    `TB: Ho so (MS: ${code}) khong du dieu kien giai quyet. Moi ong/ba den Bo phan Mot cua ${agency} de nhan van ban tra loi.`,
  withdrawn: (code: string, agency: string) =>
    `TB: Ho so (MS: ${code}) da duoc rut theo de nghi cua quy ong/ba; ${agency} dung giai quyet ho so nay.`,
};

/** Thin client over one harness. */
function client(getH: () => Harness) {
  const h = () => getH();
  const api = {
    async putAgency(code: string, name: string, settings: Record<string, unknown> = {}) {
      const res = await h().app.inject({ method: 'PUT', url: `/api/v1/agencies/${code}`, headers: admin, payload: { name, settings } });
      assert.ok(res.statusCode < 300, res.body);
    },
    async putProcedure(code: string, agencyCode: string, processingDays: number, name = `Thủ tục ${code}`) {
      const res = await h().app.inject({
        method: 'PUT',
        url: `/api/v1/procedures/${code}`,
        headers: admin,
        payload: { agencyCode, name, processingDays },
      });
      assert.ok(res.statusCode < 300, res.body);
    },
    async intake(code: string, overrides: Record<string, unknown> = {}, headers = admin) {
      const res = await h().app.inject({
        method: 'POST',
        url: '/api/v1/dossiers',
        headers,
        payload: intakeBody({ receiptCode: code, ...overrides }),
      });
      assert.ok(res.statusCode === 201 || res.statusCode === 200, res.body);
      return res.json() as { dueAt: string; notifications: Note[]; phone: { problem: string | null } };
    },
    async event(code: string, payload: Record<string, unknown>, headers = admin) {
      const res = await h().app.inject({ method: 'POST', url: `/api/v1/dossiers/${code}/events`, headers, payload });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { dossier: { state: string; dueAt: string; step: string }; notifications: Note[] };
    },
    async list(query: string, headers: Record<string, string> = admin) {
      return h().app.inject({ method: 'GET', url: `/api/v1/notifications${query ? `?${query}` : ''}`, headers });
    },
    /** The dossier's messages, oldest first. */
    async notes(code: string): Promise<Note[]> {
      const res = await api.list(`receiptCode=${encodeURIComponent(code)}&limit=1000`);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json().items as Note[]).sort((a, b) => a.id - b.id);
    },
    /** Dispatches everything due now; returns how many messages were handled. */
    async drain(): Promise<number> {
      let total = 0;
      for (let i = 0; i < 50; i++) {
        const handled = await h().ctx.dispatcher.runOnce();
        if (handled === 0) return total;
        total += handled;
      }
      throw new Error('dispatcher never ran dry');
    },
    async mint(payload: object): Promise<string> {
      const res = await h().app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().token as string;
    },
    async apology(asOf: string) {
      const res = await h().app.inject({ method: 'POST', url: '/api/v1/jobs/apology', headers: admin, payload: { asOf } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { dueDate: string; dossiers: number; created: number };
    },
  };
  return api;
}

const summary = (notes: Note[]) => notes.map((n) => [n.kind, n.channel, n.status]);

// ---------------------------------------------------------------------------------------------------

describe(`notifications: triggers, texts, phones, hold, quiet hours, idempotency, listing (${TEST_DB})`, () => {
  let h: Harness;
  let serial = 0;
  let code: string;
  const api = client(() => h);

  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    // Every off-by-default trigger turned on, no hold, no quiet hours.
    await api.putAgency('SXD', 'Sở Xây dựng', {
      holdSeconds: 0,
      quietHours: null,
      triggers: { received_online: true, received_postal: true, clock_stopped: true, clock_resumed: true, refused: true, withdrawn: true },
    });
    await api.putProcedure('SXD-5', 'SXD', 5);
    await api.putAgency('UNI', 'Ban Quản lý Khu kinh tế Vân Phong', { holdSeconds: 0, quietHours: null, smsEncoding: 'unicode' });
    await api.putProcedure('UNI-3', 'UNI', 3);
    await api.putAgency('HLD', 'Sở Nội vụ', { holdSeconds: 120, quietHours: null });
    await api.putProcedure('HLD-3', 'HLD', 3);
    await api.putAgency('QUI', 'Sở Y tế', { holdSeconds: 120, quietHours: { start: '21:00', end: '07:00' } });
    await api.putProcedure('QUI-3', 'QUI', 3);
    await api.putAgency('DEF', 'Sở Công Thương'); // API.md defaults: hold 120 s, quiet 21:00–07:00
    await api.putProcedure('DEF-3', 'DEF', 3);
  });
  after(async () => h.close());
  beforeEach(() => {
    code = `NTF-261123-${String(++serial).padStart(4, '0')}`;
    h.clock.set('2026-11-23T09:00:00+07:00');
  });

  test('result_ready at the counter: exact ascii-folded text, gsm7, segments, cost; pending → delivered', async () => {
    await api.intake(code);
    const res = await api.event(code, { type: 'step', step: 'Trả kết quả' });
    assert.equal(res.dossier.state, 'result_ready');
    assert.equal(res.notifications.length, 1);
    const [n] = res.notifications;
    const body = T.result(code, 'So Tai chinh');
    assert.equal(
      body,
      `TB: Ho so cua quy ong/ba (MS: ${code}) da duoc giai quyet xong. Moi ong/ba den Bo phan Mot cua So Tai chinh de nhan ket qua.`,
    );
    assert.deepEqual(
      {
        kind: n!.kind,
        channel: n!.channel,
        to: n!.to,
        from: n!.from,
        body: n!.body,
        encoding: n!.encoding,
        segments: n!.segments,
        costVnd: n!.costVnd,
      },
      { kind: 'result_ready', channel: 'sms', to: '+84912345678', from: 'MotcuaSMS', body, encoding: 'gsm7', segments: 1, costVnd: PRICE },
    );
    assert.equal(n!.receiptCode, code);
    assert.equal(n!.agencyCode, 'STC');
    assert.equal(n!.status, 'pending');
    assert.equal(n!.createdAt, '2026-11-23T09:00:00+07:00');
    assert.equal(n!.sendAfter, '2026-11-23T09:00:00+07:00', 'holdSeconds 0 and no quiet hours: due at once');
    assert.equal(n!.sentAt, null);
    assert.equal(n!.failureReason, null);

    h.clock.set('2026-11-23T09:00:05+07:00');
    assert.ok((await api.drain()) >= 1);
    const [sent] = await api.notes(code);
    assert.equal(sent!.status, 'delivered');
    assert.equal(sent!.sentAt, '2026-11-23T09:00:05+07:00');
    assert.equal(sent!.deliveredAt, '2026-11-23T09:00:05+07:00');
    assert.equal(sent!.attempts, 1);
    assert.equal(sent!.body, body, 'body is exactly what was handed to the provider, unchanged by sending');
    assert.equal(await api.drain(), 0, 'nothing is sent twice');
  });

  test('segments: 160 folded characters are one SMS, 161 are two (cost follows)', async () => {
    // The counter text is 117 characters plus the code.
    const fits = `LEN-${'9'.repeat(39)}`; // 43 chars → 160
    const spills = `LEN-${'9'.repeat(40)}`; // 44 chars → 161
    for (const [c, length, segments] of [
      [fits, 160, 1],
      [spills, 161, 2],
    ] as const) {
      await api.intake(c);
      const [n] = (await api.event(c, { type: 'result_ready' })).notifications;
      assert.equal(n!.body.length, length);
      assert.equal(n!.body, T.result(c, 'So Tai chinh'));
      assert.equal(n!.segments, segments);
      assert.equal(n!.segments, gsmSegments(n!.body));
      assert.equal(n!.costVnd, segments * PRICE);
    }
  });

  test('result_ready by post and online use their variants', async () => {
    const postal = `${code}-P`;
    const online = `${code}-O`;
    await api.intake(postal, { returnMethod: 'postal' });
    await api.intake(online, { returnMethod: 'online' });
    const p = (await api.event(postal, { type: 'result_ready' })).notifications;
    const o = (await api.event(online, { type: 'result_ready' })).notifications;
    assert.deepEqual(
      p.map((n) => [n.kind, n.body]),
      [['result_ready', T.resultPostal(postal, 'So Tai chinh')]],
    );
    assert.deepEqual(
      o.map((n) => [n.kind, n.body]),
      [['result_ready', T.resultOnline(online, 'So Tai chinh')]],
    );
    assert.equal(p[0]!.segments, gsmSegments(p[0]!.body));
    assert.equal(p[0]!.costVnd, p[0]!.segments * PRICE);
    assert.equal(o[0]!.segments, gsmSegments(o[0]!.body));
  });

  test('supplement_required: exact text when the dossier is set to Chờ bổ sung (by event or by step name)', async () => {
    await api.intake(code);
    await api.event(code, { type: 'step', step: 'Thẩm định hồ sơ' });
    const res = await api.event(code, { type: 'supplement_requested' });
    assert.equal(res.dossier.state, 'awaiting_supplement');
    assert.deepEqual(
      res.notifications.map((n) => [n.kind, n.body, n.encoding, n.segments, n.costVnd]),
      [['supplement_required', T.supplement(code, 'So Tai chinh'), 'gsm7', 1, PRICE]],
    );
    await api.drain();
    // A second supplement request for the same dossier, after it came back: a new occurrence, a new message.
    await api.event(code, { type: 'supplement_received' });
    const again = await api.event(code, { type: 'step', step: 'Chờ bổ sung' });
    assert.equal(again.dossier.state, 'awaiting_supplement');
    assert.deepEqual(
      again.notifications.map((n) => [n.kind, n.body]),
      [['supplement_required', T.supplement(code, 'So Tai chinh')]],
    );
    await api.drain();
    // None of the off-by-default kinds (clock_stopped / clock_resumed) on an agency with default triggers.
    assert.deepEqual((await api.event(code, { type: 'supplement_received' })).notifications, []);
    assert.deepEqual(summary(await api.notes(code)), [
      ['supplement_required', 'sms', 'delivered'],
      ['supplement_required', 'sms', 'delivered'],
    ]);
  });

  test('off-by-default triggers: nothing on the default agency, the Khánh Hòa 2019 texts when turned on', async () => {
    // Default agency: online / postal filings, clock stop/resume, refusal and withdrawal send nothing.
    const quiet = [`${code}-D1`, `${code}-D2`];
    assert.deepEqual((await api.intake(quiet[0]!, { submittedVia: 'online' })).notifications, []);
    assert.deepEqual((await api.intake(quiet[1]!, { submittedVia: 'postal' })).notifications, []);
    assert.deepEqual(
      (await api.event(quiet[0]!, { type: 'supplement_requested' })).notifications.map((n) => n.kind),
      ['supplement_required'],
    );
    assert.deepEqual((await api.event(quiet[0]!, { type: 'supplement_received' })).notifications, []);
    assert.deepEqual((await api.event(quiet[0]!, { type: 'refused' })).notifications, []);
    assert.deepEqual((await api.event(quiet[1]!, { type: 'withdrawn' })).notifications, []);

    // SXD turns them all on. Procedure of 5 working days: Mon 23/11 08:15 → Mon 30/11 08:15.
    const A = 'So Xay dung';
    const online = `${code}-ON`;
    const intakeOnline = await api.intake(online, { agencyCode: 'SXD', procedureCode: 'SXD-5', submittedVia: 'online' });
    assert.equal(intakeOnline.dueAt, '2026-11-30T08:15:00+07:00');
    assert.deepEqual(
      intakeOnline.notifications.map((n) => [n.kind, n.body, n.status]),
      [['received_online', T.receivedOnline(online, A, '30/11/2026'), 'pending']],
    );
    assert.equal(intakeOnline.notifications[0]!.segments, gsmSegments(intakeOnline.notifications[0]!.body));
    // The dispatcher sends each message before the next event (a pending message that no longer fits the
    // dossier's state would be cancelled by the next transition).
    await api.drain();

    const postal = `${code}-PO`;
    const intakePostal = await api.intake(postal, { agencyCode: 'SXD', procedureCode: 'SXD-5', submittedVia: 'postal' });
    assert.deepEqual(
      intakePostal.notifications.map((n) => [n.kind, n.body]),
      [['received_postal', T.receivedPostal(postal, A, '30/11/2026')]],
    );
    // Counter filing: no receipt confirmation even with the triggers on.
    assert.deepEqual((await api.intake(`${code}-CT`, { agencyCode: 'SXD', procedureCode: 'SXD-5' })).notifications, []);

    // Clock stopped with the supplement request; resumed a working day later, due moved by one working day.
    h.clock.set('2026-11-24T10:00:00+07:00');
    const stop = await api.event(online, { type: 'supplement_requested' });
    assert.deepEqual(
      stop.notifications.map((n) => [n.kind, n.body]),
      [
        ['supplement_required', T.supplement(online, A)],
        ['clock_stopped', T.clockStopped(online, A)],
      ],
    );
    await api.drain();
    h.clock.set('2026-11-25T10:00:00+07:00');
    const resume = await api.event(online, { type: 'supplement_received' });
    assert.equal(resume.dossier.dueAt, '2026-12-01T08:15:00+07:00');
    assert.deepEqual(
      resume.notifications.map((n) => [n.kind, n.body]),
      [['clock_resumed', T.clockResumed(online, A, '01/12/2026')]],
    );
    await api.drain();

    const refused = await api.event(online, { type: 'refused' });
    assert.deepEqual(
      refused.notifications.map((n) => [n.kind, n.body]),
      [['refused', T.refused(online, A)]],
    );
    const withdrawn = await api.event(postal, { type: 'withdrawn' });
    assert.deepEqual(
      withdrawn.notifications.map((n) => [n.kind, n.body]),
      [['withdrawn', T.withdrawn(postal, A)]],
    );

    await api.drain();
    assert.deepEqual(summary(await api.notes(online)), [
      ['received_online', 'sms', 'delivered'],
      ['supplement_required', 'sms', 'delivered'],
      ['clock_stopped', 'sms', 'delivered'],
      ['clock_resumed', 'sms', 'delivered'],
      ['refused', 'sms', 'delivered'],
    ]);
    for (const n of await api.notes(online)) {
      assert.equal(n.encoding, 'gsm7');
      assert.equal(n.segments, gsmSegments(n.body), n.kind);
      assert.equal(n.costVnd, n.segments * PRICE, n.kind);
    }
  });

  test('a same-day procedure gets nothing unless the agency sets notifySameDay', async () => {
    await api.intake(code, { procedureCode: 'SAME-DAY' });
    assert.deepEqual((await api.event(code, { type: 'supplement_requested' })).notifications, []);
    assert.deepEqual((await api.event(code, { type: 'result_ready' })).notifications, []);
    assert.deepEqual(await api.notes(code), []);

    await api.putAgency('STC', 'Sở Tài chính', { holdSeconds: 0, quietHours: null, notifySameDay: true });
    try {
      const on = `${code}-ON`;
      await api.intake(on, { procedureCode: 'SAME-DAY' });
      const res = await api.event(on, { type: 'result_ready' });
      assert.deepEqual(
        res.notifications.map((n) => [n.kind, n.body]),
        [['result_ready', T.result(on, 'So Tai chinh')]],
      );
    } finally {
      await api.putAgency('STC', 'Sở Tài chính', { holdSeconds: 0, quietHours: null });
    }
  });

  test('a Unicode agency keeps the diacritics and sends ucs2 (segments of 67, cost per segment)', async () => {
    await api.intake(code, { agencyCode: 'UNI', procedureCode: 'UNI-3' });
    const [n] = (await api.event(code, { type: 'result_ready' })).notifications;
    const body = `TB: Hồ sơ của quý ông/bà (MS: ${code}) đã được giải quyết xong. Mời ông/bà đến Bộ phận Một cửa Ban Quản lý Khu kinh tế Vân Phong để nhận kết quả.`;
    assert.equal(n!.body, body.normalize('NFC'));
    assert.equal(n!.encoding, 'ucs2');
    assert.equal(n!.segments, ucs2Segments(body));
    assert.equal(n!.segments, 3);
    assert.equal(n!.costVnd, 3 * PRICE);
    await api.drain();
    assert.equal((await api.notes(code))[0]!.status, 'delivered');
  });

  test('phone problems: failed at once with the reason (no_phone, landline, invalid_phone), never sent, no cost', async () => {
    const cases: Array<[string | null, string]> = [
      [null, 'no_phone'],
      ['0258 3822 123', 'landline'],
      ['091234', 'invalid_phone'],
    ];
    const codeFor = (reason: string) => `${code}-${reason.replace(/_/g, '-')}`;
    for (const [phone, reason] of cases) {
      const c = codeFor(reason);
      await api.intake(c, { applicant: { name: 'Lê Văn C', phone } });
      const [n] = (await api.event(c, { type: 'result_ready' })).notifications;
      assert.equal(n!.channel, 'sms');
      assert.equal(n!.status, 'failed', reason);
      assert.equal(n!.failureReason, reason);
      assert.equal(n!.costVnd, 0);
      assert.equal(n!.body, T.result(c, 'So Tai chinh'), 'the text is still recorded');
    }
    await api.drain();
    for (const [, reason] of cases) {
      const notes = await api.notes(codeFor(reason));
      assert.deepEqual(summary(notes), [['result_ready', 'sms', 'failed']]);
      assert.equal(notes[0]!.sentAt, null);
      assert.equal(notes[0]!.attempts, 0);
    }
  });

  test('bad phone with an email: the message goes by email instead (pending → delivered)', async () => {
    await api.intake(code, { applicant: { name: 'Lê Văn C', phone: '0258 3822 123', email: 'c@example.vn' } });
    const [n] = (await api.event(code, { type: 'result_ready' })).notifications;
    assert.equal(n!.channel, 'email');
    assert.equal(n!.to, 'c@example.vn');
    assert.equal(n!.status, 'pending');
    assert.equal(n!.failureReason, null);
    assert.equal(n!.costVnd, 0);
    assert.equal(
      n!.body,
      `TB: Hồ sơ của quý ông/bà (MS: ${code}) đã được giải quyết xong. Mời ông/bà đến Bộ phận Một cửa Sở Tài chính để nhận kết quả.`,
      'email keeps the Vietnamese text',
    );
    await api.drain();
    assert.deepEqual(summary(await api.notes(code)), [['result_ready', 'email', 'delivered']]);
  });

  test('emailAlso: a reachable phone and an email get both, with their own dedupe keys', async () => {
    await api.putAgency('EML', 'Sở Tư pháp', { holdSeconds: 0, quietHours: null, emailAlso: true });
    await api.putProcedure('EML-3', 'EML', 3);
    await api.intake(code, { agencyCode: 'EML', procedureCode: 'EML-3' });
    const res = await api.event(code, { type: 'result_ready' });
    assert.deepEqual(
      res.notifications.map((n) => [n.channel, n.to, n.receiptCode, n.costVnd]),
      [
        ['sms', '+84912345678', code, PRICE],
        ['email', 'a@example.vn', code, 0],
      ],
    );
    assert.equal(res.notifications[0]!.body, T.result(code, 'So Tu phap'));
    assert.deepEqual((await api.event(code, { type: 'result_ready' })).notifications, []);
    await api.drain();
    assert.deepEqual(summary(await api.notes(code)), [
      ['result_ready', 'sms', 'delivered'],
      ['result_ready', 'email', 'delivered'],
    ]);
  });

  test('concurrent dispatchers send each message once', async () => {
    const codes = Array.from({ length: 12 }, (_, i) => `${code}-${i}`);
    for (const c of codes) {
      await api.intake(c);
      await api.event(c, { type: 'result_ready' });
    }
    await Promise.all(Array.from({ length: 4 }, () => api.drain()));
    for (const c of codes) {
      const notes = await api.notes(c);
      assert.deepEqual(summary(notes), [['result_ready', 'sms', 'delivered']], c);
      assert.equal(notes[0]!.attempts, 1, c);
    }
  });

  test('hold: result_ready waits 120 s; a supplement request inside the hold cancels it and only the supplement message leaves', async () => {
    h.clock.set('2026-11-24T09:00:00+07:00');
    await api.intake(code, { agencyCode: 'HLD', procedureCode: 'HLD-3' });
    const [wrong] = (await api.event(code, { type: 'result_ready' })).notifications;
    assert.equal(wrong!.status, 'pending');
    assert.equal(wrong!.sendAfter, '2026-11-24T09:02:00+07:00');

    h.clock.set('2026-11-24T09:01:00+07:00');
    await api.drain();
    assert.deepEqual(summary(await api.notes(code)), [['result_ready', 'sms', 'pending']], 'nothing leaves inside the hold');

    const fix = await api.event(code, { type: 'supplement_requested' });
    assert.deepEqual(
      fix.notifications.map((n) => [n.kind, n.status, n.sendAfter]),
      [['supplement_required', 'pending', '2026-11-24T09:03:00+07:00']],
    );
    let notes = await api.notes(code);
    assert.deepEqual(summary(notes), [
      ['result_ready', 'sms', 'cancelled'],
      ['supplement_required', 'sms', 'pending'],
    ]);
    assert.equal(notes[0]!.failureReason, 'state_changed');

    h.clock.set('2026-11-24T09:02:30+07:00'); // past the cancelled message's hold, inside the supplement's
    await api.drain();
    assert.deepEqual(
      summary(await api.notes(code)).map((s) => s[2]),
      ['cancelled', 'pending'],
    );

    h.clock.set('2026-11-24T09:03:00+07:00');
    await api.drain();
    notes = await api.notes(code);
    assert.deepEqual(summary(notes), [
      ['result_ready', 'sms', 'cancelled'],
      ['supplement_required', 'sms', 'delivered'],
    ]);
    assert.equal(notes[0]!.sentAt, null, 'the wrong message never left');
    assert.equal(notes[1]!.sentAt, '2026-11-24T09:03:00+07:00');

    // The opposite mistake: supplement pressed, corrected to result ready inside the hold.
    const other = `${code}-R`;
    h.clock.set('2026-11-24T10:00:00+07:00');
    await api.intake(other, { agencyCode: 'HLD', procedureCode: 'HLD-3' });
    await api.event(other, { type: 'supplement_requested' });
    h.clock.set('2026-11-24T10:00:30+07:00');
    await api.event(other, { type: 'result_ready' });
    h.clock.set('2026-11-24T10:10:00+07:00');
    await api.drain();
    assert.deepEqual(summary(await api.notes(other)), [
      ['supplement_required', 'sms', 'cancelled'],
      ['result_ready', 'sms', 'delivered'],
    ]);
  });

  test('hold and quiet hours default to 120 s and 21:00–07:00 for an agency without settings', async () => {
    await api.intake(code, { agencyCode: 'DEF', procedureCode: 'DEF-3' });
    const [n] = (await api.event(code, { type: 'result_ready' })).notifications;
    assert.equal(n!.sendAfter, '2026-11-23T09:02:00+07:00');
    const late = `${code}-L`;
    h.clock.set('2026-11-23T21:15:00+07:00');
    await api.intake(late, { agencyCode: 'DEF', procedureCode: 'DEF-3' });
    const [m] = (await api.event(late, { type: 'result_ready' })).notifications;
    assert.equal(m!.sendAfter, '2026-11-24T07:00:00+07:00');
  });

  test('quiet hours across midnight: 22:30 waits for 07:00 next day; 20:59 + hold also waits; 06:30 waits until 07:00', async () => {
    h.clock.set('2026-11-23T22:30:00+07:00');
    await api.intake(code, { agencyCode: 'QUI', procedureCode: 'QUI-3' });
    const [n] = (await api.event(code, { type: 'result_ready' })).notifications;
    assert.equal(n!.createdAt, '2026-11-23T22:30:00+07:00');
    assert.equal(n!.sendAfter, '2026-11-24T07:00:00+07:00');

    h.clock.set('2026-11-23T23:00:00+07:00');
    await api.drain();
    assert.equal((await api.notes(code))[0]!.status, 'pending');
    h.clock.set('2026-11-24T06:59:59+07:00');
    await api.drain();
    assert.equal((await api.notes(code))[0]!.status, 'pending');
    h.clock.set('2026-11-24T07:00:00+07:00');
    await api.drain();
    const [sent] = await api.notes(code);
    assert.equal(sent!.status, 'delivered');
    assert.equal(sent!.sentAt, '2026-11-24T07:00:00+07:00');

    // 20:59 + 120 s hold = 21:01, inside the quiet hours.
    const edge = `${code}-E`;
    h.clock.set('2026-11-24T20:59:00+07:00');
    await api.intake(edge, { agencyCode: 'QUI', procedureCode: 'QUI-3' });
    assert.equal((await api.event(edge, { type: 'result_ready' })).notifications[0]!.sendAfter, '2026-11-25T07:00:00+07:00');
    // Before the end of the quiet hours on the same morning.
    const early = `${code}-M`;
    h.clock.set('2026-11-25T06:30:00+07:00');
    await api.intake(early, { agencyCode: 'QUI', procedureCode: 'QUI-3' });
    assert.equal((await api.event(early, { type: 'supplement_requested' })).notifications[0]!.sendAfter, '2026-11-25T07:00:00+07:00');
    // 20:57 + 120 s = 20:59: outside.
    const outside = `${code}-B`;
    h.clock.set('2026-11-25T20:57:00+07:00');
    await api.intake(outside, { agencyCode: 'QUI', procedureCode: 'QUI-3' });
    assert.equal((await api.event(outside, { type: 'result_ready' })).notifications[0]!.sendAfter, '2026-11-25T20:59:00+07:00');
  });

  test('replayed and concurrent events create one message', async () => {
    await api.intake(code);
    const sameId = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.app.inject({
          method: 'POST',
          url: `/api/v1/dossiers/${code}/events`,
          headers: admin,
          payload: { type: 'result_ready', eventId: 'dms-77' },
        }),
      ),
    );
    assert.deepEqual(
      sameId.map((r) => r.statusCode),
      Array(10).fill(200),
    );
    assert.deepEqual(sameId.map((r) => r.json().notifications.length).sort(), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.equal((await h.app.inject({ method: 'GET', url: `/api/v1/dossiers/${code}`, headers: admin })).json().events.length, 1);
    assert.deepEqual(summary(await api.notes(code)), [['result_ready', 'sms', 'pending']]);

    const noId = `${code}-N`;
    await api.intake(noId);
    const concurrent = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.app.inject({ method: 'POST', url: `/api/v1/dossiers/${noId}/events`, headers: admin, payload: { type: 'result_ready' } }),
      ),
    );
    assert.deepEqual(
      concurrent.map((r) => r.statusCode),
      Array(10).fill(200),
    );
    assert.equal(
      concurrent.reduce((sum, r) => sum + r.json().notifications.length, 0),
      1,
    );
    assert.deepEqual(summary(await api.notes(noId)), [['result_ready', 'sms', 'pending']]);

    // Concurrent identical intakes of an online filing: one receipt confirmation.
    const online = `${code}-O`;
    const intakes = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.app.inject({
          method: 'POST',
          url: '/api/v1/dossiers',
          headers: admin,
          payload: intakeBody({ receiptCode: online, agencyCode: 'SXD', procedureCode: 'SXD-5', submittedVia: 'online' }),
        }),
      ),
    );
    assert.equal(intakes.filter((r) => r.statusCode === 201).length, 1);
    assert.deepEqual(summary(await api.notes(online)), [['received_online', 'sms', 'pending']]);

    await api.drain();
    await api.drain();
    assert.deepEqual(summary(await api.notes(code)), [['result_ready', 'sms', 'delivered']]);
    assert.deepEqual(summary(await api.notes(noId)), [['result_ready', 'sms', 'delivered']]);
    // A replay after delivery still creates nothing.
    assert.deepEqual((await api.event(code, { type: 'result_ready', eventId: 'dms-77' })).notifications, []);
    assert.deepEqual((await api.event(code, { type: 'result_ready' })).notifications, []);
    assert.equal((await api.notes(code)).length, 1);
  });

  test('GET /api/v1/notifications: filters, order, limit, roles and validation', async () => {
    const stc = code;
    const stp = `${code}-TP`;
    await api.intake(stc);
    await api.intake(stp, { agencyCode: 'STP', procedureCode: '2.000488' });
    await api.event(stc, { type: 'supplement_requested' });
    await api.drain();
    await api.event(stc, { type: 'result_ready' });
    await api.event(stp, { type: 'result_ready' });
    await api.drain();
    const stcNotes = await api.notes(stc);
    assert.deepEqual(summary(stcNotes), [
      ['supplement_required', 'sms', 'delivered'],
      ['result_ready', 'sms', 'delivered'],
    ]);
    // a pending one for the status filter
    const pending = `${code}-PD`;
    await api.intake(pending);
    await api.event(pending, { type: 'result_ready' });

    const byCode = await api.list(`receiptCode=${stc}`);
    assert.equal(byCode.statusCode, 200);
    assert.deepEqual(
      byCode.json().items.map((n: Note) => n.id),
      stcNotes.map((n) => n.id).reverse(),
      'newest first',
    );
    assert.deepEqual(
      byCode.json().items.map((n: Note) => n.receiptCode),
      [stc, stc],
    );
    // case-insensitive code
    assert.equal((await api.list(`receiptCode=${stc.toLowerCase()}`)).json().items.length, 2);
    const byKind = await api.list(`receiptCode=${stc}&kind=supplement_required`);
    assert.deepEqual(
      byKind.json().items.map((n: Note) => n.kind),
      ['supplement_required'],
    );
    const delivered = await api.list('status=delivered&limit=1000');
    assert.ok(delivered.json().items.length >= 3);
    assert.ok(delivered.json().items.every((n: Note) => n.status === 'delivered'));
    const pend = await api.list(`status=pending&receiptCode=${pending}`);
    assert.deepEqual(
      pend.json().items.map((n: Note) => [n.receiptCode, n.kind]),
      [[pending, 'result_ready']],
    );
    assert.deepEqual((await api.list(`status=pending&receiptCode=${stc}`)).json().items, []);
    const limited = await api.list('limit=1');
    assert.equal(limited.json().items.length, 1);
    assert.equal(limited.json().items[0].receiptCode, pending, 'the newest message');
    assert.deepEqual((await api.list('receiptCode=NO-SUCH-CODE')).json().items, []);

    // Validation
    for (const query of ['status=sentt', 'kind=spam', 'limit=0', 'limit=1001', 'limit=abc', 'receiptCode=has%20space', 'extra=1']) {
      const res = await api.list(query);
      assert.equal(res.statusCode, 400, `${query} → ${res.body}`);
      assert.ok(res.json().error.code);
    }

    // Roles
    const tokenSTP = await api.mint({ role: 'agency', agencyCode: 'STP' });
    const oversight = await api.mint({ role: 'oversight' });
    const gateway = await api.mint({ role: 'gateway' });
    assert.equal((await api.list('')).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/notifications' })).statusCode, 401);
    assert.equal((await api.list('', bearer('wrong-token'))).statusCode, 401);
    assert.equal((await api.list('', bearer(gateway))).statusCode, 403);
    const own = await api.list('limit=1000', bearer(tokenSTP));
    assert.equal(own.statusCode, 200);
    assert.ok(own.json().items.length >= 1);
    assert.ok(
      own.json().items.every((n: Note) => n.agencyCode === 'STP'),
      'an agency sees only its own messages',
    );
    assert.ok(own.json().items.some((n: Note) => n.receiptCode === stp));
    assert.equal((await api.list(`receiptCode=${stc}`, bearer(tokenSTP))).statusCode, 403);
    assert.equal((await api.list('agencyCode=STC', bearer(tokenSTP))).statusCode, 403);
    assert.equal((await api.list(`receiptCode=${stp}`, bearer(tokenSTP))).json().items.length, 1);
    const all = await api.list('limit=1000', bearer(oversight));
    assert.equal(all.statusCode, 200);
    assert.ok(all.json().items.some((n: Note) => n.agencyCode === 'STC') && all.json().items.some((n: Note) => n.agencyCode === 'STP'));
    const onlySTC = await api.list('agencyCode=STC&limit=1000', bearer(oversight));
    assert.ok(onlySTC.json().items.every((n: Note) => n.agencyCode === 'STC'));
  });
});

// ---------------------------------------------------------------------------------------------------

describe(`notifications: the 17:30 apology batch (${TEST_DB})`, () => {
  let h: Harness;
  const api = client(() => h);
  before(async () => {
    h = await startHarness();
    await seedBasics(h);
  });
  after(async () => h.close());
  beforeEach(() => h.clock.set('2026-11-23T09:00:00+07:00'));

  test('across a weekend: Friday 17:30 apologises for Monday; result step, supplement, other days and same-day excluded; a rerun creates nothing', async () => {
    const due = { dueAt: '2026-11-30T10:00:00+07:00' };
    await api.intake('APO-WE-OPEN', due);
    await api.intake('APO-WE-STEP', due);
    await api.event('APO-WE-STEP', { type: 'step', step: 'Thẩm định hồ sơ' });
    await api.intake('APO-WE-READY', due);
    await api.event('APO-WE-READY', { type: 'result_ready' });
    await api.intake('APO-WE-SUPP', due);
    await api.event('APO-WE-SUPP', { type: 'supplement_requested' });
    await api.intake('APO-WE-TUE', { dueAt: '2026-12-01T10:00:00+07:00' });
    await api.intake('APO-WE-FRI', { dueAt: '2026-11-27T16:00:00+07:00' });
    await api.intake('APO-WE-SAME', { procedureCode: 'SAME-DAY', ...due });
    await api.intake('APO-WE-NOPHONE', { ...due, applicant: { name: 'Lê Văn C', phone: null } });
    await api.drain();

    h.clock.set('2026-11-27T17:30:00+07:00');
    const first = await api.apology('2026-11-27T17:30:00+07:00');
    // Candidates: OPEN, STEP, SAME (no message: same-day), NOPHONE (a failed message).
    assert.deepEqual(first, { dueDate: '2026-11-30', dossiers: 4, created: 3 });
    for (const c of ['APO-WE-OPEN', 'APO-WE-STEP']) {
      const apologies = (await api.notes(c)).filter((n) => n.kind === 'apology');
      assert.equal(apologies.length, 1, c);
      const [n] = apologies;
      assert.equal(n!.body, T.apology(c, '30/11/2026', 'So Tai chinh'));
      assert.equal(n!.segments, 2);
      assert.equal(n!.segments, gsmSegments(n!.body));
      assert.equal(n!.costVnd, 2 * PRICE);
      assert.equal(n!.status, 'pending');
      assert.equal(n!.sendAfter, '2026-11-27T17:30:00+07:00', 'not held');
    }
    assert.deepEqual(summary(await api.notes('APO-WE-NOPHONE')), [['apology', 'sms', 'failed']]);
    assert.equal((await api.notes('APO-WE-NOPHONE'))[0]!.failureReason, 'no_phone');
    for (const c of ['APO-WE-READY', 'APO-WE-SUPP', 'APO-WE-TUE', 'APO-WE-FRI', 'APO-WE-SAME']) {
      assert.deepEqual(
        (await api.notes(c)).filter((n) => n.kind === 'apology'),
        [],
        c,
      );
    }

    assert.deepEqual(await api.apology('2026-11-27T17:30:00+07:00'), { dueDate: '2026-11-30', dossiers: 4, created: 0 });
    // Also the same batch asked for later that evening or over the weekend: same due date, nothing new.
    assert.deepEqual(await api.apology('2026-11-28T10:00:00+07:00'), { dueDate: '2026-11-30', dossiers: 4, created: 0 });

    await api.drain();
    assert.deepEqual(summary(await api.notes('APO-WE-OPEN')), [['apology', 'sms', 'delivered']]);

    // After the apology, the result message still goes when the result is ready.
    h.clock.set('2026-11-30T15:00:00+07:00');
    const res = await api.event('APO-WE-OPEN', { type: 'result_ready' });
    assert.deepEqual(
      res.notifications.map((n) => [n.kind, n.body]),
      [['result_ready', T.result('APO-WE-OPEN', 'So Tai chinh')]],
    );
    await api.drain();
    assert.deepEqual(summary(await api.notes('APO-WE-OPEN')), [
      ['apology', 'sms', 'delivered'],
      ['result_ready', 'sms', 'delivered'],
    ]);
  });

  test('across a holiday: Wednesday 29/4/2026 17:30 apologises for Monday 4/5 (30/4, 1/5 off)', async () => {
    await api.intake('APO-HOL-1', { receivedAt: '2026-04-27T09:00:00+07:00', dueAt: '2026-05-04T09:00:00+07:00' });
    await api.intake('APO-HOL-2', { receivedAt: '2026-04-27T09:00:00+07:00', dueAt: '2026-04-30T09:00:00+07:00' }); // a holiday: not the next working day
    const result = await api.apology('2026-04-29T17:30:00+07:00');
    assert.deepEqual(result, { dueDate: '2026-05-04', dossiers: 1, created: 1 });
    const [n] = await api.notes('APO-HOL-1');
    assert.equal(n!.body, T.apology('APO-HOL-1', '04/05/2026', 'So Tai chinh'));
    assert.deepEqual(await api.notes('APO-HOL-2'), []);
    // Tuesday 28/4 looks at Wednesday 29/4, a working day.
    assert.equal((await api.apology('2026-04-28T17:30:00+07:00')).dueDate, '2026-04-29');
  });

  test('a pending apology is withdrawn when the result becomes ready first', async () => {
    await api.intake('APO-RACE', { dueAt: '2026-12-08T10:00:00+07:00' });
    assert.deepEqual(await api.apology('2026-12-07T17:30:00+07:00'), { dueDate: '2026-12-08', dossiers: 1, created: 1 });
    await api.event('APO-RACE', { type: 'result_ready' });
    await api.drain();
    assert.deepEqual(summary(await api.notes('APO-RACE')), [
      ['apology', 'sms', 'cancelled'],
      ['result_ready', 'sms', 'delivered'],
    ]);
  });

  test('a moved due date (due_changed) earns another apology for the new date', async () => {
    await api.intake('APO-MOVED', { dueAt: '2026-12-15T10:00:00+07:00' });
    assert.deepEqual(await api.apology('2026-12-14T17:30:00+07:00'), { dueDate: '2026-12-15', dossiers: 1, created: 1 });
    await api.drain();
    h.clock.set('2026-12-15T08:00:00+07:00');
    await api.event('APO-MOVED', { type: 'due_changed', dueAt: '2026-12-17T10:00:00+07:00' });
    assert.deepEqual(await api.apology('2026-12-15T17:30:00+07:00'), { dueDate: '2026-12-16', dossiers: 0, created: 0 });
    assert.deepEqual(await api.apology('2026-12-16T17:30:00+07:00'), { dueDate: '2026-12-17', dossiers: 1, created: 1 });
    assert.deepEqual(await api.apology('2026-12-16T17:30:00+07:00'), { dueDate: '2026-12-17', dossiers: 1, created: 0 });
    await api.drain();
    const notes = await api.notes('APO-MOVED');
    assert.deepEqual(
      notes.map((n) => [n.kind, n.status, n.body]),
      [
        ['apology', 'delivered', T.apology('APO-MOVED', '15/12/2026', 'So Tai chinh')],
        ['apology', 'delivered', T.apology('APO-MOVED', '17/12/2026', 'So Tai chinh')],
      ],
    );
  });

  test('concurrent batches for the same instant create each apology once', async () => {
    for (let i = 1; i <= 4; i++) await api.intake(`APO-CONC-${i}`, { dueAt: '2026-12-22T10:00:00+07:00' });
    const runs = await Promise.all(Array.from({ length: 6 }, () => api.apology('2026-12-21T17:30:00+07:00')));
    assert.ok(runs.every((r) => r.dueDate === '2026-12-22' && r.dossiers === 4));
    assert.equal(
      runs.reduce((sum, r) => sum + r.created, 0),
      4,
    );
    for (let i = 1; i <= 4; i++) assert.equal((await api.notes(`APO-CONC-${i}`)).length, 1);
  });

  test('POST /api/v1/jobs/apology is admin-only and validates asOf', async () => {
    const oversight = await api.mint({ role: 'oversight' });
    const agency = await api.mint({ role: 'agency', agencyCode: 'STC' });
    const post = (payload: object, headers?: Record<string, string>) =>
      h.app.inject({ method: 'POST', url: '/api/v1/jobs/apology', ...(headers ? { headers } : {}), payload });
    assert.equal((await post({ asOf: '2026-12-21T17:30:00+07:00' })).statusCode, 401);
    assert.equal((await post({ asOf: '2026-12-21T17:30:00+07:00' }, bearer(oversight))).statusCode, 403);
    assert.equal((await post({ asOf: '2026-12-21T17:30:00+07:00' }, bearer(agency))).statusCode, 403);
    assert.equal((await post({ asOf: 'yesterday' }, admin)).statusCode, 400);
    // Default: as of now (Mon 23/11 09:00 → Tue 24/11).
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/jobs/apology', headers: admin });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().dueDate, '2026-11-24');
  });

  test('the scheduler catches up a missed Friday 17:30 on Saturday morning, once', async () => {
    await api.intake('APO-SCHED', { dueAt: '2027-01-11T10:00:00+07:00' }); // Monday
    h.clock.set('2027-01-09T08:00:00+07:00'); // Saturday: Friday's 17:30 was missed
    // Several processes ticking at once: the slot runs once.
    const ticks = await Promise.all(Array.from({ length: 5 }, () => h.ctx.scheduler.tick()));
    assert.deepEqual(
      ticks.filter((t) => t !== null),
      [{ dueDate: '2027-01-11', dossiers: 1, created: 1 }],
    );
    assert.equal(await h.ctx.scheduler.tick(), null, 'the slot ran already');
    h.clock.set('2027-01-11T08:00:00+07:00'); // Monday morning: still Friday's slot
    assert.equal(await h.ctx.scheduler.tick(), null);
    const notes = await api.notes('APO-SCHED');
    assert.deepEqual(
      notes.map((n) => [n.kind, n.body]),
      [['apology', T.apology('APO-SCHED', '11/01/2027', 'So Tai chinh')]],
    );
    assert.equal(notes[0]!.createdAt, '2027-01-09T08:00:00+07:00');
    // Monday 17:31: Monday's slot (for Tuesday) runs.
    h.clock.set('2027-01-11T17:31:00+07:00');
    const monday = await h.ctx.scheduler.tick();
    assert.equal(monday?.dueDate, '2027-01-12');
    assert.equal(await h.ctx.scheduler.tick(), null);
  });
});

// ---------------------------------------------------------------------------------------------------

describe(`notifications: oversight figures (${TEST_DB})`, () => {
  let h: Harness;
  const api = client(() => h);
  const stats = (query: string, headers: Record<string, string> = admin) =>
    h.app.inject({ method: 'GET', url: `/api/v1/stats?${query}`, headers });

  /**
   * The scenario (all messages created in November 2026; the clock stays in November):
   *  S1 STC 1.004227 ok phone, recv 23/11, result 25/11 (due 26/11): on time, result delivered.
   *  S2 STC 1.004227 ok phone, recv 2/11 (due 5/11), supplement 3/11–4/11 (due → 6/11), result 10/11: late; 2 delivered.
   *  S3 STC 1.004227 no phone, recv 23/11, result 24/11: on time; result failed no_phone.
   *  S4 STC 1.004227 landline, recv 23/11 (due 26/11), open; the 25/11 apology batch → apology failed landline.
   *  S5 STC SAME-DAY ok phone, recv 23/11, result same day: on time; no message.
   *  S6 STP 2.000488 invalid phone + email, recv 23/11, result 24/11: on time; result by email delivered.
   *  S7 STC 1.004227 ok phone, recv 15/10 (outside), due 6/11, result 5/11: resolved in the period, on time, delivered.
   *  S8 STC 1.004227 ok phone, recv 1/12 (outside), nothing else.
   *  S9 STC 1.004227 ok phone, recv 1/11 06:30 +07:00 (31/10 UTC), open.
   *  S10 STC 1.004227 ok phone, recv 23/11, result 10:00 then supplement 10:05 before dispatch: result
   *      cancelled, supplement delivered; awaiting supplement (not resolved).
   */
  before(async () => {
    h = await startHarness({ now: '2026-11-23T09:00:00+07:00' });
    await seedBasics(h);
    const ok = { name: 'Nguyễn Văn A', phone: '0912 345 678' };
    await api.intake('S1', { applicant: ok });
    await api.intake('S2', { applicant: ok, receivedAt: '2026-11-02T08:00:00+07:00' });
    await api.intake('S3', { applicant: { name: 'B', phone: null } });
    await api.intake('S4', { applicant: { name: 'C', phone: '0258 3822 123' } });
    await api.intake('S5', {
      applicant: ok,
      procedureCode: 'SAME-DAY',
      receivedAt: '2026-11-23T08:15:00+07:00',
      dueAt: '2026-11-23T17:00:00+07:00',
    });
    await api.intake('S6', {
      agencyCode: 'STP',
      procedureCode: '2.000488',
      applicant: { name: 'D', phone: '091234', email: 'd@example.vn' },
    });
    await api.intake('S7', { applicant: ok, receivedAt: '2026-10-15T09:00:00+07:00', dueAt: '2026-11-06T17:00:00+07:00' });
    await api.intake('S8', { applicant: ok, receivedAt: '2026-12-01T08:00:00+07:00' });
    await api.intake('S9', { applicant: ok, receivedAt: '2026-11-01T06:30:00+07:00' });
    await api.intake('S10', { applicant: ok });

    await api.event('S1', { type: 'result_ready', at: '2026-11-25T09:00:00+07:00' });
    await api.event('S2', { type: 'supplement_requested', at: '2026-11-03T10:00:00+07:00' });
    await api.drain(); // sent before the supplement arrives (a still-pending one would be cancelled)
    const resumed = await api.event('S2', { type: 'supplement_received', at: '2026-11-04T10:00:00+07:00' });
    assert.equal(resumed.dossier.dueAt, '2026-11-06T08:00:00+07:00');
    await api.event('S2', { type: 'result_ready', at: '2026-11-10T09:00:00+07:00' });
    await api.event('S3', { type: 'result_ready', at: '2026-11-24T09:00:00+07:00' });
    await api.event('S5', { type: 'result_ready', at: '2026-11-23T10:00:00+07:00' });
    await api.event('S6', { type: 'result_ready', at: '2026-11-24T09:00:00+07:00' });
    await api.event('S7', { type: 'result_ready', at: '2026-11-05T10:00:00+07:00' });
    await api.event('S10', { type: 'result_ready', at: '2026-11-23T10:00:00+07:00' });
    await api.event('S10', { type: 'supplement_requested', at: '2026-11-23T10:05:00+07:00' });
    h.clock.set('2026-11-25T17:30:00+07:00');
    assert.deepEqual(await api.apology('2026-11-25T17:30:00+07:00'), { dueDate: '2026-11-26', dossiers: 1, created: 1 });
    await api.drain();
  });
  after(async () => h.close());

  test('per agency for November, against hand-computed figures', async () => {
    const res = await stats('from=2026-11-01&to=2026-11-30&groupBy=agency');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.from, '2026-11-01');
    assert.equal(body.to, '2026-11-30');
    assert.deepEqual(body.rows, [
      {
        agencyCode: 'STC',
        dossiersReceived: 7, // S1 S2 S3 S4 S5 S9 S10
        dossiersResolved: 5, // S1 S2 S3 S5 S7
        resolvedOnTime: 4,
        resolvedLate: 1, // S2
        supplementRequests: 2, // S2, S10
        messages: { created: 8, sent: 5, delivered: 5, failed: 2, cancelled: 1, pending: 0, unknown: 0 },
        messagesByKind: { result_ready: 5, supplement_required: 2, apology: 1 },
        failedByReason: { no_phone: 1, landline: 1 },
        lookups: 0,
        lookupRevenueVnd: 0,
        costVnd: 5 * PRICE, // five one-segment SMS delivered
        reach: 0.7143, // 5 of 7 with a usable mobile number
        reconciliation: { resolved: 5, resultMessagesDelivered: 3, resultMessagesUnknown: 0, resolvedWithoutDeliveredResult: 2 }, // S3 (no phone), S5 (same day)
      },
      {
        agencyCode: 'STP',
        dossiersReceived: 1,
        dossiersResolved: 1,
        resolvedOnTime: 1,
        resolvedLate: 0,
        supplementRequests: 0,
        messages: { created: 1, sent: 1, delivered: 1, failed: 0, cancelled: 0, pending: 0, unknown: 0 },
        messagesByKind: { result_ready: 1 },
        failedByReason: {},
        lookups: 0,
        lookupRevenueVnd: 0,
        costVnd: 0, // email
        reach: 0,
        reconciliation: { resolved: 1, resultMessagesDelivered: 1, resultMessagesUnknown: 0, resolvedWithoutDeliveredResult: 0 },
      },
    ]);
    assert.deepEqual(body.lookupsUnattributed, { lookups: 0, lookupRevenueVnd: 0 });
    // Figures reconcile: delivered result messages = resolved − resolved without one.
    for (const row of body.rows) {
      assert.equal(row.resolvedOnTime + row.resolvedLate, row.dossiersResolved);
      assert.equal(row.reconciliation.resolved, row.dossiersResolved);
      assert.equal(
        row.messages.created,
        Object.values(row.messagesByKind as Record<string, number>).reduce((a, b) => a + b, 0),
      );
      assert.equal(
        row.messages.failed,
        Object.values(row.failedByReason as Record<string, number>).reduce((a, b) => a + b, 0),
      );
    }
  });

  test('per procedure', async () => {
    const res = await stats('from=2026-11-01&to=2026-11-30&groupBy=procedure');
    assert.equal(res.statusCode, 200, res.body);
    const rows = res.json().rows as Array<Record<string, unknown>>;
    assert.deepEqual(
      rows.map((r) => [r.agencyCode, r.procedureCode]),
      [
        ['STC', '1.004227'],
        ['STC', 'SAME-DAY'],
        ['STP', '2.000488'],
      ],
    );
    assert.deepEqual(rows[0], {
      agencyCode: 'STC',
      procedureCode: '1.004227',
      dossiersReceived: 6,
      dossiersResolved: 4,
      resolvedOnTime: 3,
      resolvedLate: 1,
      supplementRequests: 2,
      messages: { created: 8, sent: 5, delivered: 5, failed: 2, cancelled: 1, pending: 0, unknown: 0 },
      messagesByKind: { result_ready: 5, supplement_required: 2, apology: 1 },
      failedByReason: { no_phone: 1, landline: 1 },
      lookups: 0,
      lookupRevenueVnd: 0,
      costVnd: 5 * PRICE,
      reach: 0.6667, // 4 of 6
      reconciliation: { resolved: 4, resultMessagesDelivered: 3, resultMessagesUnknown: 0, resolvedWithoutDeliveredResult: 1 },
    });
    assert.deepEqual(rows[1], {
      agencyCode: 'STC',
      procedureCode: 'SAME-DAY',
      dossiersReceived: 1,
      dossiersResolved: 1,
      resolvedOnTime: 1,
      resolvedLate: 0,
      supplementRequests: 0,
      messages: { created: 0, sent: 0, delivered: 0, failed: 0, cancelled: 0, pending: 0, unknown: 0 },
      messagesByKind: {},
      failedByReason: {},
      lookups: 0,
      lookupRevenueVnd: 0,
      costVnd: 0,
      reach: 1,
      reconciliation: { resolved: 1, resultMessagesDelivered: 0, resultMessagesUnknown: 0, resolvedWithoutDeliveredResult: 1 },
    });
    assert.equal(rows[2]!.dossiersReceived, 1);
    assert.deepEqual(rows[2]!.reconciliation, {
      resolved: 1,
      resultMessagesDelivered: 1,
      resultMessagesUnknown: 0,
      resolvedWithoutDeliveredResult: 0,
    });
  });

  test('periods are local dates (Asia/Ho_Chi_Minh), inclusive', async () => {
    // 1/11 06:30 +07:00 is still 31/10 in UTC: it belongs to 1 November.
    const first = (await stats('from=2026-11-01&to=2026-11-01')).json().rows;
    assert.deepEqual(
      first.map((r: { agencyCode: string; dossiersReceived: number }) => [r.agencyCode, r.dossiersReceived]),
      [['STC', 1]],
    );
    const october = (await stats('from=2026-10-01&to=2026-10-31')).json().rows;
    assert.deepEqual(
      october.map((r: { agencyCode: string; dossiersReceived: number; dossiersResolved: number }) => [
        r.agencyCode,
        r.dossiersReceived,
        r.dossiersResolved,
      ]),
      [
        ['STC', 1, 0], // S7 only
      ],
    );
    const december = (await stats('from=2026-12-01&to=2026-12-31')).json().rows;
    assert.deepEqual(
      december.map((r: { agencyCode: string; dossiersReceived: number }) => [r.agencyCode, r.dossiersReceived]),
      [['STC', 1]],
    ); // S8
    // Week of 23–25/11: S1 S3 S4 S5 S10 received (STC), S6 (STP); resolved S1 S3 S5 (STC), S6 (STP).
    const week = (await stats('from=2026-11-23&to=2026-11-25')).json().rows;
    assert.deepEqual(
      week.map(
        (r: {
          agencyCode: string;
          dossiersReceived: number;
          dossiersResolved: number;
          supplementRequests: number;
          reconciliation: unknown;
        }) => [r.agencyCode, r.dossiersReceived, r.dossiersResolved, r.supplementRequests, r.reconciliation],
      ),
      [
        ['STC', 5, 3, 1, { resolved: 3, resultMessagesDelivered: 1, resultMessagesUnknown: 0, resolvedWithoutDeliveredResult: 2 }],
        ['STP', 1, 1, 0, { resolved: 1, resultMessagesDelivered: 1, resultMessagesUnknown: 0, resolvedWithoutDeliveredResult: 0 }],
      ],
    );
  });

  test('roles and validation', async () => {
    const stp = await api.mint({ role: 'agency', agencyCode: 'STP' });
    const oversight = await api.mint({ role: 'oversight' });
    const own = await stats('from=2026-11-01&to=2026-11-30', bearer(stp));
    assert.equal(own.statusCode, 200);
    assert.deepEqual(
      own.json().rows.map((r: { agencyCode: string }) => r.agencyCode),
      ['STP'],
    );
    assert.equal((await stats('from=2026-11-01&to=2026-11-30&agencyCode=STC', bearer(stp))).statusCode, 403);
    const all = await stats('from=2026-11-01&to=2026-11-30', bearer(oversight));
    assert.deepEqual(
      all.json().rows.map((r: { agencyCode: string }) => r.agencyCode),
      ['STC', 'STP'],
    );
    const one = await stats('from=2026-11-01&to=2026-11-30&agencyCode=STP', bearer(oversight));
    assert.deepEqual(
      one.json().rows.map((r: { agencyCode: string }) => r.agencyCode),
      ['STP'],
    );
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/stats' })).statusCode, 401);
    assert.equal((await stats('from=2026-11-30&to=2026-11-01')).statusCode, 400);
    assert.equal((await stats('from=2026-11-01&to=2026-11-30&groupBy=carrier')).statusCode, 400);
    assert.equal((await stats('from=30/11/2026')).statusCode, 400);
  });
});
