/**
 * `zquant factor analyse` as a process on a data directory with the small demo market (after
 * `zquant factor compute`): the parameters and statistics as JSON on stdout, a progress line on
 * stderr, refusals naming the option with exit 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { marketPathFor, openMarketStore } from '../../src/market/duckdb.ts';
import { smallDemo } from '../helpers/backtests.ts';
import { runCli } from '../helpers/process.ts';

let dir: string;
const env = () => ({ DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: '' });
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zq-analyse-cli-'));
  const market = await openMarketStore(marketPathFor(dir));
  await seedDemoMarket(market, smallDemo);
  await market.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zquant factor analyse', () => {
  it('analyses a computed built-in and prints the statistics as JSON', async () => {
    const c = await runCli(['factor', 'compute', 'momentum_20', '--start', '2025-06-02'], env());
    expect(c.code, c.stderr).toBe(0);
    const r = await runCli(['factor', 'analyse', 'momentum_20', '--start', '2025-07-01', '--end', '2026-10-30', '--horizons', '1,5', '--quantiles', '4', '--industry-neutral'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/momentum_20: \d+ days × \d+ stocks analysed in/);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ factor: 'momentum_20', key: 'momentum_20', params: { start_date: '2025-07-01', end_date: '2026-10-30', horizons: [1, 5], quantiles: 4, industry_neutral: true } });
    expect(out.summary.horizons.map((h: { horizon: number }) => h.horizon)).toEqual([1, 5]);
    expect(out.summary.horizons[0].quantile_means).toHaveLength(4);
    expect(out.summary.horizons[0].ic.days).toBeGreaterThan(200);
  }, 120_000);

  it('refuses bad options naming them, exit 2', async () => {
    const bad = await runCli(['factor', 'analyse', 'momentum_20', '--start', '2026-05-01', '--end', '2026-04-01'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('end_date');
    expect(bad.stderr).toContain('--end');
    const none = await runCli(['factor', 'analyse', 'volatility_7', '--start', '2026-01-05', '--end', '2026-04-01'], env());
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no stored values');
  }, 60_000);
});
