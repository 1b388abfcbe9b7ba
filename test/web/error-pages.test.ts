/**
 * Errors the GOV.UK way (issue 15 item 2): a summary at the top linking to each field, "Lỗi: " before the
 * title, one specific message per field shown once beside it; unknown addresses and a busy /tra-cuu are
 * HTML pages in the site's layout, with "thử lại sau … phút".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';
import { PASSWORD, webSession, type Session } from '../support/web-session.js';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

const titleOf = (body: string) => /<title>([^<]*)<\/title>/.exec(body)?.[1] ?? '';
const summaryOf = (body: string) =>
  [...(/<div class="error-summary"[^>]*>([\s\S]*?)<\/div>/.exec(body)?.[1] ?? '').matchAll(/<li>(?:<a href="#([^"]+)">)?([^<]*)/g)].map(
    (m) => [m[1] ?? null, m[2] ?? ''] as const,
  );
const occurrences = (body: string, text: string) => body.split(text).length - 1;

describe(`error summaries and error pages (${TEST_DB})`, () => {
  let h: Harness;
  let session: Session;
  let cookie = '';
  const web = webSession(() => h);
  const post = (url: string, fields: Record<string, string>) => web.post(session, url, fields);

  before(async () => {
    h = await startHarness({ env: { MOTCUA_WEB_LOOKUP_RATE_LIMIT: '2' } });
    await seedBasics(h, { holdSeconds: 120, quietHours: null });
    await h.ctx.accounts.create({
      username: 'stc-quantri',
      displayName: 'Trần Văn Quản',
      role: 'agency_admin',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    session = await web.login('stc-quantri');
    cookie = session.cookie;
  });
  after(async () => h.close());

  test('an empty intake: summary with a link per field, "Lỗi: " title, specific messages each beside its field once', async () => {
    const res = await post('/mot-cua/tiep-nhan', { agencyCode: 'STC', receiptCode: '', procedureCode: '', applicantName: '', phone: '' });
    assert.equal(res.statusCode, 400);
    assert.equal(titleOf(res.body), 'Lỗi: Bộ phận Một cửa – MotcuaSMS');
    const summary = summaryOf(res.body);
    assert.deepEqual(
      summary.map(([id]) => id),
      ['f-receiptCode', 'f-procedureCode', 'f-applicantName', 'f-phone'],
    );
    assert.deepEqual(
      summary.slice(0, 3).map(([, text]) => text),
      ['Nhập mã số biên nhận', 'Chọn thủ tục hành chính', 'Nhập họ tên người nộp'],
    );
    assert.match(res.body, /<p class="error" id="f-applicantName-error">Nhập họ tên người nộp<\/p>/);
    assert.equal(occurrences(res.body, 'Nhập họ tên người nộp'), 2, 'once in the summary, once beside the field');
    assert.doesNotMatch(res.body, /Trường này không được để trống/);
    // The page without errors has neither the summary nor the prefix.
    const fine = await h.app.inject({ method: 'GET', url: '/mot-cua', headers: { cookie } });
    assert.equal(titleOf(fine.body), 'Bộ phận Một cửa – MotcuaSMS');
    assert.doesNotMatch(fine.body, /error-summary"/);
  });

  test('a desk action without its confirmation: the summary links to the checkbox', async () => {
    const res = await post('/mot-cua/tiep-nhan', {
      agencyCode: 'STC',
      receiptCode: 'STC-261123-0009',
      procedureCode: '1.004227',
      applicantName: 'Nguyễn Văn An',
      phone: '0912 345 678',
    });
    assert.equal(res.statusCode, 303);
    const refused = await post('/mot-cua/ho-so/STC-261123-0009/su-kien', { action: 'refused', version: '0' });
    assert.equal(refused.statusCode, 400);
    assert.equal(titleOf(refused.body), 'Lỗi: Hồ sơ STC-261123-0009 – MotcuaSMS');
    assert.deepEqual(summaryOf(refused.body), [['confirm-refused', 'Cần đánh dấu xác nhận trước khi thực hiện thao tác này.']]);
    const step = await post('/mot-cua/ho-so/STC-261123-0009/su-kien', { action: 'step', version: '0', step: '' });
    assert.deepEqual(summaryOf(step.body), [['f-step', 'Nhập tên bước xử lý']]);
  });

  test('quiet hours "25:00" and a template with {Ma so}: summary at the top, each message shown once beside its field', async () => {
    const quiet = await post('/cai-dat/STC/chung', {
      name: 'Sở Tài chính',
      holdSeconds: '120',
      quietOn: 'on',
      quietStart: '25:00',
      quietEnd: '07:00',
      overdueWarningHours: '4',
      resultStepName: 'Trả kết quả',
      officeHours: '07:30-11:30,13:30-17:00',
      smsEncoding: 'ascii',
      supplementRule: 'pause',
    });
    assert.equal(quiet.statusCode, 400);
    assert.match(titleOf(quiet.body), /^Lỗi: /);
    assert.deepEqual(summaryOf(quiet.body), [['f-quietStart', 'Giờ bắt đầu không gửi tin phải có dạng HH:MM, ví dụ 21:00']]);
    assert.equal(occurrences(quiet.body, 'Giờ bắt đầu không gửi tin phải có dạng HH:MM'), 2);
    assert.ok(quiet.body.indexOf('error-summary') < quiet.body.indexOf('<h1>'), 'the summary comes before the page heading');

    const template = await post('/cai-dat/STC/mau-tin', { kind: 'result_ready', intent: 'save', template: 'Ho so {Ma so} da co ket qua.' });
    assert.equal(template.statusCode, 400);
    const [[id, message]] = summaryOf(template.body) as [[string, string]];
    assert.equal(id, 'tpl-result_ready');
    assert.match(message, /\{Ma so\}/);
    assert.equal(occurrences(template.body, message), 2, 'summary and field: not a third time in the preview');
  });

  test('unknown addresses: an HTML page in the layout for browsers (public and staff), JSON for the API', async () => {
    const publicPage = await h.app.inject({ method: 'GET', url: '/khong-co-trang-nay', headers: HTML });
    assert.equal(publicPage.statusCode, 404);
    assert.match(String(publicPage.headers['content-type']), /text\/html/);
    assert.equal(titleOf(publicPage.body), 'Không tìm thấy trang – MotcuaSMS');
    assert.match(publicPage.body, /<header class="site-header">/);
    assert.doesNotMatch(publicPage.body, /"error"/);

    const staffPage = await h.app.inject({ method: 'GET', url: '/mot-cua/khong-co', headers: { ...HTML, cookie } });
    assert.equal(staffPage.statusCode, 404);
    assert.match(staffPage.body, /<nav class="site-nav"/, 'a signed-in user keeps the navigation');
    const missingDossier = await h.app.inject({ method: 'GET', url: '/mot-cua/ho-so/KHONG-CO', headers: { ...HTML, cookie } });
    assert.equal(missingDossier.statusCode, 404);
    assert.match(String(missingDossier.headers['content-type']), /text\/html/);

    const api = await h.app.inject({ method: 'GET', url: '/api/v1/khong-co', headers: HTML });
    assert.equal(api.statusCode, 404);
    assert.equal(api.json().error.code, 'NOT_FOUND');
    const client = await h.app.inject({ method: 'GET', url: '/khong-co-trang-nay' });
    assert.equal(client.json().error.code, 'NOT_FOUND', 'a client that does not ask for HTML keeps the JSON');
  });

  test('a busy /tra-cuu: an HTML page that says in how many minutes to try again', async () => {
    const code = '000.00.15.H34-261123-0001';
    assert.equal(
      (await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: code }) }))
        .statusCode,
      201,
    );
    const look = () => h.app.inject({ method: 'GET', url: `/tra-cuu/${code}`, headers: HTML, remoteAddress: '203.0.113.50' });
    assert.equal((await look()).statusCode, 200);
    assert.equal((await look()).statusCode, 200);
    const busy = await look();
    assert.equal(busy.statusCode, 429);
    assert.match(String(busy.headers['content-type']), /text\/html/);
    assert.match(busy.body, /thử lại sau <strong data-testid="retry-minutes">1 phút<\/strong>/);
    assert.match(busy.body, /quán cà phê/);
    assert.equal(busy.headers['retry-after'], '60');
  });
});
