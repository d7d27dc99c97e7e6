import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'zq-market-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { DATABASE_URL: '', SEED_DEMO: 'false', DEMO_STOCKS: '20', DEMO_YEARS: '1' };

describe('zquant sync and import', () => {
  it('syncs a range from the demo source with a progress line, then reports a re-sync as unchanged', async () => {
    const first = await runCli(['sync', 'daily_bars', '--source', 'demo', '--start', '20260901', '--end', '20260930', '--data-dir', dir], env, 120_000);
    expect(first.stderr).toMatch(/daily_bars \[#+\] \d+\/\d+/);
    expect(first.stdout).toMatch(/daily_bars from demo: success: [1-9]\d* inserted, 0 updated, 0 unchanged, 0 deleted/);
    expect(first.code).toBe(0);
    const again = await runCli(['sync', 'daily_bars', '--source', 'demo', '--start', '20260901', '--end', '20260930', '--data-dir', dir], env, 120_000);
    expect(again.stdout).toMatch(/success: 0 inserted, 0 updated, [1-9]\d* unchanged, 0 deleted/);
  }, 240_000);

  it('imports CSV files and names the file and line of a bad row', async () => {
    const ok = join(dir, 'ok.csv');
    const bad = join(dir, 'bad.csv');
    writeFileSync(ok, 'ts_code,trade_date,adj_factor\n600000.SH,20240102,1.5\n');
    writeFileSync(bad, 'ts_code,trade_date,adj_factor\n600000.SH,20240103,x\n');
    const r = await runCli(['import', '--dataset', 'adj_factors', ok, bad, '--data-dir', dir], env, 120_000);
    expect(r.stdout).toContain('ok.csv: 1 rows: 1 inserted, 0 updated, 0 unchanged');
    expect(r.stderr).toContain('bad.csv:2: adj_factor: "x" is not a number');
    expect(r.code).toBe(1);
  }, 240_000);

  it('says which datasets exist when the name is wrong', async () => {
    const r = await runCli(['sync', 'prices', '--data-dir', dir], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('daily_bars');
  });
});
