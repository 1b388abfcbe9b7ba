/**
 * Issue 13 item 2 (OWASP authentication guidance): growing delays per (username, address) and per
 * address; per username alone only a soft, much higher limit that spares addresses the person logged in
 * from, so nobody can lock a person out from elsewhere; the administrator sees and clears locks (audited);
 * a password reset clears them.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

const PASSWORD = 'mot-khau-du-dai-2026';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
type Reply = { statusCode: number; headers: Record<string, unknown>; body: string };

const cookieValue = (res: Reply, name: string) => {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  return all
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1);
};

describe(`login throttling policy (${TEST_DB})`, () => {
  let h: Harness;
  let form: { cookie: string; csrf: string };
  let admin: { cookie: string; csrf: string };

  const attempt = (username: string, password: string, ip: string) =>
    h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      remoteAddress: ip,
      headers: { ...FORM, cookie: form.cookie },
      payload: new URLSearchParams({ _csrf: form.csrf, username, password }).toString(),
    });
  const fail = async (username: string, ip: string, times: number) => {
    for (let i = 0; i < times; i++) assert.equal((await attempt(username, 'sai-mat-khau-roi', ip)).statusCode, 401, `failure ${i + 1}`);
  };
  const asAdmin = (url: string, fields: Record<string, string> = {}) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie: admin.cookie },
      payload: new URLSearchParams({ _csrf: admin.csrf, ...fields }).toString(),
    });
  const audits = (action: string) =>
    h.ctx.db.kysely.selectFrom('web_audit').selectAll().where('action', '=', action).orderBy('id').execute();
  const createUser = (username: string, role: 'admin' | 'clerk' = 'clerk') =>
    h.ctx.accounts.create({ username, displayName: 'Người dùng', role, agencyCode: role === 'clerk' ? 'STC' : null, password: PASSWORD });

  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    await createUser('quantri', 'admin');
    const page = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    form = { cookie: `mcs_login=${cookieValue(page, 'mcs_login')}`, csrf: /name="_csrf" value="([^"]*)"/.exec(page.body)![1]! };
  });
  /** A fresh administrator session (the tests move the clock past the idle timeout). */
  beforeEach(async () => {
    const quantri = await h.ctx.accounts.findByUsername('quantri');
    const { id } = await h.ctx.accounts.createSession(quantri!.id, null);
    const home = await h.app.inject({ method: 'GET', url: '/tai-khoan', headers: { cookie: `mcs_session=${id}` } });
    admin = { cookie: `mcs_session=${id}`, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(home.body)![1]! };
  });
  after(async () => h.close());

  test('wrong passwords from one address never lock the account out from another address', async () => {
    await createUser('admin', 'admin');
    await fail('admin', '203.0.113.9', 5);
    for (let i = 0; i < 10; i++) assert.equal((await attempt('admin', 'sai-mat-khau-roi', '203.0.113.9')).statusCode, 429);
    const owner = await attempt('admin', PASSWORD, '10.0.0.5');
    assert.equal(owner.statusCode, 303, 'the owner, elsewhere, logs in');
    assert.equal((await attempt('admin', PASSWORD, '203.0.113.9')).statusCode, 429, "the attacker's address stays throttled");
  });

  test('per (username, address): five free attempts, then delays of 30 s, 60 s, 120 s …, and a success starts again', async () => {
    await createUser('cham-dan');
    const ip = '10.0.1.1';
    await fail('cham-dan', ip, 5);
    const first = await attempt('cham-dan', PASSWORD, ip);
    assert.equal(first.statusCode, 429, 'even the right password waits');
    assert.equal(first.headers['retry-after'], '30');
    assert.match(first.body, /Đăng nhập sai nhiều lần với tài khoản này từ máy này/);
    h.clock.advance(30_000);
    await fail('cham-dan', ip, 1);
    assert.equal((await attempt('cham-dan', PASSWORD, ip)).headers['retry-after'], '60');
    h.clock.advance(59_000);
    assert.equal((await attempt('cham-dan', PASSWORD, ip)).statusCode, 429);
    h.clock.advance(1_000);
    await fail('cham-dan', ip, 1);
    assert.equal((await attempt('cham-dan', PASSWORD, ip)).headers['retry-after'], '120');
    h.clock.advance(120_000);
    assert.equal((await attempt('cham-dan', PASSWORD, ip)).statusCode, 303);
    await fail('cham-dan', ip, 4);
    assert.equal((await attempt('cham-dan', PASSWORD, ip)).statusCode, 303, 'after a success the count starts again');
  });

  test('per address: twenty failures over any usernames, then growing delays; other addresses are not affected', async () => {
    await createUser('o-may-khac');
    const ip = '10.0.2.1';
    for (let i = 0; i < 20; i++) assert.equal((await attempt(`ai-do-${i}`, 'sai-mat-khau-roi', ip)).statusCode, 401);
    const locked = await attempt('o-may-khac', PASSWORD, ip);
    assert.equal(locked.statusCode, 429);
    assert.match(locked.body, /Có quá nhiều lần đăng nhập sai từ máy này/);
    assert.equal(locked.headers['retry-after'], '30');
    assert.equal((await attempt('o-may-khac', PASSWORD, '10.0.2.2')).statusCode, 303);
    h.clock.advance(30_000);
    assert.equal((await attempt('ai-do-x', 'sai-mat-khau-roi', ip)).statusCode, 401);
    assert.equal((await attempt('o-may-khac', PASSWORD, ip)).headers['retry-after'], '60');
    h.clock.advance(60 * 60_000);
  });

  test('per username alone: a soft limit that spares the addresses the person logged in from', async () => {
    await createUser('muc-tieu');
    assert.equal((await attempt('muc-tieu', PASSWORD, '10.0.3.1')).statusCode, 303, 'a known address');
    const stale = await h.ctx.db.kysely.selectFrom('web_login_throttle').select('ip').where('ip', '=', '10.0.2.1').execute();
    assert.deepEqual(stale, [], 'counters an hour old that block nothing are deleted (by a later login)');
    for (let i = 0; i < 3; i++) await fail('muc-tieu', `198.51.100.${i + 1}`, 1);
    const counter = await h.ctx.db.kysely
      .selectFrom('web_login_throttle')
      .selectAll()
      .where('scope', '=', 'user')
      .where('username', '=', 'muc-tieu')
      .executeTakeFirstOrThrow();
    assert.equal(counter.failures, 3, 'attempts from many addresses are counted per username');
    // A distributed attack reached the soft limit (100 attempts from 100 addresses): its counter, as the statement leaves it.
    await h.ctx.db.kysely
      .updateTable('web_login_throttle')
      .set({ failures: 100, last_at: h.clock.now(), blocked_until: h.clock.now() + 60_000 })
      .where('scope', '=', 'user')
      .where('username', '=', 'muc-tieu')
      .execute();
    const stranger = await attempt('muc-tieu', PASSWORD, '10.0.3.2');
    assert.equal(stranger.statusCode, 429, 'a new address waits');
    assert.match(stranger.body, /chỉ đăng nhập được từ máy đã từng đăng nhập/);
    assert.equal((await attempt('muc-tieu', PASSWORD, '10.0.3.1')).statusCode, 303, 'the known address still logs in');
    h.clock.advance(60_000);
    assert.equal((await attempt('muc-tieu', PASSWORD, '10.0.3.2')).statusCode, 303, 'after the delay, anywhere');
  });

  test('the administrator sees the locks and clears one (audited); only the administrator', async () => {
    await createUser('bi-khoa');
    await fail('bi-khoa', '10.0.4.1', 5);
    assert.equal((await attempt('bi-khoa', PASSWORD, '10.0.4.1')).statusCode, 429);
    const page = await h.app.inject({ method: 'GET', url: '/tai-khoan/khoa-dang-nhap', headers: { cookie: admin.cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Khoá đăng nhập/);
    assert.match(page.body, /bi-khoa<\/td><td>10\.0\.4\.1<\/td><td class="num">5<\/td>/);
    const list = await h.app.inject({ method: 'GET', url: '/tai-khoan', headers: { cookie: admin.cookie } });
    assert.match(list.body, /href="\/tai-khoan\/khoa-dang-nhap"/);

    const cleared = await asAdmin('/tai-khoan/khoa-dang-nhap/go', { scope: 'pair', username: 'bi-khoa', ip: '10.0.4.1' });
    assert.equal(cleared.statusCode, 303);
    assert.equal(cleared.headers.location, '/tai-khoan/khoa-dang-nhap?ok=cleared');
    const [row] = await audits('login_lock.clear');
    assert.ok(row, 'an audit row');
    assert.equal(row.username, 'quantri');
    assert.equal(row.entity_id, 'pair:bi-khoa@10.0.4.1');
    assert.equal(JSON.parse(row.before_json!).failures, 5);
    assert.equal((await attempt('bi-khoa', PASSWORD, '10.0.4.1')).statusCode, 303, 'unlocked');

    const again = await asAdmin('/tai-khoan/khoa-dang-nhap/go', { scope: 'pair', username: 'bi-khoa', ip: '10.0.4.1' });
    assert.equal(again.headers.location, '/tai-khoan/khoa-dang-nhap?ok=gone');
    assert.equal((await audits('login_lock.clear')).length, 1, 'nothing cleared, nothing audited');
    const bad = await asAdmin('/tai-khoan/khoa-dang-nhap/go', { scope: 'all', username: 'x', ip: '' });
    assert.equal(bad.statusCode, 400);

    const clerk = await h.ctx.accounts.findByUsername('bi-khoa');
    const { id } = await h.ctx.accounts.createSession(clerk!.id, null);
    const denied = await h.app.inject({ method: 'GET', url: '/tai-khoan/khoa-dang-nhap', headers: { cookie: `mcs_session=${id}` } });
    assert.equal(denied.statusCode, 403);
  });

  test('the administrator clears every lock of an account from its page (audited)', async () => {
    const user = await createUser('nhieu-khoa');
    await fail('nhieu-khoa', '10.0.5.1', 5);
    await fail('nhieu-khoa', '10.0.5.2', 5);
    const res = await asAdmin(`/tai-khoan/${user.id}/go-khoa-dang-nhap`);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/tai-khoan/${user.id}?ok=locks&n=3`, 'two pairs and the username counter');
    const shown = await h.app.inject({ method: 'GET', url: String(res.headers.location), headers: { cookie: admin.cookie } });
    assert.match(shown.body, /Đã gỡ 3 khoá đăng nhập của tài khoản/);
    const [row] = await audits('login_lock.clear_user');
    assert.equal(row?.entity_id, String(user.id));
    assert.equal(JSON.parse(row!.before_json!).locks.length, 3);
    assert.equal((await attempt('nhieu-khoa', PASSWORD, '10.0.5.1')).statusCode, 303);
  });

  test('a password reset clears the locks of the account', async () => {
    const user = await createUser('quen-mat-khau');
    await fail('quen-mat-khau', '10.0.6.1', 5);
    assert.equal((await attempt('quen-mat-khau', PASSWORD, '10.0.6.1')).statusCode, 429);
    const reset = await asAdmin(`/tai-khoan/${user.id}/mat-khau`, { password: 'mat-khau-moi-2026-xyz' });
    assert.equal(reset.statusCode, 303);
    assert.equal((await attempt('quen-mat-khau', 'mat-khau-moi-2026-xyz', '10.0.6.1')).statusCode, 303);
    const rows = await audits('user.password_reset');
    assert.equal(JSON.parse(rows.at(-1)!.after_json!).loginLocksCleared, 2);
  });
});
