/** The settings pages through app.inject(): agency settings and their errors, templates and preview, procedures,
 * calendar, tokens, providers, the English switch; each change audited. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin as adminToken, startHarness, TEST_DB, type Harness } from '../../support/harness.js';
import { cookiesOf, seedWebAccounts, webSession } from '../../support/web-session.js';
import { ALLOWED_PLACEHOLDERS, TEMPLATE_KINDS } from '../../../src/messages/catalogue.js';
import { PLACEHOLDER_NAMES } from '../../../src/lib/sms-text/template.js';

describe(`web settings (${TEST_DB})`, () => {
  let h: Harness;
  const { login, post, get, count } = webSession(() => h);

  before(async () => {
    h = await startHarness({ env: { MOTCUA_TRUST_PROXY: 'true' } });
    await seedWebAccounts(h);
  });
  after(async () => h.close());

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
    assert.equal(row.at, h.clock.now());
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
    assert.match(res.body, /id="f-holdSeconds-error">Thời gian chờ trước khi gửi phải là số giây, từ 0 đến 86400/);
    assert.match(res.body, /id="f-quietStart-error">Giờ bắt đầu không gửi tin phải có dạng HH:MM/);
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
    assert.match(data.html, /Ho so 000\.00\.15\.H34-2611230001-00001 da co ket qua tai So Tu phap\./);
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
    assert.match(noJs.body, /Xin loi: ho so 000\.00\.15\.H34-2611230001-00001 tre hen\./);
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
    assert.match(badProc.body, /id="p-days-error">Thời hạn giải quyết phải là số ngày, từ 0 đến 365/);
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
    assert.equal((await post(s, '/cai-dat/lich/xoa', { date: '2026-11-20' })).statusCode, 200, 'first the confirmation page');
    assert.equal((await post(s, '/cai-dat/lich/xoa', { date: '2026-11-20', confirm: 'yes' })).statusCode, 303);
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
    assert.equal((await post(s, `/cai-dat/ma-truy-cap/${id}/thu-hoi`, { confirm: 'yes' })).statusCode, 303);
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

  test('each template hint lists the placeholders the message catalogue allows (so {Ngày trả} where it may be used)', async () => {
    const s = await login('stc-quantri');
    const page = await get(s, '/cai-dat?agency=STC');
    assert.equal(page.statusCode, 200);
    for (const kind of TEMPLATE_KINDS) {
      const hint = new RegExp(`<p class="hint" id="tpl-${kind}-hint">Chỗ điền dùng được: ([^<]*)</p>`).exec(page.body)?.[1];
      assert.equal(hint, ALLOWED_PLACEHOLDERS[kind].map((v) => `{${PLACEHOLDER_NAMES[v]}}`).join(', '), kind);
    }
    assert.match(page.body, /id="tpl-lookup_returned-hint">[^<]*\{Ngày trả\}/);
  });

  test('providers and the audit log in words: no field names, codes or JSON', async () => {
    const s = await login('quantri');
    const providers = await get(s, '/cai-dat/nha-cung-cap');
    assert.match(providers.body, /<dd>Mặc định: 750 ₫<\/dd>/);
    const log = await get(s, '/nhat-ky?entity=agency&entityId=STC');
    assert.equal(log.statusCode, 200);
    const row = /<tr data-audit-id="\d+" data-action="agency.settings">(.*?)<\/tr>/s.exec(log.body)?.[1] ?? '';
    assert.match(row, /<td>Sửa cài đặt cơ quan<\/td><td>Cơ quan <strong>STC<\/strong><\/td>/);
    assert.match(row, /<dt>Thời gian chờ trước khi gửi<\/dt><dd>0 giây<\/dd>.*<dt>Thời gian chờ trước khi gửi<\/dt><dd>45 giây<\/dd>/s);
    assert.match(row, /<dt>Không gửi tin ban đêm<\/dt><dd>21:30–06:30<\/dd>/);
    assert.doesNotMatch(row, /holdSeconds|quietHours|settings|\{/);
    assert.match(log.body, /<option value="agency.settings"[^>]*>Sửa cài đặt cơ quan<\/option>/);
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
