import { RunError } from './executor-registry.ts';
import type { Transition } from './runs.repository.ts';

/** How an attempt ended without a result: it threw (`failed`), or its lease expired (`abandoned`). */
export type AttemptLoss = 'failed' | 'abandoned';

export interface SettleInput {
  /** The attempt that just ended (1 for the first). */
  attempt: number;
  maxAttempts: number;
  /** Cap on the backoff before the next attempt (the delay itself is the run's retry_delay_ms · 2^(attempt−1), applied by the database). */
  maxRetryDelayMs: number;
  loss: AttemptLoss;
  /** What is recorded as the run's error. */
  error: unknown;
  /** False when retrying cannot help (a RunError thrown with retryable false). */
  retryable: boolean;
}

/** What to record: the transition without the row's identity and guards (id, from, owner, leaseExpired). */
export type Settlement = Omit<Transition, 'id' | 'from' | 'owner' | 'leaseExpired'>;

/**
 * The retry decision, the one place it is written, for the worker pool (an attempt that threw or
 * timed out) and the reaper (an attempt whose lease expired): another attempt on the same row after
 * backoff while attempts remain and the error allows it, else the loss is final. Pure: run_after
 * is left to the database (`backoff`), which computes it from the row's retry_delay_ms and its clock.
 */
export function settle(i: SettleInput): Settlement {
  const { attempt, maxAttempts, error, loss } = i;
  if (i.retryable && attempt < maxAttempts) {
    const why = loss === 'abandoned' ? 'after the lease expired' : 'after backoff';
    return {
      to: 'queued',
      finished: false,
      error,
      backoff: { maxDelayMs: i.maxRetryDelayMs },
      events: [
        { status: loss, error, final: false },
        { status: 'queued', reason: `retry ${attempt + 1} of ${maxAttempts} ${why}`, final: false },
      ],
    };
  }
  return { to: loss, finished: true, error, events: [{ status: loss, error, final: true }] };
}

/** Whether what an attempt threw may be retried: anything but a RunError thrown with retryable false. */
export function isRetryable(thrown: unknown): boolean {
  return !(thrown instanceof RunError && thrown.options.retryable === false);
}
