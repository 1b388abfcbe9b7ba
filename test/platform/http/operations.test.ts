/** /livez, /readyz and /healthz in-process: liveness never looks at the database; readiness wants the
 *  database and, where this process opened provider binds, at least one bound provider per channel. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_DB, startHarness, type Harness } from '../../support/harness.js';

const harnesses: Harness[] = [];
after(async () => {
  for (const h of harnesses) await h.close();
});

describe(`operations endpoints (${TEST_DB})`, () => {
  test('livez, readyz and healthz answer 200 with a working database', async () => {
    const h = await startHarness();
    harnesses.push(h);
    assert.deepEqual((await h.app.inject({ url: '/livez' })).json(), { status: 'ok' });
    for (const url of ['/readyz', '/healthz']) {
      const res = await h.app.inject({ url });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { status: 'ok', database: TEST_DB });
    }
    // Probes never read a session, even with a cookie.
    assert.equal((await h.app.inject({ url: '/livez', headers: { cookie: 'mcs_session=whatever' } })).statusCode, 200);
  });

  test('an SMPP provider that cannot bind: readiness 503 PROVIDERS_UNBOUND in the process that opened it', async () => {
    const h = await startHarness({
      env: {
        MOTCUA_SMS_PROVIDER: 'smpp',
        MOTCUA_SMPP_URL: 'smpp://motcua:secret@127.0.0.1:1?bind=transceiver',
        MOTCUA_READY_CACHE_MS: '0',
      },
    });
    harnesses.push(h);
    assert.equal((await h.app.inject({ url: '/readyz' })).statusCode, 200, 'an API process opens no binds');
    h.ctx.providers.start();
    const res = await h.app.inject({ url: '/readyz' });
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.json().error.code, 'PROVIDERS_UNBOUND');
    assert.deepEqual(res.json().error.details.unboundProviders, ['smpp']);
    assert.equal((await h.app.inject({ url: '/livez' })).statusCode, 200);
  });
});
