/// <reference lib="dom" />
/**
 * The sweep pages in a real browser against the real app, workers and the seeded demo market: a
 * user fills the form for a small dual MA sweep, sees the count follow the typing (skipped
 * combinations counted), submits, watches it finish, sorts the table, reads the heatmap's hover
 * values, and turns a set into a normal backtest. Screenshots at 1280×800 and 390×844.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, hasChromium, launchBrowser, watchProblems } from '../helpers/browser.ts';
import { makeBacktestEnv, type BacktestEnv } from '../helpers/backtests.ts';

const countText = (page: Page) => page.locator('#sweep-count').textContent();

/** No sideways scroll of the page itself (wide tables and charts scroll in their own boxes). */
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe.skipIf(!hasChromium)('sweep pages in a browser', () => {
  let env: BacktestEnv;
  let server: ServerType;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    env = await makeBacktestEnv();
    env.as(env.users.analyst);
    server = serve({ fetch: env.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    env?.rt.bus.closeAll();
    server?.close();
    await env?.close();
  });

  it('form with a live count → progress → sorted table, heatmap with hover values → a set as a backtest', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page, { failedResponses: true });
    await page.goto(`${base}/sweeps`);
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Sweeps');
    // The count's requests carry the strategy and the search fields only, never the whole form (whose anti-CSRF token must not ride in a URL).
    const countQueries: string[] = [];
    page.on('request', (r) => r.url().includes('/sweeps/new/count') && countQueries.push(new URL(r.url()).search));
    await Promise.all([page.waitForURL(/\/sweeps\/new$/), page.click('#new-sweep')]);
    // The form starts on dual MA with its two windows as ranges and the count of their grid.
    expect(await page.locator('select[name="ax.short_window.kind"]').inputValue()).toBe('range');
    expect(await countText(page)).toMatch(/\d+ sets \(/);
    await page.screenshot({ path: artifact('sweep-new.png'), fullPage: true });
    // Another strategy brings its own parameter rows and a new count; back to dual MA the same way.
    await page.selectOption('#sweep-form select[name="strategy"]', 'momentum');
    await page.waitForSelector('.axis-row[data-param="lookback"]');
    // momentum's first two integers as ranges: lookback 10…30 by 5 × top_n 3…7 by 1 = 25 points.
    await page.waitForFunction(() => /^25 sets/.test(document.querySelector('#sweep-count-total')?.textContent ?? ''), null, { timeout: 10_000 });
    await page.selectOption('#sweep-form select[name="strategy"]', 'dual_ma');
    await page.waitForSelector('.axis-row[data-param="short_window"]');

    // short 3–6 × long 20–40 step 10: 4 × 3 = 12 sets, all valid. Typed as a user would, the count follows.
    await page.fill('input[name="ax.short_window.from"]', '3');
    await page.fill('input[name="ax.short_window.to"]', '6');
    await page.fill('input[name="ax.short_window.step"]', '1');
    await page.fill('input[name="ax.long_window.from"]', '5');
    await page.fill('input[name="ax.long_window.to"]', '40');
    await page.fill('input[name="ax.long_window.step"]', '10');
    // long 5, 15, 25, 35: long 5 with short 5 and 6 is refused by the strategy (short < long).
    await page.waitForFunction(() => /16 sets \(14 valid, 2 skipped by constraints\)/.test(document.querySelector('#sweep-count')?.textContent ?? ''), null, { timeout: 10_000 });
    await page.fill('input[name="ax.long_window.from"]', '20');
    await page.waitForFunction(() => /12 sets \(12 valid, 0 skipped by constraints\)/.test(document.querySelector('#sweep-count')?.textContent ?? ''), null, { timeout: 10_000 });
    // Over the maximum: the refusal names the count.
    await page.fill('input[name="ax.long_window.step"]', '0.001');
    await page.waitForFunction(() => /whole numbers|refused|maximum/.test(document.querySelector('#sweep-count')?.textContent ?? ''), null, { timeout: 10_000 });
    await page.fill('input[name="ax.long_window.step"]', '10');
    await page.waitForFunction(() => /^12 sets/.test(document.querySelector('#sweep-count-total')?.textContent ?? ''), null, { timeout: 10_000 });
    await page.screenshot({ path: artifact('sweep-new-filled.png'), fullPage: true });
    expect(countQueries.length).toBeGreaterThan(3);
    for (const q of countQueries) {
      const names = [...new URLSearchParams(q).keys()];
      expect(names).toContain('strategy');
      expect(names.filter((n) => !/^(strategy|mode|budget|seed|objective|ax\.[a-z_]+\.(kind|value|values|from|to|step))$/.test(n))).toEqual([]);
    }

    await page.fill('input[name="start_date"]', '2025-06-02');
    await page.fill('input[name="end_date"]', '2026-11-27');
    await page.fill('input[name="name"]', 'browser sweep');
    await Promise.all([page.waitForURL(/\/sweeps\/\d+$/), page.click('#submit-sweep')]);
    const id = Number(/\/sweeps\/(\d+)$/.exec(page.url())![1]);
    await page.screenshot({ path: artifact('sweep-running.png'), fullPage: true });
    // The live part polls until the run ends, then the results replace it in place.
    await page.waitForSelector('#sweep-sets table', { timeout: 60_000 });
    expect(await page.locator('#sweep-status').textContent()).toContain('succeeded');
    expect(await page.locator('#sweep-sets tbody tr').count()).toBe(12);
    await page.screenshot({ path: artifact('sweep-done.png'), fullPage: true });
    await page.screenshot({ path: artifact('sweep-done-top.png') });

    // Sort by Sharpe: best first, then ascending on a second click.
    const sharpeCol = await page.locator('#sweep-sets thead th').evaluateAll((ths) => ths.findIndex((th) => th.textContent?.startsWith('Sharpe')));
    const sharpes = async () => (await page.locator(`#sweep-sets tbody tr td:nth-child(${sharpeCol + 1})`).allTextContents()).map(Number);
    await page.click('#sweep-sets thead a[data-sort="sharpe"]');
    await page.waitForSelector('#sweep-sets th[aria-sort="descending"] a[data-sort="sharpe"]');
    const desc = await sharpes();
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    await page.click('#sweep-sets thead a[data-sort="sharpe"]');
    await page.waitForSelector('#sweep-sets th[aria-sort="ascending"] a[data-sort="sharpe"]');
    const asc = await sharpes();
    expect(asc).toEqual([...desc].reverse());

    // The heatmap: long_window × short_window, one cell per set, each with its value on hover.
    const cells = page.locator('#sweep-heatmap svg rect:has(title)');
    expect(await cells.count()).toBe(12);
    const titles = await cells.locator('title').allTextContents();
    expect(titles.every((t) => /^long_window \d+, short_window \d: Sharpe -?\d/.test(t))).toBe(true);
    await cells.first().hover();
    // Another metric over the same axes, swapped in place.
    await page.selectOption('#sweep-heatmap select[name="metric"]', 'total_return');
    await page.waitForFunction(() => (document.querySelector('#sweep-heatmap svg rect title')?.textContent ?? '').includes('Total return'));
    expect(await page.locator('#overfitting').textContent()).toContain('Deflated Sharpe Ratio');
    expect(await page.locator('#robustness tbody tr').count()).toBeGreaterThan(0);

    // The phone: nothing scrolls sideways but the boxes meant to.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/sweeps/${id}`);
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: artifact('sweep-done-390.png'), fullPage: true });
    await page.goto(`${base}/sweeps/new`);
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: artifact('sweep-new-390.png'), fullPage: true });
    await page.goto(`${base}/sweeps`);
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: artifact('sweep-list-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${base}/sweeps`);
    expect(await page.locator('table.sweeps tbody tr').count()).toBe(1);
    expect(await page.locator('table.sweeps tbody tr td').nth(3).textContent()).toContain('succeeded');
    await page.screenshot({ path: artifact('sweep-list.png'), fullPage: true });

    // One set as a normal backtest with its full result page.
    await page.goto(`${base}/sweeps/${id}`);
    const firstOrdinal = await page.locator('#sweep-sets tbody tr').first().getAttribute('data-ordinal');
    const returnCol = await page.locator('#sweep-sets thead th').evaluateAll((ths) => ths.findIndex((th) => th.textContent?.startsWith('Total return')));
    const setReturn = await page.locator(`#sweep-sets tbody tr:first-child td:nth-child(${returnCol + 1})`).textContent();
    await Promise.all([page.waitForURL(/\/backtests\/\d+$/), page.locator('#sweep-sets tbody tr').first().locator('button', { hasText: 'Run as backtest' }).click()]);
    await page.waitForSelector('#bt-metrics', { timeout: 60_000 });
    expect(await page.locator('main h1').textContent()).toContain(`set ${firstOrdinal}`);
    // The backtest is the set run on its own: the same total return.
    expect(await page.locator('#bt-metrics').textContent()).toContain(setReturn!);
    await page.screenshot({ path: artifact('sweep-set-backtest.png') });
    expect(problems).toEqual([]);
  }, 180_000);
  it('a walk-forward from the form: the chained out-of-sample curve, in- vs out-of-sample per window, the chosen parameters', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page, { failedResponses: true });
    await page.goto(`${base}/sweeps/new`);
    await page.fill('input[name="ax.short_window.from"]', '3');
    await page.fill('input[name="ax.short_window.to"]', '6');
    await page.fill('input[name="ax.long_window.from"]', '20');
    await page.fill('input[name="ax.long_window.to"]', '40');
    await page.fill('input[name="ax.long_window.step"]', '10');
    await page.selectOption('select[name="wf_kind"]', 'rolling');
    await page.fill('input[name="wf_in"]', '120');
    await page.fill('input[name="wf_out"]', '60');
    await page.fill('input[name="start_date"]', '2025-01-02');
    await page.fill('input[name="end_date"]', '2026-11-27');
    await Promise.all([page.waitForURL(/\/sweeps\/\d+$/), page.click('#submit-sweep')]);
    await page.waitForSelector('#walk-forward table.wf-windows', { timeout: 90_000 });
    const windows = await page.locator('#walk-forward table.wf-windows tbody tr').count();
    expect(windows).toBeGreaterThan(2);
    // The API says the same windows.
    const id = Number(/\/sweeps\/(\d+)$/.exec(page.url())![1]);
    const api = (await (await env.app.request(`/api/v1/sweeps/${id}`)).json()) as { walk_forward: { windows: unknown[] } };
    expect(api.walk_forward.windows.length).toBe(windows);
    expect(await page.locator('#walk-forward svg.chart path.line-0').count()).toBe(1);
    expect(await page.locator('#walk-forward svg.chart path.line-1').count()).toBe(2);
    await page.screenshot({ path: artifact('sweep-walk-forward.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: artifact('sweep-walk-forward-390.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 180_000);

  it('the form without JavaScript: a bad range re-renders with the message naming the parameter', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/sweeps/new`);
    // Switching strategy is a small GET form of its own (the token stays out of the URL).
    await page.selectOption('form[action="/sweeps/new"] select[name="strategy"]', 'momentum');
    await Promise.all([page.waitForURL(/strategy=momentum$/), page.click('form[action="/sweeps/new"] button')]);
    expect(await page.locator('.axis-row[data-param="lookback"]').count()).toBe(1);
    expect(await page.locator('#sweep-form select[name="strategy"]').inputValue()).toBe('momentum');
    await page.goto(`${base}/sweeps/new?strategy=dual_ma`);
    // A list the browser cannot check (a range's bounds it checks itself, from the schema's min and max).
    await page.selectOption('select[name="ax.long_window.kind"]', 'list');
    await page.fill('input[name="ax.long_window.values"]', '1, 20');
    await page.click('#submit-sweep');
    await page.waitForSelector('.error-box');
    expect(await page.locator('.error-box').textContent()).toContain('space.long_window: 1 is below the minimum 2');
    // What was typed is kept.
    expect(await page.locator('input[name="ax.long_window.values"]').inputValue()).toBe('1, 20');
    expect(await page.locator('.axis-row[data-param="long_window"].invalid .field-error').count()).toBe(1);
    await page.screenshot({ path: artifact('sweep-new-error.png'), fullPage: true });
    await context.close();
  }, 60_000);
});
