/**
 * `zquant sweep` and `zquant walk-forward` as a process on a data directory with the small demo
 * market: JSON on stdout (every set, the best, DSR/PBO; windows and the chained curve), progress
 * lines on stderr, refusals with the API's message and exit 2.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { marketPathFor, openMarketStore } from '../../src/market/duckdb.ts';
import { smallDemo } from '../helpers/backtests.ts';
import { runCli } from '../helpers/process.ts';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zq-sweep-cli-'));
  const market = await openMarketStore(marketPathFor(dir));
  await seedDemoMarket(market, smallDemo);
  await market.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const period = ['--universe', 'all', '--start', '2025-06-02', '--end', '2026-11-27'];
const space = JSON.stringify({ short_window: { values: [5, 10, 20] }, long_window: { values: [10, 20, 40] } });

describe('zquant sweep / walk-forward', () => {
  it('sweeps a grid: every valid set with metrics, skipped combinations counted, best, DSR and PBO', async () => {
    const r = await runCli(['sweep', '--strategy', 'dual_ma', '--space', space, ...period], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/sweep: 6\/6 sets/);
    const out = JSON.parse(r.stdout);
    // 9 grid points, 3 with short ≥ long refused by dual_ma's check.
    expect(out.counts).toMatchObject({ planned: 6, skipped: 3, done: 6, failed: 0 });
    expect(out.sets).toHaveLength(6);
    const best = Math.max(...out.sets.map((s: { metrics: { sharpe: number } }) => s.metrics.sharpe));
    expect(out.best.metrics.sharpe).toBe(best);
    expect(out.dsr.trials).toBe(6);
    expect(out.pbo.configurations).toBe(6);
  }, 120_000);

  it('sweeps a strategy file: the space bounded by the schema its code declares, sets run in the sandbox', async () => {
    const file = join(dir, 'trend.js');
    writeFileSync(file, `export default defineStrategy({
  name: 'trend',
  params: z.object({ n: z.number().int().min(3).max(40).default(10), slots: z.number().int().min(1).max(8).default(5) }),
  onDay(ctx) {
    const { n, slots } = ctx.params;
    const m = ctx.sma(n);
    for (let i = 0; i < m.length; i++) {
      if (ctx.bars.close[i] > m[i] && ctx.portfolio.sharesOf(i) === 0 && ctx.portfolio.count < slots) ctx.orderValue(i, ctx.portfolio.value * 0.9 / slots);
      else if (ctx.bars.close[i] < m[i] && ctx.portfolio.sharesOf(i) > 0) ctx.orderTarget(i, 0);
    }
  },
});`);
    const r = await runCli(['sweep', '--strategy', file, '--space', JSON.stringify({ n: { values: [5, 20] }, slots: { values: [2, 6] } }), ...period], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.counts).toMatchObject({ planned: 4, done: 4, failed: 0 });
    expect(new Set(out.sets.map((x: { metrics: { total_return: number } }) => x.metrics.total_return)).size).toBe(4);
    // Its schema says n ≥ 3: the refusal names the parameter.
    const low = await runCli(['sweep', '--strategy', file, '--space', JSON.stringify({ n: { values: [2, 5] } }), ...period], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(low.code).toBe(2);
    expect(low.stderr).toContain('space.n');
  }, 120_000);

  it('walks forward: windows, winners, the chained out-of-sample curve', async () => {
    const r = await runCli(['walk-forward', '--strategy', 'dual_ma', '--space', space, ...period, '--in-sample', '120', '--out-of-sample', '60'], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.windows.length).toBeGreaterThan(1);
    for (const w of out.windows) expect(w.params).not.toBeNull();
    expect(out.out_of_sample.curve.values[0]).toBe(1);
    expect(out.out_of_sample.curve.dates).toHaveLength(60 * out.windows.length + 1);
  }, 120_000);

  it('refuses a grid over the maximum with the count, and a missing --space with the usage', async () => {
    const big = JSON.stringify({ short_window: { from: 2, to: 200, step: 1 }, long_window: { from: 2, to: 300, step: 1 } });
    const r = await runCli(['sweep', '--strategy', 'dual_ma', '--space', big, ...period], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('59,501');
    const r2 = await runCli(['sweep', '--strategy', 'dual_ma', ...period], { DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('--space is required');
    expect(r2.stderr).toContain('usage: zquant sweep');
  }, 120_000);
});
