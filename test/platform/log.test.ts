/** Issue 13 item 8: Kannel's get-url token (and the citizen's number) were logged in full on errors. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, redactUrl } from '../../src/platform/log.js';
import { admin, bearer, startHarness, TEST_DB, type Harness } from '../support/harness.js';

describe(`no token, password, cookie or phone number in the log (${TEST_DB})`, () => {
  let h: Harness;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const token = async (role: string, agencyCode?: string) =>
    (
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: admin,
        payload: { role, ...(agencyCode ? { agencyCode } : {}) },
      })
    ).json().token as string;

  before(async () => {
    h = await startHarness({ logger: createLogger('info', sink) });
    await h.app.inject({ method: 'PUT', url: '/api/v1/agencies/STC', headers: admin, payload: { name: 'Sở Tài chính' } });
  });
  after(async () => h.close());

  test('a failing Kannel get-url logs the route and the query names, never the token or the number', async () => {
    const gateway = await token('gateway');
    // Make the look-up fail for real: its table is gone for the length of the request.
    await h.ctx.db.kysely.schema.alterTable('inbound_messages').renameTo('inbound_messages_away').execute();
    try {
      const query = new URLSearchParams({
        token: gateway,
        from: '0912345678',
        to: '8083',
        text: 'MCKH 000.00.15.H34-261123-0001',
        id: 'k-1',
      });
      const res = await h.app.inject({
        method: 'GET',
        url: `/api/v1/inbound/kannel?${query}`,
        headers: { authorization: `Bearer ${gateway}`, cookie: 'mcs_session=session-secret-value' },
      });
      assert.equal(res.statusCode, 500, res.body);
    } finally {
      await h.ctx.db.kysely.schema.alterTable('inbound_messages_away').renameTo('inbound_messages').execute();
    }
    const log = lines.join('');
    assert.match(log, /unhandled error/);
    assert.match(log, /\/api\/v1\/inbound\/kannel\?token&from&to&text&id/);
    for (const secret of [gateway, '0912345678', '84912345678', 'session-secret-value'])
      assert.ok(!log.includes(secret), `the log holds ${secret}: ${log}`);
  });

  test('redact: tokens, passwords, cookies and authorization headers in any logged object; URLs keep their shape only', () => {
    const seen: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _encoding, done) {
          seen.push(String(chunk));
          done();
        },
      }),
    );
    logger.info(
      {
        token: 't0k3n-value-1',
        user: { password: 'hunter2-value' },
        req: { method: 'GET', url: '/receipts/esms/abcdefghijklmnopqrstuvwxyz?SMSID=9&phone=0912345678' },
      },
      'one',
    );
    logger.warn(
      { request: { headers: { authorization: 'Bearer abc-secret', cookie: 'mcs_session=xyz-secret' } }, options: { apiKey: 'key-secret' } },
      'two',
    );
    const text = seen.join('');
    for (const secret of [
      't0k3n-value-1',
      'hunter2-value',
      'abcdefghijklmnopqrstuvwxyz',
      '0912345678',
      'abc-secret',
      'xyz-secret',
      'key-secret',
    ])
      assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.match(text, /\/receipts\/esms\/\[redacted\]\?SMSID&phone/);
    assert.equal(redactUrl('/api/v1/data-subjects/%2B84912345678?x=1'), '/api/v1/data-subjects/[redacted]?x');
    assert.equal(redactUrl('/giam-sat?from=2026-11-01&to=2026-11-30'), '/giam-sat?from&to');
    assert.equal(redactUrl('/ho-so/000.00.15.H34-261123-0001'), '/ho-so/000.00.15.H34-261123-0001');
  });

  test('gateway routes take gateway (and admin) tokens only', async () => {
    const tokens = { gateway: await token('gateway'), agency: await token('agency', 'STC'), oversight: await token('oversight') };
    const routes = [
      (t: string) =>
        h.app.inject({
          method: 'POST',
          url: '/api/v1/inbound/sms',
          headers: bearer(t),
          payload: { from: '0912345678', to: '8083', text: 'MCKH X-1' },
        }),
      (t: string) =>
        h.app.inject({
          method: 'GET',
          url: `/api/v1/inbound/kannel?${new URLSearchParams({ token: t, from: '0912345678', to: '8083', text: 'MCKH X-1' })}`,
        }),
      (t: string) =>
        h.app.inject({
          method: 'POST',
          url: '/api/v1/receipts',
          headers: bearer(t),
          payload: { provider: 'sandbox', providerMessageId: 'none', status: 'delivered' },
        }),
    ];
    for (const [i, route] of routes.entries()) {
      assert.equal((await route(tokens.agency)).statusCode, 403, `route ${i}: agency token`);
      assert.equal((await route(tokens.oversight)).statusCode, 403, `route ${i}: oversight token`);
      const ok = await route(tokens.gateway);
      assert.ok(ok.statusCode < 300, `route ${i}: gateway token ${ok.statusCode} ${ok.body}`);
    }
  });
});
