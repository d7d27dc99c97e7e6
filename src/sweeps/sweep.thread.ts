/**
 * Worker-thread side of the `sweep` executor: one of a small pool of threads, each handed the same
 * panel (SharedArrayBuffer arrays: never copied) and the same list of parameter sets. The threads
 * take sets from a shared counter (Atomics.add on a SharedArrayBuffer), so a slow set never leaves a
 * thread idle while another has a queue. Each set runs through runBacktest exactly as a single
 * backtest's thread does (same config, same metrics from the same starting point), and its key
 * metrics and daily returns go back to the main thread as soon as it ends (a checkpoint message),
 * where they are stored in batches. Hosted by src/runs/thread-host.ts.
 */
import { navSeries, startPointOf } from '../engine/metrics/backtest-metrics.ts';
import { periodReturns, type Metrics } from '../engine/metrics/metrics.ts';
import type { BenchmarkSeries, Panel } from '../engine/panel.ts';
import { runBacktest } from '../engine/run-backtest.ts';
import type { BacktestConfig } from '../engine/types.ts';
import { serveThreadTask } from '../runs/thread-task.ts';
import type { SetMetrics } from './sweep.types.ts';
import { setMetricsOf } from './set-metrics.ts';

/** One set to run: its key, params and (walk-forward) its own simulated range. */
export interface SweepThreadSet {
  ordinal: number;
  windowIndex: number | null;
  gridIndex: number;
  params: Record<string, unknown>;
  startDate?: number;
  endDate?: number;
  /** Send the NAV series back too (a walk-forward's out-of-sample runs, chained into one curve). */
  keepNav?: boolean;
}

export interface SweepThreadInput {
  panel: Panel;
  benchmark: BenchmarkSeries | null;
  strategy: string;
  config: Partial<BacktestConfig>;
  capital: number;
  sets: SweepThreadSet[];
  /** Int32Array over a SharedArrayBuffer: [next set index]. */
  counter: Int32Array;
}

/** What a thread sends per set (as a checkpoint message). */
export interface SweepThreadSetResult {
  ordinal: number;
  metrics: SetMetrics | null;
  metricsJson: string | null;
  error: string | null;
  returns: Float64Array | null;
  days: number;
  /** Out-of-sample sets: the NAV series (dates, values from 1 at the starting point) for the chained curve. */
  nav?: { dates: Int32Array; values: Float64Array };
}

/** JSON of the full metrics, NaN and ±Infinity as null (jsonb cannot hold them). */
const metricsText = (m: Metrics) => JSON.stringify(m, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));

serveThreadTask<SweepThreadInput, { ran: number }>(async (ctx) => {
  const { panel, benchmark, strategy, config, capital, sets, counter } = ctx.input;
  let ran = 0;
  for (;;) {
    // Yield between sets: a short set ends inside its first slice without yielding, and the abort
    // message (cancel, pause) is only read when the event loop turns.
    await new Promise<void>((r) => setImmediate(r));
    if (ctx.signal.aborted) break;
    const k = Atomics.add(counter, 0, 1);
    if (k >= sets.length) break;
    const set = sets[k];
    const out = await runBacktest({
      panel, benchmark, strategy: { kind: 'builtin', name: strategy, params: set.params }, signal: ctx.signal,
      config: { ...config, ...(set.startDate !== undefined ? { startDate: set.startDate } : {}), ...(set.endDate !== undefined ? { endDate: set.endDate } : {}) },
      // One slice per set: a set is short, and the signal is checked between sets.
      sliceMs: 200,
    });
    if (!out.ok) {
      if (out.error.code === 'aborted') break;
      ctx.checkpoint({ ordinal: set.ordinal, metrics: null, metricsJson: null, error: `${out.error.code}: ${out.error.message}`, returns: null, days: 0 } satisfies SweepThreadSetResult);
      ran++;
      continue;
    }
    const r = out.result;
    const n = r.dates.length;
    const start = n ? startPointOf(panel.dates, r.dates[0], benchmark?.close) : undefined;
    const nav = navSeries(r, capital, start);
    const result: SweepThreadSetResult = {
      ordinal: set.ordinal,
      metrics: setMetricsOf(out.metrics, n ? r.total[n - 1] : capital),
      metricsJson: metricsText(out.metrics),
      error: null,
      returns: periodReturns(nav.total),
      days: n,
      ...(set.keepNav ? { nav: { dates: nav.dates, values: nav.nav } } : {}),
    };
    ctx.checkpoint(result);
    ran++;
  }
  return { ran };
});
