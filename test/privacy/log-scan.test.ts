/**
 * Issue 16 item 6: the main flows at `info` level — intake, events, sending, delivery, an SMS look-up,
 * the web look-up, a data-subject export and erase, the retention job — and no phone number (in any
 * form), applicant name, e-mail or token in any line of the application log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/platform/log.js';
import { ADMIN_TOKEN, admin, bearer, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

const CODE = '000.00.15.H34-261123-0042';

describe(`the log of the main flows holds no personal data (${TEST_DB})`, () => {
  let h: Harness;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });

  before(async () => {
    h = await startHarness({ logger: createLogger('info', sink) });
    await seedBasics(h);
  });
  after(async () => h.close());

  test('intake to erase', async () => {
    const mint = async (payload: object) =>
      (await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload })).json().token as string;
    const gateway = await mint({ role: 'gateway' });
    const agency = await mint({ role: 'agency', agencyCode: 'STC' });
    const intake = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: bearer(agency),
      payload: intakeBody({
        receiptCode: CODE,
        applicant: { name: 'Hoàng Thị Riêng', phone: '0912 777 888', email: 'rieng@example.vn' },
        submittedVia: 'online',
      }),
    });
    assert.equal(intake.statusCode, 201, intake.body);
    for (const type of ['result_ready', 'returned']) {
      while ((await h.ctx.dispatcher.runOnce()) > 0);
      assert.equal(
        (await h.app.inject({ method: 'POST', url: `/api/v1/dossiers/${CODE}/events`, headers: bearer(agency), payload: { type } }))
          .statusCode,
        200,
      );
    }
    const mo = await h.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/sms',
      headers: bearer(gateway),
      payload: { from: '+84912777888', to: '8083', text: `MCKH ${CODE}` },
    });
    assert.equal(mo.statusCode, 200, mo.body);
    while ((await h.ctx.dispatcher.runOnce()) > 0);
    // mistakes are logged too: an unknown code, a bad number, a wrong token
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/sms',
      headers: bearer(gateway),
      payload: { from: '0912777888', to: '8083', text: 'MCKH 000-KHONG-CO' },
    });
    await h.app.inject({ method: 'GET', url: '/api/v1/data-subjects/0912%20777%20888abc', headers: admin });
    await h.app.inject({
      method: 'GET',
      url: '/api/v1/dossiers?q=0912777888',
      headers: { authorization: 'Bearer sai-ma-truy-cap-0123456789' },
    });
    assert.equal((await h.app.inject({ method: 'GET', url: `/api/v1/lookup/${CODE}` })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/dossiers?q=0912777888', headers: admin })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/data-subjects/0912777888', headers: admin })).statusCode, 200);
    assert.equal(
      (
        await h.app.inject({
          method: 'POST',
          url: '/api/v1/data-subjects/+84912777888/erase',
          headers: admin,
          payload: { reason: 'Yêu cầu' },
        })
      ).statusCode,
      200,
    );
    h.clock.advance(400 * 86_400_000);
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/v1/jobs/retention', headers: admin, payload: {} })).statusCode, 200);

    h.clock.advance(86_400_000);
    assert.ok(await h.ctx.retentionScheduler.tick());
    const log = lines.join('');
    // the sink does get the info lines (the nightly run's among them)
    assert.match(log, /"msg":"retention job ran"/);
    for (const secret of [
      '912777888',
      '912 777 888',
      'Hoàng Thị Riêng',
      'Hoang Thi Rieng',
      'rieng@example.vn',
      ADMIN_TOKEN,
      gateway,
      agency,
      'sai-ma-truy-cap',
    ]) {
      assert.ok(!log.includes(secret), `the log holds "${secret}":\n${lines.filter((l) => l.includes(secret)).join('')}`);
    }
  });
});
