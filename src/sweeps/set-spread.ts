/** The seam between a sweep pass and a sweep spread over processes (sweep-spread.service.ts), kept apart so neither imports the other. */
import type { SweepThreadSet } from './sweep.thread.ts';

/** The threads a spread pass hands its claims to (sweep-pool.ts FedPool): up for the whole pass. */
export interface ClaimRunner {
  /** Runs these sets on the threads; resolves once each has its result. */
  run(batch: SweepThreadSet[]): Promise<void>;
  /** Sets each claim takes: one lockstep batch per thread. */
  readonly claimSize: number;
}

/** How a pass runs its sets when the sweep is spread: in the batches this run claims (sweep-pass.ts runAndStore asks for it). */
export interface SetSpread {
  /** Processes expected to take part (the sweep's run and its helper runs): claims are sized so each gets as many. */
  readonly participants: number;
  run(sets: SweepThreadSet[], runner: ClaimRunner, signal: AbortSignal): Promise<void>;
}

/**
 * The size of a claim and of a thread's lockstep batch for `sets` sets on `threads` threads among
 * `participants` processes: about `unit` sets per claim (one full batch per thread), but as many
 * claims as make an equal number for each participant, so they finish together instead of one
 * running a short last claim while the others wait (100 sets, 16 a claim, 2 processes: 8 claims of
 * 13, not 6 of 16 and one of 4).
 */
export function claimSizes(sets: number, threads: number, participants: number, unit: number): { claim: number; batch: number } {
  const p = Math.max(1, participants);
  const claims = Math.max(1, Math.ceil(Math.ceil(sets / Math.max(1, unit)) / p) * p);
  const claim = Math.max(1, Math.ceil(sets / claims));
  return { claim, batch: Math.max(1, Math.ceil(claim / Math.max(1, threads))) };
}
