/**
 * Every page as each role sees it (issue 15 items 6 and 3), in Debian's Chromium: the demo data, then
 * a few real actions so that every kind of row exists (an agency's settings changed, a held message
 * cancelled, a login lock, a token, a web and a simulated look-up). Each page's visible text must
 * carry no internal code (snake_case, camelCase, `agency.settings`) and no untranslated English
 * (test/support/screen-text.ts); each page is saved at 1366×768 and 375×812 in test-results/screens/.
 * The pages come from the app's own route table: a new page that this test does not visit fails it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertBrowserInstalled, browserSkipReason, launchChromium, listen, logIn, newBrowserPage } from '../support/browser.js';
import { admin, startHarness, TEST_DB, type Harness } from '../support/harness.js';
import { screenProblems, type ScreenProblem } from '../support/screen-text.js';
import { DEMO_PASSWORD } from '../../src/main/demo/demo.accounts.js';
import { loadDemoData } from '../../src/main/demo/demo.data.js';

const SCREENS = fileURLToPath(new URL('../../test-results/screens/', import.meta.url));
const NOW = '2026-11-23T10:30:00+07:00';
const HELD = '000.00.05.H34-261123-0901';
const CANCELLED = '000.00.05.H34-261123-0902';
const SAME_DAY = '000.00.05.H34-261123-0903';
const NOTIFIED = '000.00.05.H34-261123-0904';
const SIM_PHONE = '0912 345 680';
const TOKEN_LABEL = 'Phần mềm một cửa STP';

type Role = 'public' | 'admin' | 'oversight' | 'agency_admin' | 'clerk';
const USERS: Record<Exclude<Role, 'public'>, string> = {
  admin: 'admin',
  oversight: 'giamsat',
  agency_admin: 'stp-quantri',
  clerk: 'stp-motcua',
};

/** GET routes that are not pages a person reads (assets, exports, machine endpoints, redirects). */
const NOT_PAGES = [
  /^\/api\//,
  /^\/docs/,
  /^\/receipts\//,
  /^\/(livez|readyz|healthz)$/,
  /^\/static\//,
  /\.(css|js|csv|xlsx)$/,
  /^\/$/, // redirects to the login or the user's home
  /^\/ngon-ngu$/, // switches the language, then redirects
  /^\/mot-cua\/kiem-tra-so$/, // the live phone check's JSON
];

/** The GET routes of the app, from Fastify's route tree. */
function getRoutes(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)(?:[├└]── )?(\S.*?) \(GET\)$/.exec(line.replace(/\u00a0/g, ' '));
    if (!m) continue;
    const depth = Math.floor([...m[1]!].length / 4);
    stack.length = depth;
    const path = (depth > 0 ? stack[depth - 1]! : '') + m[2]!;
    stack[depth] = path;
    out.push(path);
  }
  return out;
}

interface Visit {
  route: string;
  url: string;
  roles: readonly Role[];
  /** Shown on purpose: what a person typed or a code the page is about. */
  exempt?: readonly string[];
}

