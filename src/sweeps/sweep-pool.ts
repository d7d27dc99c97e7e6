/**
 * Runs a list of parameter sets on a small pool of worker threads that share one panel (its
 * SharedArrayBuffers go to every thread without a copy) and one counter the threads take sets
 * from. Each finished set comes back through `onSet` as soon as it ends.
 */
import { keptThreadPool, runInThread, type ThreadHooks } from '../runs/thread-host.ts';
import type { LogLevel } from '../runs/run.types.ts';
import type { SweepThreadInput, SweepThreadSet, SweepThreadSetResult } from './sweep.thread.ts';

export interface PoolOptions {
  threads: number;
  signal: AbortSignal;
  onSet(result: SweepThreadSetResult): void;
  onLog?(level: LogLevel, message: string): void;
  /** Sets per lockstep batch (default lockstepBatch). */
  batch?: number;
}

export const LOCKSTEP_MAX = 32;

/**
 * Where a sweep's thread runs: a built-in strategy's on a thread kept between sweeps (started once
 * per process, its code already compiled: ~0.4 CPU-s a thread less per sweep and per participant of
 * a spread one); user code on a thread of its own, ended with its sweep (nothing of one user's code
 * run stays around for the next).
 */
function runSweepThread(input: SweepThreadInput, hooks: ThreadHooks): Promise<{ ran: number }> {
  if (input.strategy.kind === 'builtin') {
    return keptThreadPool('sweep').run<SweepThreadInput, { ran: number }>(input, hooks);
  }
  return runInThread<SweepThreadInput, { ran: number }>('sweep', input, hooks);
}

/**
 * How many sets a thread runs in lockstep at a time: larger batches share more (each indicator
 * window and each day's panel rows once per batch: a set in a batch of 32 costs ~15% less than in
 * one of 16), smaller ones balance the threads' loads and report sooner. As many batches as give
 * every thread about 2, more when one would pass LOCKSTEP_MAX, and the sets split evenly over them
 * (100 sets on one thread: 4 × 25, not 3 × 32 and a batch of 4 that shares little).
 */
export function lockstepBatch(sets: number, threads: number): number {
  const batches = Math.max(threads * 2, Math.ceil(sets / LOCKSTEP_MAX));
  return Math.max(1, Math.ceil(sets / batches));
}

/**
 * A pool whose threads stay up while sets are handed to them a batch at a time (a sweep spread over
 * processes: each claim of sets goes to the same threads, which would otherwise start anew — load
 * the strategy, map the panel — for every claim).
 */
export interface FedPool {
  /** Hands these sets (of the list the pool was started with) to the threads; resolves once each has its result (seen by onSet). */
  run(batch: readonly SweepThreadSet[]): Promise<void>;
  /** No more sets: resolves once every thread has stopped (rejects with a thread's failure). */
  close(): Promise<void>;
}

/** Starts the threads of a fed pool over `sets`; nothing runs until `run` hands them sets. */
export function startFedPool(input: Omit<SweepThreadInput, 'sets' | 'counter' | 'batch' | 'feed'>, sets: SweepThreadSet[], o: PoolOptions): FedPool {
  const position = new Map(sets.map((s, j) => [s.ordinal, j]));
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const feed = new Int32Array(new SharedArrayBuffer(4 * (2 + sets.length)));
  const waiting = new Map<number, () => void>();
  const threads = Math.max(1, Math.min(o.threads, sets.length));
  const batch = o.batch ?? 1;
  const all: Promise<unknown>[] = [];
  for (let t = 0; t < threads; t++) {
    all.push(
      runSweepThread({ ...input, sets, counter, batch, feed }, {
        signal: o.signal,
        onCheckpoint: (state) => {
          const r = state as SweepThreadSetResult;
          o.onSet(r);
          const done = waiting.get(r.ordinal);
          if (done) {
            waiting.delete(r.ordinal);
            done();
          }
        },
        onLog: o.onLog,
        graceMs: 2000,
      }),
    );
  }
  const settled = Promise.allSettled(all).then((s) => {
    const failed = s.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) throw failed.reason;
  });
  settled.catch(() => {}); // awaited by run and close
  // Threads that stopped while sets still wait for results (a failure, an abort): the waiting run ends too.
  const stopped = settled.then(() => {
    throw o.signal.aborted ? (o.signal.reason ?? new Error('aborted')) : new Error('the sweep threads stopped before their sets ended');
  });
  stopped.catch(() => {});
  let written = 0;
  return {
    async run(batchSets) {
      if (!batchSets.length) return;
      // Each set is handed over once (a claimed set is stored before its claim is marked done, and a stored set is never claimed again).
      if (written + batchSets.length > sets.length) throw new Error(`the pool was handed more sets (${written + batchSets.length}) than it was started with (${sets.length})`);
      const results = Promise.all(batchSets.map((s) => new Promise<void>((res) => waiting.set(s.ordinal, res))));
      for (const s of batchSets) {
        const j = position.get(s.ordinal);
        if (j === undefined) throw new Error(`set ${s.ordinal} is not one the pool was started with`);
        feed[2 + written++] = j;
      }
      Atomics.store(feed, 0, written);
      Atomics.notify(feed, 0);
      await Promise.race([results, stopped]);
    },
    async close() {
      Atomics.store(feed, 1, 1);
      Atomics.notify(feed, 0);
      await settled;
    },
  };
}

/** Runs `sets` (in their order, spread over the threads) and resolves once every thread has stopped. */
export async function runSetsOnThreads(input: Omit<SweepThreadInput, 'sets' | 'counter' | 'batch' | 'feed'>, sets: SweepThreadSet[], o: PoolOptions): Promise<void> {
  if (!sets.length) return;
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const threads = Math.max(1, Math.min(o.threads, sets.length));
  const batch = o.batch ?? lockstepBatch(sets.length, threads);
  const all: Promise<unknown>[] = [];
  for (let t = 0; t < threads; t++) {
    all.push(
      runSweepThread({ ...input, sets, counter, batch }, {
        signal: o.signal,
        onCheckpoint: (state) => o.onSet(state as SweepThreadSetResult),
        onLog: o.onLog,
        graceMs: 2000,
      }),
    );
  }
  const settled = await Promise.allSettled(all);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}
