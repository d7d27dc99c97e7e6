/**
 * Worker-thread side of the `sweep` executor: one of a small pool of threads, each handed the same
 * panel (SharedArrayBuffer arrays: never copied) and the same list of parameter sets. The threads
 * take sets a batch at a time from a shared counter (Atomics.add on a SharedArrayBuffer), so a slow
 * batch never leaves a thread idle while another has a queue. A batch of a built-in strategy runs
 * in lockstep (runBacktestsInLockstep: the sets advance day by day together on one indicator feed,
 * so an SMA window several sets use is computed once per day, and the day's panel rows are read
 * once); a user strategy's sets run one by one in the sandbox. Either way each set gets the result
 * and metrics a single backtest of it gives (same config, same starting point), and its key
 * metrics and daily returns go back to the main thread as soon as it ends (a checkpoint message),
 * where they are stored in batches. Hosted by src/runs/thread-host.ts.
 */
import { navSeries, startPointOf } from '../engine/metrics/backtest-metrics.ts';
import { periodReturns, type Metrics } from '../engine/metrics/metrics.ts';
import type { BenchmarkSeries, Panel } from '../engine/panel.ts';
import { runBacktest, runBacktestsInLockstep, type RunOutcome } from '../engine/run-backtest.ts';
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
  /** A built-in by name, or a user strategy's code (run in the sandbox). */
  strategy: SweepStrategyCode;
  config: Partial<BacktestConfig>;
  capital: number;
  sets: SweepThreadSet[];
  /** Sets a thread takes at a time and runs in lockstep (built-ins); 1 when absent. */
  batch?: number;
  /** Int32Array over a SharedArrayBuffer: [next set index]. */
  counter: Int32Array;
  /**
   * Sets handed out while the threads run (a sweep spread over processes: the sets this process
   * claims, as it claims them): Int32Array over a SharedArrayBuffer, [sets made available, closed
   * (1: no more will come), then the indexes into `sets` in the order they were made available].
   * The counter then counts the entries taken. Absent: every set is available from the start.
   */
  feed?: Int32Array;
}

export type SweepStrategyCode =
  | { kind: 'builtin'; name: string }
  | { kind: 'user'; source: string; language: 'ts' | 'js'; memoryLimitMb?: number; timeoutMs?: number };

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

/** A set's outcome as the checkpoint message the main thread stores. */
function setResultOf(set: SweepThreadSet, out: RunOutcome, panel: Panel, benchmark: BenchmarkSeries | null, capital: number): SweepThreadSetResult {
  if (!out.ok) return { ordinal: set.ordinal, metrics: null, metricsJson: null, error: `${out.error.code}: ${out.error.message}`, returns: null, days: 0 };
  const r = out.result;
  const n = r.dates.length;
  const start = n ? startPointOf(panel.dates, r.dates[0], benchmark?.close) : undefined;
  const nav = navSeries(r, capital, start);
  return {
    ordinal: set.ordinal,
    metrics: setMetricsOf(out.metrics, n ? r.total[n - 1] : capital),
    metricsJson: metricsText(out.metrics),
    error: null,
    returns: periodReturns(nav.total),
    days: n,
    ...(set.keepNav ? { nav: { dates: nav.dates, values: nav.nav } } : {}),
  };
}

/** A set's own simulated range (walk-forward windows) over the sweep's config. */
const configOf = (config: Partial<BacktestConfig>, set: SweepThreadSet): Partial<BacktestConfig> => ({
  ...config, ...(set.startDate !== undefined ? { startDate: set.startDate } : {}), ...(set.endDate !== undefined ? { endDate: set.endDate } : {}),
});

/**
 * The next entries of a feed (`SweepThreadInput.feed`) this thread takes, up to `batch`, waiting
 * (without blocking the event loop, so an abort is still read) while none is available; null once
 * the feed is closed and empty, or on abort. Entries are taken by compare-and-swap on the counter,
 * so two threads never take the same one and none takes one not yet made available.
 */
async function takeFed(feed: Int32Array, counter: Int32Array, batch: number, signal: AbortSignal): Promise<{ from: number; n: number } | null> {
  for (;;) {
    if (signal.aborted) return null;
    const taken = Atomics.load(counter, 0);
    const available = Atomics.load(feed, 0);
    if (taken < available) {
      const n = Math.min(batch, available - taken);
      if (Atomics.compareExchange(counter, 0, taken, taken + n) === taken) return { from: taken, n };
      continue;
    }
    // Closed is set after the last entries were made available: read it, then look again.
    if (Atomics.load(feed, 1) === 1 && Atomics.load(feed, 0) <= taken) return null;
    const wait = Atomics.waitAsync(feed, 0, available, 200);
    if (wait.async) await wait.value;
  }
}

serveThreadTask<SweepThreadInput, { ran: number }>(async (ctx) => {
  const { panel, benchmark, strategy, config, capital, sets, counter, feed } = ctx.input;
  const batch = Math.max(1, ctx.input.batch ?? 1);
  let ran = 0;
  for (;;) {
    // Yield between batches: a short one ends inside its first slice without yielding, and the abort
    // message (cancel, pause) is only read when the event loop turns.
    await new Promise<void>((r) => setImmediate(r));
    if (ctx.signal.aborted) break;
    let chunk: SweepThreadSet[];
    if (feed) {
      const got = await takeFed(feed, counter, batch, ctx.signal);
      if (!got) break;
      chunk = Array.from({ length: got.n }, (_, j) => sets[feed[2 + got.from + j]]);
    } else {
      const k = Atomics.add(counter, 0, batch);
      if (k >= sets.length) break;
      chunk = sets.slice(k, k + batch);
    }
    if (strategy.kind === 'user') {
      // User code runs in its sandbox, one set at a time (its indicators live inside the isolate).
      for (const set of chunk) {
        const out = await runBacktest({ panel, benchmark, strategy: { ...strategy, params: set.params }, signal: ctx.signal, config: configOf(config, set), sliceMs: 200 });
        if (!out.ok && out.error.code === 'aborted') return { ran };
        ctx.checkpoint(setResultOf(set, out, panel, benchmark, capital));
        ran++;
      }
      continue;
    }
    // Built-ins: the chunk's sets day by day together, on one indicator feed (each SMA window once a day for all).
    const finished = await runBacktestsInLockstep({
      panel, benchmark, signal: ctx.signal, sliceMs: 200,
      members: chunk.map((set) => ({ name: strategy.name, params: set.params, config: configOf(config, set) })),
      onOutcome: (i, out) => {
        ctx.checkpoint(setResultOf(chunk[i], out, panel, benchmark, capital));
        ran++;
      },
    });
    if (!finished) break;
  }
  return { ran };
});
