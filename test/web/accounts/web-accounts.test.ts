/** Web accounts through app.inject(): login, lockout, cookies, CSRF, roles, audit, sessions, settings pages. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin as adminToken, seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';
import { SESSION } from '../../../src/accounts/account.service.js';
import { verifyPassword } from '../../../src/accounts/password.js';

const PASSWORD = 'mot-khau-du-dai-2026';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const CSRF_MESSAGE = 'Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ';

interface Session {
  cookie: string;
  csrf: string;
}
type Reply = { statusCode: number; body: string; headers: Record<string, unknown> };

function cookiesOf(res: Reply): string[] {
  const raw = res.headers['set-cookie'];
  return Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
}
const cookieValue = (res: Reply, name: string) =>
  cookiesOf(res)
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1);
const csrfIn = (body: string) => /name="_csrf" value="([^"]*)"/.exec(body)?.[1] ?? '';

describe(`web accounts (${TEST_DB})`, () => {
  let h: Harness;
  let adminSession: Session;

  const attempt = async (username: string, password: string, ip = '10.0.0.1', extraHeaders: Record<string, string> = {}) => {
    const page = await h.app.inject({ method: 'GET', url: '/dang-nhap', remoteAddress: ip, headers: extraHeaders });
    const name = cookieValue(page, 'mcs_login') === undefined ? '__Secure-mcs_login' : 'mcs_login';
    const pre = cookieValue(page, name)!;
    return h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      remoteAddress: ip,
      headers: { ...FORM, cookie: `${name}=${pre}`, ...extraHeaders },
      payload: new URLSearchParams({ _csrf: csrfIn(page.body), username, password }).toString(),
    });
  };
  const login = async (username: string, ip = '10.0.0.1'): Promise<Session> => {
    const res = await attempt(username, PASSWORD, ip);
    assert.equal(res.statusCode, 303, res.body);
    const cookie = `mcs_session=${cookieValue(res, 'mcs_session')}`;
    const home = await h.app.inject({ method: 'GET', url: '/dang-nhap?next=/mot-cua', headers: { cookie } });
    assert.equal(home.statusCode, 303);
    const any = await h.app.inject({ method: 'GET', url: '/cai-dat/nha-cung-cap', headers: { cookie } });
    const token = /<meta name="csrf-token" content="([^"]+)">/.exec(any.body)?.[1];
    assert.ok(token, `csrf token on a page (${any.statusCode})`);
    return { cookie, csrf: token };
  };
  const post = (s: Session, url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie: s.cookie, ...headers },
      payload: new URLSearchParams({ _csrf: s.csrf, ...fields }).toString(),
    });
  const get = (s: Session | null, url: string) => h.app.inject({ method: 'GET', url, headers: s ? { cookie: s.cookie } : {} });
  const count = async (table: 'web_users' | 'web_audit' | 'web_sessions') =>
    Number(
      (
        await h.ctx.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    h = await startHarness({ env: { MOTCUA_TRUST_PROXY: 'true' } });
    await seedBasics(h);
    const accounts = h.ctx.accounts;
    await accounts.create({ username: 'quantri', displayName: 'Quản trị', role: 'admin', agencyCode: null, password: PASSWORD });
    await accounts.create({
      username: 'stc-quantri',
      displayName: 'Trần Văn Quản',
      role: 'agency_admin',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    await accounts.create({ username: 'stc-motcua', displayName: 'Lê Thị Mai', role: 'clerk', agencyCode: 'STC', password: PASSWORD });
    await accounts.create({ username: 'giamsat', displayName: 'Sở TT&TT', role: 'oversight', agencyCode: null, password: PASSWORD });
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

  test('an agency admin edits their own agency (audited with before/after) but not another', async () => {
    const s = await login('stc-quantri');
    const stpBefore = await h.ctx.agencies.get('STP');
    const other = await post(s, '/cai-dat/STP/chung', {
      name: 'Sở Tư pháp',
      holdSeconds: '30',
      overdueWarningHours: '4',
      resultStepName: 'Trả kết quả',
      officeHours: '07:00-11:30,13:30-17:00',
      smsEncoding: 'ascii',
      supplementRule: 'pause',
    });
    assert.equal(other.statusCode, 403);
    assert.deepEqual((await h.ctx.agencies.get('STP'))?.storedSettings, stpBefore?.storedSettings);

    const auditBefore = await count('web_audit');
    const res = await post(s, '/cai-dat/STC/chung', {
      name: 'Tên mới bị bỏ qua',
      holdSeconds: '45',
      quietOn: 'on',
      quietStart: '21:30',
      quietEnd: '06:30',
      overdueWarningHours: '4',
      resultStepName: 'Trả kết quả',
      officeHours: '07:00-11:30,13:30-17:00',
      smsEncoding: 'unicode',
      supplementRule: 'pause',
      trigger_result_ready: 'on',
      trigger_supplement_required: 'on',
    });
    assert.equal(res.statusCode, 303, res.body);
    const stc = (await h.ctx.agencies.get('STC'))!;
    assert.equal(stc.name, 'Sở Tài chính', 'only an administrator renames an agency');
    assert.equal(stc.settings.holdSeconds, 45);
    assert.deepEqual(stc.settings.quietHours, { start: '21:30', end: '06:30' });
    assert.equal(stc.settings.smsEncoding, 'unicode');
    assert.equal(stc.settings.triggers.apology, false);
    const rows = await h.ctx.db.kysely
      .selectFrom('web_audit')
      .selectAll()
      .where('action', '=', 'agency.settings')
      .orderBy('id', 'desc')
      .execute();
    assert.equal(await count('web_audit'), auditBefore + 1);
    const row = rows[0]!;
    assert.equal(row.username, 'stc-quantri');
    assert.equal(row.entity_id, 'STC');
    assert.equal(JSON.parse(row.before_json!).settings.holdSeconds, 0);
    assert.equal(JSON.parse(row.after_json!).settings.holdSeconds, 45);
    assert.equal(Number(row.at), h.clock.now());
  });

  test('bad settings input: the error is next to the field, status 400, nothing changed', async () => {
    const s = await login('stc-quantri');
    const before = (await h.ctx.agencies.get('STC'))!.storedSettings;
    const res = await post(s, '/cai-dat/STC/chung', {
      holdSeconds: 'abc',
      quietOn: 'on',
      quietStart: '25:00',
      quietEnd: '06:30',
      overdueWarningHours: '4',
      resultStepName: 'Trả kết quả',
      officeHours: '07:00-11:30',
      smsEncoding: 'ascii',
      supplementRule: 'pause',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /id="f-holdSeconds-error">Cần một số nguyên từ 0 đến 86400/);
    assert.match(res.body, /id="f-quietStart-error">Giờ không hợp lệ/);
    const office = await post(s, '/cai-dat/STC/chung', {
      holdSeconds: '5',
      overdueWarningHours: '4',
      resultStepName: 'Trả kết quả',
      officeHours: '17:00-07:00',
      smsEncoding: 'ascii',
      supplementRule: 'pause',
    });
    assert.equal(office.statusCode, 400);
    assert.match(office.body, /id="f-officeHours-error">Giờ làm việc không hợp lệ/);
    const template = await post(s, '/cai-dat/STC/mau-tin', {
      kind: 'result_ready',
      intent: 'save',
      template: 'Hồ sơ {Mã số biên nhận} của {Họ tên} đã xong.',
    });
    assert.equal(template.statusCode, 400);
    assert.match(template.body, /Chỗ điền \{Họ tên\} không có trong danh sách/);
    assert.deepEqual((await h.ctx.agencies.get('STC'))!.storedSettings, before);
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

  test('template preview: folded text, encoding, segments and cost; the no-JavaScript preview button shows the same', async () => {
    const s = await login('quantri');
    const res = await post(
      s,
      '/cai-dat/xem-truoc',
      { kind: 'result_ready', agency: 'STP', template: 'Hồ sơ {Mã số biên nhận} đã có kết quả tại {Tên cơ quan}.', encoding: 'ascii' },
      { accept: 'application/json' },
    );
    assert.equal(res.statusCode, 200, res.body);
    const data = res.json();
    assert.equal(data.ok, true);
    assert.match(data.html, /Ho so 000\.00\.15\.H34-2103120001-00001 da co ket qua tai So Tu phap\./);
    assert.match(data.html, /GSM 7-bit/);
    assert.match(data.html, /1 tin SMS/);
    assert.match(data.html, /750 đồng/);
    const unicode = (
      await post(s, '/cai-dat/xem-truoc', {
        kind: 'result_ready',
        agency: 'STP',
        template: 'Hồ sơ {Mã số biên nhận} đã có kết quả tại {Tên cơ quan}.',
        encoding: 'unicode',
      })
    ).json();
    assert.match(unicode.html, /UCS-2/);
    assert.match(unicode.html, /66 ký tự · <strong>1 tin SMS/);
    const bad = (await post(s, '/cai-dat/xem-truoc', { kind: 'result_ready', agency: 'STP', template: 'Hồ sơ {Mã số biên nhận' })).json();
    assert.equal(bad.ok, false);
    assert.match(bad.html, /Thiếu dấu &#34;}&#34; đóng/);
    const noJs = await post(s, '/cai-dat/STP/mau-tin', {
      kind: 'apology',
      intent: 'preview',
      template: 'Xin lỗi: hồ sơ {Mã số biên nhận} trễ hẹn.',
    });
    assert.equal(noJs.statusCode, 200);
    assert.match(noJs.body, /Xin loi: ho so 000\.00\.15\.H34-2103120001-00001 tre hen\./);
    const clerk = await login('stc-motcua');
    assert.equal((await post(clerk, '/cai-dat/xem-truoc', { kind: 'result_ready', agency: 'STC', template: 'x' })).statusCode, 403);
  });

  test('templates, procedures, calendar and tokens: saved through the services and audited', async () => {
    const s = await login('quantri');
    const save = await post(s, '/cai-dat/STP/mau-tin', {
      kind: 'result_ready',
      intent: 'save',
      template: 'TB: Hồ sơ {Mã số biên nhận} đã có kết quả tại {Tên cơ quan}.',
    });
    assert.equal(save.statusCode, 303);
    assert.equal(
      (await h.ctx.agencies.get('STP'))!.settings.templates.result_ready,
      'TB: Hồ sơ {Mã số biên nhận} đã có kết quả tại {Tên cơ quan}.',
    );
    const reset = await post(s, '/cai-dat/STP/mau-tin', { kind: 'result_ready', intent: 'reset', template: '' });
    assert.equal(reset.statusCode, 303);
    assert.equal((await h.ctx.agencies.get('STP'))!.settings.templates.result_ready, undefined);

    const proc = await post(s, '/cai-dat/STP/thu-tuc', {
      code: '2.000100',
      name: 'Cấp bản sao trích lục hộ tịch',
      processingDays: '2',
      dayKind: 'working',
      supplementRule: 'restart',
    });
    assert.equal(proc.statusCode, 303);
    assert.equal((await h.ctx.procedures.get('2.000100'))?.supplementRule, 'restart');
    const badProc = await post(s, '/cai-dat/STP/thu-tuc', {
      code: 'có dấu',
      name: '',
      processingDays: '400',
      dayKind: 'working',
      supplementRule: 'pause',
    });
    assert.equal(badProc.statusCode, 400);
    assert.match(badProc.body, /id="p-days-error">Cần một số nguyên từ 0 đến 365/);
    const agencyAdmin = await login('stc-quantri');
    const steal = await post(agencyAdmin, '/cai-dat/STC/thu-tuc', {
      code: '2.000100',
      name: 'Chiếm',
      processingDays: '1',
      dayKind: 'working',
      supplementRule: 'pause',
    });
    assert.equal(steal.statusCode, 403);
    assert.equal((await h.ctx.procedures.get('2.000100'))?.agencyCode, 'STP');

    const weekdayWork = await post(s, '/cai-dat/lich', { date: '2026-11-25', kind: 'workday', name: 'Làm bù' });
    assert.equal(weekdayWork.statusCode, 400);
    assert.match(weekdayWork.body, /Ngày làm bù phải là thứ Bảy hoặc Chủ nhật/);
    const holiday = await post(s, '/cai-dat/lich', { date: '2026-11-20', kind: 'holiday', name: 'Ngày Nhà giáo (thử)' });
    assert.equal(holiday.statusCode, 303);
    assert.ok((await h.ctx.calendars.list(2026)).some((d) => d.date === '2026-11-20'));
    assert.equal((await post(agencyAdmin, '/cai-dat/lich', { date: '2026-11-19', kind: 'holiday', name: 'x' })).statusCode, 403);
    assert.equal((await post(s, '/cai-dat/lich/xoa', { date: '2026-11-20' })).statusCode, 303);
    assert.ok(!(await h.ctx.calendars.list(2026)).some((d) => d.date === '2026-11-20'));

    const token = await post(s, '/cai-dat/ma-truy-cap', { role: 'agency', agencyCode: 'STP', label: 'Phần mềm một cửa STP' });
    assert.equal(token.statusCode, 200);
    const value = /data-testid="new-token">([^<]+)</.exec(token.body)![1]!;
    assert.equal(
      (await h.app.inject({ method: 'GET', url: '/api/v1/procedures?agencyCode=STP', headers: { authorization: `Bearer ${value}` } }))
        .statusCode,
      200,
    );
    const list = await get(s, '/cai-dat/ma-truy-cap');
    assert.ok(!list.body.includes(value), 'the token is shown once');
    const id = /\/cai-dat\/ma-truy-cap\/(\d+)\/thu-hoi/.exec(list.body)![1];
    assert.equal((await post(s, `/cai-dat/ma-truy-cap/${id}/thu-hoi`, {})).statusCode, 303);
    assert.equal(
      (await h.app.inject({ method: 'GET', url: '/api/v1/procedures?agencyCode=STP', headers: { authorization: `Bearer ${value}` } }))
        .statusCode,
      401,
    );
    const noAgency = await post(s, '/cai-dat/ma-truy-cap', { role: 'agency', agencyCode: '', label: '' });
    assert.equal(noAgency.statusCode, 400);

    const actions = (await h.ctx.db.kysely.selectFrom('web_audit').select('action').where('username', '=', 'quantri').execute()).map(
      (r) => r.action,
    );
    for (const action of [
      'agency.template',
      'agency.template_reset',
      'procedure.create',
      'calendar.put',
      'calendar.remove',
      'token.create',
      'token.revoke',
    ])
      assert.ok(actions.includes(action), action);
    const audits = await h.ctx.db.kysely.selectFrom('web_audit').select(['before_json', 'after_json']).execute();
    assert.ok(
      audits.every((a) => !`${a.before_json}${a.after_json}`.includes(value)),
      'tokens never reach the audit log',
    );
  });

  test('the providers page renders the configured provider; the API keeps its JSON and bearer tokens', async () => {
    const s = await login('stc-quantri');
    const page = await get(s, '/cai-dat/nha-cung-cap');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-testid="provider-name">sandbox</);
    const api = await h.app.inject({ method: 'GET', url: '/api/v1/agencies/STC', headers: adminToken });
    assert.equal(api.statusCode, 200);
    assert.equal(api.json().agency.code, 'STC');
    const withCookie = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/procedures/API-1',
      headers: { ...adminToken, cookie: s.cookie },
      payload: { agencyCode: 'STC', name: 'Qua API', processingDays: 1 },
    });
    assert.equal(withCookie.statusCode, 201, 'API writes with a bearer token need no CSRF token even when a session cookie is sent');
    const missing = await h.app.inject({ method: 'GET', url: '/khong-co' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'NOT_FOUND');
  });

  test('English: the lang switch sets a cookie and pages follow it', async () => {
    const s = await login('stc-motcua');
    const sw = await h.app.inject({ method: 'GET', url: '/ngon-ngu?lang=en&next=/mot-cua', headers: { cookie: s.cookie } });
    assert.equal(sw.statusCode, 303);
    assert.equal(sw.headers.location, '/mot-cua');
    assert.match(cookiesOf(sw)[0]!, /^lang=en/);
    const page = await h.app.inject({ method: 'GET', url: '/mot-cua', headers: { cookie: `${s.cookie}; lang=en` } });
    assert.match(page.body, /<html lang="en">/);
    assert.match(page.body, /Receive a dossier/);
    const vi = await h.app.inject({ method: 'GET', url: '/mot-cua?lang=vi', headers: { cookie: `${s.cookie}; lang=en` } });
    assert.match(vi.body, /Tiếp nhận hồ sơ/);
  });
});
