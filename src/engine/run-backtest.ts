/**
 * One entry to run a backtest of a built-in or a user strategy with progress, cancellation and
 * metrics. Built-ins run the engine here, in slices, yielding to the event loop between them
 * (so an AbortSignal is seen within one slice, 50 ms by default); user code goes to the sandbox.
 */
import { makeBacktest, OrderLimitError, parseOrderLimit, StrategyError } from './engine.ts';
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

export async function runBacktest(input: RunBacktestInput): Promise<RunOutcome> {
  const initialCash = input.config?.initialCash ?? defaultConfig.initialCash;
  // Metrics from the starting point the panel dates (the trading day before the first simulated
  // day), as the stored result has them: every caller of this function gets the same numbers.
  const metricsOf = (result: BacktestResult) =>
    backtestMetrics(result, initialCash, input.metrics, result.dates.length ? startPointOf(input.panel.dates, result.dates[0], input.benchmark?.close) : undefined);
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
  const strategy = getBuiltinStrategy(spec.name);
  const fail = (error: RunError): RunOutcome => ({ ok: false, error, logs: [] });
  if (!strategy) return fail({ code: 'unknown_strategy', message: `unknown strategy "${spec.name}"`, line: null, column: null, date: null });
  const parsed = (strategy.params as { safeParse?: (x: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }).safeParse?.(spec.params ?? {});
  if (parsed && !parsed.success) {
    const msg = parsed.error!.issues.map((i) => `${i.path.map(String).join('.') || 'params'}: ${i.message}`).join('; ');
    return fail({ code: 'invalid_params', message: msg, line: null, column: null, date: null });
  }
  const bt = makeBacktest({ panel: input.panel, benchmark: input.benchmark, strategy, params: spec.params ?? {}, config: input.config });
  const sliceMs = input.sliceMs ?? 50;
  try {
    for (;;) {
      if (input.signal?.aborted) return fail({ code: 'aborted', message: 'the backtest was cancelled', line: null, column: null, date: bt.progress().date });
      const done = bt.step(Number.MAX_SAFE_INTEGER, Date.now() + sliceMs);
      input.onProgress?.(bt.progress());
      if (done) break;
      await yieldToLoop();
    }
  } catch (err) {
    if (err instanceof StrategyError) return fail({ code: 'runtime_error', message: err.message, line: null, column: null, date: err.date });
    if (err instanceof OrderLimitError) return fail({ code: 'order_limit', scope: err.scope, limit: err.limit, message: err.message, line: null, column: null, date: err.date });
    throw err;
  }
  const result = bt.result();
  return { ok: true, result, metrics: metricsOf(result) };
}
