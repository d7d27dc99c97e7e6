/// <reference lib="dom" />
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser } from '../helpers/browser.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { browserAdminPassword, signIn } from '../helpers/browser-login.ts';

const artifacts = join(process.cwd(), 'test-artifacts');

describe.skipIf(!hasChromium)('browser smoke', () => {
  let server: ServerProcess;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zq-browser-'));
    mkdirSync(artifacts, { recursive: true });
    server = await startServerProcess(['--data-dir', dir], { DATABASE_URL: '', ZQUANT_ADMIN_PASSWORD: browserAdminPassword });
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the home page with htmx running and no console errors, then follows the navigation', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    await signIn(page, server.url);
    await expect(page.title()).resolves.toBe('Home · zquant');
    // htmx loaded and executed under the CSP (no inline script, no eval).
    await page.waitForFunction(() => typeof (window as unknown as { htmx?: unknown }).htmx === 'object');
    await page.screenshot({ path: join(artifacts, 'home.png'), fullPage: true });

    const links = await page.locator('nav[aria-label="Main"] a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')));
    expect(links).toEqual(['/backtests', '/strategies', '/market', '/scheduler', '/admin']);
    for (const href of links) {
      await page.locator(`nav[aria-label="Main"] a[href="${href}"]`).click();
      await page.waitForURL(server.url + href);
      // Every section renders inside the layout, with its navigation intact.
      await expect(page.locator('nav[aria-label="Main"] a').count()).resolves.toBe(5);
      await expect(page.locator('main').count()).resolves.toBe(1);
    }
    // Signed in, every section loads whole: no console error and no failed request of any status (a 401 or
    // 404 here is a broken link or a lost session, not something to filter out).
    expect(problems).toEqual([]);
  });

  it('works with JavaScript off for plain links', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, server.url);
    await page.locator('nav[aria-label="Main"] a[href="/market"]').click();
    await page.waitForURL(server.url + '/market');
    await expect(page.locator('nav[aria-label="Main"]').count()).resolves.toBe(1);
    await context.close();
  });
});
