/**
 * Automatic messages through the HTTP API with the sandbox provider: the hold and its corrections,
 * quiet hours, idempotency of events, concurrent dispatchers, and the listing of messages.
 *
 * The dispatcher and scheduler are not started by the harness: tests call `dispatcher.runOnce()` and
 * `scheduler.tick()` themselves, with the manual clock set where the test needs it.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, bearer, intakeBody, startHarness, TEST_DB, type Harness } from '../../support/harness.js';
import { type Note, client, seedNotificationAgencies, summary } from '../../support/notifications.js';

describe(`notifications: hold, quiet hours, idempotency, listing (${TEST_DB})`, () => {
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
