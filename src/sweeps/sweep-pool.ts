/**
 * Runs a list of parameter sets on a small pool of worker threads that share one panel (its
 * SharedArrayBuffers go to every thread without a copy) and one counter the threads take sets
 * from. Each finished set comes back through `onSet` as soon as it ends.
 */
import { runInThread } from '../runs/thread-host.ts';
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

export const LOCKSTEP_MAX = 16;

/**
 * How many sets a thread runs in lockstep at a time: larger batches share more (each indicator
 * window and each day's panel rows once per batch), smaller ones balance the threads' loads and
 * report sooner. At most LOCKSTEP_MAX and so that every thread gets about 2 batches.
 */
export function lockstepBatch(sets: number, threads: number): number {
  return Math.max(1, Math.min(LOCKSTEP_MAX, Math.ceil(sets / (threads * 2))));
}

/** Runs `sets` (in their order, spread over the threads) and resolves once every thread has stopped. */
export async function runSetsOnThreads(input: Omit<SweepThreadInput, 'sets' | 'counter' | 'batch'>, sets: SweepThreadSet[], o: PoolOptions): Promise<void> {
  if (!sets.length) return;
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const threads = Math.max(1, Math.min(o.threads, sets.length));
  const batch = o.batch ?? lockstepBatch(sets.length, threads);
  const all: Promise<unknown>[] = [];
  for (let t = 0; t < threads; t++) {
    all.push(
      runInThread<SweepThreadInput, { ran: number }>('sweep', { ...input, sets, counter, batch }, {
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
