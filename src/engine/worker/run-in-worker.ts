/** Runs a backtest on a worker thread (the run machinery's entry): progress via callback, AbortSignal honoured. */
import { Worker } from 'node:worker_threads';
import type { Progress } from '../types.ts';
import type { RunBacktestInput, RunOutcome } from '../run-backtest.ts';

const bootstrapUrl = new URL('./bootstrap.mjs', import.meta.url);
const workerEntry = new URL('./backtest.worker.ts', import.meta.url).href;

export function runBacktestInWorker(input: Omit<RunBacktestInput, 'onProgress' | 'signal'>, opts: { onProgress?(p: Progress): void; signal?: AbortSignal } = {}): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(bootstrapUrl, { workerData: { entry: workerEntry, input } });
    let settled = false;
    const onAbort = () => worker.postMessage({ type: 'abort' });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      f();
      void worker.terminate();
    };
    worker.on('message', (m: { type: 'progress'; progress: Progress } | { type: 'done'; outcome: RunOutcome }) => {
      if (m.type === 'progress') opts.onProgress?.(m.progress);
      else finish(() => resolve(m.outcome));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`backtest worker exited with code ${code} before finishing`))));
    if (opts.signal?.aborted) onAbort();
  });
}
