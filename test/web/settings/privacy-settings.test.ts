/**
 * Issue 16 item 5: the privacy contact is a system setting in the database, edited by the administrator
 * under /cai-dat/quyen-rieng-tu (CSRF, errors next to the fields and in the summary, flash, audited field
 * by field), shown on /quyen-rieng-tu; while it is not set, MOTCUA_PRIVACY_CONTACT is shown as before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, bearer, startHarness, TEST_DB, type Harness } from '../../support/harness.js';
import { CSRF_MESSAGE, FORM, seedWebAccounts, webSession } from '../../support/web-session.js';

const PAGE = '/cai-dat/quyen-rieng-tu';
const ENV_DEFAULT = 'Văn phòng UBND tỉnh, dpo@tinh.gov.vn';
const CONTACT = {
  organisation: 'Văn phòng UBND tỉnh Khánh Hòa',
  address: '01 Trần Phú, Nha Trang',
  email: 'dulieucanhan@khanhhoa.gov.vn',
  phone: '0258 3822 123',
};

describe(`privacy contact settings (${TEST_DB})`, () => {
  let h: Harness;
  const { login, post, get } = webSession(() => h);
  const notice = async (lang = 'vi') => (await h.app.inject({ method: 'GET', url: `/quyen-rieng-tu?lang=${lang}` })).body;
  const auditRows = () =>
    h.ctx.db.kysely.selectFrom('web_audit').selectAll().where('action', '=', 'system.privacy_contact').orderBy('id').execute();
  const stored = () => h.ctx.db.kysely.selectFrom('system_settings').selectAll().execute();

  before(async () => {
    h = await startHarness({ env: { MOTCUA_PRIVACY_CONTACT: ENV_DEFAULT } });
    await seedWebAccounts(h);
  });
  after(async () => h.close());

  test('empty settings: the notice shows the server default, and the settings page says so', async () => {
    assert.deepEqual(await stored(), []);
    assert.match(await notice(), /<p>Liên hệ: Văn phòng UBND tỉnh, dpo@tinh\.gov\.vn<\/p>/);
    const s = await login('quantri');
    const page = await get(s, PAGE);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Liên hệ về dữ liệu cá nhân<\/h1>/);
    assert.match(page.body, /giá trị mặc định trong cấu hình máy chủ: “Văn phòng UBND tỉnh, dpo@tinh\.gov\.vn”/);
    assert.match(page.body, /<a href="\/cai-dat\/quyen-rieng-tu" aria-current="page">Quyền riêng tư<\/a>/);
  });

  test('only the administrator: an agency admin gets 403; a post without the CSRF token is refused', async () => {
    const agencyAdmin = await login('stc-quantri');
    assert.equal((await get(agencyAdmin, PAGE)).statusCode, 403);
    assert.equal((await post(agencyAdmin, PAGE, CONTACT)).statusCode, 403);
    assert.doesNotMatch((await get(agencyAdmin, '/cai-dat/lich')).body, /href="\/cai-dat\/quyen-rieng-tu"/, 'not in their menu');
    const s = await login('quantri');
    const noCsrf = await h.app.inject({
      method: 'POST',
      url: PAGE,
      headers: { ...FORM, cookie: s.cookie },
      payload: new URLSearchParams(CONTACT).toString(),
    });
    assert.equal(noCsrf.statusCode, 403);
    assert.match(noCsrf.body, new RegExp(CSRF_MESSAGE));
    assert.deepEqual(await stored(), []);
  });

  test('validation: each error next to its field and in the summary, status 400, what was typed kept, nothing saved or audited', async () => {
    const s = await login('quantri');
    const bad = await post(s, PAGE, { organisation: '  ', address: 'x'.repeat(301), email: 'dpo@tinh', phone: '1900 1234' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="f-organisation-error">Nhập tên tổ chức chịu trách nhiệm xử lý dữ liệu</);
    assert.match(bad.body, /id="f-address-error">Quá dài/);
    assert.match(bad.body, /id="f-email-error">Thư điện tử không hợp lệ/);
    assert.match(bad.body, /id="f-phone-error">Số điện thoại không hợp lệ: số di động hoặc số máy bàn Việt Nam/);
    assert.match(bad.body, /data-testid="error-summary"[\s\S]*<a href="#f-organisation">Nhập tên tổ chức/);
    assert.match(bad.body, /name="email" value="dpo@tinh"/);
    const noWay = await post(s, PAGE, { organisation: 'Sở TT&TT', address: '', email: '', phone: '' });
    assert.equal(noWay.statusCode, 400);
    assert.match(noWay.body, /id="f-email-error">Nhập ít nhất thư điện tử hoặc số điện thoại/);
    const foreign = await post(s, PAGE, { organisation: 'Sở TT&TT', phone: '+1 202 555 0123' });
    assert.match(foreign.body, /id="f-phone-error">Số điện thoại không hợp lệ/);
    assert.deepEqual(await stored(), []);
    assert.deepEqual(await auditRows(), []);
  });

  test('save: flash, the notice shows the contact in both languages, the audit row has every field before and after', async () => {
    const s = await login('quantri');
    const saved = await post(s, PAGE, { ...CONTACT, organisation: ` ${CONTACT.organisation} ` });
    assert.equal(saved.statusCode, 303, saved.body);
    assert.equal(saved.headers.location, `${PAGE}?ok=saved`);
    const page = await get(s, String(saved.headers.location));
    assert.match(page.body, /Đã lưu thông tin liên hệ/);
    assert.match(page.body, /name="organisation" value="Văn phòng UBND tỉnh Khánh Hòa"/);

    const vi = await notice();
    assert.match(vi, /<h2>Liên hệ<\/h2>/);
    assert.match(vi, /data-testid="contact-organisation">Văn phòng UBND tỉnh Khánh Hòa</);
    assert.match(vi, /<dt>Địa chỉ<\/dt><dd>01 Trần Phú, Nha Trang<\/dd>/);
    assert.match(vi, /<a href="mailto:dulieucanhan@khanhhoa\.gov\.vn">dulieucanhan@khanhhoa\.gov\.vn<\/a>/);
    assert.match(vi, /<a href="tel:02583822123">0258 3822 123<\/a>/);
    assert.doesNotMatch(vi, /dpo@tinh\.gov\.vn/, 'the settings replace the server default');
    const en = await notice('en');
    assert.match(en, /<dt>Organisation<\/dt><dd data-testid="contact-organisation">Văn phòng UBND tỉnh Khánh Hòa<\/dd>/);
    assert.match(en, /<dt>Phone<\/dt>/);

    const [row] = await auditRows();
    assert.equal(row!.username, 'quantri');
    assert.equal(row!.entity, 'system_settings');
    assert.equal(row!.entity_id, 'privacy_contact');
    assert.equal(row!.before_json, null);
    assert.deepEqual(JSON.parse(row!.after_json!), CONTACT);
    assert.equal(row!.at, h.clock.now());

    h.clock.advance(60_000);
    const edited = await post(s, PAGE, { ...CONTACT, email: 'dpo@khanhhoa.gov.vn', phone: '0912 345 678', address: '' });
    assert.equal(edited.statusCode, 303);
    const second = (await auditRows())[1]!;
    assert.deepEqual(JSON.parse(second.before_json!), CONTACT);
    assert.deepEqual(JSON.parse(second.after_json!), { ...CONTACT, email: 'dpo@khanhhoa.gov.vn', phone: '0912 345 678', address: null });
    assert.doesNotMatch(await notice(), /Địa chỉ/, 'an empty address is left out');
  });

  test('English page; removing the contact goes back to the server default (audited)', async () => {
    const s = await login('quantri');
    const en = await h.app.inject({ method: 'GET', url: PAGE, headers: { cookie: `${s.cookie}; lang=en` } });
    assert.match(en.body, /<h1>Contact about personal data<\/h1>/);
    assert.match(en.body, /Organisation \(data controller\)/);
    const bad = await h.app.inject({
      method: 'POST',
      url: PAGE,
      headers: { ...FORM, cookie: `${s.cookie}; lang=en` },
      payload: new URLSearchParams({ _csrf: s.csrf, organisation: '', email: 'x' }).toString(),
    });
    assert.match(bad.body, /id="f-organisation-error">Enter the organisation responsible/);

    const reset = await post(s, PAGE, { intent: 'reset' });
    assert.equal(reset.statusCode, 303);
    assert.equal(reset.headers.location, `${PAGE}?ok=cleared`);
    assert.deepEqual(await stored(), []);
    assert.match(await notice(), /<p>Liên hệ: Văn phòng UBND tỉnh, dpo@tinh\.gov\.vn<\/p>/);
    const last = (await auditRows()).at(-1)!;
    assert.equal(JSON.parse(last.before_json!).email, 'dpo@khanhhoa.gov.vn');
    assert.equal(last.after_json, null);
  });
});

describe(`privacy contact through the API (${TEST_DB})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { MOTCUA_PRIVACY_CONTACT: ENV_DEFAULT } });
  });
  after(async () => h.close());
  const call = (method: 'GET' | 'PUT' | 'DELETE', payload?: object, headers = admin) =>
    h.app.inject({ method, url: '/api/v1/settings/privacy-contact', headers, ...(payload ? { payload } : {}) });

  test('GET, PUT (validated like the page), DELETE; admin only; audited', async () => {
    assert.deepEqual((await call('GET')).json(), { contact: null, defaultContact: ENV_DEFAULT });
    const bad = await call('PUT', { organisation: 'Sở TT&TT', email: 'không-phải-thư' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_SETTINGS');
    assert.equal(bad.json().error.field, 'email');
    assert.deepEqual(bad.json().error.details, { problems: { email: 'badEmail' } });
    assert.equal((await call('PUT', { organisation: 'x', email: 'a@b.vn', extra: 1 })).statusCode, 400);
    const oversight = (await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'oversight' } })).json()
      .token;
    assert.equal((await call('PUT', CONTACT, bearer(oversight))).statusCode, 403);
    assert.equal((await call('GET', undefined, bearer(oversight))).statusCode, 403);

    const put = await call('PUT', { ...CONTACT, address: null });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), { contact: { ...CONTACT, address: null } });
    assert.deepEqual((await call('GET')).json(), { contact: { ...CONTACT, address: null }, defaultContact: ENV_DEFAULT });
    assert.match((await h.app.inject({ method: 'GET', url: '/quyen-rieng-tu' })).body, /<a href="tel:02583822123">/);
    assert.deepEqual((await call('DELETE')).json(), { removed: true });
    assert.deepEqual((await call('DELETE')).json(), { removed: false });
    const rows = await h.ctx.db.kysely
      .selectFrom('web_audit')
      .selectAll()
      .where('action', '=', 'system.privacy_contact')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      rows.map((r) => [
        r.username,
        r.before_json === null ? null : JSON.parse(r.before_json).organisation,
        r.after_json === null ? null : JSON.parse(r.after_json).phone,
      ]),
      [
        ['api:admin', null, '0258 3822 123'],
        ['api:admin', CONTACT.organisation, null],
      ],
    );
  });
});

describe(`privacy notice without any contact (${TEST_DB})`, () => {
  test('neither settings nor MOTCUA_PRIVACY_CONTACT: the receiving agency', async () => {
    const h = await startHarness();
    try {
      const body = (await h.app.inject({ method: 'GET', url: '/quyen-rieng-tu' })).body;
      assert.match(body, /<p>Liên hệ: bộ phận một cửa của cơ quan đã tiếp nhận hồ sơ<\/p>/);
    } finally {
      await h.close();
    }
  });
});
