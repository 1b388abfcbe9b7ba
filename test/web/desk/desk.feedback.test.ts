/**
 * The desk closes the loop (issue 15 item 1): after every action the clerk reads which message goes, to
 * which number and when — or why none goes and what to do. Landlines are taken with a warning; an undo
 * shows as "Hoàn tác" in the history; a cancelled message never "sends" and costs nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

const PASSWORD = 'mot-khau-du-dai-2026';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

interface Session {
  cookie: string;
  csrf: string;
}

function setCookies(res: { headers: Record<string, unknown> }): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  return Object.fromEntries(list.map((c: string) => c.split(';')[0]!.split('=') as [string, string]));
}

const csrfIn = (body: string) => /name="_csrf" value="([^"]*)"/.exec(body)?.[1] ?? '';

async function login(h: Harness, username: string): Promise<Session> {
  const page = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
  const pre = setCookies(page).mcs_login!;
  const res = await h.app.inject({
    method: 'POST',
    url: '/dang-nhap',
    headers: { ...FORM, cookie: `mcs_login=${pre}` },
    payload: new URLSearchParams({ _csrf: csrfIn(page.body), username, password: PASSWORD }).toString(),
  });
  assert.equal(res.statusCode, 303, res.body);
  const cookie = `mcs_session=${setCookies(res).mcs_session}`;
  const home = await h.app.inject({ method: 'GET', url: '/mot-cua', headers: { cookie } });
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(home.body)![1]! };
}

/** The feedback lines of a page, as text. */
const feedbackOf = (body: string) => [...body.matchAll(/<p data-testid="feedback">([^<]*)<\/p>/g)].map((m) => m[1] ?? '');

