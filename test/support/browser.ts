/**
 * Debian's Chromium driven by playwright-core (no browser is ever downloaded). Outside CI a missing
 * browser skips the browser tests with a message; under CI=true it fails them.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Harness } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const SKIP_REASON = `${CHROMIUM} not found: install chromium (apt-get install -y chromium) to run the browser tests`;

/** The reason every browser test skips, or null when they run. */
export const browserSkipReason: string | null = !existsSync(CHROMIUM) && process.env.CI !== 'true' ? SKIP_REASON : null;

export function assertBrowserInstalled(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${SKIP_REASON} (CI=true: a missing browser is a failure)`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}

/** The app on an ephemeral port; its base URL. */
export async function listen(h: Harness): Promise<string> {
  const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
  return address.replace('localhost', '127.0.0.1');
}

/** Logs in through the staff login page (/dang-nhap); resolves once the browser has left it. */
export async function logIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/dang-nhap')),
    page.getByRole('button', { name: 'Đăng nhập' }).click(),
  ]);
}

/** A fresh context in Vietnamese: desktop at `width`, or a 375 px phone. */
export async function newBrowserPage(
  browser: Browser | undefined,
  options: { javaScriptEnabled?: boolean; mobile?: boolean; width?: number } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  assert.ok(browser, 'browser launched');
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    locale: 'vi-VN',
    ...(options.mobile
      ? { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
      : { viewport: { width: options.width ?? 1200, height: options.width && options.width < 1100 ? 768 : 900 } }),
  });
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}

/**
 * No axe offline: the page says which language it is in, has a main landmark, every visible form
 * control has a label, and every table in the main content has a caption and scoped headers.
 */
export async function assertAccessible(page: Page, lang = 'vi'): Promise<void> {
  assert.equal(await page.locator('html').getAttribute('lang'), lang);
  assert.equal(await page.locator('main#main').count(), 1, 'a main landmark');
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea')]
      .filter((el) => el.type !== 'hidden')
      .filter((el) => !(el.labels && el.labels.length > 0) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(unlabelled, [], 'every input has a label');
  const headerless = await page.evaluate(
    () =>
      [...document.querySelectorAll('main table')].filter(
        (t) => t.querySelectorAll('th[scope]').length === 0 || !t.querySelector('caption'),
      ).length,
  );
  assert.equal(headerless, 0, 'every table has a caption and scoped headers');
}
