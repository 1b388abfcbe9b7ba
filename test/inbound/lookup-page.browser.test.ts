/**
 * The public look-up page in a real browser (Debian's Chromium driven by playwright-core; no browser is downloaded).
 * The main flow runs with JavaScript disabled: the page must work as plain HTML forms.
 * Screenshots go to test-artifacts/ (gitignored).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { assertBrowserInstalled, browserSkipReason, launchChromium, listen, newBrowserPage } from '../support/browser.js';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

describe(`look-up page in a real browser (${TEST_DB})`, { timeout: 120_000 }, () => {
  let h: Harness | undefined;
  let browser: Browser | undefined;
  let baseUrl = '';
  const code = '000.00.15.H34-261123-0001';
  const applicant = intakeBody().applicant;
  const skipReason = browserSkipReason;

  before(async () => {
    if (skipReason) return;
    assertBrowserInstalled();
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHarness();
    await seedBasics(h);
    const intake = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: code }),
    });
    assert.ok(intake.statusCode < 300, intake.body);
    const step = await h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${code}/events`,
      headers: admin,
      payload: { type: 'step', step: 'Thẩm định hồ sơ' },
    });
    assert.ok(step.statusCode < 300, step.body);
    baseUrl = await listen(h);
    browser = await launchChromium();
  });

  after(async () => {
    // Each step on its own, so a failure in one still closes the other.
    try {
      await browser?.close();
    } finally {
      await h?.close();
    }
  });

  const newPage = (options: { javaScriptEnabled: boolean; mobile?: boolean }) => newBrowserPage(browser, { ...options, width: 1024 });

  test('without JavaScript: a lower-case code finds the dossier; step and status shown, no applicant data', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage({ javaScriptEnabled: false, mobile: true });
    try {
      const start = await page.goto(`${baseUrl}/tra-cuu`);
      assert.equal(start?.status(), 200);
      await page.getByLabel('Mã số biên nhận').fill(code.toLowerCase());
      await page.screenshot({ path: `${ARTIFACTS}tra-cuu-form.png`, fullPage: true });
      await Promise.all([page.waitForURL(`**/tra-cuu/${code}`), page.getByRole('button', { name: 'Tra cứu' }).click()]);
      assert.equal(new URL(page.url()).pathname, `/tra-cuu/${code}`);
      const stepCell = page.getByTestId('step');
      const statusCell = page.getByTestId('status');
      assert.ok(await stepCell.isVisible());
      assert.equal((await stepCell.textContent())?.trim(), 'Thẩm định hồ sơ');
      assert.ok(await statusCell.isVisible());
      assert.equal((await statusCell.textContent())?.trim(), 'Đúng hạn');
      assert.equal(await page.getByLabel('Mã số biên nhận').inputValue(), code, 'the form keeps the normalised code');
      const html = await page.content();
      const digits = html.replace(/\D/g, '');
      for (const personal of [applicant.name, 'Nguyễn', applicant.email, applicant.phone])
        assert.ok(!html.includes(personal), `no ${personal} in the page`);
      for (const phone of ['0912345678', '912345678']) assert.ok(!digits.includes(phone), `no phone number ${phone} in the page`);
      await page.screenshot({ path: `${ARTIFACTS}tra-cuu-result.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('without JavaScript: an unknown code says "Không tìm thấy hồ sơ"', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage({ javaScriptEnabled: false, mobile: true });
    try {
      await page.goto(`${baseUrl}/tra-cuu`);
      await page.getByLabel('Mã số biên nhận').fill('khong-co-999');
      await Promise.all([page.waitForURL('**/tra-cuu/KHONG-CO-999'), page.getByRole('button', { name: 'Tra cứu' }).click()]);
      const alert = page.getByRole('alert');
      assert.ok(await alert.isVisible());
      assert.match((await alert.textContent()) ?? '', /Không tìm thấy hồ sơ/);
      assert.equal(await page.getByTestId('step').count(), 0);
      await page.screenshot({ path: `${ARTIFACTS}tra-cuu-not-found.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('keyboard only: Tab reaches the input, then the button; Enter submits', async (t) => {
    if (skipReason) return t.skip(skipReason);
    // JavaScript on only to read document.activeElement; the page itself runs no script.
    const { context, page } = await newPage({ javaScriptEnabled: true });
    try {
      await page.goto(`${baseUrl}/tra-cuu`);
      const focused = () =>
        page.evaluate(() => {
          const el = document.activeElement;
          return el
            ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('type') ? `[${el.getAttribute('type')}]` : ''}`
            : null;
        });
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'input#ma[text]');
      await page.keyboard.type(code.toLowerCase());
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'button[submit]');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
      assert.notEqual(outline, 'none', 'the focused button shows a focus outline');
      await page.screenshot({ path: `${ARTIFACTS}tra-cuu-keyboard-focus.png` });
      await Promise.all([page.waitForURL(`**/tra-cuu/${code}`), page.keyboard.press('Enter')]);
      assert.equal((await page.getByTestId('status').textContent())?.trim(), 'Đúng hạn');
    } finally {
      await context.close();
    }
  });

  test('mobile 375×740: no horizontal scroll on the form and the result', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { context, page } = await newPage({ javaScriptEnabled: true, mobile: true });
    try {
      for (const path of ['/tra-cuu', `/tra-cuu/${code}`, '/tra-cuu/KHONG-CO-999']) {
        await page.goto(`${baseUrl}${path}`);
        const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY);
        assert.ok(width <= 375, `${path}: scrollWidth ${width} > 375`);
      }
      await page.goto(`${baseUrl}/tra-cuu/${code}`);
      await page.screenshot({ path: `${ARTIFACTS}tra-cuu-result-mobile.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });
});
