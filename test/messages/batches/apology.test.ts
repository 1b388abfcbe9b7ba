/**
 * The 17:30 apology batch, end to end through the HTTP API (the job) and the scheduler.
 *
 * The dispatcher and scheduler are not started by the harness: tests call `dispatcher.runOnce()` and
 * `scheduler.tick()` themselves, with the manual clock set where the test needs it.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, bearer, seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';
import { PRICE, T, client, gsmSegments, summary } from '../../support/notifications.js';

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