describe(`every page as each role: no internal codes, screenshots (${TEST_DB})`, { timeout: 600_000 }, () => {
  let h: Harness | undefined;
  let browser: Browser | undefined;
  let baseUrl = '';
  let visits: Visit[] = [];

  const api = async (method: 'PUT' | 'POST', url: string, payload: object) => {
    const res = await h!.app.inject({ method, url, headers: admin, payload });
    assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
    return res;
  };

  /** Fills the fields of the form posting to `action` and submits it like a person would. */
  const submit = async (page: Page, action: string, fields: Record<string, string>, button?: string) => {
    const form = page.locator(`form[method="post"][action="${action}"]`).first();
    for (const [name, value] of Object.entries(fields)) {
      const field = form.locator(`[name="${name}"]`).first();
      const tag = await field.evaluate((el) => el.tagName);
      if (tag === 'SELECT') await field.selectOption(value);
      else await field.fill(value);
    }
    await Promise.all([
      page.waitForEvent('load'),
      (button ? form.getByRole('button', { name: button }) : form.locator('button[type="submit"]').first()).click(),
    ]);
  };

  before(async () => {
    if (browserSkipReason) return;
    assertBrowserInstalled();
    mkdirSync(SCREENS, { recursive: true });
    h = await startHarness({ now: NOW });
    await loadDemoData(h.ctx, 40);
    // A result SMS delivered to the number the phone simulator will use (held 2 minutes, then sent).
    await api('POST', '/api/v1/dossiers', {
      receiptCode: NOTIFIED,
      agencyCode: 'STP',
      procedureCode: '2.000488',
      applicant: { name: 'Đỗ Thị Nhận', phone: SIM_PHONE },
      receivedAt: '2026-11-23T08:15:00+07:00',
    });
    await api('POST', `/api/v1/dossiers/${NOTIFIED}/events`, { type: 'result_ready' });
    h.clock.advance(3 * 60_000);
    await h.ctx.dispatcher.runOnce();
    baseUrl = await listen(h);
    browser = await launchChromium();

    // Real actions through the screens, so that the audit log, the message log and the settings hold every kind of row.
    const { context, page } = await newBrowserPage(browser, { width: 1366 });
    try {
      await page.goto(`${baseUrl}/dang-nhap`);
      await page.getByLabel('Tên đăng nhập').fill('stp-motcua');
      await page.getByLabel('Mật khẩu').fill('sai-mat-khau-1');
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Đăng nhập' }).click()]);
      await logIn(page, baseUrl, 'admin', DEMO_PASSWORD);
      await page.goto(`${baseUrl}/cai-dat?agency=STP`);
      await submit(page, '/cai-dat/STP/chung', { holdSeconds: '600', hotline: '0258 3822 999', address: '16 Lê Thánh Tôn, Nha Trang' });
      await page.goto(`${baseUrl}/cai-dat/lich?year=2026`);
      await submit(page, '/cai-dat/lich', { date: '2026-12-24', kind: 'holiday', name: 'Nghỉ bù' });
      await page.goto(`${baseUrl}/cai-dat/ma-truy-cap`);
      await submit(page, '/cai-dat/ma-truy-cap', { role: 'agency', agencyCode: 'STP', label: TOKEN_LABEL });
      await page.goto(`${baseUrl}/gia-lap`);
      await submit(page, '/gia-lap', {});
    } finally {
      await context.close();
    }
    const intake = (receiptCode: string, procedureCode: string, name: string) =>
      api('POST', '/api/v1/dossiers', {
        receiptCode,
        agencyCode: 'STP',
        procedureCode,
        applicant: { name, phone: '0912 345 679' },
        receivedAt: '2026-11-23T08:15:00+07:00',
      });
    await intake(HELD, '2.000488', 'Trần Thị Bình');
    await api('POST', `/api/v1/dossiers/${HELD}/events`, { type: 'result_ready' });
    await intake(CANCELLED, '2.000488', 'Lê Văn Huỷ');
    await api('POST', `/api/v1/dossiers/${CANCELLED}/events`, { type: 'result_ready' });
    await api('POST', `/api/v1/dossiers/${CANCELLED}/events`, { type: 'returned' });
    await intake(SAME_DAY, '2.000815', 'Phạm Thị Trong Ngày');
    await h.app.inject({ method: 'GET', url: `/tra-cuu/${HELD}` });

    const userId = (await h.ctx.accounts.findByUsername('stp-motcua'))!.id;
    const dossier = `/ho-so/${HELD}`;
    const staff: Role[] = ['admin', 'oversight', 'agency_admin', 'clerk'];
    const desk: Role[] = ['admin', 'agency_admin', 'clerk'];
    const settings: Role[] = ['admin', 'agency_admin'];
    const adminOnly: Role[] = ['admin'];
    const all: Role[] = ['public', ...staff];
    visits = [
      { route: '/dang-nhap', url: '/dang-nhap', roles: ['public'] },
      { route: '/tra-cuu', url: '/tra-cuu', roles: ['public'] },
      { route: '/tra-cuu/:code', url: `/tra-cuu/${HELD}`, roles: ['public'] },
      { route: '/tra-cuu/:code', url: `/tra-cuu/${SAME_DAY}`, roles: ['public'] },
      { route: '/tra-cuu/:code', url: '/tra-cuu/000.00.05.H34-261123-9999', roles: ['public'] },
      { route: '/quyen-rieng-tu', url: '/quyen-rieng-tu', roles: ['public'] },
      { route: '/qrt', url: '/qrt', roles: ['public'] },
      { route: '404', url: '/trang-khong-co', roles: all },
      { route: '/giam-sat', url: '/giam-sat?preset=this-month', roles: staff },
      { route: '/ho-so', url: '/ho-so', roles: staff },
      { route: '/ho-so', url: '/ho-so?q=0912345679', roles: staff, exempt: ['0912345679'] },
      { route: '/ho-so/:code', url: dossier, roles: staff },
      { route: '/ho-so/:code', url: `/ho-so/${CANCELLED}`, roles: staff },
      { route: '/tin-nhan', url: '/tin-nhan', roles: staff },
      { route: '/gia-lap', url: '/gia-lap', roles: staff },
      { route: '/mot-cua', url: '/mot-cua', roles: [...desk, 'oversight'] },
      { route: '/mot-cua', url: '/mot-cua?hang=tre-han', roles: desk },
      { route: '/mot-cua/ho-so/:code', url: `/mot-cua/ho-so/${HELD}`, roles: desk },
      { route: '/mot-cua/ho-so/:code', url: `/mot-cua/ho-so/${SAME_DAY}`, roles: desk },
      { route: '/cai-dat', url: '/cai-dat?agency=STP', roles: [...settings, 'clerk'] },
      { route: '/cai-dat/lich', url: '/cai-dat/lich?year=2026', roles: settings },
      { route: '/cai-dat/nha-cung-cap', url: '/cai-dat/nha-cung-cap', roles: settings },
      { route: '/cai-dat/ma-truy-cap', url: '/cai-dat/ma-truy-cap', roles: adminOnly, exempt: [TOKEN_LABEL] },
      { route: '/cai-dat/quyen-rieng-tu', url: '/cai-dat/quyen-rieng-tu', roles: adminOnly },
      { route: '/tai-khoan', url: '/tai-khoan', roles: adminOnly },
      { route: '/tai-khoan/:id', url: `/tai-khoan/${userId}`, roles: adminOnly },
      { route: '/tai-khoan/khoa-dang-nhap', url: '/tai-khoan/khoa-dang-nhap', roles: adminOnly },
      { route: '/nhat-ky', url: '/nhat-ky', roles: adminOnly, exempt: [TOKEN_LABEL] },
      // what a role may not open: the refusal page
      { route: '403', url: '/nhat-ky', roles: ['oversight', 'agency_admin', 'clerk'] },
      { route: '403', url: '/cai-dat/lich', roles: ['oversight', 'clerk'] },
      { route: 'login', url: '/giam-sat', roles: ['public'] },
    ];
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await h?.close();
    }
  });

  test('the visits cover every page the app serves', (t) => {
    if (browserSkipReason) return t.skip(browserSkipReason);
    const pages = getRoutes(h!.app.printRoutes({ method: 'GET', commonPrefix: false })).filter((r) => !NOT_PAGES.some((re) => re.test(r)));
    assert.ok(pages.length > 15, `found ${pages.length} pages`);
    const visited = new Set(visits.map((v) => v.route));
    assert.deepEqual(
      pages.filter((p) => !visited.has(p)),
      [],
      'pages no visit covers',
    );
  });

  const usernames = Object.values(USERS);
  const fileName = (role: Role, url: string, size: string) =>
    `${role}_${
      url
        .replace(/^\//, '')
        .replace(/[^a-zA-Z0-9.-]+/g, '-')
        .replace(/-+$/, '') || 'home'
    }_${size}.png`;

  for (const role of ['public', 'admin', 'oversight', 'agency_admin', 'clerk'] as const) {
    test(`${role}: every page reads in Vietnamese without internal codes; screenshots at 1366×768 and 375×812`, async (t) => {
      if (browserSkipReason) return t.skip(browserSkipReason);
      const open = async (size: 'desktop' | 'phone'): Promise<{ context: BrowserContext; page: Page }> => {
        assert.ok(browser);
        const context = await browser.newContext({
          locale: 'vi-VN',
          ...(size === 'phone'
            ? { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 }
            : { viewport: { width: 1366, height: 768 } }),
        });
        context.setDefaultTimeout(15_000);
        const page = await context.newPage();
        if (role !== 'public') await logIn(page, baseUrl, USERS[role], DEMO_PASSWORD);
        return { context, page };
      };
      const desktop = await open('desktop');
      const phone = await open('phone');
      const problems: Array<ScreenProblem & { url: string }> = [];
      try {
        for (const visit of visits.filter((v) => v.roles.includes(role))) {
          const response = await desktop.page.goto(`${baseUrl}${visit.url}`);
          const status = response?.status() ?? 0;
          assert.ok(status < 500, `${visit.url}: ${status}`);
          // biome-ignore lint/performance/useDomNodeTextContent: the visible text is what a person reads (innerText leaves out what is hidden)
          const text = await desktop.page.evaluate(() => document.body.innerText);
          const title = await desktop.page.title();
          for (const p of screenProblems(`${title}\n${text}`, [...usernames, ...(visit.exempt ?? [])]))
            problems.push({ ...p, url: visit.url });
          await desktop.page.screenshot({ path: `${SCREENS}${fileName(role, visit.url, '1366x768')}`, fullPage: true });
          await phone.page.goto(`${baseUrl}${visit.url}`);
          await phone.page.screenshot({ path: `${SCREENS}${fileName(role, visit.url, '375x812')}`, fullPage: true });
        }
      } finally {
        await desktop.context.close();
        await phone.context.close();
      }
      const lines = [...new Set(problems.map((p) => `${p.url}: ${p.kind} "${p.word}" in "…${p.context}…"`))];
      assert.equal(lines.length, 0, `${role} sees internal codes or English on Vietnamese pages:\n${lines.join('\n')}`);
    });
  }
  test("the pages that answer a form read in Vietnamese too: confirmations, error summaries, the desk's feedback", async (t) => {
    if (browserSkipReason) return t.skip(browserSkipReason);
    const problems: string[] = [];
    const scan = async (page: Page, what: string) => {
      // biome-ignore lint/performance/useDomNodeTextContent: the visible text is what a person reads (innerText leaves out what is hidden)
      const text = `${await page.title()}\n${await page.evaluate(() => document.body.innerText)}`;
      for (const p of screenProblems(text, [...usernames, TOKEN_LABEL]))
        problems.push(`${what}: ${p.kind} "${p.word}" in "…${p.context}…"`);
      await page.screenshot({ path: `${SCREENS}${fileName('admin', what, '1366x768')}`, fullPage: true });
    };
    const { context, page } = await newBrowserPage(browser, { width: 1366 });
    try {
      await logIn(page, baseUrl, USERS.admin, DEMO_PASSWORD);
      await page.goto(`${baseUrl}/cai-dat/lich?year=2026`);
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Xoá 2026-12-24' }).click()]);
      assert.match(await page.title(), /\?/, 'a question first');
      await scan(page, 'xac-nhan-xoa-ngay');
      await page.goto(`${baseUrl}/cai-dat/ma-truy-cap`);
      await Promise.all([
        page.waitForEvent('load'),
        page
          .getByRole('button', { name: /^Thu hồi #/ })
          .first()
          .click(),
      ]);
      await scan(page, 'xac-nhan-thu-hoi');
      await page.goto(`${baseUrl}/mot-cua?agency=STP`);
      await submit(page, '/mot-cua/tiep-nhan', {}, 'Tiếp nhận');
      assert.match(await page.title(), /^Lỗi: /);
      await scan(page, 'loi-tiep-nhan');
      await page.goto(`${baseUrl}/cai-dat?agency=STP`);
      await page.getByLabel('Không gửi tin ban đêm').check();
      await submit(page, '/cai-dat/STP/chung', { quietStart: '25:00' });
      assert.match(await page.title(), /^Lỗi: /);
      await scan(page, 'loi-cai-dat');
      await page.goto(`${baseUrl}/mot-cua/ho-so/${SAME_DAY}`);
      await submit(page, `/mot-cua/ho-so/${SAME_DAY}/su-kien`, { step: 'Thẩm định hồ sơ' });
      await scan(page, 'phan-hoi-mot-cua');
    } finally {
      await context.close();
    }
    assert.equal(problems.length, 0, problems.join('\n'));
  });

  test('the phone simulator shows the notification SMS the number received, and opens at the newest message', async (t) => {
    if (browserSkipReason) return t.skip(browserSkipReason);
    const { context, page } = await newBrowserPage(browser, { mobile: true });
    try {
      await logIn(page, baseUrl, USERS.clerk, DEMO_PASSWORD);
      await page.goto(`${baseUrl}/gia-lap?so=${encodeURIComponent(SIM_PHONE)}`);
      const notification = page.getByTestId('notification');
      assert.equal(await notification.count(), 1);
      assert.equal(await notification.getAttribute('data-kind'), 'result_ready');
      assert.match(((await notification.textContent()) ?? '').normalize('NFC'), new RegExp(NOTIFIED.replace(/\./g, '\\.')));
      h!.clock.advance(60_000); // the look-ups come a minute after the notification
      for (let i = 0; i < 4; i++) {
        await page.getByLabel('Nội dung tin nhắn').fill(`MCKH ${NOTIFIED}`);
        await Promise.all([page.waitForURL(/\/gia-lap\?so=/), page.getByRole('button', { name: /^Gửi đến/ }).click()]);
      }
      const thread = page.getByTestId('thread');
      const items = await thread.evaluate((el) => [...el.children].map((li) => li.getAttribute('data-testid')));
      assert.deepEqual(items.slice(0, 1), ['notification'], 'the notification came first');
      assert.deepEqual(items.slice(-2), ['sent', 'reply'], 'the newest look-up last');
      const scroll = await thread.evaluate((el) => ({ top: el.scrollTop, client: el.clientHeight, height: el.scrollHeight }));
      assert.ok(scroll.height > scroll.client, `the thread scrolls (${scroll.height} > ${scroll.client})`);
      assert.ok(scroll.top + scroll.client >= scroll.height - 2, `opened at the newest (${JSON.stringify(scroll)})`);
    } finally {
      await context.close();
    }
  });

  test('the daily chart on a phone opens at the latest day', async (t) => {
    if (browserSkipReason) return t.skip(browserSkipReason);
    const { context, page } = await newBrowserPage(browser, { mobile: true });
    try {
      await logIn(page, baseUrl, USERS.oversight, DEMO_PASSWORD);
      await page.goto(`${baseUrl}/giam-sat?from=2026-11-01&to=2026-11-30`);
      const box = page.locator('#chart-messages .chart-scroll');
      const scroll = await box.evaluate((el) => ({ left: el.scrollLeft, client: el.clientWidth, width: el.scrollWidth }));
      assert.ok(scroll.width > scroll.client, `the chart is wider than the phone (${JSON.stringify(scroll)})`);
      assert.ok(scroll.left + scroll.client >= scroll.width - 2, `scrolled to the latest day (${JSON.stringify(scroll)})`);
    } finally {
      await context.close();
    }
  });
});
