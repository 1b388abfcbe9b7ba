/**
 * The oversight figures (`GET /api/v1/stats`) over a hand-computed scenario of dossiers and messages.
 *
 * The dispatcher and scheduler are not started by the harness: tests call `dispatcher.runOnce()` and
 * `scheduler.tick()` themselves, with the manual clock set where the test needs it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, bearer, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';
import { PRICE, client } from '../support/notifications.js';

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
        webLookups: 0,
        costVnd: 5 * PRICE, // five one-segment SMS delivered
        reach: 0.7143, // 5 of 7 with a usable mobile number
        byChannel: { sms: { created: 8, sent: 5, delivered: 5, failed: 2, costVnd: 5 * PRICE } },
        zalo: { deliveredByZalo: 0, smsFallbacks: 0, deliveredBySmsAfterFallback: 0, lateZaloDeliveries: 0, savedVnd: 0 },
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
        webLookups: 0,
        costVnd: 0, // email
        reach: 0,
        byChannel: { email: { created: 1, sent: 1, delivered: 1, failed: 0, costVnd: 0 } },
        zalo: { deliveredByZalo: 0, smsFallbacks: 0, deliveredBySmsAfterFallback: 0, lateZaloDeliveries: 0, savedVnd: 0 },
        reconciliation: { resolved: 1, resultMessagesDelivered: 1, resultMessagesUnknown: 0, resolvedWithoutDeliveredResult: 0 },
      },
    ]);
    assert.deepEqual(body.lookupsUnattributed, { lookups: 0, lookupRevenueVnd: 0, webLookups: 0 });
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
      webLookups: 0,
      costVnd: 5 * PRICE,
      reach: 0.6667, // 4 of 6
      byChannel: { sms: { created: 8, sent: 5, delivered: 5, failed: 2, costVnd: 5 * PRICE } },
      zalo: { deliveredByZalo: 0, smsFallbacks: 0, deliveredBySmsAfterFallback: 0, lateZaloDeliveries: 0, savedVnd: 0 },
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
      webLookups: 0,
      costVnd: 0,
      reach: 1,
      byChannel: {},
      zalo: { deliveredByZalo: 0, smsFallbacks: 0, deliveredBySmsAfterFallback: 0, lateZaloDeliveries: 0, savedVnd: 0 },
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
