/** Issue 13 item 10: the page and the JSON API counted separately, had no enumeration guard, and the page
 *  lacked the staff pages' CSP and X-Frame-Options. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

describe(`web look-up limits (${TEST_DB})`, () => {
  let h: Harness;
  const code = '000.00.15.H34-261123-0001';
  before(async () => {
    h = await startHarness({ env: { MOTCUA_WEB_LOOKUP_RATE_LIMIT: '6', MOTCUA_WEB_LOOKUP_UNKNOWN_LIMIT: '3' } });
    await seedBasics(h);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: code }) });
    assert.equal(res.statusCode, 201, res.body);
  });
  after(async () => h.close());

  const api = (c: string, remoteAddress: string) => h.app.inject({ method: 'GET', url: `/api/v1/lookup/${c}`, remoteAddress });
  const page = (c: string, remoteAddress: string) => h.app.inject({ method: 'GET', url: `/tra-cuu/${c}`, remoteAddress });

  test('one budget per address across /api/v1/lookup and /tra-cuu', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await api(code, '203.0.113.10')).statusCode);
      statuses.push((await page(code, '203.0.113.10')).statusCode);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);
    const limitedPage = await page(code, '203.0.113.10');
    assert.equal(limitedPage.statusCode, 429);
    assert.match(limitedPage.body, /tra cứu quá nhiều lần/);
    assert.equal((await page(code, '203.0.113.11')).statusCode, 200, 'another address has its own budget');
  });

  test('enumeration guard: an address past the unknown-code limit is refused, found codes too, for an hour', async () => {
    const address = '203.0.113.20';
    const misses = [];
    for (let i = 1; i <= 4; i++) misses.push((i % 2 ? await api(`NOPE-${i}`, address) : await page(`NOPE-${i}`, address)).statusCode);
    assert.deepEqual(misses, [404, 404, 404, 404]);
    const refused = await api(code, address);
    assert.equal(refused.statusCode, 429, refused.body);
    assert.equal(refused.json().error.code, 'RATE_LIMITED');
    // Other addresses are not affected.
    assert.equal((await api(code, '203.0.113.21')).statusCode, 200);
    h.clock.advance(3_600_000 + 1);
    assert.equal((await api(code, address)).statusCode, 200, 'allowed again an hour later');
  });

  test('/tra-cuu has the CSP and X-Frame-Options of the staff pages; its styles are a file', async () => {
    const staff = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    for (const res of [
      await h.app.inject({ method: 'GET', url: '/tra-cuu', remoteAddress: '203.0.113.30' }),
      await page(code, '203.0.113.30'),
    ]) {
      assert.equal(res.statusCode, 200);
      for (const header of ['content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'cache-control'])
        assert.equal(res.headers[header], staff.headers[header], header);
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.ok(!/<style|style="/.test(res.body), 'no inline style for the CSP to block');
    }
    const css = await h.app.inject({ method: 'GET', url: '/tra-cuu.css' });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /text\/css/);
    assert.match(css.body, /\.result/);
  });
});
