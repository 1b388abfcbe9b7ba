import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

/** Hostile and clumsy input: every case is a clear 4xx in the error format, and nothing is written. */
describe(`bad input (${TEST_DB})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await seedBasics(h);
  });
  after(async () => h.close());

  const dossierCount = async () =>
    Number(
      (
        await h.ctx.db.kysely
          .selectFrom('dossiers')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const eventCount = async () =>
    Number(
      (
        await h.ctx.db.kysely
          .selectFrom('dossier_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const assertClean4xx = (res: { statusCode: number; body: string; headers: Record<string, unknown> }, label: string) => {
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${label}: status ${res.statusCode} ${res.body}`);
    const body = JSON.parse(res.body);
    assert.equal(typeof body.error.code, 'string', label);
    assert.ok(body.error.message.length > 0, label);
    assert.ok(!/at .*\.ts:\d+|node_modules|stack/i.test(res.body), `${label}: no internals leak`);
  };

  test('raw bodies: oversized, not JSON, wrong content type, empty', async () => {
    const before = await dossierCount();
    const cases: Array<{ label: string; payload: string; contentType: string; status: number }> = [
      {
        label: 'oversized',
        payload: JSON.stringify(intakeBody({ receiptCode: 'BIG-1', applicant: { name: 'x'.repeat(70 * 1024) } })),
        contentType: 'application/json',
        status: 413,
      },
      { label: 'truncated JSON', payload: '{"receiptCode": "A1", "agencyCode": ', contentType: 'application/json', status: 400 },
      { label: 'JSON array', payload: '[1,2,3]', contentType: 'application/json', status: 400 },
      { label: 'JSON string', payload: '"hello"', contentType: 'application/json', status: 400 },
      { label: 'null', payload: 'null', contentType: 'application/json', status: 400 },
      { label: 'empty', payload: '', contentType: 'application/json', status: 400 },
      { label: 'XML', payload: '<dossier/>', contentType: 'application/xml', status: 415 },
      {
        label: 'prototype pollution',
        payload: '{"__proto__": {"admin": true}, "receiptCode": "P1"}',
        contentType: 'application/json',
        status: 400,
      },
    ];
    for (const c of cases) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/dossiers',
        headers: { ...admin, 'content-type': c.contentType },
        payload: c.payload,
      });
      assertClean4xx(res, c.label);
      assert.equal(res.statusCode, c.status, `${c.label}: ${res.body}`);
    }
    assert.equal(await dossierCount(), before);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  });

  test('wrong types, unknown fields, unicode garbage and SQL-looking strings', async () => {
    const before = await dossierCount();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['number code', { receiptCode: 12345 }],
      ['array code', { receiptCode: ['A', 'B'] }],
      ['object code', { receiptCode: { $ne: null } }],
      ['boolean name', { applicant: { name: true } }],
      ['name with NUL', { applicant: { name: 'Nguyễn\u0000Văn A' } }],
      ['name with control chars', { applicant: { name: 'A\u001b[31m' } }],
      ['empty name', { applicant: { name: '' } }],
      ['SQL in code', { receiptCode: "X'; DROP TABLE dossiers; --" }],
      ['SQL in agency', { agencyCode: "STC' OR '1'='1" }],
      ['unicode in code', { receiptCode: 'Mã-số-１２３' }],
      ['emoji code', { receiptCode: '😀😀😀' }],
      ['lone surrogate in code', { receiptCode: 'AB\ud800CD' }],
      ['RTL override', { receiptCode: 'ABC\u202eDEF' }],
      ['number phone', { applicant: { name: 'A', phone: 912345678 } }],
      ['huge phone', { applicant: { name: 'A', phone: '0'.repeat(500) } }],
      ['date garbage', { receivedAt: '2026-13-45T99:99:99+07:00' }],
      ['date without zone', { receivedAt: 'tomorrow' }],
      ['unknown top-level', { priority: 'urgent' }],
      ['null applicant', { applicant: null }],
      ['string applicant', { applicant: 'Nguyễn Văn A' }],
    ];
    for (const [label, overrides] of cases) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody(overrides) });
      assertClean4xx(res, label);
      assert.equal(res.statusCode, 400, label);
      assert.equal(res.json().error.code, 'VALIDATION_FAILED', `${label}: ${res.body}`);
    }
    assert.equal(await dossierCount(), before);
  });

  test('a name with SQL and markup is stored verbatim, not executed', async () => {
    const name = "Robert'); DROP TABLE dossiers;-- <script>alert(1)</script>";
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: 'SQL-NAME-1', applicant: { name, phone: "0912' OR 1=1" } }),
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().applicant.name, name);
    assert.equal(res.json().phone.problem, 'invalid');
    const search = await h.app.inject({ method: 'GET', url: `/api/v1/dossiers?q=${encodeURIComponent("' OR '1'='1")}`, headers: admin });
    assert.equal(search.statusCode, 200);
    assert.deepEqual(search.json().items, []);
  });

  test('events: bad bodies change nothing', async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: 'EVT-BAD-1' }) });
    const before = await eventCount();
    const cases: Array<Record<string, unknown>> = [
      {},
      { type: 'STEP', step: 'x' },
      { type: 'step', step: 42 },
      { type: 'step', step: 'x'.repeat(201) },
      { type: 'step', step: 'x', at: 'yesterday' },
      { type: 'step', step: 'x', eventId: 'e'.repeat(101) },
      { type: 'step', step: 'x', sneaky: 1 },
      { type: 'due_changed', dueAt: 12 },
    ];
    for (const payload of cases) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/dossiers/EVT-BAD-1/events', headers: admin, payload });
      assertClean4xx(res, JSON.stringify(payload));
    }
    const badPath = await h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${encodeURIComponent("x' or 1=1")}/events`,
      headers: admin,
      payload: { type: 'returned' },
    });
    assertClean4xx(badPath, 'path');
    assert.equal(await eventCount(), before);
  });

  test('query strings: wrong types and unknown parameters', async () => {
    for (const url of [
      '/api/v1/notifications?limit=abc',
      '/api/v1/notifications?limit=100000',
      '/api/v1/notifications?status=lost',
      '/api/v1/notifications?hack=1',
      '/api/v1/stats?from=2026-11-31',
      '/api/v1/stats?from=2026-12-01&to=2026-11-01',
      '/api/v1/stats?groupBy=planet',
      '/api/v1/dossiers?limit=-1',
      '/api/v1/calendar?year=1800',
    ]) {
      const res = await h.app.inject({ method: 'GET', url, headers: admin });
      assertClean4xx(res, url);
      assert.equal(res.statusCode, 400, url);
    }
  });
});
