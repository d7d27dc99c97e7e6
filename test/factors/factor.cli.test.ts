/**
 * `zquant factor compute` as a process on a data directory with the small demo market: the stored
 * coverage as JSON on stdout, a progress line on stderr, refusals naming the option with exit 2.
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
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zq-factor-cli-'));
  const market = await openMarketStore(marketPathFor(dir));
  await seedDemoMarket(market, smallDemo);
  await market.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zquant factor compute', () => {
  it('computes a built-in over a period and prints what is stored', async () => {
    const r = await runCli(['factor', 'compute', 'volatility_10', '--start', '2026-09-01', '--end', '2026-11-27'], { DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: '' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/volatility_10: \d+ values in [\d.]+ s/);
    const out = JSON.parse(r.stdout);
    // The demo market's 30 stocks, every trading day from 2026-09-01 (a Tuesday) to its last, 2026-11-27.
    expect(out).toMatchObject({ factor: 'volatility_10', key: 'volatility_10', start: '2026-09-01', end: '2026-11-27', coverage: { first_date: '2026-09-01', last_date: '2026-11-27', codes: 30 } });
    expect(out.coverage.rows).toBe(out.rows);
  }, 120_000);

  it('a factor_rank backtest on the command line reads the computed factor', async () => {
    const env = { DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: '' };
    expect((await runCli(['factor', 'compute', 'reversal_5', '--start', '2026-03-02'], env)).code).toBe(0);
    const r = await runCli(['backtest', '--strategy', 'factor_rank', '--params', '{"factor":"reversal_5","top_n":3,"rebalance_days":5}', '--universe', 'all', '--start', '2026-03-02', '--end', '2026-06-30', '--benchmark', 'none', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).metrics).toBeDefined();
    // Not computed: refused before anything runs, naming the parameter.
    const missing = await runCli(['backtest', '--strategy', 'factor_rank', '--params', '{"factor":"amihud_7"}', '--universe', 'all', '--start', '2026-03-02', '--end', '2026-06-30'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('params.factor');
  }, 180_000);

  it('refuses a bad date, an unknown factor and a missing id with exit 2', async () => {
    const bad = await runCli(['factor', 'compute', 'momentum_20', '--start', '2026-02-30'], { DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: '' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('start_date');
    const unknown = await runCli(['factor', 'compute', 'momentum_1'], { DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: '' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('was not found');
    const none = await runCli(['factor', 'compute'], { DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: '' });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: zquant factor compute ID');
  }, 120_000);
});
