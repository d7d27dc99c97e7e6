import { sql, type Kysely } from 'kysely';

/**
 * Per-owner lookups of the run machinery's fair claiming and per-user limits: when each user's
 * runs last started (the claim's round-robin tie-break, one index probe per waiting owner instead
 * of a walk through every run they ever had), and how many each has waiting (the queue limit
 * checked at every backtest submission), and each owner's queue in claim order (the claim reads
 * only the first few of each owner's queued runs).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index runs_owner_started on runs (queued_by, started_at desc) where queued_by is not null and started_at is not null`.execute(db);
  await sql`create index runs_owner_waiting on runs (queued_by, executor) where status in ('queued', 'paused')`.execute(db);
  await sql`create index runs_owner_claimable on runs (queued_by, priority desc, run_after, id) where status = 'queued'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists runs_owner_claimable`.execute(db);
  await sql`drop index if exists runs_owner_waiting`.execute(db);
  await sql`drop index if exists runs_owner_started`.execute(db);
}
