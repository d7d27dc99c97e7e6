import type { Worker } from 'node:worker_threads';
import { startSourceWorker, startWorker } from '../binary/workers.ts';
import type { LogLevel } from './run.types.ts';
import type { ProgressUpdate } from './executor-registry.ts';

/**
 * Hosts CPU-bound executor work (backtests) on a worker thread so the event loop keeps serving
 * HTTP and heartbeats. `entry` names a worker entry (src/binary/workers.ts, e.g. `backtest`), or is
 * the URL of a source-tree module (tests' fixtures; not in the binary). That module calls `serveThreadTask` (thread-task.ts). Progress,
 * log lines and checkpoints come back as messages; aborting `signal` asks the task to stop, and
 * terminates the thread if it has not stopped after `graceMs`.
 */
export type ThreadMessage =
  | { type: 'progress'; update: ProgressUpdate }
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'checkpoint'; state: unknown }
  | { type: 'result'; value: unknown }
  | { type: 'error'; message: string; stack?: string };

export interface ThreadHooks {
  signal: AbortSignal;
  onProgress?(update: ProgressUpdate): void;
  onLog?(level: LogLevel, message: string): void;
  onCheckpoint?(state: unknown): void;
  graceMs?: number;
  /** Passed without copying (e.g. a SharedArrayBuffer panel). */
  transferList?: Transferable[];
}

/**
 * A thread's message to the hooks (progress, log lines, checkpoints) or to `end`: its result, or its
 * error (the abort's reason when the task was asked to stop, else the thread's error with its stack).
 */
function relay(m: ThreadMessage, hooks: ThreadHooks, end: { result(value: unknown): void; error(err: unknown): void }): void {
  switch (m.type) {
    case 'progress':
      hooks.onProgress?.(m.update);
      break;
    case 'log':
      hooks.onLog?.(m.level, m.message);
      break;
    case 'checkpoint':
      hooks.onCheckpoint?.(m.state);
      break;
    case 'result':
      end.result(m.value);
      break;
    case 'error':
      end.error(hooks.signal.aborted ? hooks.signal.reason : Object.assign(new Error(m.message), { stack: m.stack }));
      break;
  }
}

export function runInThread<I, O>(entry: string | URL, input: I, hooks: ThreadHooks): Promise<O> {
  return new Promise<O>((resolve, reject) => {
    if (hooks.signal.aborted) return reject(hooks.signal.reason);
    const options = { workerData: input, transferList: hooks.transferList as never };
    const worker = typeof entry === 'string' ? startWorker(entry, options) : startSourceWorker(entry, options);
    let settled = false;
    let killTimer: NodeJS.Timeout | null = null;
    const finish = (fn: () => void, answered = false) => {
      if (settled) return;
      settled = true;
      hooks.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      fn();
      // A thread that answered exits by itself once its port closes; terminating it at once can
      // tear down native addons mid-cleanup (isolated-vm asserts and kills the process), so it
      // gets a grace period first.
      if (answered) setTimeout(() => void worker.terminate(), 10_000).unref();
      else void worker.terminate();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'abort', reason: hooks.signal.reason });
      killTimer = setTimeout(() => finish(() => reject(hooks.signal.reason)), hooks.graceMs ?? 2000);
    };
    hooks.signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: ThreadMessage) =>
      relay(m, hooks, {
        result: (value) => finish(() => resolve(value as O), true),
        error: (err) => finish(() => reject(err), true),
      }),
    );
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`worker thread exited with code ${code} before answering`))));
  });
}

/** Threads of one entry kept between tasks (makeThreadPool). */
export interface ThreadPool {
  /** As runInThread, on a kept thread when one is idle (else a new one, kept afterwards). */
  run<I, O>(input: I, hooks: ThreadHooks): Promise<O>;
  /** Threads idle now. */
  idle(): number;
}

