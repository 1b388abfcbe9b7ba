/**
 * Automatic messages end to end through the HTTP API with the sandbox provider: which triggers fire and
 * their exact texts, segments and cost, the variants by return method, phone problems and email.
 *
 * The dispatcher and scheduler are not started by the harness: tests call `dispatcher.runOnce()` and
 * `scheduler.tick()` themselves, with the manual clock set where the test needs it.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, TEST_DB, type Harness } from '../../support/harness.js';
import { PRICE, T, client, gsmSegments, seedNotificationAgencies, summary, ucs2Segments } from '../../support/notifications.js';

describe(`notifications: triggers, texts, phones (${TEST_DB})`, () => {
  let h: Harness;
  let serial = 0;
  let code: string;
  const api = client(() => h);

  before(async () => {
    h = await startHarness();
    await seedNotificationAgencies(h);
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
});
