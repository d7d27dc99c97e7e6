/**
 * Worker-thread entry: runs `workerData.input` (panel arrays on SharedArrayBuffers are shared,
 * others copied), posts { type: 'progress', progress } and finally { type: 'done', outcome };
 * a { type: 'abort' } message cancels.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runBacktest, type RunBacktestInput } from '../run-backtest.ts';

const port = parentPort!;
const ac = new AbortController();
port.on('message', (msg: { type: 'abort' }) => {
  if (msg.type === 'abort') ac.abort();
});
const input = (workerData as { input: Omit<RunBacktestInput, 'onProgress' | 'signal'> }).input;
runBacktest({ ...input, signal: ac.signal, onProgress: (p) => port.postMessage({ type: 'progress', progress: p }) })
    .then((outcome) => port.postMessage({ type: 'done', outcome }))
    .catch((err: Error) => port.postMessage({ type: 'done', outcome: { ok: false, error: { code: 'internal_error', message: err.message, line: null, column: null, date: null }, logs: [] } }))
    .finally(() => port.close());
