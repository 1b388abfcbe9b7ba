/** Web accounts through app.inject(): login, lockout, cookies, CSRF, roles, accounts, sessions. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, TEST_DB, type Harness } from '../../support/harness.js';
import { SESSION } from '../../../src/accounts/account.service.js';
import { verifyPassword } from '../../../src/accounts/password.js';
import {
  PASSWORD,
  FORM,
  CSRF_MESSAGE,
  cookiesOf,
  cookieValue,
  csrfIn,
  type Session,
  seedWebAccounts,
  webSession,
} from '../../support/web-session.js';

describe(`web accounts (${TEST_DB})`, () => {
  let h: Harness;
  let adminSession: Session;
  const { attempt, login, post, get, count } = webSession(() => h);

  before(async () => {
    h = await startHarness({ env: { MOTCUA_TRUST_PROXY: 'true' } });
    await seedWebAccounts(h);
    adminSession = await login('quantri');
  });
  after(async () => h.close());

  test('login: a good password starts a session (cookie HttpOnly, SameSite=Lax, not Secure on plain http); a bad one does not', async () => {
    const ok = await attempt('stc-motcua', PASSWORD);
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/mot-cua');
    const cookie = cookiesOf(ok).find((c) => c.startsWith('mcs_session='))!;
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Secure/);
    const value = cookieValue(ok, 'mcs_session')!;
    assert.ok(value.length >= 40);
    const stored = await h.ctx.db.kysely.selectFrom('web_sessions').select('id_hash').execute();
    assert.ok(
      stored.every((s) => s.id_hash !== value),
      'the session id is stored hashed',
    );

    const bad = await attempt('stc-motcua', 'sai-mat-khau-roi');
    assert.equal(bad.statusCode, 401);
    assert.match(bad.body, /Tên đăng nhập hoặc mật khẩu không đúng/);
    assert.equal(cookieValue(bad, 'mcs_session'), undefined);
    const unknown = await attempt('khong-co-ai', PASSWORD);
    assert.equal(unknown.statusCode, 401);
    assert.match(unknown.body, /Tên đăng nhập hoặc mật khẩu không đúng/);
  });

  test('behind HTTPS (trusted proxy) the session cookie is Secure, with the __Host- prefix', async () => {
    const ok = await attempt('stc-motcua', PASSWORD, '10.0.0.1', { 'x-forwarded-proto': 'https' });
    assert.equal(ok.statusCode, 303);
    assert.match(cookiesOf(ok).find((c) => c.startsWith('__Host-mcs_session='))!, /; Secure/);
  });

  test('the login form needs its CSRF token; next= never leaves the site', async () => {
    const noToken = await h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      headers: FORM,
      payload: new URLSearchParams({ username: 'stc-motcua', password: PASSWORD }).toString(),
    });
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.body, new RegExp(CSRF_MESSAGE));
    const page = await h.app.inject({ method: 'GET', url: '/dang-nhap?next=//evil.example/x' });
    const pre = cookieValue(page, 'mcs_login')!;
    const res = await h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      headers: { ...FORM, cookie: `mcs_login=${pre}` },
      payload: new URLSearchParams({
        _csrf: csrfIn(page.body),
        username: 'stc-motcua',
        password: PASSWORD,
        next: '//evil.example/x',
      }).toString(),
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/mot-cua');
  });

  test('passwords are stored as scrypt hashes with their parameters, never as given', async () => {
    const row = await h.ctx.db.kysely
      .selectFrom('web_users')
      .select('password_hash')
      .where('username', '=', 'stc-motcua')
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.ok(!row.password_hash.includes(PASSWORD));
    assert.deepEqual(await verifyPassword(PASSWORD, row.password_hash), { ok: true, needsRehash: false });
    assert.equal((await verifyPassword('khac-hoan-toan', row.password_hash)).ok, false);
    const other = await h.ctx.db.kysely
      .selectFrom('web_users')
      .select('password_hash')
      .where('username', '=', 'stc-quantri')
      .executeTakeFirstOrThrow();
    assert.notEqual(other.password_hash.split('$')[2], row.password_hash.split('$')[2], 'salts differ per user');
  });

  test('pages need a session: anonymous → 303 to the login page with next; roles are enforced', async () => {
    const anon = await get(null, '/cai-dat');
    assert.equal(anon.statusCode, 303);
    assert.equal(anon.headers.location, '/dang-nhap?next=%2Fcai-dat');
    const clerk = await login('stc-motcua');
    for (const url of ['/cai-dat', '/cai-dat/lich', '/tai-khoan', '/nhat-ky', '/cai-dat/ma-truy-cap']) {
      const res = await get(clerk, url);
      assert.equal(res.statusCode, 403, url);
      assert.match(res.body, /Không có quyền truy cập/);
      assert.match(res.body, /<html lang="vi">/);
    }
    assert.equal((await get(clerk, '/mot-cua')).statusCode, 200);
    const oversight = await login('giamsat');
    assert.equal((await get(oversight, '/mot-cua')).statusCode, 403);
    const agencyAdmin = await login('stc-quantri');
    assert.equal((await get(agencyAdmin, '/cai-dat')).statusCode, 200);
    assert.equal((await get(agencyAdmin, '/cai-dat?agency=STP')).statusCode, 403);
    assert.equal((await get(agencyAdmin, '/cai-dat/ma-truy-cap')).statusCode, 403);
  });

  test('CSRF: a missing or wrong token is refused with 403 and changes nothing', async () => {
    const usersBefore = await count('web_users');
    const auditBefore = await count('web_audit');
    const fields = { username: 'moi-tao', displayName: 'Người mới', role: 'clerk', agencyCode: 'STC', password: `${PASSWORD}x` };
    const missing = await h.app.inject({
      method: 'POST',
      url: '/tai-khoan',
      headers: { ...FORM, cookie: adminSession.cookie },
      payload: new URLSearchParams(fields).toString(),
    });
    assert.equal(missing.statusCode, 403);
    assert.match(missing.body, new RegExp(CSRF_MESSAGE));
    const wrong = await post({ ...adminSession, csrf: 'x'.repeat(43) }, '/tai-khoan', fields);
    assert.equal(wrong.statusCode, 403);
    const otherSession = await login('stc-quantri');
    const foreign = await post({ cookie: adminSession.cookie, csrf: otherSession.csrf }, '/tai-khoan', fields);
    assert.equal(foreign.statusCode, 403, 'a token of another session does not work');
    const preview = await h.app.inject({
      method: 'POST',
      url: '/cai-dat/xem-truoc',
      headers: { ...FORM, cookie: adminSession.cookie },
      payload: 'kind=result_ready&agency=STC&template=x',
    });
    assert.equal(preview.statusCode, 403);
    assert.equal(await count('web_users'), usersBefore);
    assert.equal(await count('web_audit'), auditBefore);
    const ok = await post(adminSession, '/tai-khoan', fields);
    assert.equal(ok.statusCode, 303, ok.body);
    assert.equal(await count('web_users'), usersBefore + 1);
  });

  test('admin manages accounts: create (validated), change role, reset password, disable — each audited without the password', async () => {
    const weak = await post(adminSession, '/tai-khoan', {
      username: 'yeu',
      displayName: 'Yếu',
      role: 'clerk',
      agencyCode: 'STC',
      password: 'ngan',
    });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.body, /id="f-password-error">Mật khẩu cần ít nhất 10 ký tự/);
    const noAgency = await post(adminSession, '/tai-khoan', {
      username: 'thieu-cq',
      displayName: 'Thiếu',
      role: 'clerk',
      agencyCode: '',
      password: PASSWORD,
    });
    assert.equal(noAgency.statusCode, 400);
    assert.match(noAgency.body, /id="f-agencyCode-error">Vai trò này cần chọn cơ quan/);
    const dup = await post(adminSession, '/tai-khoan', {
      username: 'STC-MOTCUA',
      displayName: 'Trùng',
      role: 'clerk',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    assert.equal(dup.statusCode, 409);

    const created = await post(adminSession, '/tai-khoan', {
      username: 'stp-motcua',
      displayName: 'Phạm Văn Bình',
      role: 'clerk',
      agencyCode: 'STP',
      password: PASSWORD,
    });
    assert.equal(created.statusCode, 303);
    const id = Number(/\/tai-khoan\/(\d+)/.exec(String(created.headers.location))![1]);
    const userSession = await login('stp-motcua');
    const promote = await post(adminSession, `/tai-khoan/${id}`, {
      displayName: 'Phạm Văn Bình',
      role: 'agency_admin',
      agencyCode: 'STP',
      lang: 'en',
    });
    assert.equal(promote.statusCode, 303);
    assert.equal((await get(userSession, '/mot-cua')).statusCode, 303, 'a role change ends open sessions');
    const reset = await post(adminSession, `/tai-khoan/${id}/mat-khau`, { password: 'mat-khau-moi-2027' });
    assert.equal(reset.statusCode, 303);
    assert.equal((await attempt('stp-motcua', PASSWORD, '10.0.3.1')).statusCode, 401);
    assert.equal((await attempt('stp-motcua', 'mat-khau-moi-2027', '10.0.3.1')).statusCode, 303);
    const disable = await post(adminSession, `/tai-khoan/${id}/khoa`, {});
    assert.equal(disable.statusCode, 303);
    assert.equal((await attempt('stp-motcua', 'mat-khau-moi-2027', '10.0.3.1')).statusCode, 401, 'a disabled account cannot log in');
    const selfDisable = await post(adminSession, `/tai-khoan/${(await h.ctx.accounts.findByUsername('quantri'))!.id}/khoa`, {});
    assert.equal(selfDisable.statusCode, 400);

    const rows = await h.ctx.db.kysely
      .selectFrom('web_audit')
      .selectAll()
      .where('entity', '=', 'user')
      .where('entity_id', '=', String(id))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      rows.map((r) => r.action),
      ['user.create', 'user.update', 'user.password_reset', 'user.disable'],
    );
    assert.equal(JSON.parse(rows[1]!.before_json!).role, 'clerk');
    assert.equal(JSON.parse(rows[1]!.after_json!).role, 'agency_admin');
    assert.equal(JSON.parse(rows[3]!.after_json!).disabled, true);
    for (const r of rows) {
      assert.ok(!`${r.before_json}${r.after_json}`.includes('mat-khau-moi-2027'));
      assert.ok(!`${r.before_json}${r.after_json}`.includes('scrypt$'));
    }
    const log = await get(adminSession, `/nhat-ky?entity=user&entityId=${id}`);
    assert.equal(log.statusCode, 200);
    assert.equal((log.body.match(/data-audit-id=/g) ?? []).length, 4);
    const badDate = await get(adminSession, '/nhat-ky?from=2026-13-45');
    assert.equal(badDate.statusCode, 400);
  });

  test('sessions end after an hour idle, after 12 hours in all, and at logout', async () => {
    const idle = await login('stc-motcua');
    h.clock.advance(SESSION.idleMs - 60_000);
    assert.equal((await get(idle, '/mot-cua')).statusCode, 200, 'still inside the idle limit (and the visit counts as activity)');
    h.clock.advance(SESSION.idleMs - 60_000);
    assert.equal((await get(idle, '/mot-cua')).statusCode, 200);
    h.clock.advance(SESSION.idleMs + 1);
    const expired = await get(idle, '/mot-cua');
    assert.equal(expired.statusCode, 303);
    assert.equal(expired.headers.location, '/dang-nhap?next=%2Fmot-cua');

    const long = await login('stc-motcua');
    const step = SESSION.idleMs / 2;
    let elapsed = 0;
    for (; elapsed + step < SESSION.absoluteMs; elapsed += step) {
      h.clock.advance(step);
      assert.equal((await get(long, '/mot-cua')).statusCode, 200);
    }
    h.clock.advance(SESSION.absoluteMs - elapsed + 1);
    assert.equal((await get(long, '/mot-cua')).statusCode, 303, 'the absolute limit ends even an active session');

    const s = await login('stc-motcua');
    const out = await post(s, '/dang-xuat', {});
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/dang-nhap');
    assert.match(cookiesOf(out).find((c) => c.startsWith('mcs_session='))!, /Max-Age=0/);
    assert.equal((await get(s, '/mot-cua')).statusCode, 303, 'the old cookie no longer works');
  });
});
