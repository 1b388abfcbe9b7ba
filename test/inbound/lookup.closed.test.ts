/**
 * A dossier closed without a result (refused, withdrawn, stopped) is neither on time nor late, on
 * every surface that asks: the API, the public page, the SMS look-up reply.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { admin, bearer, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

const CLOSED: ReadonlyArray<[event: 'refused' | 'withdrawn' | 'stopped', label: string]> = [
  ['refused', 'Khong du dieu kien giai quyet'],
  ['withdrawn', 'Da rut ho so'],
  ['stopped', 'Dung xu ly'],
];

describe(`closed dossiers carry no on-time label (${TEST_DB})`, () => {
  let h: Harness;
  let gateway: string;
  before(async () => {
    // Received long ago and far past its due date: an open dossier like it would read "Trễ hạn".
    h = await startHarness({ now: '2026-11-30T09:00:00+07:00' });
    await seedBasics(h);
    gateway = (await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'gateway' } })).json().token;
    for (const [event] of CLOSED) {
      const receiptCode = `000.00.15.H34-261101-${event.toUpperCase()}`;
      const intake = intakeBody({ receiptCode, receivedAt: '2026-11-02T08:00:00+07:00' });
      assert.equal((await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intake })).statusCode, 201);
      const res = await h.app.inject({
        method: 'POST',
        url: `/api/v1/dossiers/${receiptCode}/events`,
        headers: admin,
        payload: { type: event },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
  });
  after(async () => h.close());

  for (const [event, label] of CLOSED) {
    const code = `000.00.15.H34-261101-${event.toUpperCase()}`;
    test(`${event}: the API and the public look-up give onTime and statusText null`, async () => {
      const dossier = (await h.app.inject({ method: 'GET', url: `/api/v1/dossiers/${code}`, headers: admin })).json();
      assert.equal(dossier.onTime, null);
      assert.equal(dossier.statusText, null);
      const lookup = await h.app.inject({ method: 'GET', url: `/api/v1/lookup/${code}` });
      assert.equal(lookup.statusCode, 200);
      assert.deepEqual([lookup.json().onTime, lookup.json().statusText], [null, null]);
    });

    test(`${event}: /tra-cuu shows the state and no "Đúng hạn" or "Trễ hạn"`, async () => {
      const page = await h.app.inject({ method: 'GET', url: `/tra-cuu/${encodeURIComponent(code)}` });
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /Đúng hạn|Trễ hạn/);
      assert.doesNotMatch(page.body, /data-testid="status"/);
    });

    test(`${event}: the SMS reply names the state where an open dossier's names the deadline`, async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/inbound/sms',
        headers: bearer(gateway),
        payload: { from: '0912345678', to: '8083', text: `MCKH ${code}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      const reply: string = res.json().reply;
      assert.match(reply, new RegExp(`trang thai: ${label}\\.$`));
      assert.doesNotMatch(reply, /Dung han|Tre han/);
    });
  }
});
