/**
 * One entry to run a backtest of a built-in or a user strategy with progress, cancellation and
 * metrics. Built-ins run the engine here, in slices, yielding to the event loop between them
 * (so an AbortSignal is seen within one slice, 50 ms by default); user code goes to the sandbox.
 */
import { makeBacktest, OrderLimitError, parseOrderLimit, StrategyError, type Backtest } from './engine.ts';
import { makeSharedIndicators } from './indicator-feed.ts';
import type { StrategyDefinition } from './strategy.ts';
import type { BenchmarkSeries, Panel } from './panel.ts';
import type { BacktestConfig, BacktestResult, Progress } from './types.ts';
import { defaultConfig } from './types.ts';
import { backtestMetrics, startPointOf } from './metrics/backtest-metrics.ts';
import type { Metrics, MetricsOptions } from './metrics/metrics.ts';
import { runUserBacktest } from './sandbox/sandbox.ts';
import type { UserCodeError } from './sandbox/user-code.ts';
import { getBuiltinStrategy } from './builtins/registry.ts';

export type StrategySpec =
  | { kind: 'builtin'; name: string; params?: unknown }
  | { kind: 'user'; source: string; language?: 'ts' | 'js'; params?: unknown; memoryLimitMb?: number; timeoutMs?: number };

export interface RunBacktestInput {
  panel: Panel;
  benchmark?: BenchmarkSeries | null;
  strategy: StrategySpec;
  config?: Partial<BacktestConfig>;
  metrics?: MetricsOptions;
  onProgress?(p: Progress): void;
  signal?: AbortSignal;
  sliceMs?: number;
}

export type RunError =
  | UserCodeError
  | { code: 'unknown_strategy' | 'internal_error'; message: string; line: null; column: null; date: null }
  /** The strategy placed more orders than the run (`maxOrders`) or one day (`maxOrdersPerDay`) allows. */
  | { code: 'order_limit'; scope: 'run' | 'day'; limit: number; message: string; line: number | null; column: number | null; date: number | null };

export type RunOutcome = { ok: true; result: BacktestResult; metrics: Metrics } | { ok: false; error: RunError; logs: string[] };

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/** Metrics from the starting point the panel dates (the trading day before the first simulated day), as the stored result has them. */
function metricsOfResult(panel: Panel, benchmark: BenchmarkSeries | null | undefined, config: Partial<BacktestConfig> | undefined, options: MetricsOptions | undefined, result: BacktestResult): Metrics {
  const initialCash = config?.initialCash ?? defaultConfig.initialCash;
  return backtestMetrics(result, initialCash, options, result.dates.length ? startPointOf(panel.dates, result.dates[0], benchmark?.close) : undefined);
}

const failed = (error: RunError): RunOutcome => ({ ok: false, error, logs: [] });

