/** Issue 13 item 5: MOTCUA_TRUST_PROXY=true believed every X-Forwarded-For hop, so a spoofed header beat the
 *  per-address look-up limits and wrote any address into the audit log. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../src/platform/config/config.js';
import { createLogger } from '../../../src/platform/log.js';
import { intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

const PASSWORD = 'mot-khau-du-dai-2026';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const PROXY = '127.0.0.1';
const CLIENT = '203.0.113.7';

describe(`trusting a reverse proxy (${TEST_DB})`, () => {
  const harnesses: Harness[] = [];
  after(async () => {
    for (const h of harnesses) await h.close();
  });

  test('MOTCUA_TRUST_PROXY takes proxy addresses and CIDR ranges, or a hop count; anything else stops the start', () => {
    const trust = (value: string) => loadConfig({ MOTCUA_TRUST_PROXY: value }).trustProxy;
    assert.deepEqual(trust('127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback'), ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
    assert.equal(trust('2'), 2);
    assert.equal(trust('false'), false);
    assert.equal(trust('true'), true);
    for (const bad of ['10.0.0.0/33', 'proxy.example', '10.0.0.1/8/1', '999.1.1.1'])
      assert.throws(() => trust(bad), /MOTCUA_TRUST_PROXY/, bad);
  });

  test('with the proxy listed, a spoofed X-Forwarded-For does not beat the look-up limit; with true it did, and true logs a warning', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const spoofRun = async (h: Harness) => {
      const statuses = new Set<number>();
      for (let i = 0; i < 35; i++) {
        const res = await h.app.inject({
          method: 'GET',
          url: '/api/v1/lookup/NOPE-1',
          remoteAddress: PROXY,
          headers: { 'x-forwarded-for': `198.51.100.${i}, ${CLIENT}` },
        });
        statuses.add(res.statusCode);
      }
      return statuses;
    };
    const listed = await startHarness({ env: { MOTCUA_TRUST_PROXY: PROXY, MOTCUA_WEB_LOOKUP_RATE_LIMIT: '30' } });
    harnesses.push(listed);
    assert.ok((await spoofRun(listed)).has(429), 'the client behind the proxy is limited whatever it claims');

    const everyHop = await startHarness({
      env: { MOTCUA_TRUST_PROXY: 'true', MOTCUA_WEB_LOOKUP_RATE_LIMIT: '30', MOTCUA_WEB_LOOKUP_UNKNOWN_LIMIT: '0' },
      logger: createLogger('warn', sink),
    });
    harnesses.push(everyHop);
    assert.ok(!(await spoofRun(everyHop)).has(429), 'true believes the spoofed first hop (why it warns)');
    assert.ok(
      lines.some((line) => JSON.parse(line).level === 40 && /MOTCUA_TRUST_PROXY=true/.test(JSON.parse(line).msg)),
      lines.join(''),
    );
  });

  test('audit rows and sessions record the address the trusted chain gives, not the spoofed first hop', async () => {
    const h = await startHarness({ env: { MOTCUA_TRUST_PROXY: PROXY } });
    harnesses.push(h);
    await seedBasics(h);
    await h.ctx.accounts.create({
      username: 'stc-motcua',
      displayName: 'Lê Thị Mai',
      role: 'clerk',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    const via = { 'x-forwarded-for': `6.6.6.6, ${CLIENT}` };
    const loginPage = await h.app.inject({ method: 'GET', url: '/dang-nhap', remoteAddress: PROXY, headers: via });
    const loggedIn = await h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      remoteAddress: PROXY,
      headers: { ...FORM, ...via, cookie: String(loginPage.headers['set-cookie']).split(';')[0]! },
      payload: new URLSearchParams({
        _csrf: /name="_csrf" value="([^"]*)"/.exec(loginPage.body)![1]!,
        username: 'stc-motcua',
        password: PASSWORD,
      }).toString(),
    });
    assert.equal(loggedIn.statusCode, 303, loggedIn.body);
    const cookie = String(loggedIn.headers['set-cookie']).split(';')[0]!;
    const desk = await h.app.inject({ method: 'GET', url: '/mot-cua', remoteAddress: PROXY, headers: { ...via, cookie } });
    const body = intakeBody();
    const res = await h.app.inject({
      method: 'POST',
      url: '/mot-cua/tiep-nhan',
      remoteAddress: PROXY,
      headers: { ...FORM, ...via, cookie },
      payload: new URLSearchParams({
        _csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(desk.body)![1]!,
        agencyCode: 'STC',
        receiptCode: body.receiptCode,
        procedureCode: body.procedureCode,
        applicantName: body.applicant.name,
        phone: body.applicant.phone,
        returnMethod: 'counter',
        submittedVia: 'counter',
      }).toString(),
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    const audit = await h.ctx.db.kysely.selectFrom('web_audit').select(['action', 'ip']).where('action', '=', 'dossier.intake').execute();
    assert.deepEqual(audit, [{ action: 'dossier.intake', ip: CLIENT }]);
    const sessions = await h.ctx.db.kysely.selectFrom('web_sessions').select('ip').execute();
    assert.deepEqual(sessions, [{ ip: CLIENT }]);
  });
});
