/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import { artifact, hasChromium, useServerProcessAndBrowser, watchProblems } from '../helpers/browser.ts';
import { signIn } from '../helpers/browser-login.ts';

describe.skipIf(!hasChromium)('browser smoke', () => {
  const s = useServerProcessAndBrowser();

  it('loads the home page with htmx running and no console errors, then follows the navigation', async () => {
    const page = await s.browser.newPage();
    const problems = watchProblems(page, { failedResponses: true });
    await signIn(page, s.server.url);
    await expect(page.title()).resolves.toBe('Home · zquant');
    // htmx loaded and executed under the CSP (no inline script, no eval).
    await page.waitForFunction(() => typeof (window as unknown as { htmx?: unknown }).htmx === 'object');
    await page.screenshot({ path: artifact('home.png'), fullPage: true });

    const links = await page.locator('nav[aria-label="Main"] a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')));
    expect(links).toEqual(['/backtests', '/sweeps', '/strategies', '/factors', '/market', '/scheduler', '/admin']);
    for (const href of links) {
      await page.locator(`nav[aria-label="Main"] a[href="${href}"]`).click();
      await page.waitForURL(s.server.url + href);
      // Every section renders inside the layout, with its navigation intact.
      await expect(page.locator('nav[aria-label="Main"] a').count()).resolves.toBe(7);
      await expect(page.locator('main').count()).resolves.toBe(1);
    }
    // Signed in, every section loads whole: no console error and no failed request of any status (a 401 or
    // 404 here is a broken link or a lost session, not something to filter out).
    expect(problems).toEqual([]);
  });

  it('works with JavaScript off for plain links', async () => {
    const context = await s.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, s.server.url);
    await page.locator('nav[aria-label="Main"] a[href="/market"]').click();
    await page.waitForURL(s.server.url + '/market');
    await expect(page.locator('nav[aria-label="Main"]').count()).resolves.toBe(1);
    await context.close();
  });
});
