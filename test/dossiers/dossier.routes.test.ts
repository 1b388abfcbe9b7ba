import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, bearer, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

describe(`dossiers API (${TEST_DB})`, () => {
  let h: Harness;
  let serial = 0;
  let code: string;
  before(async () => {
    h = await startHarness();
    await seedBasics(h);
  });
  after(async () => h.close());
  beforeEach(() => {
    code = `000.00.15.H34-261123-${String(++serial).padStart(4, '0')}`;
  });

  const intake = (overrides: Record<string, unknown> = {}, headers = admin) =>
    h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers, payload: intakeBody({ receiptCode: code, ...overrides }) });
  const event = (payload: Record<string, unknown>, receipt = code, headers = admin) =>
    h.app.inject({ method: 'POST', url: `/api/v1/dossiers/${receipt}/events`, headers, payload });

  test('intake returns the dossier exactly as API.md shows it', async () => {
    const res = await intake();
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.receiptCode, code);
    assert.equal(body.agencyCode, 'STC');
    assert.equal(body.procedureCode, '1.004227');
    assert.equal(body.state, 'received');
    assert.equal(body.step, 'Tiếp nhận hồ sơ');
    assert.equal(body.receivedAt, '2026-11-23T08:15:00+07:00');
    // Mon 23/11/2026 08:15 + 3 working days (24 office hours) = Thu 26/11/2026 08:15.
    assert.equal(body.dueAt, '2026-11-26T08:15:00+07:00');
    assert.equal(body.onTime, true);
    assert.equal(body.statusText, 'Đúng hạn');
    assert.equal(body.returnMethod, 'counter');
    assert.equal(body.portalStatus, 2);
    assert.deepEqual(
      { input: body.phone.input, e164: body.phone.e164, carrier: body.phone.carrier, problem: body.phone.problem },
      { input: '0912 345 678', e164: '+84912345678', carrier: 'vinaphone', problem: null },
    );
    assert.deepEqual(body.notifications, []);
  });

  test('the same request again is 200; the same code with other content is 409; codes are case-insensitive', async () => {
    assert.equal((await intake()).statusCode, 201);
    const again = await intake();
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().receiptCode, code);
    const conflicting = await intake({ applicant: { name: 'Trần Thị B', phone: '0912345678' } });
    assert.equal(conflicting.statusCode, 409);
    assert.equal(conflicting.json().error.code, 'DOSSIER_CONFLICT');
    const lower = await intake({ receiptCode: code.toLowerCase(), applicant: { name: 'Trần Thị B' } });
    assert.equal(lower.statusCode, 409);
    const get = await h.app.inject({ method: 'GET', url: `/api/v1/dossiers/${code.toLowerCase()}`, headers: admin });
    assert.equal(get.statusCode, 200);
    assert.equal(get.json().applicant.name, 'Nguyễn Văn A');
  });

  test('concurrent identical intakes create one dossier', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => intake()));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
  });

  test('a bad phone never rejects the dossier: it says why no SMS can reach it', async () => {
    const cases: Array<[string | null, string]> = [
      [null, 'missing'],
      ['0258 3822 123', 'landline'],
      ['091234', 'invalid'],
      ['+1 415 555 0100', 'foreign'],
    ];
    for (const [phone, problem] of cases) {
      code = `BAD-PHONE-${problem}`;
      const res = await intake({ applicant: { name: 'Lê Văn C', phone } });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().phone.problem, problem);
      assert.ok(res.json().phone.message.length > 10);
      if (problem === 'missing' || problem === 'invalid') assert.equal(res.json().phone.e164, null);
    }
    code = 'OLD-PREFIX-1';
    const old = await intake({ applicant: { name: 'Lê Văn C', phone: '0168 234 5678' } });
    assert.equal(old.json().phone.e164, '+84382345678', '0168 became 038 in 2018');
    assert.equal(old.json().phone.carrier, 'viettel');
  });

  test('intake validation names the field and writes nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ receiptCode: '' }, 'receiptCode'],
      [{ receiptCode: 'has space' }, 'receiptCode'],
      [{ receiptCode: 'X'.repeat(65) }, 'receiptCode'],
      [{ agencyCode: 'NOPE' }, 'agencyCode'],
      [{ procedureCode: 'NOPE' }, 'procedureCode'],
      [{ procedureCode: '2.000488' }, 'procedureCode'],
      [{ applicant: { phone: '0912345678' } }, 'applicant.name'],
      [{ applicant: { name: 'A', email: 'not-an-email' } }, 'applicant.email'],
      [{ applicant: { name: 'A', age: 30 } }, 'applicant.age'],
      [{ receivedAt: '23/11/2026' }, 'receivedAt'],
      [{ dueAt: '2026-11-20T08:00:00+07:00' }, 'dueAt'],
      [{ returnMethod: 'pigeon' }, 'returnMethod'],
      [{ extra: true }, 'extra'],
    ];
    for (const [overrides, field] of cases) {
      const res = await intake(overrides);
      assert.equal(res.statusCode, 400, `${JSON.stringify(overrides)} → ${res.body}`);
      assert.equal(res.json().error.field, field, JSON.stringify(overrides));
      assert.ok(res.json().error.message.length > 0);
    }
    const get = await h.app.inject({ method: 'GET', url: `/api/v1/dossiers/${code}`, headers: admin });
    assert.equal(get.statusCode, 404);
  });

  test('due date: given dueAt is kept; computed from the calendar otherwise (receipt after closing counts from next morning)', async () => {
    const given = await intake({ dueAt: '2026-11-27T08:15:00+07:00' });
    assert.equal(given.json().dueAt, '2026-11-27T08:15:00+07:00');
    code = 'LATE-EVENING-1';
    const evening = await intake({ receivedAt: '2026-11-23T17:45:00+07:00' });
    // Counting starts Tue 24/11 07:00; 3 working days end Thu 26/11 at closing (17:00).
    assert.equal(evening.json().dueAt, '2026-11-26T17:00:00+07:00');
    code = 'HOLIDAY-1';
    const holiday = await intake({ receivedAt: '2026-04-28T09:00:00+07:00' });
    assert.equal(holiday.json().dueAt, '2026-05-05T09:00:00+07:00');
  });

  test('the lifecycle: steps, supplement, result, return; events listed with the dossier', async () => {
    await intake();
    let res = await event({ type: 'step', step: 'Thẩm định hồ sơ', at: '2026-11-23T10:00:00+07:00' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().dossier.state, 'in_progress');
    assert.equal(res.json().dossier.step, 'Thẩm định hồ sơ');
    assert.equal(res.json().dossier.portalStatus, 4);
    res = await event({ type: 'supplement_requested', at: '2026-11-23T11:00:00+07:00' });
    assert.equal(res.json().dossier.state, 'awaiting_supplement');
    assert.equal(res.json().dossier.step, 'Chờ bổ sung');
    assert.equal(res.json().notifications.length, 1);
    assert.equal(res.json().notifications[0].kind, 'supplement_required');
    // Paused from Mon 11:00 to Tue 11:00 = one working day: due moves from Thu 26/11 08:15 to Fri 27/11 08:15.
    h.clock.set('2026-11-24T11:00:00+07:00');
    res = await event({ type: 'supplement_received', at: '2026-11-24T11:00:00+07:00' });
    assert.equal(res.json().dossier.state, 'in_progress');
    assert.equal(res.json().dossier.dueAt, '2026-11-27T08:15:00+07:00');
    res = await event({ type: 'step', step: 'Trả kết quả', at: '2026-11-25T09:00:00+07:00' });
    assert.equal(res.json().dossier.state, 'result_ready');
    assert.equal(res.json().notifications[0].kind, 'result_ready');
    res = await event({ type: 'returned', at: '2026-11-25T10:00:00+07:00' });
    assert.equal(res.json().dossier.state, 'returned');
    assert.equal(res.json().dossier.onTime, true);

    const detail = await h.app.inject({ method: 'GET', url: `/api/v1/dossiers/${code}`, headers: admin });
    assert.equal(detail.statusCode, 200);
    assert.deepEqual(
      detail.json().events.map((e: { type: string; state: string }) => [e.type, e.state]),
      [
        ['step', 'in_progress'],
        ['supplement_requested', 'awaiting_supplement'],
        ['supplement_received', 'in_progress'],
        ['step', 'result_ready'],
        ['returned', 'returned'],
      ],
    );
    assert.equal(detail.json().notifications.length, 2);
  });

  test('forbidden transitions are 409 and change nothing; eventId makes an event idempotent', async () => {
    await intake();
    const tooEarly = await event({ type: 'returned' });
    assert.equal(tooEarly.statusCode, 409);
    assert.equal(tooEarly.json().error.code, 'TRANSITION_FORBIDDEN');
    const first = await event({ type: 'result_ready', eventId: 'evt-1' });
    assert.equal(first.statusCode, 200);
    assert.equal(first.json().notifications.length, 1);
    const replay = await event({ type: 'result_ready', eventId: 'evt-1' });
    assert.equal(replay.statusCode, 200);
    assert.deepEqual(replay.json().notifications, []);
    const replays = await Promise.all(Array.from({ length: 5 }, () => event({ type: 'returned', eventId: 'evt-2' })));
    assert.ok(replays.every((r) => r.statusCode === 200));
    const detail = await h.app.inject({ method: 'GET', url: `/api/v1/dossiers/${code}`, headers: admin });
    assert.equal(detail.json().events.length, 2);
    assert.equal(detail.json().notifications.length, 1);
    const afterTerminal = await event({ type: 'step', step: 'Thẩm định hồ sơ' });
    assert.equal(afterTerminal.statusCode, 409);
  });

  test('due_changed needs dueAt; step needs a name; unknown dossier is 404', async () => {
    await intake();
    const noDue = await event({ type: 'due_changed' });
    assert.equal(noDue.statusCode, 400);
    assert.equal(noDue.json().error.field, 'dueAt');
    const moved = await event({ type: 'due_changed', dueAt: '2026-12-01T16:00:00+07:00' });
    assert.equal(moved.statusCode, 200);
    assert.equal(moved.json().dossier.dueAt, '2026-12-01T16:00:00+07:00');
    const noStep = await event({ type: 'step' });
    assert.equal(noStep.statusCode, 400);
    assert.equal(noStep.json().error.field, 'step');
    assert.equal((await event({ type: 'explode' })).statusCode, 400);
    assert.equal((await event({ type: 'step', step: 'x' }, 'NO-SUCH-CODE')).statusCode, 404);
  });

  test('a dossier past its due date is late; finished ones are judged by when they finished', async () => {
    await intake({ receivedAt: '2026-11-02T08:00:00+07:00' });
    const late = await h.app.inject({ method: 'GET', url: `/api/v1/dossiers/${code}`, headers: admin });
    assert.equal(late.json().onTime, false);
    assert.equal(late.json().statusText, 'Trễ hạn');
    code = 'FINISHED-ON-TIME';
    await intake({ receivedAt: '2026-11-02T08:00:00+07:00' });
    const done = await event({ type: 'result_ready', at: '2026-11-04T08:00:00+07:00' });
    assert.equal(done.json().dossier.onTime, true);
    assert.equal(done.json().dossier.statusText, 'Đúng hạn');
  });

  test('roles: agency writes its own dossiers only; oversight reads all and writes none', async () => {
    const mint = async (payload: object) =>
      (await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload })).json().token as string;
    const stc = await mint({ role: 'agency', agencyCode: 'STC' });
    const stp = await mint({ role: 'agency', agencyCode: 'STP' });
    const oversight = await mint({ role: 'oversight' });
    const gateway = await mint({ role: 'gateway' });
    assert.equal((await intake({}, bearer(stc))).statusCode, 201);
    assert.equal((await intake({}, bearer(stp))).statusCode, 403);
    assert.equal((await intake({}, bearer(oversight))).statusCode, 403);
    assert.equal((await intake({}, bearer(gateway))).statusCode, 403);
    assert.equal((await event({ type: 'step', step: 'Thẩm định' }, code, bearer(stp))).statusCode, 403);
    assert.equal((await event({ type: 'step', step: 'Thẩm định' }, code, bearer(oversight))).statusCode, 403);
    assert.equal((await event({ type: 'step', step: 'Thẩm định' }, code, bearer(stc))).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: `/api/v1/dossiers/${code}`, headers: bearer(stp) })).statusCode, 403);
    assert.equal((await h.app.inject({ method: 'GET', url: `/api/v1/dossiers/${code}`, headers: bearer(oversight) })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: `/api/v1/dossiers/${code}` })).statusCode, 401);
    const search = await h.app.inject({ method: 'GET', url: '/api/v1/dossiers?q=0912345678', headers: bearer(stp) });
    assert.equal(search.statusCode, 200);
    assert.deepEqual(search.json().items, []);
    const mine = await h.app.inject({ method: 'GET', url: `/api/v1/dossiers?q=${encodeURIComponent('Nguyễn Văn')}`, headers: bearer(stc) });
    assert.ok(mine.json().items.length >= 1);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/dossiers?agencyCode=STC', headers: bearer(stp) })).statusCode, 403);
  });
});
