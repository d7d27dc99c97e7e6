/// <reference lib="dom" />
/**
 * The result page's orders table in a browser (issue 18): "Not filled" lists value orders by the
 * CNY amount they asked for, and "—" where no share filled (no average price of nothing).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBacktest } from '../../src/backtests/backtests.service.ts';
import { artifact, hasChromium, launchBrowser, watchProblems } from '../helpers/browser.ts';
import { makeBacktestEnv, postJson, type BacktestEnv } from '../helpers/backtests.ts';
import { valueOrdersSource } from '../backtests/value-orders.ts';

describe.skipIf(!hasChromium)('backtest result page: orders not filled', () => {
  let env: BacktestEnv;
  let base: string;
  let browser: Browser;
  let id: number;

  beforeAll(async () => {
    env = await makeBacktestEnv();
    env.as(env.users.analyst);
    const created = await postJson(env.app, '/api/v1/strategies', { name: 'Value orders', code: valueOrdersSource, category: 'trend' });
    const s = (await created.json()) as { id: number };
    const form = new URLSearchParams({ strategy: `user:${s.id}`, universe: 'all', start_date: '2025-06-02', end_date: '2026-11-27', capital: '1000000', benchmark: '000300.SH', name: 'value orders' });
    const res = await env.app.request('/backtests', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    id = Number(/\/backtests\/(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);
    for (const until = Date.now() + 60_000; (await getBacktest(env.db.store.db, id))!.status !== 'succeeded'; ) {
      expect(Date.now()).toBeLessThan(until);
      await new Promise((r) => setTimeout(r, 100));
    }
    base = await env.listen();
    browser = await launchBrowser();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it('"Not filled" shows the CNY a value order asked for, and — for the shares and price that never filled', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    await page.goto(`${base}/backtests/${id}`);
    await page.click('#bt-orders a[href$="rejected=true"]');
    await page.waitForSelector('#bt-orders a[aria-current="true"][href$="rejected=true"]');
    const rows = page.locator('#bt-orders tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => (td as HTMLElement).innerText.trim())));
    // Columns: #, Placed, Code, Kind, Requested, Filled, Avg price, Status, Reason.
    const value = cells.filter((c) => c[3] === 'value');
    expect(value.length).toBeGreaterThan(0);
    for (const c of value) expect(c[4]).toMatch(/^-?[\d,]+\.\d{2} CNY(\n= -?[\d,]+ sh)?$/);
    // A value order of 20% of a ~1M portfolio: tens of thousands of CNY, not "0".
    expect(value.some((c) => Number(c[4].split(' ')[0].replaceAll(',', '')) > 10_000)).toBe(true);
    const nothing = cells.filter((c) => c[7] !== 'partially filled');
    expect(nothing.length).toBeGreaterThan(0);
    for (const c of nothing) expect([c[5], c[6]]).toEqual(['—', '—']);
    await page.locator('#bt-orders').screenshot({ path: artifact('backtest-not-filled.png') });
    expect(problems).toEqual([]);
  }, 60_000);
});
