// Engine throughput on a synthetic in-memory market (seeded random walk; default 5,000 stocks ×
// 2,430 trading days ≈ 10 years), dual MA 5/20: the built-in on the host, the same strategy as user
// code in the isolate, and a plain hand-written typed-array dual-MA loop for comparison.
// BENCH_STOCKS / BENCH_DAYS shrink it while iterating. The engine runs before the sandbox compiles
// user code, as in a backtest thread running a built-in: compiling loads Sucrase, which under this
// runner's `--import tsx` makes V8's typed-array code slower in the whole process (user-code.ts).
import { runBacktestSync } from '../../src/backtest/engine/engine.ts';
import { runUserBacktest } from '../../src/backtest/sandbox/sandbox.ts';
import { dualMa } from '../../src/backtest/strategies/dual-ma.ts';
import type { Panel } from '../../src/backtest/engine/panel.ts';
import { syntheticPanel } from '../backtest/synthetic-panel.ts';
import { userDualMaSource } from '../backtest/sandbox/user-dual-ma.ts';

const N = Number(process.env.BENCH_STOCKS ?? 5000);
const D = Number(process.env.BENCH_DAYS ?? 2430);

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
  const stockDays = N * D;
  console.error(`# panel ${N} × ${D} generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Best of three: the machine is shared, the fastest run is the least disturbed one.
  const best = async <T>(runs: number, f: () => T | Promise<T>): Promise<[number, T]> => {
    let min = Infinity;
    let out!: T;
    for (let k = 0; k < runs; k++) {
      const t0 = performance.now();
      out = await f();
      min = Math.min(min, (performance.now() - t0) / 1000);
    }
    return [min, out];
  };
  const [handS, signals] = await best(3, () => handwrittenDualMa(panel));
  const [engineS, r] = await best(3, () => runBacktestSync({ panel, benchmark, strategy: dualMa }));
  console.error(`# engine: ${r.fills.length} fills, final NAV ${r.total[r.total.length - 1].toFixed(0)}; handwritten: ${signals} signals`);

  // Includes creating the isolate, loading the engine bundle and the user code each time.
  const [sandboxS, u] = await best(3, () => runUserBacktest({ source: userDualMaSource, language: 'js', panel, benchmark, timeoutMs: 600_000 }));
  if (!u.ok) throw new Error(`sandbox run failed: ${u.error.code} ${u.error.message}`);
  if (u.result.fills.length !== r.fills.length) throw new Error(`sandbox and host disagree: ${u.result.fills.length} vs ${r.fills.length} fills`);

  const engineRate = stockDays / engineS;
  const handRate = stockDays / handS;
  console.log(`engine_stock_days_per_s: ${Math.round(engineRate)} stock-days/s`);
  console.log(`sandbox_stock_days_per_s: ${Math.round(stockDays / sandboxS)} stock-days/s`);
  console.log(`handwritten_dual_ma_stock_days_per_s: ${Math.round(handRate)} stock-days/s`);
  console.log(`handwritten_to_engine_ratio: ${(handRate / engineRate).toFixed(2)} x`);
  console.log(`peak_rss_mb: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}

await main();
