// Engine throughput on a synthetic in-memory market (seeded random walk; default 5,000 stocks ×
// 2,430 trading days ≈ 10 years), dual MA 5/20: the built-in on the host, the same strategy as user
// code in the isolate, and a plain hand-written typed-array dual-MA loop for comparison.
// BENCH_STOCKS / BENCH_DAYS shrink it while iterating; the headline lines are then not printed (a
// smaller market is not the number the goals speak of), only `_at_override` ones. Stock-days count
// the listed, unsuspended cells only (what a strategy can trade), and every time is the median of 5.
// A second strategy trades a full book every day (momentum, top 50 of the market, rebalanced
// daily), so orders, fills and costs are timed, not only signals. The engine runs before the sandbox compiles
// user code, as in a backtest thread running a built-in: compiling loads Sucrase, which under this
// runner's `--import tsx` makes V8's typed-array code slower in the whole process (user-code.ts).
import { runBacktestSync } from '../../src/engine/engine.ts';
import { runUserBacktest } from '../../src/engine/sandbox/sandbox.ts';
import { dualMa } from '../../src/engine/builtins/dual-ma.ts';
import { momentum } from '../../src/engine/builtins/momentum.ts';
import type { Panel } from '../../src/engine/panel.ts';
import { syntheticPanel } from '../engine/synthetic-panel.ts';
import { userDualMaSource } from '../engine/sandbox/user-dual-ma.ts';

const N = Number(process.env.BENCH_STOCKS ?? 5000);
const D = Number(process.env.BENCH_DAYS ?? 2430);
const overridden = N !== 5000 || D !== 2430;

/** Dual MA 5/20 on hfq closes with rolling sums and crossover flags: no orders, no costs, no rules. */
function handwrittenDualMa(p: Panel): number {
  const n = p.codes.length;
  const days = p.dates.length;
  const ringS = new Float64Array(5 * n);
  const ringL = new Float64Array(20 * n);
  const sumS = new Float64Array(n);
  const sumL = new Float64Array(n);
  const last = new Float64Array(n).fill(NaN);
  const prevDiff = new Float64Array(n).fill(NaN);
  const holding = new Uint8Array(n);
  let signals = 0;
  for (let d = 0; d < days; d++) {
    const base = d * n;
    const rs = (d % 5) * n;
    const rl = (d % 20) * n;
    for (let i = 0; i < n; i++) {
      const v0 = p.close[base + i] * p.adjFactor[base + i];
      const v = v0 === v0 ? v0 : last[i];
      last[i] = v;
      sumS[i] += v - ringS[rs + i];
      ringS[rs + i] = v;
      sumL[i] += v - ringL[rl + i];
      ringL[rl + i] = v;
      if (d < 20) continue;
      const diff = sumS[i] / 5 - sumL[i] / 20;
      const pd = prevDiff[i];
      prevDiff[i] = diff;
      if (pd <= 0 && diff > 0 && !holding[i]) {
        holding[i] = 1;
        signals++;
      } else if (pd >= 0 && diff < 0 && holding[i]) {
        holding[i] = 0;
        signals++;
      }
    }
  }
  return signals;
}

async function main() {
  const t = performance.now();
  const { panel, benchmark } = syntheticPanel({ stocks: N, days: D, seed: 20240101, shared: true });
  // Listed and not suspended: the cells a strategy can trade (unlisted and suspended ones cost the
  // engine almost nothing and would flatter the rate).
  let stockDays = 0;
  for (let k = 0; k < panel.close.length; k++) if (panel.listed[k] && !panel.suspended[k]) stockDays++;
  console.error(`# panel ${N} × ${D} generated in ${((performance.now() - t) / 1000).toFixed(1)} s; ${stockDays} listed, unsuspended stock-days of ${N * D} cells`);

  // Median of five: the machine is shared; the median neither hides a slow run nor picks a lucky one.
  const median = async <T>(runs: number, f: () => T | Promise<T>): Promise<[number, T]> => {
    const times: number[] = [];
    let out!: T;
    for (let k = 0; k < runs; k++) {
      const t0 = performance.now();
      out = await f();
      times.push((performance.now() - t0) / 1000);
    }
    times.sort((a, b) => a - b);
    return [times[Math.floor(runs / 2)], out];
  };
  const [handS, signals] = await median(5, () => handwrittenDualMa(panel));
  const [engineS, r] = await median(5, () => runBacktestSync({ panel, benchmark, strategy: dualMa }));
  console.error(`# dual MA: ${r.fills.length} fills, final NAV ${r.total[r.total.length - 1].toFixed(0)}; handwritten: ${signals} signals`);

  // Includes creating the isolate, loading the engine bundle and the user code each time.
  const [sandboxS, u] = await median(5, () => runUserBacktest({ source: userDualMaSource, language: 'js', panel, benchmark, timeoutMs: 600_000 }));
  if (!u.ok) throw new Error(`sandbox run failed: ${u.error.code} ${u.error.message}`);
  if (u.result.fills.length !== r.fills.length) throw new Error(`sandbox and host disagree: ${u.result.fills.length} vs ${r.fills.length} fills`);
  // The memory goal is for the panel plus dual-MA runs; the full book below holds 160k orders more.
  const dualMaPeakMb = Math.round(process.resourceUsage().maxRSS / 1024);

  const bookParams = { lookback: 20, top_n: 50, rebalance_days: 1 };
  const [bookS, b] = await median(5, () => runBacktestSync({ panel, benchmark, strategy: momentum, params: bookParams }));
  console.error(`# momentum top 50 daily: ${b.orders.length} orders, ${b.fills.length} fills, final NAV ${b.total[b.total.length - 1].toFixed(0)}`);

  const workload = `${N} × ${D}, ${stockDays} listed stock-days, median of 5`;
  const line = (name: string, value: string, unit: string, what: string) =>
    console.log(`${name}${overridden ? '_at_override' : ''}: ${value} ${unit} (${what})`);
  if (overridden) console.error('# BENCH_STOCKS/BENCH_DAYS set: not the 5,000 × 2,430 market the goals speak of, so no headline lines');
  const engineRate = stockDays / engineS;
  const handRate = stockDays / handS;
  line('engine_stock_days_per_s', String(Math.round(engineRate)), 'stock-days/s', `dual MA 5/20, ${r.fills.length} fills, ${workload}`);
  line('engine_full_book_stock_days_per_s', String(Math.round(stockDays / bookS)), 'stock-days/s', `momentum top 50 rebalanced daily, ${b.orders.length} orders, ${b.fills.length} fills, ${workload}`);
  line('sandbox_stock_days_per_s', String(Math.round(stockDays / sandboxS)), 'stock-days/s', `dual MA as user code in a sealed isolate, setup included, ${workload}`);
  line('handwritten_dual_ma_stock_days_per_s', String(Math.round(handRate)), 'stock-days/s', `plain typed-array loop, no orders, ${workload}`);
  line('handwritten_to_engine_ratio', (handRate / engineRate).toFixed(2), 'x', 'hand-written loop / engine dual MA');
  line('peak_rss_mb', String(dualMaPeakMb), 'MB', `bench process after the dual-MA runs, ${N} × ${D} panel`);
  line('peak_rss_full_book_mb', String(Math.round(process.resourceUsage().maxRSS / 1024)), 'MB', 'the same after the full-book runs too');
}

await main();
