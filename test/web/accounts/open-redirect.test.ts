/** Issue 13 item 3: `next` on /ngon-ngu and /dang-nhap never sends the browser off-site and never answers 5xx. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

const PASSWORD = 'mot-khau-du-dai-2026';
const ORIGIN = 'http://motcua.test';

/** Where a browser at our origin would land after following `location`. */
function landsOn(location: unknown): URL {
  assert.equal(typeof location, 'string', 'a Location header');
  const value = location as string;
  assert.ok(/^[\x21-\x7e]*$/.test(value), `Location is printable ASCII only: ${JSON.stringify(value)}`);
  return new URL(value, ORIGIN);
}

/** Raw query values: each is put in the URL as written (already percent-encoded where needed). */
const VECTORS: Array<[string, string]> = [
  ['tab then a host', '/%09/evil.example/'],
  ['newline then a host', '/%0A/evil.example/'],
  ['carriage return', '/%0D%0ALocation:%20http://evil.example/'],
  ['two slashes', '//evil.example/'],
  ['encoded two slashes', '%2F%2Fevil.example/'],
  ['backslash', '/%5Cevil.example/'],
  ['slash backslash', '/%5C%5Cevil.example/'],
  ['space then slash', '/%20/evil.example/'],
  ['absolute URL', 'https://evil.example/'],
  ['scheme-relative with tab prefix', '%09//evil.example/'],
  ['javascript', 'javascript:alert(1)'],
  ['non-ASCII', '/%C6%B0'],
  ['NUL', '/%00'],
  ['NUL then a host', '/%00/evil.example/'],
  ['lone surrogate', '/%ED%A0%80'],
  ['very long', `/${'a'.repeat(5000)}`],
];

describe(`open redirect: next= stays on the site (${TEST_DB})`, () => {
  let h: Harness;
  let cookie: string;

  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    const user = await h.ctx.accounts.create({
      username: 'stc-motcua',
      displayName: 'Lê Thị Mai',
      role: 'clerk',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    const { id } = await h.ctx.accounts.createSession(user.id, null);
    cookie = `mcs_session=${id}`;
  });
  after(async () => h.close());

  for (const [name, value] of VECTORS) {
    test(`/ngon-ngu?next= ${name}: a same-site redirect, never 5xx`, async () => {
      const res = await h.app.inject({ method: 'GET', url: `/ngon-ngu?lang=en&next=${value}`, headers: { host: 'motcua.test' } });
      assert.equal(res.statusCode, 303, res.body);
      const target = landsOn(res.headers.location);
      assert.equal(target.origin, ORIGIN, `stays on the site: ${String(res.headers.location)}`);
      assert.ok(!target.pathname.startsWith('//'));
    });

    test(`/dang-nhap?next= ${name} when logged in: a same-site redirect, never 5xx`, async () => {
      const res = await h.app.inject({ method: 'GET', url: `/dang-nhap?next=${value}`, headers: { host: 'motcua.test', cookie } });
      assert.equal(res.statusCode, 303, res.body);
      const target = landsOn(res.headers.location);
      assert.equal(target.origin, ORIGIN, `stays on the site: ${String(res.headers.location)}`);
      assert.ok(!target.pathname.startsWith('//'));
    });

    test(`/dang-nhap?next= ${name} anonymous: the form's hidden field holds a local path or nothing`, async () => {
      const res = await h.app.inject({ method: 'GET', url: `/dang-nhap?next=${value}`, headers: { host: 'motcua.test' } });
      assert.ok(res.statusCode < 500, `${res.statusCode}`);
      const hidden = /name="next" value="([^"]*)"/.exec(res.body)?.[1];
      if (hidden) assert.equal(new URL(hidden.replaceAll('&amp;', '&'), ORIGIN).origin, ORIGIN);
    });
  }

  test('a Referer from another site is ignored; a local one brings the user back without lang=', async () => {
    const foreign = await h.app.inject({
      method: 'GET',
      url: '/ngon-ngu?lang=vi',
      headers: { host: 'motcua.test', referer: 'http://evil.example/%09/x' },
    });
    assert.equal(foreign.headers.location, '/');
    const local = await h.app.inject({
      method: 'GET',
      url: '/ngon-ngu?lang=vi',
      headers: { host: 'motcua.test', referer: 'http://motcua.test/tra-cuu?lang=en&ma=1' },
    });
    assert.equal(local.headers.location, '/tra-cuu?ma=1');
  });

  test('ordinary local paths are kept, query included', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/ngon-ngu?lang=en&next=${encodeURIComponent('/mot-cua?q=a&trang=2')}` });
    assert.equal(res.headers.location, '/mot-cua?q=a&trang=2');
    const logged = await h.app.inject({ method: 'GET', url: '/dang-nhap?next=/giam-sat', headers: { cookie } });
    assert.equal(logged.headers.location, '/giam-sat');
  });
});
