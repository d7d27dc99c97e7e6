/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.tsx';
import { loadConfig } from '../../src/config.ts';
import { diagnosticExecutors } from '../../src/executors/diagnostic.executors.ts';
import { silentLogger } from '../../src/logger.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { makeExecutorRegistry } from '../../src/runs/executor-registry.ts';
import { startRuns, type RunsRuntime } from '../../src/runs/runs.runtime.ts';
import { defaultAssets } from '../../src/server.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { insertPrincipals } from '../helpers/accounts.ts';
import { hasChromium, launchBrowser } from '../helpers/browser.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.ts';

const artifacts = join(process.cwd(), 'test-artifacts');

describe.skipIf(!hasChromium)('runs pages in a browser', () => {
  let db: TestDatabase;
  let market: MarketStore;
  let rt: RunsRuntime;
  let server: ServerType;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    db = await createTestDatabase();
    await insertPrincipals(db.store.db, [principal('admin', 1)]);
    market = await openMarketStore(':memory:');
    const registry = makeExecutorRegistry(diagnosticExecutors);
    rt = await startRuns({
      pg: db.store,
      registry,
      logger: silentLogger,
      settings: { concurrency: { backtest: 1, io: 4 }, leaseMs: 5000, heartbeatMs: 1000, pollMs: 500, reaperMs: 2500, maxRetryDelayMs: 2000, abortGraceMs: 1000, flushIntervalMs: 100 },
    });
    const app = createApp({
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      logger: silentLogger,
      pg: db.store,
      market,
      assets: defaultAssets(),
      version: 'test',
      startedAt: new Date(),
      runs: rt.service,
      executors: registry,
      authenticate: actingAs(principal('admin', 1)),
    });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    rt.bus.closeAll();
    server?.close();
    await rt?.stop(2000);
    await market?.close();
    await db?.drop();
  });

  it('shows a run live: progress moves, log lines arrive, the result appears, the stream closes', async () => {
    await rt.service.queueRun({ executor: 'noop', queuedBy: 1 });
    await rt.service.queueRun({ executor: 'sleep', params: { ms: 100, steps: 2, fail_at_step: 2 }, queuedBy: 1 });
    const run = await rt.service.queueRun({ executor: 'sleep', params: { ms: 8000, steps: 40 }, queuedBy: 1 });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(`${base}/runs/${run.id}`);
    // The page was served while the run was live, so what follows arrives through hx-sse.
    expect(await page.locator('#run-live').count()).toBe(1);
    const logLinesAtLoad = await page.locator('#run-log li').count();
    // Generous waits: on a starved machine (a full suite beside other work) the stream's first line took over 10 s.
    await page.waitForFunction((n) => document.querySelectorAll('#run-log li').length > n, logLinesAtLoad, { timeout: 30_000 });
    await page.waitForFunction(() => (document.querySelector('#run-log')?.children.length ?? 0) >= 3, undefined, { timeout: 30_000 });
    await page.screenshot({ path: join(artifacts, 'run-live.png'), fullPage: true });
    await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('succeeded'), undefined, { timeout: 30_000 });
    await page.waitForSelector('#run-result pre');
    expect(await page.locator('#run-result').textContent()).toContain('"steps": 40');
    // What the page rendered and what the stream appended meet without overlap: each step once.
    const stepLines = (await page.locator('#run-log li').allTextContents()).map((t) => t.match(/step \d+ of 40/)?.[0]).filter(Boolean);
    expect(stepLines.length).toBeGreaterThan(0);
    expect(new Set(stepLines).size).toBe(stepLines.length);
    await page.screenshot({ path: join(artifacts, 'run-done.png'), fullPage: true });
    await page.goto(`${base}/runs`);
    await expect(page.locator('#runs-body tr').count()).resolves.toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(artifacts, 'runs-list.png'), fullPage: true });
    // favicon.ico is not served yet (404); anything else is a real problem.
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
  }, 120_000);
});
