/**
 * Worker-thread side of the `backtest` executor: runs the engine (built-in or sandboxed user code)
 * on the panel it is handed (SharedArrayBuffer arrays: no copy), reporting progress as days done
 * and the current date, then serializes the result for storage here too, and checks its size.
 * Serializing on this thread is the point: JSON.stringify of a result with hundreds of thousands
 * of orders takes the better part of a second, which on the main thread stalls every request
 * (and /healthz) for as long. The main thread gets strings to write, or a refusal.
 * Hosted by src/runs/thread-host.ts.
 */
import { backtestMetrics, startPointOf } from '../engine/metrics/backtest-metrics.ts';
import { runBacktest, type RunBacktestInput, type RunError } from '../engine/run-backtest.ts';
import { serveThreadTask } from '../runs/thread-task.ts';
import type { MetricColumns, ResultRow } from './backtests.repository.ts';
import { toStored } from './results.ts';
import { isoDay } from '../market/days.ts';

export interface BacktestThreadInput extends Omit<RunBacktestInput, 'onProgress' | 'signal'> {
  /** Starting capital, for the stored NAV. */
  capital: number;
  /** Bound of the serialized result (all stored parts together, UTF-8 bytes); past it the run fails, nothing is written. */
  maxResultBytes: number;
}

/** What the thread answers: the stored rows, or why there are none. */
export type BacktestThreadOutcome =
  | { ok: true; row: ResultRow; columns: MetricColumns; bytes: number; days: number; orders: number; fills: number; logs: string[] }
  | { ok: false; error: RunError | ResultTooLarge; logs: string[] };

export interface ResultTooLarge {
  code: 'result_too_large';
  message: string;
  bytes: number;
  limit: number;
  line: null;
  column: null;
  date: null;
}

const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

serveThreadTask<BacktestThreadInput, BacktestThreadOutcome>(async (ctx) => {
  const { capital, maxResultBytes, ...input } = ctx.input;
  const out = await runBacktest({
    ...input,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress({ processed: p.done, total: p.total, current: p.date ? isoDay(p.date) : null }),
  });
  if (!out.ok) return out;
  // The starting point is dated from the panel (the trading day before the first simulated day), and
  // the metrics are those of the series stored with it, so the NAV export reproduces them.
  const start = out.result.dates.length ? startPointOf(input.panel.dates, out.result.dates[0], input.benchmark?.close) : undefined;
  const metrics = backtestMetrics(out.result, capital, input.metrics, start);
  const { row, columns } = toStored(out.result, metrics, capital, start);
  let bytes = 0;
  for (const part of Object.values(row)) bytes += Buffer.byteLength(part);
  const r = out.result;
  if (bytes > maxResultBytes) {
    return {
      ok: false,
      error: {
        code: 'result_too_large', bytes, limit: maxResultBytes, line: null, column: null, date: null,
        message: `the result would take ${mb(bytes)} (${r.orders.length} orders, ${r.fills.length} fills over ${r.dates.length} days), over the ${mb(maxResultBytes)} a stored result may take`,
      },
      logs: r.logs,
    };
  }
  return { ok: true, row, columns, bytes, days: r.dates.length, orders: r.orders.length, fills: r.fills.length, logs: r.logs };
});