/**
 * Runs tasks of `entry` on threads that stay up between them: a thread that answered waits (not
 * holding the process open) for the next task, for up to `idleMs`. A new thread costs its start —
 * loading its modules through the loader, then running cold code — about 0.4 CPU-s for a sweep
 * thread; a kept one has both done. A thread whose task failed, or that did not stop when asked,
 * is not kept. The entry's module must call serveThreadTask (thread-task.ts), which serves a kept
 * thread's tasks one at a time.
 */
export function makeThreadPool(entry: string | URL, o: { idleMs: number }): ThreadPool {
  const idle: Array<{ worker: Worker; timer: NodeJS.Timeout }> = [];
  const start = () => {
    // The workerData that tells serveThreadTask (thread-task.ts) its inputs come as `task` messages.
    const options = { workerData: { keptThread: true } };
    const worker = typeof entry === 'string' ? startWorker(entry, options) : startSourceWorker(entry, options);
    // A kept thread that dies while idle is forgotten.
    worker.on('exit', () => {
      const k = idle.findIndex((x) => x.worker === worker);
      if (k >= 0) {
        clearTimeout(idle[k].timer);
        idle.splice(k, 1);
      }
    });
    return worker;
  };
  const park = (worker: Worker) => {
    worker.unref();
    const timer = setTimeout(() => {
      const k = idle.findIndex((x) => x.worker === worker);
      if (k >= 0) idle.splice(k, 1);
      void worker.terminate();
    }, o.idleMs);
    timer.unref();
    idle.push({ worker, timer });
  };
  return {
    idle: () => idle.length,
    run<I, O>(input: I, hooks: ThreadHooks) {
      return new Promise<O>((resolve, reject) => {
        if (hooks.signal.aborted) return reject(hooks.signal.reason);
        const kept = idle.pop();
        if (kept) clearTimeout(kept.timer);
        const worker = kept?.worker ?? start();
        worker.ref();
        let settled = false;
        let killTimer: NodeJS.Timeout | null = null;
        const finish = (fn: () => void, keep: 'keep' | 'answered' | 'kill') => {
          if (settled) return;
          settled = true;
          hooks.signal.removeEventListener('abort', onAbort);
          if (killTimer) clearTimeout(killTimer);
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
          fn();
          if (keep === 'keep') park(worker);
          // As runInThread: a thread that answered gets a grace period before it is terminated (native addons' cleanup).
          else if (keep === 'answered') setTimeout(() => void worker.terminate(), 10_000).unref();
          else void worker.terminate();
        };
        const onAbort = () => {
          worker.postMessage({ type: 'abort', reason: hooks.signal.reason });
          killTimer = setTimeout(() => finish(() => reject(hooks.signal.reason), 'kill'), hooks.graceMs ?? 2000);
        };
        const onMessage = (m: ThreadMessage) =>
          relay(m, hooks, {
            result: (value) => finish(() => resolve(value as O), 'keep'),
            error: (err) => finish(() => reject(err), 'answered'),
          });
        const onError = (err: Error) => finish(() => reject(err), 'kill');
        const onExit = (code: number) => finish(() => reject(new Error(`worker thread exited with code ${code} before answering`)), 'kill');
        hooks.signal.addEventListener('abort', onAbort, { once: true });
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        worker.postMessage({ type: 'task', input }, hooks.transferList as never);
      });
    },
  };
}

/** How long a kept thread waits for its next task before it ends (keptThreadPool). */
const keptThreadIdleMs = 5 * 60_000;
const keptPools = new Map<string, ThreadPool>();

/**
 * The process's one pool of kept threads for a worker entry (src/binary/workers.ts), made at first
 * use: sweeps and factor analyses run their threads there, idle ones ending after 5 minutes.
 */
export function keptThreadPool(entry: string): ThreadPool {
  let pool = keptPools.get(entry);
  if (!pool) keptPools.set(entry, (pool = makeThreadPool(entry, { idleMs: keptThreadIdleMs })));
  return pool;
}
