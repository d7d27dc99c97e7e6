import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import * as repo from './runs.repository.ts';
import { settle } from './settle.ts';

/** A run attempt whose lease expired: its process died or hung. */
export interface LostAttempt {
  id: number;
  executor: string;
  attempt: number;
  leaseOwner: string | null;
}

/**
 * Turns runs whose lease expired (their process died or hung without heartbeats) into
 * `abandoned`, then applies the retry policy: another attempt on the same row after backoff, or
 * `abandoned` for good. A control asked of the run wins (cancel → cancelled, pause → paused).
 * Safe to run on every instance at once: each transition is guarded by status and expiry.
 * `onAttemptLost` is told of each attempt this call settled (once, by the instance whose
 * transition won), so what the attempt held outside the runs table is released too.
 */
export async function reapExpiredLeases(
  db: Kysely<Database>,
  options: { maxRetryDelayMs: number; onAttemptLost?: (attempt: LostAttempt) => Promise<void> },
): Promise<number> {
  let reaped = 0;
  for (;;) {
    const rows = await repo.findExpiredLeases(db, 100);
    if (rows.length === 0) return reaped;
    for (const row of rows) {
      const id = Number(row.id);
      const error = {
        code: 'lease_expired',
        message: `attempt ${row.attempt} stopped renewing its lease (held by ${row.lease_owner}); its process probably died`,
      };
      const base = { id, from: ['running'] as const, leaseExpired: true };
      let done: repo.RunRow | null;
      if (row.control === 'cancel') {
        done = await repo.transitionRun(db, { ...base, from: ['running'], to: 'cancelled', finished: true, events: [{ status: 'cancelled', reason: 'cancelled; its process had stopped', final: true }] });
      } else if (row.control === 'pause') {
        done = await repo.transitionRun(db, { ...base, from: ['running'], to: 'paused', finished: false, giveBackAttempt: true, events: [{ status: 'paused', reason: 'paused; its process had stopped', final: false }] });
      } else {
        const settled = settle({ attempt: row.attempt, maxAttempts: row.max_attempts, maxRetryDelayMs: options.maxRetryDelayMs, loss: 'abandoned', error, retryable: true });
        done = await repo.transitionRun(db, { ...base, from: ['running'], ...settled });
      }
      if (!done) continue;
      reaped++;
      await options.onAttemptLost?.({ id, executor: row.executor, attempt: row.attempt, leaseOwner: row.lease_owner });
    }
    if (rows.length < 100) return reaped;
  }
}
