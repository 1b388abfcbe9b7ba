/**
 * Issue 13 item 12: behind a TLS proxy Fastify sees plain http. With MOTCUA_PUBLIC_URL https the
 * cookies are Secure all the same, and take the __Host- prefix (__Secure- for the login form's, which
 * is scoped to /dang-nhap); a bare-named cookie is not read then.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

const PASSWORD = 'mot-khau-du-dai-2026';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
type Reply = { headers: Record<string, unknown> };
const setCookies = (res: Reply): string[] => {
  const raw = res.headers['set-cookie'];
  return Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
};
const named = (res: Reply, name: string) => setCookies(res).find((c) => c.startsWith(`${name}=`));

describe(`cookies behind a TLS proxy (${TEST_DB})`, () => {
  let h: Harness;

  before(async () => {
    h = await startHarness({ env: { MOTCUA_PUBLIC_URL: 'https://motcua.example.vn' } });
    await seedBasics(h);
    await h.ctx.accounts.create({
      username: 'stc-motcua',
      displayName: 'Lê Thị Mai',
      role: 'clerk',
      agencyCode: 'STC',
      password: PASSWORD,
    });
  });
  after(async () => h.close());

  test('login over plain http: every cookie is Secure, the session cookie is __Host- (Path=/, no Domain) and works', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    const loginCookie = named(page, '__Secure-mcs_login');
    assert.ok(loginCookie, `the login form's cookie: ${setCookies(page).join(' | ')}`);
    assert.match(loginCookie, /; Secure/);
    assert.match(loginCookie, /; Path=\/dang-nhap/);
    const csrf = /name="_csrf" value="([^"]*)"/.exec((page as unknown as { body: string }).body)![1]!;
    const res = await h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      headers: { ...FORM, cookie: loginCookie.split(';')[0]! },
      payload: new URLSearchParams({ _csrf: csrf, username: 'stc-motcua', password: PASSWORD }).toString(),
    });
    assert.equal(res.statusCode, 303, res.body);
    const session = named(res, '__Host-mcs_session');
    assert.ok(session, `the session cookie: ${setCookies(res).join(' | ')}`);
    assert.match(session, /; Secure/);
    assert.match(session, /; HttpOnly/);
    assert.match(session, /; Path=\/;/);
    assert.doesNotMatch(session, /Domain=/i);
    assert.equal(named(res, 'mcs_session'), undefined, 'no bare-named session cookie');

    const value = session.split(';')[0]!.slice('__Host-mcs_session='.length);
    const home = await h.app.inject({ method: 'GET', url: '/mot-cua', headers: { cookie: `__Host-mcs_session=${value}` } });
    assert.equal(home.statusCode, 200, 'the prefixed cookie is the session');
    const bare = await h.app.inject({ method: 'GET', url: '/mot-cua', headers: { cookie: `mcs_session=${value}` } });
    assert.equal(bare.statusCode, 303, 'a bare-named cookie (planted over http or by a subdomain) is not read');

    const out = await h.app.inject({
      method: 'POST',
      url: '/dang-xuat',
      headers: { ...FORM, cookie: `__Host-mcs_session=${value}` },
      payload: new URLSearchParams({ _csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(home.body)![1]! }).toString(),
    });
    assert.match(named(out, '__Host-mcs_session') ?? '', /Max-Age=0/, 'logout clears the prefixed cookie');
  });

  test('the language cookie is Secure and __Host- too, and is read back', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/ngon-ngu?lang=en&next=/dang-nhap' });
    const lang = named(res, '__Host-lang');
    assert.ok(lang, setCookies(res).join(' | '));
    assert.match(lang, /; Secure/);
    const page = await h.app.inject({ method: 'GET', url: '/dang-nhap', headers: { cookie: '__Host-lang=en' } });
    assert.match(page.body, /<html lang="en">/);
  });
});
