import { parentPort, workerData } from 'node:worker_threads';
import type { ProgressUpdate } from './executor-registry.ts';
import type { LogLevel } from './run.types.ts';
import type { ThreadMessage } from './thread-host.ts';

/** What a task on a worker thread gets: its input, a signal, and the same reporting calls as an executor. */
export interface ThreadTaskContext<I> {
  input: I;
  signal: AbortSignal;
  progress(update: ProgressUpdate): void;
  log(level: LogLevel, message: string): void;
  checkpoint(state: unknown): void;
}

/** Called once by a worker-thread module: runs `task` with the input runInThread sent and answers. */
export function serveThreadTask<I, O>(task: (ctx: ThreadTaskContext<I>) => Promise<O> | O): void {
  const port = parentPort;
  if (!port) throw new Error('serveThreadTask must run inside a worker thread');
  const ac = new AbortController();
  const send = (m: ThreadMessage) => port.postMessage(m);
  port.on('message', (m: { type: string; reason?: unknown }) => {
    if (m.type === 'abort') ac.abort(m.reason);
  });
  Promise.resolve()
    .then(() =>
      task({
        input: workerData as I,
        signal: ac.signal,
        progress: (update) => send({ type: 'progress', update }),
        log: (level, message) => send({ type: 'log', level, message }),
        checkpoint: (state) => send({ type: 'checkpoint', state }),
      }),
    )
    .then(
      (value) => send({ type: 'result', value }),
      (err: Error) => send({ type: 'error', message: err?.message ?? String(err), stack: err?.stack }),
    )
    .finally(() => port.close());
}
