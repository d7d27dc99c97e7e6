/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsRuntime } from '../../src/runs/runs.runtime.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { artifact, hasChromium, launchBrowser, watchProblems } from '../helpers/browser.ts';

describe.skipIf(!hasChromium)('runs pages in a browser', () => {
  let t: TestApp;
  let rt: RunsRuntime;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await makeTestApp({}, {
      principals: [principal('admin', 1)],
      authenticate: actingAs(principal('admin', 1)),
      workers: { settings: { concurrency: { backtest: 1, io: 4 }, leaseMs: 5000, heartbeatMs: 1000, pollMs: 500, reaperMs: 2500, maxRetryDelayMs: 2000, abortGraceMs: 1000, flushIntervalMs: 100 } },
    });
    rt = t.runtime!;
    base = await t.listen();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows a run live: progress moves, log lines arrive, the result appears, the stream closes', async () => {
    await rt.service.queueRun({ executor: 'noop', queuedBy: 1 });
    await rt.service.queueRun({ executor: 'sleep', params: { ms: 100, steps: 2, fail_at_step: 2 }, queuedBy: 1 });
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 8000, steps: 40 }, queuedBy: 1 });
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${base}/runs/${run.id}`);
    // The page was served while the run was live, so what follows arrives through hx-sse.
    expect(await page.locator('#run-live').count()).toBe(1);
    const logLinesAtLoad = await page.locator('#run-log li').count();
    // Generous waits: on a starved machine (a full suite beside other work) the stream's first line took over 10 s.
    await page.waitForFunction((n) => document.querySelectorAll('#run-log li').length > n, logLinesAtLoad, { timeout: 30_000 });
    await page.waitForFunction(() => (document.querySelector('#run-log')?.children.length ?? 0) >= 3, undefined, { timeout: 30_000 });
    await page.screenshot({ path: artifact('run-live.png'), fullPage: true });
    await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('succeeded'), undefined, { timeout: 30_000 });
    // The result is drawn as a definition list (views/values.tsx), not JSON.
    await page.waitForSelector('#run-result dl');
    expect(await page.locator('#run-result dl').textContent()).toContain('steps40');
    // Every log time, drawn with the page or streamed after app.js set the browser's zone (UTC here)
    // in the tz cookie, is on the clock the page says it uses (Asia/Shanghai: no cookie at first load).
    expect(await page.textContent('main')).toContain('Times are Asia/Shanghai.');
    const times = await page.locator('#run-log li time').evaluateAll((els) => els.map((e) => [e.getAttribute('datetime')!, e.textContent!] as const));
    expect(times.length).toBeGreaterThan(3);
    const shanghai = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    for (const [iso, text] of times) expect(text.slice(0, 8), iso).toBe(shanghai.format(new Date(iso)));
    // What the page rendered and what the stream appended meet without overlap: each step once.
    const stepLines = (await page.locator('#run-log li').allTextContents()).map((t) => t.match(/step \d+ of 40/)?.[0]).filter(Boolean);
    expect(stepLines.length).toBeGreaterThan(0);
    expect(new Set(stepLines).size).toBe(stepLines.length);
    await page.screenshot({ path: artifact('run-done.png'), fullPage: true });
    await page.goto(`${base}/runs`);
    await expect(page.locator('#runs-body tr').count()).resolves.toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: artifact('runs-list.png'), fullPage: true });
    // favicon.ico is not served yet (404); anything else is a real problem.
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
  }, 120_000);
});
