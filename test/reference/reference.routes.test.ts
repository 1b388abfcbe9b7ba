import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, bearer, startHarness, TEST_DB, type Harness } from '../support/harness.js';

describe(`reference data API (${TEST_DB})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h.close());

  const token = async (role: string, agencyCode?: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: admin,
      payload: { role, ...(agencyCode ? { agencyCode } : {}) },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().token as string;
  };

  test('healthz answers without a token and names the database', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok', database: TEST_DB });
  });

  test('OpenAPI document lists the contract', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    const paths = Object.keys(res.json().paths);
    for (const path of [
      '/api/v1/agencies/{agencyCode}',
      '/api/v1/procedures/{procedureCode}',
      '/api/v1/tokens',
      '/api/v1/dossiers',
      '/api/v1/dossiers/{receiptCode}/events',
      '/api/v1/notifications',
      '/api/v1/jobs/apology',
      '/api/v1/stats',
      '/api/v1/calendar/{date}',
    ]) {
      assert.ok(paths.includes(path), `${path} in ${paths.join(', ')}`);
    }
  });

  test('PUT agency: 201 then 200, settings resolved against defaults', async () => {
    const first = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STC',
      headers: admin,
      payload: { name: 'Sở Tài chính', settings: { holdSeconds: 60 } },
    });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().agency.settings.holdSeconds, 60);
    assert.deepEqual(first.json().agency.settings.quietHours, { start: '21:00', end: '07:00' });
    assert.equal(first.json().agency.settings.smsEncoding, 'ascii');
    assert.equal(first.json().agency.settings.resultStepName, 'Trả kết quả');
    const again = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STC',
      headers: admin,
      payload: { name: 'Sở Tài chính', settings: { quietHours: null } },
    });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().agency.settings.quietHours, null);
    assert.equal(again.json().agency.settings.holdSeconds, 120, 'a PUT replaces the settings');
  });

  test('agency settings are validated', async () => {
    const cases: Array<[unknown, string]> = [
      [{ holdSeconds: -1 }, 'settings.holdSeconds'],
      [{ holdSeconds: '60' }, 'settings.holdSeconds'],
      [{ quietHours: { start: '25:00', end: '07:00' } }, 'settings.quietHours.start'],
      [{ smsEncoding: 'utf8' }, 'settings.smsEncoding'],
      [{ colour: 'blue' }, 'settings.colour'],
      [{ triggers: { result_ready: 'yes' } }, 'settings.triggers.result_ready'],
      [{ triggers: { birthday: true } }, 'settings.triggers.birthday'],
      [{ officeHours: '17:00-07:00' }, 'settings.officeHours'],
    ];
    for (const [settings, field] of cases) {
      const res = await h.app.inject({ method: 'PUT', url: '/api/v1/agencies/BAD', headers: admin, payload: { name: 'X', settings } });
      assert.equal(res.statusCode, 400, `${JSON.stringify(settings)}: ${res.body}`);
      assert.equal(res.json().error.field, field, JSON.stringify(settings));
    }
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: admin });
    assert.ok(!list.json().items.some((a: { code: string }) => a.code === 'BAD'), 'nothing written');
  });

  test('templates: unknown placeholder and over 3 segments are 400s that say which', async () => {
    const unknown = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STC',
      headers: admin,
      payload: { name: 'Sở Tài chính', settings: { templates: { result_ready: 'TB: Hồ sơ {Mã số biên nhận} của {Họ tên} đã xong.' } } },
    });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().error.code, 'TEMPLATE_UNKNOWN_PLACEHOLDER');
    assert.equal(unknown.json().error.field, 'settings.templates.result_ready');
    assert.match(unknown.json().error.message, /\{Họ tên\}/);
    const long = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STC',
      headers: admin,
      payload: {
        name: 'Sở Tài chính',
        settings: { templates: { supplement_required: `TB: {Mã số biên nhận} ${'cần bổ sung giấy tờ theo quy định. '.repeat(14)}` } },
      },
    });
    assert.equal(long.statusCode, 400);
    assert.equal(long.json().error.code, 'TEMPLATE_TOO_LONG');
    assert.equal(long.json().error.details.segments, 4);
    const ok = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STC',
      headers: admin,
      payload: {
        name: 'Sở Tài chính',
        settings: { holdSeconds: 0, templates: { result_ready: 'Ho so {ma so bien nhan} da co ket qua tai {Tên cơ quan}.' } },
      },
    });
    assert.equal(ok.statusCode, 200, ok.body);
  });

  test('procedures: admin or the agency itself; agency cannot be changed; list is scoped', async () => {
    await h.app.inject({ method: 'PUT', url: '/api/v1/agencies/STP', headers: admin, payload: { name: 'Sở Tư pháp' } });
    const created = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/procedures/1.004227',
      headers: admin,
      payload: { agencyCode: 'STC', name: 'Thẩm định giá', processingDays: 5 },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json().procedure, {
      code: '1.004227',
      agencyCode: 'STC',
      name: 'Thẩm định giá',
      processingDays: 5,
      dayKind: 'working',
      supplementRule: 'pause',
    });
    const stc = await token('agency', 'STC');
    const own = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/procedures/1.004227',
      headers: bearer(stc),
      payload: { agencyCode: 'STC', name: 'Thẩm định giá', processingDays: 7, dayKind: 'calendar', supplementRule: 'restart' },
    });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().procedure.supplementRule, 'restart');
    const other = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/procedures/2.000488',
      headers: bearer(stc),
      payload: { agencyCode: 'STP', name: 'Lý lịch tư pháp', processingDays: 10 },
    });
    assert.equal(other.statusCode, 403);
    const moved = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/procedures/1.004227',
      headers: admin,
      payload: { agencyCode: 'STP', name: 'x', processingDays: 1 },
    });
    assert.equal(moved.statusCode, 409);
    const unknownAgency = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/procedures/X1',
      headers: admin,
      payload: { agencyCode: 'NOPE', name: 'x', processingDays: 1 },
    });
    assert.equal(unknownAgency.statusCode, 400);
    assert.equal(unknownAgency.json().error.field, 'agencyCode');
    const stringDays = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/procedures/X2',
      headers: admin,
      payload: { agencyCode: 'STC', name: 'x', processingDays: '5' },
    });
    assert.equal(stringDays.statusCode, 400);
    assert.equal(stringDays.json().error.field, 'processingDays');
    await h.app.inject({
      method: 'PUT',
      url: '/api/v1/procedures/2.000488',
      headers: admin,
      payload: { agencyCode: 'STP', name: 'Lý lịch tư pháp', processingDays: 10 },
    });
    const scoped = await h.app.inject({ method: 'GET', url: '/api/v1/procedures', headers: bearer(stc) });
    assert.deepEqual(
      scoped.json().items.map((p: { code: string }) => p.code),
      ['1.004227'],
    );
    const forbidden = await h.app.inject({ method: 'GET', url: '/api/v1/procedures?agencyCode=STP', headers: bearer(stc) });
    assert.equal(forbidden.statusCode, 403);
  });

  test('tokens: roles, agency required for agency role, 401 vs 403', async () => {
    const noAgency = await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'agency' } });
    assert.equal(noAgency.statusCode, 400);
    assert.equal(noAgency.json().error.field, 'agencyCode');
    const badRole = await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'root' } });
    assert.equal(badRole.statusCode, 400);
    const oversightWithAgency = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: admin,
      payload: { role: 'oversight', agencyCode: 'STC' },
    });
    assert.equal(oversightWithAgency.statusCode, 400);

    const oversight = await token('oversight');
    assert.match(oversight, /^mcs_[A-Za-z0-9_-]{43}$/);
    const gateway = await token('gateway');
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: bearer(oversight) })).statusCode, 200);
    assert.equal(
      (await h.app.inject({ method: 'PUT', url: '/api/v1/agencies/STC', headers: bearer(oversight), payload: { name: 'x' } })).statusCode,
      403,
    );
    assert.equal(
      (await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(oversight), payload: { role: 'admin' } })).statusCode,
      403,
    );
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: bearer(gateway) })).statusCode, 403);

    for (const headers of [
      {},
      { authorization: 'Bearer nope' },
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
      { authorization: 'Bearer' },
    ]) {
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/agencies', headers });
      assert.equal(res.statusCode, 401, JSON.stringify(headers));
      assert.equal(res.json().error.code, 'UNAUTHORIZED');
    }
    // 401 comes before body validation: a stranger learns nothing about the schema.
    const stranger = await h.app.inject({ method: 'PUT', url: '/api/v1/agencies/STC', payload: { bogus: 1 } });
    assert.equal(stranger.statusCode, 401);
  });

  test('agency token sees only its own agency', async () => {
    const stc = await token('agency', 'STC');
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: bearer(stc) });
    assert.deepEqual(
      list.json().items.map((a: { code: string }) => a.code),
      ['STC'],
    );
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/agencies/STP', headers: bearer(stc) })).statusCode, 403);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/agencies/STC', headers: bearer(stc) })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/agencies/NOPE', headers: admin })).statusCode, 404);
  });

  test('calendar: seeded holidays, admin corrections, make-up days', async () => {
    const year = await h.app.inject({ method: 'GET', url: '/api/v1/calendar?year=2026', headers: admin });
    assert.equal(year.statusCode, 200);
    const days = year.json().days as Array<{ date: string; kind: string }>;
    for (const date of ['2026-01-01', '2026-02-16', '2026-02-20', '2026-04-27', '2026-04-30', '2026-05-01', '2026-09-02']) {
      assert.ok(
        days.some((d) => d.date === date && d.kind === 'holiday'),
        `${date} is a holiday`,
      );
    }
    const workingBefore = year.json().workingDays as number;
    const put = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/calendar/2026-12-26',
      headers: admin,
      payload: { kind: 'workday', name: 'Làm bù' },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().weekend, true);
    const after = await h.app.inject({ method: 'GET', url: '/api/v1/calendar?year=2026', headers: admin });
    assert.equal(after.json().workingDays, workingBefore + 1);
    assert.equal((await h.app.inject({ method: 'DELETE', url: '/api/v1/calendar/2026-12-26', headers: admin })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'DELETE', url: '/api/v1/calendar/2026-12-26', headers: admin })).statusCode, 404);
    assert.equal(
      (await h.app.inject({ method: 'PUT', url: '/api/v1/calendar/2026-02-30', headers: admin, payload: { kind: 'holiday', name: 'x' } }))
        .statusCode,
      400,
    );
    assert.equal(
      (await h.app.inject({ method: 'PUT', url: '/api/v1/calendar/2026-12-28', headers: admin, payload: { kind: 'vacation', name: 'x' } }))
        .statusCode,
      400,
    );
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/calendar?year=abc', headers: admin })).statusCode, 400);
    const stc = await token('agency', 'STC');
    assert.equal(
      (
        await h.app.inject({
          method: 'PUT',
          url: '/api/v1/calendar/2026-12-28',
          headers: bearer(stc),
          payload: { kind: 'holiday', name: 'x' },
        })
      ).statusCode,
      403,
    );
  });

  test('unknown routes are 404 in the error format', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'NOT_FOUND');
  });
});
