import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/platform/config/config.js';
import { listenMetrics } from '../../../src/platform/http/metrics-server.js';
import { admin, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

/** Issue 13 item 11: /metrics showed provider names, weights, health and look-up counts to anyone. */
describe(`metrics are not public (${TEST_DB})`, () => {
  const harnesses: Harness[] = [];
  after(async () => {
    for (const h of harnesses) await h.close();
  });
  const start = async (env: Record<string, string> = {}) => {
    const h = await startHarness({ env });
    harnesses.push(h);
    await h.app.inject({ method: 'GET', url: '/healthz' });
    return h;
  };

  test('without MOTCUA_METRICS_TOKEN or MOTCUA_METRICS_PORT, /metrics is 404 on the public port, even for an admin', async () => {
    const h = await start();
    assert.equal((await h.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
    assert.equal((await h.app.inject({ method: 'GET', url: '/metrics', headers: admin })).statusCode, 404);
  });

  test('with MOTCUA_METRICS_TOKEN, the public /metrics needs that bearer token (an admin token is not it)', async () => {
    const secret = 'metrics-token-0123456789abcdef';
    const h = await start({ MOTCUA_METRICS_TOKEN: secret });
    assert.equal((await h.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    assert.equal((await h.app.inject({ method: 'GET', url: '/metrics', headers: admin })).statusCode, 401);
    const res = await h.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${secret}` } });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/plain/);
    assert.match(res.body, /motcua_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  });

  test('MOTCUA_METRICS_PORT: a listener on 127.0.0.1 serves them; the public port still answers 404', async () => {
    const h = await start({ MOTCUA_METRICS_PORT: '9464' });
    assert.deepEqual(h.config.metrics, { port: 9464, host: '127.0.0.1', token: null });
    assert.equal((await h.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
    const listener = await listenMetrics(h.ctx.metrics, 0, h.config.metrics.host);
    try {
      const res = await fetch(`http://127.0.0.1:${listener.port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /motcua_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
      assert.equal((await fetch(`http://127.0.0.1:${listener.port}/other`)).status, 404);
    } finally {
      await listener.close();
    }
  });

  test('a metrics token shorter than 16 characters stops the start, naming the variable', async () => {
    assert.throws(() => loadConfig({ MOTCUA_METRICS_TOKEN: 'short' }), /MOTCUA_METRICS_TOKEN/);
    assert.throws(() => loadConfig({ MOTCUA_METRICS_PORT: 'abc' }), /MOTCUA_METRICS_PORT/);
  });
});
