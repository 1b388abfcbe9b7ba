import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

describe(`overdue warning (${TEST_DB})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ now: '2026-11-23T08:00:00+07:00' });
    await seedBasics(h, { holdSeconds: 0, quietHours: null, triggers: { overdue_warning: true }, overdueWarningHours: 4 });
  });
  after(async () => h.close());

  const warnings = async (code: string) =>
    (await h.app.inject({ method: 'GET', url: `/api/v1/notifications?receiptCode=${code}&kind=overdue_warning`, headers: admin })).json()
      .items as Array<{ body: string }>;

  test('once, within the agency hours of the due time; a moved due date earns another', async () => {
    const code = 'OVERDUE-1';
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: code, dueAt: '2026-11-23T16:00:00+07:00' }),
    });
    assert.equal(await h.ctx.overdueWarnings.run(h.clock.now()), 0, 'eight hours ahead: too early');
    h.clock.set('2026-11-23T12:00:00+07:00');
    assert.equal(await h.ctx.overdueWarnings.run(h.clock.now()), 1);
    assert.equal(await h.ctx.overdueWarnings.run(h.clock.now()), 0, 'only once');
    const [warning] = await warnings(code);
    assert.equal(
      warning!.body,
      'TB: Ho so (MS: OVERDUE-1) co the chua co ket qua dung hen 16:00 ngay 23/11/2026. So Tai chinh xin loi quy ong/ba.',
    );
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${code}/events`,
      headers: admin,
      payload: { type: 'due_changed', dueAt: '2026-11-23T15:00:00+07:00' },
    });
    assert.equal(await h.ctx.overdueWarnings.run(h.clock.now()), 1);
    assert.equal((await warnings(code)).length, 2);
  });

  test('not for dossiers at the result, nor agencies that left it off', async () => {
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: 'OVERDUE-2', dueAt: '2026-11-23T14:00:00+07:00' }),
    });
    await h.app.inject({ method: 'POST', url: '/api/v1/dossiers/OVERDUE-2/events', headers: admin, payload: { type: 'result_ready' } });
    await h.app.inject({ method: 'PUT', url: '/api/v1/agencies/STP', headers: admin, payload: { name: 'Sở Tư pháp' } });
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: 'OVERDUE-3', agencyCode: 'STP', procedureCode: '2.000488', dueAt: '2026-11-23T14:00:00+07:00' }),
    });
    await h.ctx.overdueWarnings.run(h.clock.now());
    assert.equal((await warnings('OVERDUE-2')).length, 0);
    assert.equal((await warnings('OVERDUE-3')).length, 0);
  });
});
