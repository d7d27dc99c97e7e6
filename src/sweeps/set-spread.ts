/** The seam between a sweep pass and a sweep spread over processes (sweep-spread.service.ts), kept apart so neither imports the other. */
import type { SweepThreadSet } from './sweep.thread.ts';

/** The threads a spread pass hands its claims to (sweep-pool.ts FedPool): up for the whole pass. */
export interface ClaimRunner {
  /**
   * Runs these sets on the threads; resolves once each has its result, with `stored`: resolves once
   * they are stored (the threads can take the next claim meanwhile).
   */
  run(batch: SweepThreadSet[]): Promise<{ stored: Promise<void> }>;
  /** Sets each claim takes: one lockstep batch per thread. */
  readonly claimSize: number;
}

/** How a pass runs its sets when the sweep is spread: in the batches this run claims (sweep-pass.ts runAndStore asks for it). */
export interface SetSpread {
  run(sets: SweepThreadSet[], runner: ClaimRunner, signal: AbortSignal): Promise<void>;
}
