/**
 * /tra-cuu for citizens (issue 15 item 5): one status in Vietnamese, the next step for each of the eight
 * states in plain words, who is answering (province, agency, address, hotline from the agency's settings),
 * no on-time label for closed dossiers, and an English page without Vietnamese leftovers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

const CONTACT = { hotline: '0258 3822 123', address: 'Số 1 Trần Phú, Nha Trang', province: 'Khánh Hòa' };
const WHERE =
  'Bộ phận tiếp nhận và trả kết quả (Bộ phận một cửa) của Sở Tài chính, địa chỉ: Số 1 Trần Phú, Nha Trang, trong giờ làm việc: 07:00–11:30 và 13:30–17:00, các ngày làm việc';

type Event = { type: string; step?: string };
const STATES: ReadonlyArray<{ state: string; label: string; events: Event[]; old?: boolean; next: string[] }> = [
  {
    state: 'received',
    label: 'Đã tiếp nhận',
    events: [],
    next: ['Hồ sơ của bạn đã được tiếp nhận', 'Bạn chưa cần làm gì thêm.', 'bạn cần giấy này để tra cứu và để nhận kết quả'],
  },
  {
    state: 'in_progress',
    label: 'Đang giải quyết',
    events: [{ type: 'step', step: 'Thẩm định hồ sơ' }],
    next: ['Cơ quan đang giải quyết hồ sơ của bạn. Bạn chưa cần làm gì thêm.', 'khi cần bổ sung giấy tờ'],
  },
  {
    state: 'awaiting_supplement',
    label: 'Chờ bổ sung',
    events: [{ type: 'supplement_requested' }],
    next: [
      'Hồ sơ của bạn cần bổ sung giấy tờ.',
      'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
      'Mang các giấy tờ đó và Giấy tiếp nhận hồ sơ và hẹn trả kết quả.',
      `Nộp tại ${WHERE}.`,
      'Thời gian chờ bổ sung không tính vào thời hạn giải quyết',
    ],
  },
  {
    state: 'result_ready',
    label: 'Đã có kết quả',
    events: [{ type: 'result_ready' }],
    next: [
      `Đã có kết quả giải quyết hồ sơ của bạn. Mời bạn đến nhận tại ${WHERE}.`,
      'Mang theo Căn cước công dân (hoặc thẻ Căn cước, hộ chiếu) của người nộp hồ sơ.',
      'Muốn nhận kết quả qua bưu điện (dịch vụ bưu chính công ích)? Hãy đăng ký với Bộ phận một cửa hoặc gọi đường dây nóng',
    ],
  },
  {
    state: 'returned',
    label: 'Đã trả kết quả',
    events: [{ type: 'result_ready' }, { type: 'returned' }],
    next: ['Bạn đã nhận kết quả. Hồ sơ đã hoàn tất, bạn không cần làm gì thêm.'],
  },
  {
    state: 'refused',
    label: 'Không đủ điều kiện giải quyết',
    events: [{ type: 'refused' }],
    old: true,
    next: [
      'Hồ sơ không đủ điều kiện giải quyết. Lý do được ghi trong văn bản trả lời của cơ quan.',
      'Bạn có thể nhận lại hồ sơ đã nộp tại',
    ],
  },
  {
    state: 'withdrawn',
    label: 'Đã rút hồ sơ',
    events: [{ type: 'withdrawn' }],
    old: true,
    next: ['Hồ sơ đã được rút theo đề nghị của người nộp; cơ quan không tiếp tục giải quyết.'],
  },
  {
    state: 'stopped',
    label: 'Dừng xử lý',
    events: [{ type: 'stopped' }],
    old: true,
    next: ['Cơ quan đã dừng xử lý hồ sơ này.', 'Hãy liên hệ cơ quan theo thông tin bên dưới'],
  },
];

const codeOf = (state: string) => `000.00.15.H34-261123-${state.toUpperCase().replace('_', '')}`;
/** The visible text of an HTML fragment, whitespace collapsed. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .replace(/ ([.,:;)])/g, '$1')
    .trim();
const section = (html: string, testId: string) => {
  const found = new RegExp(`data-testid="${testId}">([\\s\\S]*?)</div>\\s*</section>`).exec(html);
  assert.ok(found, `no ${testId} in the page`);
  return text(found[1] ?? '');
};
const VIETNAMESE = /[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]/i;

describe(`/tra-cuu for citizens (${TEST_DB})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ now: '2026-11-24T09:00:00+07:00' });
    await seedBasics(h, { holdSeconds: 0, quietHours: null, ...CONTACT });
    for (const { state, events, old } of STATES) {
      const receiptCode = codeOf(state);
      // The closed ones were received long ago: open, they would read "Trễ hạn".
      const intake = intakeBody({ receiptCode, ...(old ? { receivedAt: '2026-11-02T08:00:00+07:00' } : {}) });
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intake });
      assert.equal(res.statusCode, 201, res.body);
      for (const event of events) {
        const ev = await h.app.inject({ method: 'POST', url: `/api/v1/dossiers/${receiptCode}/events`, headers: admin, payload: event });
        assert.equal(ev.statusCode, 200, ev.body);
      }
    }
  });
  after(async () => h.close());

  for (const { state, label, next, old } of STATES) {
    test(`${state}: one status in Vietnamese, the next step in plain words, who answers`, async () => {
      const res = await h.app.inject({
        method: 'GET',
        url: `/tra-cuu/${codeOf(state)}`,
        remoteAddress: `198.51.100.${STATES.findIndex((s) => s.state === state) + 10}`,
      });
      assert.equal(res.statusCode, 200, res.body);
      const html = res.body;
      assert.match(html, /<html lang="vi">/);
      assert.equal(html.match(/Tình trạng</g)?.length, 1, 'one status row');
      assert.doesNotMatch(html, /Trạng thái/);
      assert.match(html, new RegExp(`<span data-testid="state">${label}</span>`));
      // No inline English on the Vietnamese page: the only English is the link to the English page.
      assert.deepEqual(html.match(/\slang="en"/g), [' lang="en"']);
      assert.doesNotMatch(html, /\(Received\)|Awaiting|Result ready|In progress|Refused|Withdrawn|Stopped/);
      const nextStep = section(html, 'next-step');
      for (const sentence of next) assert.ok(nextStep.includes(sentence), `${state}: "${sentence}" in "${nextStep}"`);
      assert.ok(nextStep.includes('Cần hỏi thêm? Gọi đường dây nóng 0258 3822 123.'), nextStep);
      assert.match(html, /<a href="tel:02583822123">0258 3822 123<\/a>/);
      assert.match(html, /<dd data-testid="agency-name">Sở Tài chính<\/dd>/);
      assert.match(html, /<dd data-testid="agency-province">Khánh Hòa<\/dd>/);
      assert.match(html, /<dd data-testid="agency-address">Số 1 Trần Phú, Nha Trang<\/dd>/);
      if (old) {
        assert.doesNotMatch(html, /Đúng hạn|Trễ hạn/, 'a closed dossier is neither on time nor late');
        assert.doesNotMatch(html, /data-testid="status"|data-testid="due"/);
      } else {
        assert.match(html, /data-testid="status">Đúng hạn</);
        assert.match(html, /data-testid="due">/);
      }
      assert.ok(!html.includes('Nguyễn Văn A') && !html.includes('0912'), 'nothing about the applicant');
    });

    test(`${state}: the English page has no Vietnamese-only leftovers`, async () => {
      const res = await h.app.inject({
        method: 'GET',
        url: `/tra-cuu/${codeOf(state)}?lang=en`,
        remoteAddress: `198.51.100.${STATES.findIndex((s) => s.state === state) + 30}`,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, /<html lang="en">/);
      // Data people typed (step, agency, address) is marked lang="vi"; everything else must be English.
      const rest = text(res.body.replace(/<(span|a)\b[^>]*lang="vi"[^>]*>[\s\S]*?<\/\1>/g, ''));
      assert.doesNotMatch(rest, VIETNAMESE, rest.slice(rest.search(VIETNAMESE) - 40, rest.search(VIETNAMESE) + 40));
      if (old) assert.doesNotMatch(res.body, /On time|Late</);
      else assert.match(res.body, /data-testid="status">On time</);
      assert.ok(section(res.body, 'next-step').length > 40);
    });
  }

  test('the form keeps the English page: ?ma=…&lang=en redirects to the English result', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/tra-cuu?ma=${codeOf('received').toLowerCase()}&lang=en`,
      remoteAddress: '198.51.100.50',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/tra-cuu/${codeOf('received')}?lang=en`);
    const form = await h.app.inject({ method: 'GET', url: '/tra-cuu?lang=en', remoteAddress: '198.51.100.50' });
    assert.match(form.body, /<input type="hidden" name="lang" value="en">/);
    const rest = text(form.body.replace(/<(span|a)\b[^>]*lang="vi"[^>]*>[\s\S]*?<\/\1>/g, ''));
    assert.doesNotMatch(rest, VIETNAMESE);
  });

  test('agency settings: hotline, address and province are optional, validated and resolved', async () => {
    const bad = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STP',
      headers: admin,
      payload: { name: 'Sở Tư pháp', settings: { hotline: 'gọi tôi' } },
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.deepEqual([bad.json().error.code, bad.json().error.field], ['INVALID_SETTINGS', 'settings.hotline']);
    const agency = (await h.app.inject({ method: 'GET', url: '/api/v1/agencies/STC', headers: admin })).json();
    assert.deepEqual(
      [agency.settings?.hotline ?? agency.agency?.settings.hotline, agency.settings?.address ?? agency.agency?.settings.address],
      [CONTACT.hotline, CONTACT.address],
    );
    const put = await h.app.inject({ method: 'PUT', url: '/api/v1/agencies/NONE', headers: admin, payload: { name: 'Không có liên hệ' } });
    assert.equal(put.statusCode, 201, put.body);
    const none = (await h.app.inject({ method: 'GET', url: '/api/v1/agencies/NONE', headers: admin })).json();
    assert.equal(none.settings?.hotline ?? none.agency?.settings.hotline, null);
  });
});
