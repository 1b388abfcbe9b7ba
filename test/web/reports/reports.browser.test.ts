/**
 * The oversight and read pages in a real browser (Debian's Chromium driven by playwright-core; no
 * browser is downloaded), against the app listening on an ephemeral port with the dispatcher running.
 * Screenshots of each page go to test-results/screenshots/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import {
  assertAccessible,
  assertBrowserInstalled,
  browserSkipReason,
  launchChromium,
  listen,
  newBrowserPage,
  logIn,
} from '../../support/browser.js';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));
const PASSWORD = 'Kiem-tra-trinh-duyet-2026';
const PERIOD = 'from=2026-11-01&to=2026-11-30';
const STC_DONE = '000.00.15.H34-261123-0101';
const STC_NO_PHONE = '000.00.15.H34-261123-0102';
const STP_OPEN = '000.00.16.H34-261123-0103';

describe(`oversight and read pages in a real browser (${TEST_DB})`, { timeout: 180_000 }, () => {
  let h: Harness | undefined;
  let browser: Browser | undefined;
  let baseUrl = '';
  const skipReason = browserSkipReason;

  const api = async (method: 'PUT' | 'POST', url: string, payload: object) => {
    const res = await h!.app.inject({ method, url, headers: admin, payload });
    assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
  };

  /** Waits until the dispatcher has delivered every message that is due. */
  const settled = async () => {
    for (let i = 0; i < 200; i++) {
      const waiting = await h!.ctx.db.kysely
        .selectFrom('notifications')
        .select('id')
        .where('status', 'in', ['pending', 'sending'])
        .execute();
      if (waiting.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.fail('messages still waiting for the dispatcher');
  };

  before(async () => {
    if (skipReason) return;
    assertBrowserInstalled();
    mkdirSync(SCREENSHOTS, { recursive: true });
    h = await startHarness({ now: '2026-11-23T10:30:00+07:00' });
    await seedBasics(h);
    await api('POST', '/api/v1/dossiers', intakeBody({ receiptCode: STC_DONE }));
    await api('POST', '/api/v1/dossiers', intakeBody({ receiptCode: STC_NO_PHONE, applicant: { name: 'Lê Văn Không Số' } }));
    await api(
      'POST',
      '/api/v1/dossiers',
      intakeBody({
        receiptCode: STP_OPEN,
        agencyCode: 'STP',
        procedureCode: '2.000488',
        applicant: { name: 'Trần Thị Bình', phone: '0912 888 777' },
      }),
    );
    for (const code of [STC_DONE, STC_NO_PHONE]) {
      await api('POST', `/api/v1/dossiers/${code}/events`, { type: 'step', step: 'Thẩm định hồ sơ', at: '2026-11-23T09:30:00+07:00' });
      await api('POST', `/api/v1/dossiers/${code}/events`, { type: 'step', step: 'Trả kết quả', at: '2026-11-23T10:00:00+07:00' });
    }
    const accounts = h.ctx.accounts;
    await accounts.create({
      username: 'giamsat-web',
      displayName: 'Sở TT&TT (giám sát)',
      role: 'oversight',
      agencyCode: null,
      password: PASSWORD,
    });
    await accounts.create({
      username: 'stc-motcua',
      displayName: 'Một cửa Sở Tài chính',
      role: 'clerk',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    h.ctx.dispatcher.start();
    await settled();
    baseUrl = await listen(h);
    browser = await launchChromium();
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await h?.close();
    }
  });

  const newPage = (options: { javaScriptEnabled?: boolean; mobile?: boolean } = {}) => newBrowserPage(browser, { ...options, width: 1280 });

  const noHorizontalScroll = async (page: Page, what: string) => {
    const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY);
    assert.ok(width <= 375, `${what}: scrollWidth ${width} > 375`);
  };

  test('oversight: dashboard with charts, CSV export, dossier timeline, message log filter', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage();
    try {
      await logIn(page, baseUrl, 'giamsat-web', PASSWORD);
      const dashboard = await page.goto(`${baseUrl}/giam-sat?${PERIOD}`);
      assert.equal(dashboard?.status(), 200);
      assert.equal(await page.locator('svg.chart').count(), 3);
      for (const id of ['chart-messages', 'chart-ontime', 'chart-reach'])
        assert.ok(await page.locator(`#${id} svg.chart`).isVisible(), `${id} visible`);
      assert.equal((await page.getByTestId('total-received').textContent())?.trim(), '3');
      assert.equal(await page.locator('[data-testid="reconciliation"] tbody tr').count(), 1);
      assert.equal(await page.locator('[data-testid="reconciliation"] tbody tr').getAttribute('data-why'), 'no_phone');
      await assertAccessible(page);
      await page.screenshot({ path: `${SCREENSHOTS}giam-sat.png`, fullPage: true });

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải CSV' }).first().click()]);
      assert.equal(download.suggestedFilename(), 'thong-ke_2026-11-01_2026-11-30.csv');
      const csv = readFileSync((await download.path())!);
      assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
      const lines = csv.toString('utf8').slice(1).split('\r\n');
      assert.ok(lines[0]!.startsWith('Cơ quan,Tên cơ quan,Tiếp nhận,Đã giải quyết'));
      assert.ok(lines[1]!.startsWith('STC,Sở Tài chính,2,2,2,0,1,'), lines[1]);
      assert.ok(lines[2]!.startsWith('STP,Sở Tư pháp,1,0,'), lines[2]);

      await page.goto(`${baseUrl}/ho-so`);
      await page.getByLabel('Mã số biên nhận, số điện thoại hoặc họ tên').fill('261123-0101');
      await Promise.all([page.waitForURL(/\/ho-so\?q=261123-0101/), page.getByRole('button', { name: 'Tìm' }).click()]);
      assert.equal(await page.locator('[data-testid="dossiers"] tbody tr').count(), 1);
      await assertAccessible(page);
      await page.screenshot({ path: `${SCREENSHOTS}ho-so.png`, fullPage: true });
      await Promise.all([page.waitForURL(`**/ho-so/${STC_DONE}`), page.getByRole('link', { name: STC_DONE }).click()]);
      const items = page.getByTestId('timeline-item');
      assert.equal(await items.count(), 4);
      assert.deepEqual(await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-kind'))), [
        'intake',
        'event',
        'event',
        'message',
      ]);
      assert.equal((await page.locator('[data-status="delivered"]').textContent())?.trim(), '✓ Đã đến máy');
      assert.equal((await page.getByTestId('portal-status').textContent())?.trim(), '9 – Đã xử lý xong');
      await assertAccessible(page);
      await page.screenshot({ path: `${SCREENSHOTS}ho-so-chi-tiet.png`, fullPage: true });

      await page.goto(`${baseUrl}/tin-nhan`);
      assert.ok((await page.locator('[data-testid="messages"] tbody tr').count()) >= 2);
      await page.getByLabel('Tình trạng').selectOption('failed');
      await Promise.all([page.waitForURL(/\/tin-nhan\?.*status=failed/), page.getByRole('button', { name: 'Lọc' }).click()]);
      const statuses = await page
        .locator('[data-testid="messages"] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
      assert.deepEqual(statuses, ['failed']);
      assert.equal(await page.getByRole('link', { name: STC_NO_PHONE }).count(), 1, 'the row links to its dossier');
      assert.ok(await page.getByLabel('Tự làm mới mỗi 15 giây').isVisible(), 'live refresh is offered when scripts run');
      await assertAccessible(page);
      await page.screenshot({ path: `${SCREENSHOTS}tin-nhan.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('a clerk of agency STC opening an STP dossier gets 403', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage();
    try {
      await logIn(page, baseUrl, 'stc-motcua', PASSWORD);
      const res = await page.goto(`${baseUrl}/ho-so/${STP_OPEN}`);
      assert.equal(res?.status(), 403);
      assert.match((await page.getByRole('alert').textContent()) ?? '', /không có quyền/);
      assert.ok(!(await page.content()).includes('Trần Thị Bình'));
      await page.screenshot({ path: `${SCREENSHOTS}ho-so-403.png`, fullPage: true });
      const own = await page.goto(`${baseUrl}/giam-sat?${PERIOD}`);
      assert.equal(own?.status(), 200);
      assert.equal(await page.locator('[data-testid="figures"] tbody tr').count(), 1, 'only the clerk’s agency');
    } finally {
      await context.close();
    }
  });

  test('without JavaScript: look a code up on /tra-cuu and through the phone simulator', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage({ javaScriptEnabled: false, mobile: true });
    try {
      await page.goto(`${baseUrl}/tra-cuu`);
      await page.getByLabel('Mã số biên nhận').fill(STC_DONE.toLowerCase());
      await Promise.all([page.waitForURL(`**/tra-cuu/${STC_DONE}`), page.getByRole('button', { name: 'Tra cứu' }).click()]);
      assert.equal((await page.getByTestId('step').textContent())?.trim(), 'Trả kết quả');
      await page.screenshot({ path: `${SCREENSHOTS}tra-cuu.png`, fullPage: true });

      await logIn(page, baseUrl, 'stc-motcua', PASSWORD);
      await page.goto(`${baseUrl}/gia-lap`);
      await assertAccessible(page);
      await noHorizontalScroll(page, '/gia-lap');
      assert.equal(await page.getByLabel('Nội dung tin nhắn').inputValue(), `MCKH ${STC_NO_PHONE}`, 'prefilled with a demo receipt code');
      await page.getByLabel('Số điện thoại của bạn').fill('0912 000 333');
      await page.getByLabel('Nội dung tin nhắn').fill(`mckh ${STC_DONE}`);
      await Promise.all([page.waitForURL('**/gia-lap?so=0912%20000%20333'), page.getByRole('button', { name: 'Gửi đến 8083' }).click()]);
      const reply = (await page.getByTestId('reply-text').last().textContent()) ?? '';
      const stored = await h!.ctx.db.kysely
        .selectFrom('inbound_messages')
        .select(['reply'])
        .where('gateway', '=', 'simulator')
        .executeTakeFirstOrThrow();
      assert.equal(reply, stored.reply);
      assert.match(reply, new RegExp(STC_DONE.replace(/\./g, '\\.')));
      await settled();
      await page.reload();
      assert.match(
        (await page.getByTestId('reply').last().textContent()) ?? '',
        /Đã gửi/,
        'the reply is answered on the page, never dispatched',
      );
      await page.screenshot({ path: `${SCREENSHOTS}gia-lap.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('375 px wide: no horizontal scroll on the dashboard, a dossier and the message log', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage({ mobile: true });
    try {
      await logIn(page, baseUrl, 'giamsat-web', PASSWORD);
      for (const [path, shot] of [
        [`/giam-sat?${PERIOD}`, 'giam-sat-375'],
        [`/ho-so/${STC_DONE}`, 'ho-so-chi-tiet-375'],
        ['/tin-nhan', 'tin-nhan-375'],
      ] as const) {
        await page.goto(`${baseUrl}${path}`);
        await noHorizontalScroll(page, path);
        await page.screenshot({ path: `${SCREENSHOTS}${shot}.png`, fullPage: true });
      }
    } finally {
      await context.close();
    }
  });
});