describe(`desk feedback after each action (${TEST_DB})`, () => {
  let h: Harness;
  let clerk: Session;
  let n = 0;

  const post = (url: string, fields: Record<string, string>) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie: clerk.cookie },
      payload: new URLSearchParams({ _csrf: clerk.csrf, ...fields }).toString(),
    });
  const get = (url: string) => h.app.inject({ method: 'GET', url, headers: { cookie: clerk.cookie } });
  /** Follows a 303 and returns the page it leads to. */
  const follow = async (res: { statusCode: number; headers: Record<string, unknown>; body: string }) => {
    assert.equal(res.statusCode, 303, res.body);
    return get(String(res.headers.location));
  };
  const intake = async (fields: Record<string, string>) => {
    const code = `STC-261123-${String(++n).padStart(4, '0')}`;
    const res = await post('/mot-cua/tiep-nhan', {
      agencyCode: 'STC',
      receiptCode: code,
      procedureCode: '1.004227',
      applicantName: 'Nguyễn Văn An',
      phone: '0912 345 678',
      email: '',
      returnMethod: 'counter',
      submittedVia: 'counter',
      ...fields,
    });
    return { code, page: await follow(res) };
  };
  const act = async (code: string, action: string, extra: Record<string, string> = {}) => {
    const version = /name="version" value="(\d+)"/.exec((await get(`/mot-cua/ho-so/${code}`)).body)![1]!;
    return follow(await post(`/mot-cua/ho-so/${code}/su-kien`, { action, version, ...extra }));
  };

  before(async () => {
    h = await startHarness();
    await seedBasics(h, { holdSeconds: 120, quietHours: null });
    await h.ctx.accounts.create({
      username: 'stc-motcua',
      displayName: 'Lê Thị Mai',
      role: 'clerk',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    clerk = await login(h, 'stc-motcua');
  });
  after(async () => h.close());

  test('result ready: the SMS, its number, its time and the undo deadline are stated', async () => {
    const { code, page } = await intake({});
    assert.deepEqual(feedbackOf(page.body), [
      'Hồ sơ nộp trực tiếp: không gửi tin nhắn tiếp nhận, người nộp đã nhận giấy tiếp nhận và hẹn trả kết quả.',
    ]);
    const done = await act(code, 'result_ready', { returnMethod: 'counter' });
    assert.deepEqual(feedbackOf(done.body), [
      'Tin nhắn SMS “Có kết quả” sẽ được gửi đến số 0912 345 678 lúc 09:02 23/11/2026.',
      'Nếu bấm nhầm, có thể hoàn tác trước 09:02 23/11/2026.',
    ]);
    assert.match(done.body, /class="flash success"/);
    assert.match(done.body, /<td data-testid="when">09:02 23\/11\/2026 \(dự kiến\)<\/td>/);
  });

  test('undo: a "Hoàn tác" entry in the history, the cancelled SMS never "sent" and costs nothing in /ho-so', async () => {
    const { code } = await intake({});
    await act(code, 'step', { step: 'Thẩm định hồ sơ' });
    await act(code, 'result_ready', { returnMethod: 'counter' });
    h.clock.advance(10_000);
    const undone = await follow(await post(`/mot-cua/ho-so/${code}/hoan-tac`, { seq: '2' }));
    assert.match(undone.body, /Đã hoàn tác/);
    assert.match(undone.body, /— Hoàn tác “Có kết quả” → Đang giải quyết \(Thẩm định hồ sơ\)<\/li>/);
    assert.match(
      undone.body,
      /data-status="cancelled"><td>Có kết quả <span class="hint">\(SMS\)<\/span><\/td><td>Đã huỷ <span class="hint">\(do hoàn tác\)<\/span><\/td><td data-testid="when">Không gửi<\/td>/,
    );
    assert.doesNotMatch(undone.body, /data-testid="hold"/);
    assert.match(undone.body, new RegExp(`<a href="/ho-so/${code}" data-testid="timeline-link">`), 'the desk links to the timeline');
    const oversight = await get(`/ho-so/${code}`);
    assert.equal(oversight.statusCode, 200);
    assert.match(oversight.body, new RegExp(`<a href="/mot-cua/ho-so/${code}" data-testid="desk-link">`), 'and back');
    assert.match(oversight.body, /0\s₫ \(không tính phí: tin không được gửi\)/);
    assert.doesNotMatch(oversight.body, /750/);
    assert.match(oversight.body, /Huỷ do hoàn tác thao tác/);
    const log = await get(`/tin-nhan?status=cancelled&q=${code}`);
    assert.equal(log.statusCode, 200);
    assert.match(
      log.body,
      /data-status="cancelled">[\s\S]*?<td class="num">0\s₫<\/td>\s*<\/tr>/,
      'the message log does not charge it either',
    );
    assert.match(log.body, /<td>0912 345 678<\/td>/, 'numbers in the national format');
  });

  test('a same-day procedure: the hint and the feedback say no SMS goes, and what to do', async () => {
    const { code } = await intake({ procedureCode: 'SAME-DAY' });
    const page = await get(`/mot-cua/ho-so/${code}`);
    assert.match(page.body, /Thủ tục giải quyết trong ngày: không gửi tin nhắn tự động\./);
    assert.doesNotMatch(page.body, /Người nộp nhận tin nhắn/);
    const done = await act(code, 'supplement_requested');
    assert.deepEqual(feedbackOf(done.body), [
      'Không gửi tin nhắn: thủ tục giải quyết trong ngày, cơ quan không gửi tin nhắn tự động cho thủ tục trong ngày (Cài đặt cơ quan).',
      'Gọi điện cho người nộp: 0912 345 678.',
    ]);
    assert.match(done.body, /class="flash error"/);
    assert.equal(
      (
        await h.ctx.db.kysely
          .selectFrom('notifications')
          .innerJoin('dossiers', 'dossiers.id', 'notifications.dossier_id')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('dossiers.receipt_key', '=', code)
          .executeTakeFirstOrThrow()
      ).n,
      0,
    );
  });

  test('no phone: the result cannot be sent, and the clerk is told to tell the applicant another way', async () => {
    const { code, page } = await intake({ phone: '', noPhone: 'on' });
    assert.ok(feedbackOf(page.body).some((line) => line.startsWith('Hồ sơ không có số di động nhận được SMS')));
    const done = await act(code, 'result_ready', { returnMethod: 'counter' });
    assert.deepEqual(feedbackOf(done.body), [
      'Không gửi được tin nhắn “Có kết quả”: hồ sơ không có số điện thoại.',
      'Hãy báo cho người nộp bằng cách khác (trực tiếp tại Bộ phận Một cửa hoặc gửi thư).',
    ]);
    assert.doesNotMatch(done.body, /no_phone/);
  });

  test('a landline is taken with a warning; the result says to call it; with an e-mail the result goes by e-mail', async () => {
    const check = (
      await h.app.inject({ method: 'GET', url: '/mot-cua/kiem-tra-so?phone=0258%203822%20123', headers: { cookie: clerk.cookie } })
    ).json();
    assert.equal(check.ok, false);
    assert.equal(check.accepted, true);
    assert.match(check.message, /Vẫn tiếp nhận được hồ sơ\. Nếu người nộp có thư điện tử/);

    const { code, page } = await intake({ phone: '0258 3822 123' });
    assert.equal(page.statusCode, 200);
    const lines = feedbackOf(page.body);
    assert.equal(lines.length, 2);
    assert.match(
      lines[1]!,
      /^Số 0258 3822 123: .*máy bàn.*Người nộp sẽ không nhận được tin nhắn SMS\. Gọi điện cho người nộp: 0258 3822 123\.$/,
    );
    const done = await act(code, 'result_ready', { returnMethod: 'counter' });
    assert.deepEqual(feedbackOf(done.body), [
      'Không gửi được tin nhắn “Có kết quả”: 0258 3822 123 là số máy bàn, không nhận được SMS.',
      'Gọi điện cho người nộp: 0258 3822 123.',
    ]);

    const withEmail = await intake({ phone: '0258 3822 123', email: 'an@example.vn' });
    const mailed = await act(withEmail.code, 'result_ready', { returnMethod: 'counter' });
    assert.deepEqual(feedbackOf(mailed.body), [
      'Thư điện tử “Có kết quả” sẽ được gửi đến an@example.vn lúc 09:02 23/11/2026.',
      'Nếu bấm nhầm, có thể hoàn tác trước 09:02 23/11/2026.',
    ]);
  });

  test('an online intake with that message switched off says so; moving a step says it sends nothing', async () => {
    const { code, page } = await intake({ submittedVia: 'online' });
    assert.deepEqual(feedbackOf(page.body), [
      'Không gửi tin nhắn: cơ quan đã tắt tin nhắn “Tiếp nhận trực tuyến” (Cài đặt cơ quan).',
      'Gọi điện cho người nộp: 0912 345 678.',
    ]);
    const moved = await act(code, 'step', { step: 'Thẩm định hồ sơ' });
    assert.deepEqual(feedbackOf(moved.body), ['Thao tác này không gửi tin nhắn cho người nộp.']);
  });
});
