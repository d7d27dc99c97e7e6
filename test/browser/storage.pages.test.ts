/// <reference lib="dom" />
/**
 * /admin/storage on a real `zquant serve` (embedded PGlite, a seeded demo market in a DuckDB file):
 * reached from the admin home, it shows the data directory's total, Postgres tables with their
 * sizes, the market file's tables with theirs, and the prune plan; its button queues a housekeeping
 * run that succeeds. Screenshot: storage.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, hasChromium, launchBrowser, watchProblems } from '../helpers/browser.ts';
import { browserAdminPassword, signIn } from '../helpers/browser-login.ts';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/process.ts';

const sizeText = /^\d+(\.\d)? (B|KB|MB|GB)$/;

describe.skipIf(!hasChromium)('the storage page in a browser', () => {
  const s = {} as { server: ServerProcess; browser: Browser };
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zq-storage-browser-'));
    // A small demo market, so the DuckDB file has tables with blocks to show.
    s.server = await startServerProcess(['--data-dir', dir], { DATABASE_URL: '', ZQUANT_ADMIN_PASSWORD: browserAdminPassword, SEED_DEMO: 'true', DEMO_STOCKS: '40', DEMO_YEARS: '1' });
    s.browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await s.browser?.close();
    await s.server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows disk use per store and table, and runs housekeeping on demand', async () => {
    const page = await s.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page);
    await signIn(page, s.server.url, 'admin', undefined, '/admin');
    await Promise.all([page.waitForURL(s.server.url + '/admin/storage'), page.click('a.card[href="/admin/storage"]')]);

    const total = await page.locator('#data-dir-bytes').innerText();
    expect(total).toMatch(/^\d+(\.\d)? (MB|GB)$/);
    // Postgres (embedded): the run history tables, each with a size.
    for (const t of ['runs', 'run_events', 'backtests', 'sync_log']) {
      await expect(page.locator(`#pg-tables tr[data-table="${t}"] td:nth-child(3)`).innerText()).resolves.toMatch(sizeText);
    }
    // DuckDB: the demo market's bars, written since start-up, are still in the write-ahead log.
    const before = await page.locator('#duckdb-tables tr[data-table="daily_bars"] td').allInnerTexts();
    expect(Number(before[1].replaceAll(',', ''))).toBeGreaterThan(5_000);
    expect(before[2]).toBe('not checkpointed yet');
    await expect(page.locator('#prune-plan tr[data-kind]').count()).resolves.toBe(5);

    await Promise.all([page.waitForURL(/\/runs\/\d+$/), page.click('form[action="/admin/storage/housekeeping"] button')]);
    const runId = Number(new URL(page.url()).pathname.split('/').pop());
    const deadline = Date.now() + 60_000;
    let status = '';
    while (Date.now() < deadline) {
      const res = await page.request.get(`${s.server.url}/api/v1/runs/${runId}`);
      status = (await res.json()).status;
      if (status === 'succeeded' || status === 'failed') break;
      await page.waitForTimeout(250);
    }
    expect(status).toBe('succeeded');

    // Housekeeping checkpointed DuckDB: the bars now take blocks in the file.
    await page.goto(s.server.url + '/admin/storage');
    const after = await page.locator('#duckdb-tables tr[data-table="daily_bars"] td').allInnerTexts();
    expect(after[2]).toMatch(/^\d+(\.\d)? (KB|MB)$/);
    await page.screenshot({ path: artifact('storage.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 120_000);

  it('zquant prune --dry-run reaches the running server through its admin socket', async () => {
    const out = await runCli(['prune', '--dry-run', '--data-dir', dir], { DATABASE_URL: '' });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^retention: runs 90 days/m);
    for (const kind of ['backtests', 'runs', 'run_events', 'run_logs', 'sync_log']) expect(out.stdout).toMatch(new RegExp(`^would prune ${kind}\\s+0 rows`, 'm'));
  }, 120_000);
});
