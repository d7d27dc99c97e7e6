/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { importCsvFiles } from '../../src/market/csv/csv-import.ts';
import { saveDemoParams, makeSource } from '../../src/market/sync/make-source.ts';
import { syncDataset } from '../../src/market/sync/sync.service.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { artifact, hasChromium, launchBrowser } from '../helpers/browser.ts';

describe.skipIf(!hasChromium)('market pages in a browser', () => {
  let t: TestApp;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await makeTestApp({}, { authenticate: actingAs(principal('admin')) });
    const params = { seed: 20240101, stocks: 120, years: 3, end: 20261127 };
    await seedDemoMarket(t.market, params);
    await saveDemoParams(t.market, params);
    const source = await makeSource('demo', { config: t.deps.config, market: t.market });
    await syncDataset({ market: t.market, pg: t.db.store, source }, { dataset: 'daily_bars', start: 20261101, end: 20261127 });
    await importCsvFiles({ market: t.market, pg: t.db.store }, 'daily_bars', [{ name: 'bad.csv', text: 'ts_code,trade_date,close\n600000.SH,20261127,abc\n' }]);
    url = await t.listen();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows search, a stock with candles, coverage and the log without console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !m.text().includes('Failed to load resource') && problems.push(m.text()));
    // Browsers ask for /favicon.ico on their own; every other failed load counts.
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
    page.on('pageerror', (e) => problems.push(e.message));

    await page.goto(`${url}/`);
    await page.screenshot({ path: artifact('market-home.png'), fullPage: true });
    expect(await page.textContent('main')).toContain('Daily bars');

    await page.goto(`${url}/market?board=chinext`);
    await page.screenshot({ path: artifact('market-stocks.png'), fullPage: true });
    const first = await page.locator('tbody tr td a').first().textContent();
    expect(first).toMatch(/^30\d{4}\.SZ$/);

    await page.locator('tbody tr td a').first().click();
    await page.waitForSelector('svg.candles');
    await page.screenshot({ path: artifact('market-stock.png'), fullPage: true });
    expect(await page.locator('svg.candles g.up, svg.candles g.down').count()).toBeGreaterThan(100);
    await page.click('text=Backward (hfq)');
    await page.waitForSelector('.segmented a[aria-current="true"]:has-text("Backward")');

    await page.goto(`${url}/market/coverage`);
    await page.screenshot({ path: artifact('market-coverage.png'), fullPage: true });
    await page.goto(`${url}/market/log`);
    await page.screenshot({ path: artifact('market-log.png'), fullPage: true });
    expect(await page.textContent('main')).toContain('bad.csv:2: close: "abc" is not a number');
    expect(problems.join("\n")).toBe("");
  }, 60_000);
});
