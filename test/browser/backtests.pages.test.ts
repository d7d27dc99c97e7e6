/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinStrategies } from '../../src/engine/builtins/registry.ts';
import { createStrategy } from '../../src/strategies/strategies.service.ts';
import { artifact, hasChromium, launchBrowser, watchProblems } from '../helpers/browser.ts';
import { makeBacktestEnv, postJson, type BacktestEnv } from '../helpers/backtests.ts';

// A strategy that spends ~6 ms per simulated day, so a ~470-day run lasts a few seconds and the
// progress bar is seen moving; it trades like dual MA so results have trades and orders.
const slowSource = `
export default defineStrategy({
  name: 'slow_ma',
  params: z.object({ short_window: z.number().int().default(5), long_window: z.number().int().default(20) }),
  onDay(ctx) {
    const until = Date.now() + 6;
    while (Date.now() < until) {}
    const s = ctx.sma(ctx.params.short_window), l = ctx.sma(ctx.params.long_window);
    for (let i = 0; i < s.length; i++) {
      if (s[i] > l[i] && ctx.portfolio.sharesOf(i) === 0 && ctx.portfolio.count < 8) ctx.orderValue(i, ctx.portfolio.value * 0.1);
      else if (s[i] < l[i] && ctx.portfolio.sharesOf(i) > 0) ctx.orderTarget(i, 0);
    }
  },
});`;

describe.skipIf(!hasChromium)('backtest pages in a browser', () => {
  let env: BacktestEnv;
  let base: string;
  let browser: Browser;
  let strategyId: number;

  beforeAll(async () => {
    env = await makeBacktestEnv();
    env.as(env.users.analyst);
    strategyId = (await createStrategy(env.db.store.db, env.users.analyst, { name: 'Slow MA', description: 'dual MA that takes its time', category: 'trend', language: 'js', code: slowSource })).id;
    base = await env.listen();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it('create form → task page: the progress bar moves, then metrics and charts appear in place; trades export as CSV', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    // Every console error and failed load counts (the layout links its own icon: no /favicon.ico request).
    const problems = watchProblems(page, { failedResponses: true });
    await page.goto(`${base}/backtests/new`);
    await page.screenshot({ path: artifact('backtest-create.png'), fullPage: true });
    await page.selectOption('select[name="strategy"]', `user:${strategyId}`);
    await page.waitForSelector('input[name="p.long_window"]');
    await page.fill('input[name="p.short_window"]', '4');
    await page.fill('input[name="start_date"]', '2025-01-02');
    await page.fill('input[name="end_date"]', '2026-11-27');
    await page.fill('input[name="name"]', 'browser run');
    await Promise.all([page.waitForURL(/\/backtests\/\d+$/), page.click('#submit-backtest')]);
    // Progress seen at two different day counts before the result arrives: waits on the page's own text
    // (the browser re-checks it every frame, up to the deadline), not on a fixed pause.
    const dayCount = (prev: string | null) => {
      const m = /(\d+) of (\d+) days/.exec(document.querySelector('#bt-progress')?.textContent ?? '');
      return m && m[1] !== prev ? m[1] : null;
    };
    const first = await (await page.waitForFunction(dayCount, null, { timeout: 30_000 })).jsonValue();
    await page.screenshot({ path: artifact('backtest-running.png'), fullPage: true });
    const second = await (await page.waitForFunction(dayCount, first, { timeout: 30_000 })).jsonValue();
    expect(Number(second), 'progress moves forward').toBeGreaterThan(Number(first));
    await page.waitForSelector('#bt-metrics', { timeout: 30_000 });
    expect(await page.locator('#bt-status').textContent()).toContain('succeeded');
    expect(await page.locator('svg.chart path.line-0').count()).toBeGreaterThan(0);
    expect(await page.locator('table.heatmap').count()).toBe(1);
    await page.screenshot({ path: artifact('backtest-done.png'), fullPage: true });
    await page.screenshot({ path: artifact('backtest-done-top.png') });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href$="/export/trades.csv"]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('date,code,side,shares,price,value,commission,stamp_duty,transfer_fee,price_basis,order_id');
    expect(csv.split('\r\n').length).toBeGreaterThan(2);
    expect(problems).toEqual([]);
  }, 120_000);

  it('renders the list, compare, strategies and editor pages', async () => {
    for (const short of [3, 8]) {
      const r = await postJson(env.app, '/api/v1/backtests?wait=60', { strategy: 'dual_ma', params: { short_window: short }, universe: 'all', start_date: '2025-01-02', end_date: '2026-11-27', name: `dual MA ${short}/20` });
      expect(r.status).toBe(200);
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The list shows what the API lists, newest first: these two and the one the first test ran.
    const listed = (await (await env.app.request('/api/v1/backtests?limit=50')).json()) as { backtests: { id: number; name: string; params: unknown }[] };
    expect(listed.backtests.map((b) => b.name)).toEqual(['dual MA 8/20', 'dual MA 3/20', 'browser run']);
    await page.goto(`${base}/backtests`);
    await page.screenshot({ path: artifact('backtest-list.png'), fullPage: true });
    expect(await page.locator('table.backtests tbody tr td:nth-child(3) > a').allTextContents()).toEqual(listed.backtests.map((b) => b.name));
    const ids = await page.locator('input[name="ids"]:not([disabled])').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(ids).toEqual(listed.backtests.map((b) => String(b.id)));
    await page.goto(`${base}/backtests/compare?${ids.map((i) => `ids=${i}`).join('&')}`);
    await page.screenshot({ path: artifact('backtest-compare.png'), fullPage: true });
    // One column per chosen backtest, in order, each with its own parameters: a row per parameter, marked where they differ.
    expect(await page.locator('table.compare thead th a').allTextContents()).toEqual(ids.map((i) => `#${i}`));
    const paramsRow = page.locator('table.compare tbody.setup tr', { has: page.locator('th code', { hasText: /^short_window$/ }) });
    expect(await paramsRow.locator('td').allTextContents()).toEqual(['8', '3', '4']);
    expect(await paramsRow.getAttribute('class')).toBe('differs');
    await page.goto(`${base}/strategies`);
    await page.screenshot({ path: artifact('strategies-list.png'), fullPage: true });
    // The analyst's own strategy in the table, every built-in listed by its API name.
    expect(await page.locator('main table').first().locator('tbody td:first-child a').allTextContents()).toEqual(['Slow MA']);
    expect((await page.locator('main p.small > code').allTextContents()).sort()).toEqual(Object.keys(builtinStrategies).sort());
    await page.goto(`${base}/strategies/new`);
    await page.fill('input[name="name"]', 'Broken');
    await page.locator('#code-editor').fill('export default defineStrategy({\n  name: "x",\n  onDay(ctx) {\n    const a = ;\n  },\n});\n');
    await page.click('form.create-form button[type="submit"]');
    await page.waitForSelector('.error-box');
    expect(await page.locator('.error-box').textContent()).toContain('line 4');
    await page.screenshot({ path: artifact('strategy-editor-error.png'), fullPage: true });
    await page.goto(`${base}/strategies/${strategyId}`);
    await page.screenshot({ path: artifact('strategy-view.png'), fullPage: true });
    expect(await page.locator('main h1').textContent()).toContain('Slow MA');
    expect(await page.locator('pre.code-view code').textContent()).toBe(slowSource);
  }, 120_000);
});
