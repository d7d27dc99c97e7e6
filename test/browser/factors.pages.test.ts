/// <reference lib="dom" />
/**
 * The factor pages in a real browser against the real app, workers and the seeded demo market
 * (30 stocks × 2 years): a user opens /factors, picks momentum, computes it with a 10-day window
 * from the form, follows the queued run and reads the coverage back on the factor's page; then
 * writes a user factor from the template, sees its code and versions, and deletes it.
 */
import { describe, expect, it } from 'vitest';
import { hasChromium, useBacktestBrowser, watchProblems } from '../helpers/browser.ts';

describe.skipIf(!hasChromium)('factor pages in a browser', () => {
  const s = useBacktestBrowser('analyst');

  it('computes a built-in factor from /factors and reads its stored values', async () => {
    const page = await s.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page, { failedResponses: true });
    await page.goto(`${s.base}/factors`);
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Factors');
    expect(await page.locator('text=momentum_20').count()).toBeGreaterThan(0);
    await Promise.all([page.waitForURL(/\/factors\/momentum_20$/), page.click('a[href="/factors/momentum_20"] >> nth=0')]);
    expect(await page.locator('main').textContent()).toContain('not computed yet');
    await page.fill('#compute-form input[name="n"]', '10');
    await page.fill('#compute-form input[name="start_date"]', '2026-06-01');
    await Promise.all([page.waitForURL(/\/factors\/momentum_10\?run=\d+$/), page.click('#compute-form button[type="submit"]')]);
    const runId = Number(new URL(page.url()).searchParams.get('run'));
    expect(await page.locator('.notice a').getAttribute('href')).toBe(`/runs/${runId}`);
    const run = await s.env.rt.service.waitForRun(runId, { timeoutMs: 60_000 });
    expect(run.status).toBe('succeeded');
    await page.goto(`${s.base}/factors/momentum_10`);
    // 30 stocks, every trading day from 2026-06-01 (a Monday) to the market's last, 2026-11-27.
    expect(await page.locator('main').textContent()).toMatch(/[\d,]+ values, 30 stocks, 2026-06-01 to 2026-11-27/);
    // The list shows it stored beside the default window, with the link to analyse it.
    await page.goto(`${s.base}/factors`);
    expect(await page.locator('a[href="/factors/momentum_10"]').count()).toBe(1);
    expect(await page.locator('a[href="/factors/momentum_20/analyses/new"]').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('refuses a bad period on the form, naming the field, and keeps what was typed', async () => {
    const page = await s.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${s.base}/factors/ep`);
    await page.fill('#compute-form input[name="start_date"]', '2026-10-01');
    await page.fill('#compute-form input[name="end_date"]', '2026-09-01');
    await page.click('#compute-form button[type="submit"]');
    await page.waitForSelector('.error-box');
    expect(await page.locator('.error-box').textContent()).toContain('start_date');
    expect(await page.inputValue('#compute-form input[name="end_date"]')).toBe('2026-09-01');
  });

  it('writes a user factor from the template, then deletes it after confirming', async () => {
    const page = await s.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${s.base}/factors/new`);
    await page.fill('input[name="name"]', 'browser momentum');
    await Promise.all([page.waitForURL(/\/factors\/u\d+$/), page.click('form.create-form button[type="submit"]')]);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    expect(await page.locator('h1').textContent()).toContain('browser momentum');
    expect(await page.locator('pre.code-view').textContent()).toContain('defineFactor');
    page.once('dialog', (d) => d.accept());
    await Promise.all([page.waitForURL(/\/factors$/), page.click(`form[action="/factors/${id}/delete"] button`)]);
    expect(await page.locator(`a[href="/factors/${id}"]`).count()).toBe(0);
  });
});
