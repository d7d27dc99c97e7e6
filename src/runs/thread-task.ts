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

/**
 * Called once by a worker-thread module: runs `task` with the input runInThread sent and answers.
 * On a kept thread (makeThreadPool) it runs each input sent as a `task` message instead, one at a
 * time, answering each, and stays up for the next (its modules loaded, its code compiled).
 */
export function serveThreadTask<I, O>(task: (ctx: ThreadTaskContext<I>) => Promise<O> | O): void {
  const port = parentPort;
  if (!port) throw new Error('serveThreadTask must run inside a worker thread');
  const send = (m: ThreadMessage) => port.postMessage(m);
  const runTask = (input: I, signal: AbortSignal) =>
    Promise.resolve()
      .then(() =>
        task({
          input,
          signal,
          progress: (update) => send({ type: 'progress', update }),
          log: (level, message) => send({ type: 'log', level, message }),
          checkpoint: (state) => send({ type: 'checkpoint', state }),
        }),
      )
      .then(
        (value) => send({ type: 'result', value }),
        (err: Error) => send({ type: 'error', message: err?.message ?? String(err), stack: err?.stack }),
      );
  if ((workerData as { keptThread?: boolean } | undefined)?.keptThread === true) {
    let current: AbortController | null = null;
    port.on('message', (m: { type: string; reason?: unknown; input?: I }) => {
      if (m.type === 'abort') current?.abort(m.reason);
      else if (m.type === 'task') {
        const ac = new AbortController();
        current = ac;
        void runTask(m.input as I, ac.signal).finally(() => {
          if (current === ac) current = null;
        });
      }
    });
    return;
  }
  const ac = new AbortController();
  port.on('message', (m: { type: string; reason?: unknown }) => {
    if (m.type === 'abort') ac.abort(m.reason);
  });
  void runTask(workerData as I, ac.signal).finally(() => port.close());
}
