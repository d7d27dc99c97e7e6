/**
 * Worker-thread side of the `backtest` executor: runs the engine (built-in or sandboxed user code)
 * on the panel it is handed (SharedArrayBuffer arrays: no copy), reporting progress as days done
 * and the current date. Hosted by src/runs/thread-host.ts.
 */
import { runBacktest, type RunBacktestInput, type RunOutcome } from '../backtest/run-backtest.ts';
import { serveThreadTask } from '../runs/thread-task.ts';

export type BacktestThreadInput = Omit<RunBacktestInput, 'onProgress' | 'signal'>;

const dash = (d: number) => `${String(d).slice(0, 4)}-${String(d).slice(4, 6)}-${String(d).slice(6, 8)}`;

serveThreadTask<BacktestThreadInput, RunOutcome>((ctx) =>
  runBacktest({
    ...ctx.input,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress({ processed: p.done, total: p.total, current: p.date ? dash(p.date) : null }),
  }),
);