/** A built-in strategy by name with its params checked, or the failed outcome that says why not. */
function builtinOf(name: string, params: unknown): { strategy: StrategyDefinition<unknown> } | { fail: RunOutcome } {
  const strategy = getBuiltinStrategy(name);
  if (!strategy) return { fail: failed({ code: 'unknown_strategy', message: `unknown strategy "${name}"`, line: null, column: null, date: null }) };
  const parsed = (strategy.params as { safeParse?: (x: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }).safeParse?.(params ?? {});
  if (parsed && !parsed.success) {
    const msg = parsed.error!.issues.map((i) => `${i.path.map(String).join('.') || 'params'}: ${i.message}`).join('; ');
    return { fail: failed({ code: 'invalid_params', message: msg, line: null, column: null, date: null }) };
  }
  return { strategy: strategy as StrategyDefinition<unknown> };
}

/** A strategy's error or an order limit as the failed outcome; anything else is rethrown (a bug of ours). */
function thrownOutcome(err: unknown): RunOutcome {
  if (err instanceof StrategyError) return failed({ code: 'runtime_error', message: err.message, line: null, column: null, date: err.date });
  if (err instanceof OrderLimitError) return failed({ code: 'order_limit', scope: err.scope, limit: err.limit, message: err.message, line: null, column: null, date: err.date });
  throw err;
}

export async function runBacktest(input: RunBacktestInput): Promise<RunOutcome> {
  const metricsOf = (result: BacktestResult) => metricsOfResult(input.panel, input.benchmark, input.config, input.metrics, result);
  const spec = input.strategy;
  if (spec.kind === 'user') {
    const out = await runUserBacktest({
      source: spec.source, language: spec.language, panel: input.panel, benchmark: input.benchmark, params: spec.params, config: input.config,
      memoryLimitMb: spec.memoryLimitMb, timeoutMs: spec.timeoutMs, onProgress: input.onProgress, signal: input.signal, sliceMs: input.sliceMs,
    });
    if (!out.ok) {
      // Inside the isolate the engine's OrderLimitError reaches the host as text only.
      const limit = out.error.code === 'runtime_error' ? parseOrderLimit(out.error.message) : null;
      return limit ? { ok: false, error: { ...out.error, code: 'order_limit', ...limit }, logs: out.logs } : out;
    }
    return { ok: true, result: out.result, metrics: metricsOf(out.result) };
  }
  const b = builtinOf(spec.name, spec.params);
  if ('fail' in b) return b.fail;
  const bt = makeBacktest({ panel: input.panel, benchmark: input.benchmark, strategy: b.strategy, params: spec.params ?? {}, config: input.config });
  const sliceMs = input.sliceMs ?? 50;
  try {
    for (;;) {
      if (input.signal?.aborted) return failed({ code: 'aborted', message: 'the backtest was cancelled', line: null, column: null, date: bt.progress().date });
      const done = bt.step(Number.MAX_SAFE_INTEGER, Date.now() + sliceMs);
      input.onProgress?.(bt.progress());
      if (done) break;
      await yieldToLoop();
    }
  } catch (err) {
    return thrownOutcome(err);
  }
  const result = bt.result();
  return { ok: true, result, metrics: metricsOf(result) };
}

/** Backtests of built-in strategies on one panel, each with its own params and config (a sweep's sets). */
export interface LockstepInput {
  panel: Panel;
  benchmark?: BenchmarkSeries | null;
  members: ReadonlyArray<{ name: string; params?: unknown; config?: Partial<BacktestConfig> }>;
  metrics?: MetricsOptions;
  /** Each member's outcome as soon as it is known (members that simulate fewer days end first). */
  onOutcome(index: number, outcome: RunOutcome): void;
  signal?: AbortSignal;
  sliceMs?: number;
}

/**
 * Runs several built-in backtests on one panel day by day together, sharing one indicator feed
 * (indicator-feed.ts, makeSharedIndicators): the adjusted closes and each indicator (an SMA of one
 * window, …) are computed once per day for all of them instead of once per backtest, and each day's
 * rows of the panel are read from memory once and then from cache by every member. Each member's
 * result, metrics and errors are those runBacktest gives it alone (the indicators are the same
 * arithmetic on the same inputs); a member that fails ends alone. Answers false when the signal
 * aborted it (the outcomes not yet reported are lost), true when every member was reported.
 */
export async function runBacktestsInLockstep(input: LockstepInput): Promise<boolean> {
  const { panel, benchmark } = input;
  const shared = makeSharedIndicators(panel);
  const live: Array<{ index: number; bt: Backtest; config: Partial<BacktestConfig> | undefined }> = [];
  let maxLast = -1;
  const finish = (index: number, bt: Backtest, config: Partial<BacktestConfig> | undefined) => {
    const result = bt.result();
    input.onOutcome(index, { ok: true, result, metrics: metricsOfResult(panel, benchmark, config, input.metrics, result) });
  };
  for (const [index, m] of input.members.entries()) {
    const b = builtinOf(m.name, m.params);
    if ('fail' in b) {
      input.onOutcome(index, b.fail);
      continue;
    }
    const bt = makeBacktest({ panel, benchmark, strategy: b.strategy, params: m.params ?? {}, config: m.config, shared });
    if (bt.lastDay < 0) finish(index, bt, m.config);
    else {
      live.push({ index, bt, config: m.config });
      maxLast = Math.max(maxLast, bt.lastDay);
    }
  }
  const sliceMs = input.sliceMs ?? 50;
  let deadline = Date.now() + sliceMs;
  for (let d = 0; d <= maxLast && live.length > 0; d++) {
    shared.clock.today = d;
    shared.feed.feed(d);
    for (let k = 0; k < live.length; k++) {
      const m = live[k];
      let done: boolean;
      try {
        done = m.bt.stepDay(d);
      } catch (err) {
        input.onOutcome(m.index, thrownOutcome(err));
        live.splice(k--, 1);
        continue;
      }
      if (done) {
        finish(m.index, m.bt, m.config);
        live.splice(k--, 1);
      }
    }
    if ((d & 7) === 0 && Date.now() >= deadline) {
      await yieldToLoop();
      if (input.signal?.aborted) return false;
      deadline = Date.now() + sliceMs;
    }
  }
  return true;
}
