/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStrategy } from '../../src/strategies/strategies.service.ts';
import { hasChromium, launchBrowser } from '../helpers/browser.ts';
import { makeBacktestEnv, postJson, type BacktestEnv } from '../helpers/backtests.ts';

const artifacts = join(process.cwd(), 'test-artifacts');

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
  let server: ServerType;
  let base: string;
  let browser: Browser;
  let strategyId: number;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    env = await makeBacktestEnv();
    env.as(env.users.analyst);
    strategyId = (await createStrategy(env.db.store.db, env.users.analyst, { name: 'Slow MA', description: 'dual MA that takes its time', category: 'trend', language: 'js', code: slowSource })).id;
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

  it('create form → task page: the progress bar moves, then metrics and charts appear in place; trades export as CSV', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // Browsers ask for /favicon.ico on their own (not served: a console 404); every other failed load counts.
    page.on('console', (m) => m.type() === 'error' && !m.text().includes('404') && problems.push(m.text()));
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
    await page.goto(`${base}/backtests/new`);
    await page.screenshot({ path: join(artifacts, 'backtest-create.png'), fullPage: true });
    await page.selectOption('select[name="strategy"]', `user:${strategyId}`);
    await page.waitForSelector('input[name="p.long_window"]');
    await page.fill('input[name="p.short_window"]', '4');
    await page.fill('input[name="start_date"]', '2025-01-02');
    await page.fill('input[name="end_date"]', '2026-11-27');
    await page.fill('input[name="name"]', 'browser run');
    await Promise.all([page.waitForURL(/\/backtests\/\d+$/), page.click('#submit-backtest')]);
    // Progress seen at two different day counts before the result arrives.
    const seen = new Set<string>();
    for (let i = 0; i < 200 && seen.size < 2; i++) {
      const t = await page.locator('#bt-progress').textContent();
      const m = t && /(\d+) of (\d+) days/.exec(t);
      if (m) seen.add(m[1]);
      if (seen.size === 1 && i % 10 === 0) await page.screenshot({ path: join(artifacts, 'backtest-running.png'), fullPage: true });
      await page.waitForTimeout(50);
    }
    expect(seen.size, 'progress text with two different day counts').toBeGreaterThanOrEqual(2);
    await page.waitForSelector('#bt-metrics', { timeout: 30_000 });
    expect(await page.locator('#bt-status').textContent()).toContain('succeeded');
    expect(await page.locator('svg.chart path.line-0').count()).toBeGreaterThan(0);
    expect(await page.locator('table.heatmap').count()).toBe(1);
    await page.screenshot({ path: join(artifacts, 'backtest-done.png'), fullPage: true });
    await page.screenshot({ path: join(artifacts, 'backtest-done-top.png') });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href$="/export/trades.csv"]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('date,code,side,shares,price,value,commission,stampDuty,transferFee,priceBasis,orderId');
    expect(csv.split('\r\n').length).toBeGreaterThan(2);
    expect(problems).toEqual([]);
  }, 120_000);

  it('renders the list, compare, strategies and editor pages', async () => {
    for (const short of [3, 8]) {
      const r = await postJson(env.app, '/api/v1/backtests?wait=60', { strategy: 'dual_ma', params: { short_window: short }, universe: 'all', start_date: '2025-01-02', end_date: '2026-11-27', name: `dual MA ${short}/20` });
      expect(r.status).toBe(200);
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/backtests`);
    await page.screenshot({ path: join(artifacts, 'backtest-list.png'), fullPage: true });
    const ids = await page.locator('input[name="ids"]:not([disabled])').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    await page.goto(`${base}/backtests/compare?${ids.slice(0, 3).map((i) => `ids=${i}`).join('&')}`);
    expect(await page.locator('table.compare').count()).toBe(1);
    await page.screenshot({ path: join(artifacts, 'backtest-compare.png'), fullPage: true });
    await page.goto(`${base}/strategies`);
    await page.screenshot({ path: join(artifacts, 'strategies-list.png'), fullPage: true });
    await page.goto(`${base}/strategies/new`);
    await page.fill('input[name="name"]', 'Broken');
    await page.locator('#code-editor').fill('export default defineStrategy({\n  name: "x",\n  onDay(ctx) {\n    const a = ;\n  },\n});\n');
    await page.click('form.create-form button[type="submit"]');
    await page.waitForSelector('.error-box');
    expect(await page.locator('.error-box').textContent()).toContain('line 4');
    await page.screenshot({ path: join(artifacts, 'strategy-editor-error.png'), fullPage: true });
    await page.goto(`${base}/strategies/${strategyId}`);
    await page.screenshot({ path: join(artifacts, 'strategy-view.png'), fullPage: true });
  }, 120_000);
});
