import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { marketPathFor, openMarketStore } from '../../src/market/duckdb.ts';
import { smallDemo } from '../helpers/backtests.ts';
import { runCli } from '../helpers/process.ts';
import { userDualMaSource } from '../backtest/sandbox/user-dual-ma.ts';

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
});
