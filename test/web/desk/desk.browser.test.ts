/**
 * The staff screens in a real browser (Debian's Chromium driven by playwright-core; no browser is
 * downloaded): login by keyboard, desk intake with the live phone check, result → hold countdown →
 * undo → result again, the clerk's 403 on settings, the template live preview, and the same intake
 * without JavaScript. Screenshots go to test-results/screenshots/ (gitignored).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import {
  assertAccessible,
  assertBrowserInstalled,
  browserSkipReason,
  launchChromium,
  listen,
  newBrowserPage,
  logIn,
} from '../../support/browser.js';
import { seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

const SHOTS = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));
const PASSWORD = 'mot-khau-du-dai-2026';

describe(`staff screens in a real browser (${TEST_DB})`, { timeout: 180_000 }, () => {
  let h: Harness | undefined;
  let browser: Browser | undefined;
  let baseUrl = '';
  const skipReason = browserSkipReason;

  before(async () => {
    if (skipReason) return;
    assertBrowserInstalled();
    mkdirSync(SHOTS, { recursive: true });
    h = await startHarness();
    await seedBasics(h, { holdSeconds: 120, quietHours: null });
    const accounts = h.ctx.accounts;
    await accounts.create({ username: 'stc-motcua', displayName: 'Lê Thị Mai', role: 'clerk', agencyCode: 'STC', password: PASSWORD });
    await accounts.create({
      username: 'stc-quantri',
      displayName: 'Trần Văn Quản',
      role: 'agency_admin',
      agencyCode: 'STC',
      password: PASSWORD,
    });
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

  const newPage = (options: { javaScriptEnabled?: boolean; mobile?: boolean } = {}) => newBrowserPage(browser, { ...options, width: 1200 });

  test('keyboard only: skip link, then the login fields and button in order, visible focus; Enter logs in', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage();
    try {
      await page.goto(`${baseUrl}/dang-nhap`);
      await assertAccessible(page);
      await page.screenshot({ path: `${SHOTS}dang-nhap.png`, fullPage: true });
      const focused = () =>
        page.evaluate(() => {
          const el = document.activeElement;
          return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.classList.contains('skip') ? '.skip' : ''}` : null;
        });
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'a.skip', 'the first stop is the skip link');
      const order: Array<string | null> = [];
      for (let i = 0; i < 6 && !order.includes('input#username'); i++) {
        await page.keyboard.press('Tab');
        order.push(await focused());
      }
      assert.equal(order.at(-1), 'input#username');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
      assert.notEqual(outline, 'none', 'the focused field shows a focus outline');
      await page.keyboard.type('stc-motcua');
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'input#password');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'button');
      await page.screenshot({ path: `${SHOTS}dang-nhap-ban-phim.png` });
      await Promise.all([page.waitForURL('**/mot-cua'), page.keyboard.press('Enter')]);
    } finally {
      await context.close();
    }
  });

  test('desk: bad then good phone, step, result with the hold countdown, undo, result again', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage();
    try {
      await logIn(page, baseUrl, 'stc-motcua', PASSWORD);
      assert.equal(new URL(page.url()).pathname, '/mot-cua');
      await assertAccessible(page);
      const code = 'STC-261123-0101';
      await page.getByLabel('Mã số biên nhận').fill(code);
      await page.getByLabel('Họ tên người nộp').fill('Nguyễn Văn An');
      const phone = page.getByLabel('Số điện thoại di động');
      await phone.fill('0258 3822 123');
      const status = page.locator('#phone-status');
      await page.waitForFunction(() => /máy bàn/.test(document.getElementById('phone-status')?.textContent ?? ''));
      // A landline is a warning, not an error: the dossier is still taken, and the e-mail is offered.
      assert.equal(await phone.getAttribute('aria-invalid'), null);
      assert.equal(await status.getAttribute('class'), 'warnmsg');
      assert.match((await status.textContent()) ?? '', /Vẫn tiếp nhận được hồ sơ\. Nếu người nộp có thư điện tử/);
      await page.screenshot({ path: `${SHOTS}mot-cua-so-may-ban.png`, fullPage: true });
      await phone.fill('091234');
      await page.waitForFunction(() => /không hợp lệ/.test(document.getElementById('phone-status')?.textContent ?? ''));
      assert.equal(await phone.getAttribute('aria-invalid'), 'true');
      await Promise.all([page.waitForURL('**/mot-cua/tiep-nhan'), page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click()]);
      assert.match((await page.locator('#f-phone-error').textContent()) ?? '', /không hợp lệ/);
      await assertAccessible(page);
      await page.screenshot({ path: `${SHOTS}mot-cua-loi-so-dien-thoai.png`, fullPage: true });

      await page.getByLabel('Số điện thoại di động').fill('0912 345 678');
      await page.waitForFunction(() => /hợp lệ: 0912 345 678/.test(document.getElementById('phone-status')?.textContent ?? ''));
      assert.match((await status.textContent()) ?? '', /VinaPhone/);
      await Promise.all([
        page.waitForURL(`**/mot-cua/ho-so/${code}?ok=intake*`),
        page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click(),
      ]);
      assert.equal((await page.getByTestId('state').textContent())?.trim(), 'Đã tiếp nhận');
      await assertAccessible(page);
      await page.screenshot({ path: `${SHOTS}ho-so-moi-tiep-nhan.png`, fullPage: true });

      await page.getByLabel('Tên bước').fill('Thẩm định hồ sơ');
      await Promise.all([page.waitForURL('**?ok=action*'), page.getByRole('button', { name: 'Chuyển bước' }).click()]);
      assert.equal((await page.getByTestId('step').textContent())?.trim(), 'Thẩm định hồ sơ');

      await Promise.all([page.waitForURL('**?ok=action*'), page.getByRole('button', { name: 'Có kết quả' }).click()]);
      const hold = page.getByTestId('hold');
      assert.ok(await hold.isVisible());
      const first = Number(await hold.locator('[data-countdown-out]').textContent());
      assert.ok(first > 100 && first <= 120, `countdown starts near 120 (${first})`);
      await page.waitForFunction((start) => Number(document.querySelector('[data-countdown-out]')?.textContent) < start, first, {
        timeout: 5_000,
      });
      await page.screenshot({ path: `${SHOTS}ho-so-dang-giu-tin.png`, fullPage: true });

      await Promise.all([page.waitForURL('**?ok=undo'), hold.getByRole('button', { name: 'Hoàn tác' }).click()]);
      assert.match((await page.getByRole('status').first().textContent()) ?? '', /Đã hoàn tác/);
      assert.equal((await page.getByTestId('state').textContent())?.trim(), 'Đang giải quyết');
      assert.equal(await page.getByTestId('hold').count(), 0);
      assert.equal(await page.locator('[data-testid="notification"][data-status="cancelled"]').count(), 1);
      await page.screenshot({ path: `${SHOTS}ho-so-da-hoan-tac.png`, fullPage: true });

      await Promise.all([page.waitForURL('**?ok=action*'), page.getByRole('button', { name: 'Có kết quả' }).click()]);
      assert.equal((await page.getByTestId('state').textContent())?.trim(), 'Đã có kết quả');
      assert.equal(await page.locator('[data-testid="notification"][data-status="pending"]').count(), 1);
      assert.ok(await page.getByTestId('hold').isVisible());
      await page.screenshot({ path: `${SHOTS}ho-so-co-ket-qua-lai.png`, fullPage: true });
      await assertAccessible(page);

      // The message log shows both result messages: the one undone (cancelled) and the one in its hold.
      await page.goto(`${baseUrl}/tin-nhan?q=${encodeURIComponent(code)}`);
      const rows = page.getByTestId('messages').locator('tbody tr');
      assert.deepEqual(
        (await rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-kind')}:${tr.getAttribute('data-status')}`))).sort(),
        ['result_ready:cancelled', 'result_ready:pending'],
      );
      assert.match((await rows.first().textContent()) ?? '', new RegExp(code.replace(/\./g, '\\.')));
      await assertAccessible(page);
    } finally {
      await context.close();
    }
  });

  test('a clerk gets the 403 page on settings', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage();
    try {
      await logIn(page, baseUrl, 'stc-motcua', PASSWORD);
      const res = await page.goto(`${baseUrl}/cai-dat`);
      assert.equal(res?.status(), 403);
      assert.match((await page.locator('h1').textContent()) ?? '', /Không có quyền truy cập/);
      assert.equal(await page.getByRole('link', { name: 'Cài đặt' }).count(), 0, 'no settings entry in a clerk’s navigation');
      await page.screenshot({ path: `${SHOTS}cai-dat-403.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('settings: the template preview follows typing (folded text, segments, cost)', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage();
    try {
      await logIn(page, baseUrl, 'stc-quantri', PASSWORD);
      await page.goto(`${baseUrl}/cai-dat`);
      await assertAccessible(page);
      await page.locator('#tpl-result_ready-box > summary').click();
      const area = page.locator('#tpl-result_ready');
      await area.fill('Hồ sơ {Mã số biên nhận} đã xong, mời đến {Tên cơ quan}.');
      const preview = page.locator('#tpl-result_ready-preview [data-testid="preview-body"]');
      await preview.waitFor();
      await page.waitForFunction(() =>
        /Ho so 000\.00\.15\.H34-2611230001-00001 da xong, moi den So Tai chinh\./.test(
          document.querySelector('#tpl-result_ready-preview')?.textContent ?? '',
        ),
      );
      assert.match(
        (await page.locator('#tpl-result_ready-preview [data-testid="preview-facts"]').textContent()) ?? '',
        /1 tin SMS · chi phí 750 đồng/,
      );
      await area.fill('Hồ sơ {Mã số biên nhận} {Họ tên}');
      await page.waitForFunction(() =>
        /Chỗ điền \{Họ tên\} không có/.test(document.querySelector('#tpl-result_ready-preview')?.textContent ?? ''),
      );
      await area.fill(`${'Hồ sơ {Mã số biên nhận} đã xong. '.repeat(6)}`);
      await page.waitForFunction(() => /2 tin SMS/.test(document.querySelector('#tpl-result_ready-preview')?.textContent ?? ''));
      await page.locator('#tpl-result_ready-box').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}cai-dat-xem-truoc-mau-tin.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('errors the GOV.UK way: the summary has the focus, its link moves to the field, the title says "Lỗi: "; 404 is a page', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage();
    try {
      await logIn(page, baseUrl, 'stc-motcua', PASSWORD);
      await page.getByLabel('Mã số biên nhận').fill('');
      await Promise.all([page.waitForURL('**/mot-cua/tiep-nhan'), page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click()]);
      assert.equal(await page.title(), 'Lỗi: Bộ phận Một cửa – MotcuaSMS');
      await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary') ?? false);
      await assertAccessible(page);
      await page.screenshot({ path: `${SHOTS}mot-cua-tom-tat-loi.png`, fullPage: true });
      await page.getByTestId('error-summary').getByRole('link', { name: 'Nhập họ tên người nộp' }).click();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-applicantName');
      await page.keyboard.type('Nguyễn Văn An');
      assert.equal(await page.getByLabel('Họ tên người nộp').inputValue(), 'Nguyễn Văn An');

      const missing = await page.goto(`${baseUrl}/trang-khong-co`);
      assert.equal(missing?.status(), 404);
      assert.equal(await page.title(), 'Không tìm thấy trang – MotcuaSMS');
      assert.equal(await page.getByRole('navigation', { name: 'Điều hướng chính' }).count(), 1);
      await page.screenshot({ path: `${SHOTS}khong-tim-thay.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('without JavaScript: intake still checks the phone on the server; mobile layout has no horizontal scroll', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage({ javaScriptEnabled: false, mobile: true });
    try {
      await logIn(page, baseUrl, 'stc-motcua', PASSWORD);
      const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY);
      assert.ok(width <= 375, `scrollWidth ${width} > 375`);
      await page.screenshot({ path: `${SHOTS}mot-cua-di-dong.png`, fullPage: true });
      await page.getByLabel('Họ tên người nộp').fill('Trần Thị Bình');
      await page.getByLabel('Số điện thoại di động').fill('0983.456.78');
      await Promise.all([page.waitForURL('**/mot-cua/tiep-nhan'), page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click()]);
      assert.match((await page.locator('#f-phone-error').textContent()) ?? '', /không hợp lệ/);
      await page.getByLabel('Số điện thoại di động').fill('0983.456.789');
      await Promise.all([page.waitForURL('**?ok=intake*'), page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click()]);
      assert.equal((await page.getByTestId('state').textContent())?.trim(), 'Đã tiếp nhận');
    } finally {
      await context.close();
    }
  });
});
