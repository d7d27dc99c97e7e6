/**
 * Ownership of operation-log rows. A sync or import writes a `running` row and holds it by a
 * lease its process renews (a heartbeat) until it writes the outcome. When the process dies the
 * row is closed as `abandoned`, never left `running`:
 *
 *   - a `data_sync` run's rows carry (run id, attempt): when the reaper finds that attempt's run
 *     lease expired, it closes them at once (closeRunAttemptSyncLogs, handed to the reaper by server.ts);
 *   - every other row (CLI syncs, imports, the first-start demo seed) is closed by whichever
 *     process sweeps after its lease has passed on the database clock (closeOrphanedSyncLogs, at
 *     start-up and with every reaper pass). A sync running in another process on the same
 *     Postgres renews its lease and is left alone, whatever host it runs on.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { MergeCounts } from '../store/merge.ts';
import { abandonExpiredSyncLogs, abandonRunAttemptSyncLogs, finishSyncLog, insertSyncLog, renewSyncLogLease, syncRowTotals as selectSyncRowTotals, updateSyncLog, type SyncResultKind } from './sync-log.repository.ts';

/** How long a row stays held without a heartbeat, and how often the owner renews it. */
export interface SyncLogLease {
  leaseMs: number;
  heartbeatMs: number;
}

/** The run machinery's defaults (RUN_LEASE_MS, a third of it): callers with a config pass theirs. */
export const defaultSyncLogLease: SyncLogLease = { leaseMs: 30_000, heartbeatMs: 10_000 };

const afterAbandon = 'Batches written before it stopped are whole (one transaction each); sync again or retry the run: a range resumes after the last completed date.';

let thisProcess: string | null = null;
/** This process, as rows name their owner: host:pid:random (a restarted process with a reused pid is another owner). */
export function processOwner(): string {
  thisProcess ??= `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  return thisProcess;
}

export interface SyncLogEntry {
  readonly id: number;
  /** Counts and where a range got to, after each committed batch. */
  progress(counts: MergeCounts, lastCompletedDate: number | null): Promise<void>;
  /** Stops the heartbeat and writes the outcome (unless the row was closed as abandoned meanwhile: then counts only). */
  finish(outcome: { counts: MergeCounts; lastCompletedDate: number | null; result: Exclude<SyncResultKind, 'running' | 'abandoned'>; error: string | null }): Promise<void>;
}

/**
 * Writes a `running` row owned by this process (and by a run attempt when given) and renews its
 * lease every `heartbeatMs` until finish(). The caller must reach finish() on every path.
 */
export async function openSyncLog(
  db: Kysely<Database>,
  row: { source: string; endpoint: string | null; dataset: string; params: unknown; runId?: number | null; runAttempt?: number | null },
  lease: SyncLogLease = defaultSyncLogLease,
): Promise<SyncLogEntry> {
  const id = await insertSyncLog(db, { ...row, runId: row.runId ?? null, runAttempt: row.runAttempt ?? null, owner: processOwner(), leaseMs: lease.leaseMs });
  let renewing: Promise<unknown> = Promise.resolve();
  // A failed renewal is tried again on the next beat; the lease spans several beats.
  const timer = setInterval(() => {
    renewing = renewing.then(() => renewSyncLogLease(db, id, lease.leaseMs)).then(
      (held) => {
        if (!held) clearInterval(timer);
      },
      () => {},
    );
  }, lease.heartbeatMs);
  timer.unref();
  return {
    id,
    progress: (counts, lastCompletedDate) => updateSyncLog(db, id, { counts, lastCompletedDate }),
    async finish(outcome) {
      clearInterval(timer);
      await renewing;
      await finishSyncLog(db, id, outcome);
    },
  };
}

/** What the reaper calls when a run attempt's lease expired: that attempt's running rows become `abandoned`. */
export async function closeRunAttemptSyncLogs(db: Kysely<Database>, run: { id: number; attempt: number; leaseOwner: string | null }): Promise<number[]> {
  return abandonRunAttemptSyncLogs(
    db,
    run.id,
    run.attempt,
    `abandoned: run ${run.id} attempt ${run.attempt} stopped renewing its lease (held by ${run.leaseOwner ?? 'nobody'}); its process probably died. ${afterAbandon}`,
  );
}

/** Running rows whose owner stopped renewing the lease become `abandoned` (start-up and every reaper pass). */
export async function closeOrphanedSyncLogs(db: Kysely<Database>) {
  return abandonExpiredSyncLogs(db, `stopped renewing the row's lease; it probably died. ${afterAbandon}`);
}

/** Where an interrupted sync of a range stopped, so the sync command resumes after it. */
export { findResumable } from './sync-log.repository.ts';

/** Rows the logged syncs changed, per dataset and kind of change (for /metrics). */
export const syncRowTotals = (db: Kysely<Database>) => selectSyncRowTotals(db);
