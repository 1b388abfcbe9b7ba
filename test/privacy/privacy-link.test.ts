/**
 * Issue 16 item 5: an agency may end its messages to citizens with a short link to the privacy notice.
 * Off by default (texts byte-identical); on, the SMS ends with the link and its segments and cost count
 * it; the paid look-up reply never carries it; /qrt redirects to the notice; the settings preview shows
 * it; switching it on is refused when a template of the agency would grow past the limit.
 * Expected texts and segment counts are written out by hand.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, bearer, startHarness, TEST_DB, type Harness, intakeDossier, resultReadyEvent } from '../support/harness.js';
import { PRICE, T, gsmSegments } from '../support/notifications.js';
import { seedWebAccounts, webSession } from '../support/web-session.js';

// http, so the test's web session keeps its plain cookies; https:// would be left out of the text (below).
const LINK = ' Quyen rieng tu: http://sms.khanhhoa.gov.vn/qrt';

describe(`privacy link in messages (${TEST_DB})`, () => {
  let h: Harness;
  const { login, post } = webSession(() => h);

  before(async () => {
    h = await startHarness({ env: { MOTCUA_PUBLIC_URL: 'http://sms.khanhhoa.gov.vn/' } });
    await seedWebAccounts(h);
  });
  after(async () => h.close());

  const putAgency = async (code: string, name: string, settings: Record<string, unknown>) => {
    const res = await h.app.inject({ method: 'PUT', url: `/api/v1/agencies/${code}`, headers: admin, payload: { name, settings } });
    return res;
  };
  const resultFor = async (receiptCode: string, agencyCode: string, procedureCode: string) => {
    await intakeDossier(h, { receiptCode, agencyCode, procedureCode });
    const notes = await resultReadyEvent(h, receiptCode);
    assert.equal(notes.length, 1);
    return notes[0]!;
  };

  test('off by default: the text is exactly the template; the agency API shows privacyLink false', async () => {
    const stc = (await h.app.inject({ method: 'GET', url: '/api/v1/agencies/STC', headers: admin })).json().agency;
    assert.equal(stc.settings.privacyLink, false);
    const code = '000.00.15.H34-261123-0001';
    const n = await resultFor(code, 'STC', '1.004227');
    const body = T.result(code, 'So Tai chinh');
    assert.deepEqual({ body: n.body, segments: n.segments, costVnd: n.costVnd }, { body, segments: 1, costVnd: PRICE });
  });

  test('on: the SMS ends with the short link; 142 characters become 189, two segments, twice the cost; other agencies unchanged', async () => {
    const on = await putAgency('STC', 'Sở Tài chính', { holdSeconds: 0, quietHours: null, privacyLink: true });
    assert.equal(on.statusCode, 200, on.body);
    const code = '000.00.15.H34-261123-0002';
    const n = await resultFor(code, 'STC', '1.004227');
    const body = `${T.result(code, 'So Tai chinh')}${LINK}`;
    assert.equal(T.result(code, 'So Tai chinh').length, 142);
    assert.equal(body.length, 189);
    assert.equal(gsmSegments(body), 2);
    assert.deepEqual(
      { channel: n.channel, body: n.body, segments: n.segments, costVnd: n.costVnd },
      { channel: 'sms', body, segments: 2, costVnd: 2 * PRICE },
    );

    const other = '000.00.15.H34-261123-0003';
    const stp = await resultFor(other, 'STP', '2.000488');
    assert.equal(stp.body, T.result(other, 'So Tu phap'), 'an agency without the option: byte-identical');
  });

  test('a look-up reply (paid, one segment) never carries the link', async () => {
    const gateway = (await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'gateway' } })).json()
      .token;
    const code = '000.00.15.H34-261123-0002';
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/sms',
      headers: bearer(gateway),
      payload: { from: '0987654321', to: '8083', text: `MCKH ${code}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().reply, `Ho so ${code} da co ket qua tai So Tai chinh, trang thai: Dung han.`);
    const sent = (await h.app.inject({ method: 'GET', url: '/api/v1/notifications?kind=lookup_reply&limit=1', headers: admin })).json();
    assert.equal(sent.items[0].body, `Ho so ${code} da co ket qua tai So Tai chinh, trang thai: Dung han.`);
    assert.equal(sent.items[0].segments, 1);
  });

  test('/qrt redirects to the notice', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/qrt' });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/quyen-rieng-tu');
    assert.equal((await h.app.inject({ method: 'GET', url: String(res.headers.location) })).statusCode, 200);
  });

  test('the settings preview shows the link and counts it; the option is saved from the templates section and audited', async () => {
    const s = await login('quantri');
    const template = 'Hồ sơ {Mã số biên nhận} đã có kết quả tại {Tên cơ quan}.';
    const withLink = (await post(s, '/cai-dat/xem-truoc', { kind: 'result_ready', agency: 'STC', template, encoding: 'ascii' })).json();
    assert.equal(withLink.ok, true);
    assert.match(
      withLink.html,
      /Ho so 000\.00\.15\.H34-\d{10}-00001 da co ket qua tai So Tai chinh\. Quyen rieng tu: http:\/\/sms\.khanhhoa\.gov\.vn\/qrt</,
    );
    assert.match(withLink.html, /115 ký tự · <strong>1 tin SMS/);
    const lookup = (
      await post(s, '/cai-dat/xem-truoc', { kind: 'lookup_reply', agency: 'STC', template: 'Hồ sơ {Mã số biên nhận}.', encoding: 'ascii' })
    ).json();
    assert.doesNotMatch(lookup.html, /Quyen rieng tu/, 'look-up replies never carry it');
    const without = (await post(s, '/cai-dat/xem-truoc', { kind: 'result_ready', agency: 'STP', template, encoding: 'ascii' })).json();
    assert.doesNotMatch(without.html, /Quyen rieng tu/);
    assert.match(without.html, /66 ký tự · <strong>1 tin SMS/);

    const page = await h.app.inject({ method: 'GET', url: '/cai-dat?agency=STP', headers: { cookie: s.cookie } });
    assert.match(page.body, /name="privacyLink" value="on" aria-describedby/, 'unchecked by default');
    assert.match(page.body, /kết thúc bằng “Quyền riêng tư: http:\/\/sms\.khanhhoa\.gov\.vn\/qrt”/);
    const saved = await post(s, '/cai-dat/STP/lien-ket-quyen-rieng-tu', { privacyLink: 'on' });
    assert.equal(saved.statusCode, 303, saved.body.replace(/[\s\S]*<main[^>]*>/, '').slice(0, 1500));
    assert.equal((await h.ctx.agencies.get('STP'))!.settings.privacyLink, true);
    const row = await h.ctx.db.kysely
      .selectFrom('web_audit')
      .selectAll()
      .where('action', '=', 'agency.settings')
      .where('entity_id', '=', 'STP')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(row.username, 'quantri');
    assert.equal(JSON.parse(row.before_json!).settings.privacyLink, undefined);
    assert.equal(JSON.parse(row.after_json!).settings.privacyLink, true);
    assert.equal(JSON.parse(row.after_json!).settings.holdSeconds, 0, 'the other settings are kept');
    const off = await post(s, '/cai-dat/STP/lien-ket-quyen-rieng-tu', {});
    assert.equal(off.statusCode, 303);
    assert.equal((await h.ctx.agencies.get('STP'))!.settings.privacyLink, false);
  });

  test('switching it on is refused when a custom template would then pass 3 segments; the API refuses such a template too', async () => {
    // 420 folded characters with the sample code: 3 segments alone (≤ 459), 4 with the 47-character link.
    const long = `Hồ sơ {Mã số biên nhận}: ${'x'.repeat(383)}`;
    const put = await putAgency('STP', 'Sở Tư pháp', { holdSeconds: 0, quietHours: null, templates: { refused: long } });
    assert.equal(put.statusCode, 200, put.body);
    const s = await login('quantri');
    const refused = await post(s, '/cai-dat/STP/lien-ket-quyen-rieng-tu', { privacyLink: 'on' });
    assert.equal(refused.statusCode, 400);
    assert.match(
      refused.body,
      /id="f-privacyLink-error">Không đủ điều kiện giải quyết: Tin nhắn mẫu dài 4 tin SMS \(468 ký tự\), vượt giới hạn 3 tin SMS, kể cả liên kết quyền riêng tư ở cuối tin\./,
    );
    assert.equal((await h.ctx.agencies.get('STP'))!.settings.privacyLink, false, 'nothing changed');
    const api = await putAgency('STP', 'Sở Tư pháp', { holdSeconds: 0, quietHours: null, templates: { refused: long }, privacyLink: true });
    assert.equal(api.statusCode, 400);
    assert.equal(api.json().error.code, 'TEMPLATE_TOO_LONG');
  });
});

describe('privacy link text', () => {
  test('https:// is left out (phones link a bare domain), another scheme stays; every default template still fits 3 segments with it', async () => {
    const { privacyLinkText, templateProblem } = await import('../../src/messages/plan/notification.templates.js');
    const { DEFAULT_TEMPLATES, TEMPLATE_KINDS } = await import('../../src/messages/catalogue.js');
    assert.equal(privacyLinkText('https://sms.khanhhoa.gov.vn/'), ' Quyền riêng tư: sms.khanhhoa.gov.vn/qrt');
    assert.equal(privacyLinkText('http://localhost:3000'), ' Quyền riêng tư: http://localhost:3000/qrt');
    const link = privacyLinkText(`https://${'a'.repeat(40)}.gov.vn`);
    for (const kind of TEMPLATE_KINDS) assert.equal(templateProblem(kind, DEFAULT_TEMPLATES[kind], 'ascii', link), null, kind);
  });
});
