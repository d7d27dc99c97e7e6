/// <reference lib="dom" />
/**
 * A factor analysis in a real browser against the real app, workers and the seeded demo market
 * (30 stocks × 2 years): momentum_20 is computed (through the API, as 21's own browser test covers
 * the compute form), then a user opens the analysis form from the factor list, submits it, watches
 * the live part end and reads the statistics and the charts; a bad period comes back naming the field.
 */
import { describe, expect, it } from 'vitest';
import { hasChromium, useBacktestBrowser, watchProblems } from '../helpers/browser.ts';
import { postJson } from '../helpers/backtests.ts';

describe.skipIf(!hasChromium)('factor analysis pages in a browser', () => {
  const s = useBacktestBrowser('analyst');

  it('analyses a built-in factor from the page and sees the statistics and charts', async () => {
    const computed = await (await postJson(s.env.app, '/api/v1/factors/momentum_20/computations?wait=60', { start_date: '2025-06-02' })).json();
    expect(computed.status).toBe('succeeded');
    const page = await s.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page, { failedResponses: true });
    await page.goto(`${s.base}/factors`);
    await Promise.all([page.waitForURL(/\/factors\/momentum_20\/analyses\/new$/), page.click('a[href="/factors/momentum_20/analyses/new"]')]);
    expect(await page.locator('main').textContent()).toContain('Stored values: 2025-06-02 to 2026-11-27.');
    await page.fill('#analysis-form input[name="start_date"]', '2025-07-01');
    await page.fill('#analysis-form input[name="end_date"]', '2026-10-30');
    await page.check('#analysis-form input[name="industry_neutral"]');
    await Promise.all([page.waitForURL(/\/factors\/momentum_20\/analyses\/\d+$/), page.click('#analyse')]);
    // The live part polls until the run ends, then answers the results in its place.
    await page.waitForSelector('#analysis-stats', { timeout: 60_000 });
    expect(await page.locator('#analysis-status').textContent()).toMatch(/succeeded/i);
    const stats = await page.locator('#analysis-stats').textContent();
    expect(stats).toContain('Rank IC');
    expect(await page.locator('#analysis-stats tbody tr').count()).toBe(9); // IC, Rank IC, spread × 3 horizons
    expect(await page.locator('#analysis-quantiles thead th').count()).toBe(6); // horizon + Q1…Q5
    // The charts: IC series and its average, histogram, decay, quantile means, cumulative, spread, coverage.
    const charts = page.locator('#charts svg.chart');
    expect(await charts.count()).toBe(7);
    expect(await page.locator('#charts svg.chart path.line').count()).toBeGreaterThanOrEqual(2 + 5 + 1 + 1);
    expect(await page.locator('#charts rect.bar').count()).toBeGreaterThan(10);
    const hover = await page.locator('#charts rect.bar title').first().textContent();
    expect(hover).toMatch(/:\s*-?\d/);
    // Another horizon for the charts.
    await page.click('a[href$="?h=5#charts"]');
    expect(await page.locator('#charts h3').first().textContent()).toContain('5-day horizon');
    // The CSV link answers the series.
    const csvHref = await page.locator('a[href$=".csv"]').getAttribute('href');
    const csv = await page.request.get(`${s.base}${csvHref}`);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).split('\r\n')[0]).toMatch(/^date,universe,names,tradable,ic_1d,/);
    expect(problems).toEqual([]);
  });

  it('refuses a bad period on the form, naming the field, and keeps what was typed', async () => {
    const page = await s.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${s.base}/factors/momentum_20/analyses/new`);
    await page.fill('#analysis-form input[name="start_date"]', '2026-10-01');
    await page.fill('#analysis-form input[name="end_date"]', '2026-09-01');
    await page.fill('#analysis-form input[name="horizons"]', '1, 3');
    await page.click('#analyse');
    await page.waitForSelector('.error-box');
    expect(await page.locator('.error-box').textContent()).toContain('end_date');
    expect(await page.inputValue('#analysis-form input[name="horizons"]')).toBe('1, 3');
  });
});
