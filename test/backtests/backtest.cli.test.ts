import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { marketPathFor, openMarketStore } from '../../src/market/duckdb.ts';
import { smallDemo } from '../helpers/backtests.ts';
import { runCli } from '../helpers/process.ts';
import { userDualMaSource } from '../engine/sandbox/user-dual-ma.ts';

let dir: string;
let codes: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zq-bt-cli-'));
  const market = await openMarketStore(marketPathFor(dir));
  await seedDemoMarket(market, smallDemo);
  codes = (await market.query('select ts_code from stocks order by ts_code limit 3')).map((r) => String(r.ts_code)).join(',');
  await market.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zquant backtest (real panel loader)', () => {
  it('runs a built-in on the data directory and prints JSON metrics', async () => {
    const r = await runCli(['backtest', '--strategy', 'dual_ma', '--params', '{"short_window":5}', '--universe', 'all', '--start', '2025-06-02', '--end', '2026-11-27', '--json'], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.result.dates[0]).toBeGreaterThanOrEqual(20250602);
    expect(out.result.dates.at(-1)).toBe(20261127);
    expect(out.metrics.totalReturn).toBeTypeOf('number');
    expect(out.result.benchmarkCode).toBe('000300.SH');
  }, 60_000);

  it('runs a user strategy file on chosen codes and prints the summary', async () => {
    const file = join(dir, 'mine.js');
    writeFileSync(file, userDualMaSource);
    const r = await runCli(['backtest', '--strategy', file, '--codes', codes, '--start', '2025-06-02', '--end', '2026-11-27'], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('total return');
    expect(r.stdout).toContain('user code');
  }, 60_000);

  it('takes every option the API has; --benchmark none runs without one', async () => {
    const r = await runCli([
      'backtest', '--strategy', 'dual_ma', '--universe', 'all', '--boards', 'main,chinext', '--exclude-st', '--start', '2026-03-02', '--end', '2026-11-27', '--capital', '300000',
      '--benchmark', 'none', '--adjust', 'none', '--fill-at', 'same_close', '--commission-rate', '0.0002', '--min-commission', '0', '--stamp-duty', '0.0005',
      '--transfer-fee', 'schedule', '--slippage-bps', '2', '--on-error', 'skip_day', '--json',
    ], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.spec).toMatchObject({
      universe: { kind: 'all', boards: ['main', 'chinext'], excludeSt: true }, startDate: 20260302, endDate: 20261127, capital: 300000, benchmark: null, adjust: 'none',
      fillTiming: 'same_close', onError: 'skip_day', costs: { commissionRate: 0.0002, minCommission: 0, stampDuty: 0.0005, transferFee: 'schedule', slippageBps: 2 },
    });
    expect(out.result.benchmarkCode).toBeNull();
    expect(out.result.fills.every((f: { code: string }) => /^(0|3|60)/.test(f.code))).toBe(true);
  }, 60_000);

  it('refuses what the data cannot answer with the API\'s message and exit code 2', async () => {
    const unknown = await runCli(['backtest', '--strategy', 'dual_ma', '--codes', '600000.SH', '--start', '2025-06-02', '--end', '2026-11-27'], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('codes: unknown stock 600000.SH');
    const late = await runCli(['backtest', '--strategy', 'dual_ma', '--universe', 'all', '--start', '2025-06-02', '--end', '2030-12-29'], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(late.code).toBe(2);
    expect(late.stderr).toContain('end_date: 2030-12-29 is after the last day with data; the market data covers 2024-11-27 to 2026-11-27');
    const undated = await runCli(['backtest', '--strategy', 'dual_ma', '--universe', 'all'], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(undated.code).toBe(2);
    expect(undated.stderr).toMatch(/^zquant backtest: --start must be a date YYYY-MM-DD[^]*usage: zquant backtest/);
    const bad = await runCli(['backtest', '--strategy', 'dual_ma', '--universe', 'all', '--start', '2025-06-02', '--end', '2026-11-27', '--transfer-fee', 'lots'], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('transfer_fee');
    expect(bad.stderr).toContain('(transfer_fee is --transfer-fee here)');
  }, 60_000);
});
