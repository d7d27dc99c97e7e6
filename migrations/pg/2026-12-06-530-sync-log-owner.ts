import { sql, type Kysely } from 'kysely';

/**
 * Who holds a `running` operation-log row, so a row whose process died is closed as `abandoned`
 * instead of staying `running` forever: `owner` (host:pid:random of the process), `run_attempt`
 * (with `run_id`: the run attempt that wrote it; the reaper closes that attempt's rows when its
 * lease expires) and `lease_expires_at`, renewed by the owner's heartbeat while it works. Any
 * process may close a running row whose lease has passed (database clock). Rows left running
 * before this migration have no owner to renew them: their lease is null, which counts as expired.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table sync_log drop constraint if exists sync_log_result_check`.execute(db);
  await sql`alter table sync_log add constraint sync_log_result_check check (result in ('running', 'success', 'partial', 'failed', 'abandoned'))`.execute(db);
  await sql`alter table sync_log add column owner text, add column run_attempt integer, add column lease_expires_at timestamptz`.execute(db);
  await sql`create index sync_log_running on sync_log (lease_expires_at) where result = 'running'`.execute(db);
  await sql`create index sync_log_run on sync_log (run_id, run_attempt) where run_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists sync_log_run`.execute(db);
  await sql`drop index if exists sync_log_running`.execute(db);
  await sql`alter table sync_log drop column lease_expires_at, drop column run_attempt, drop column owner`.execute(db);
  await sql`update sync_log set result = 'failed' where result = 'abandoned'`.execute(db);
  await sql`alter table sync_log drop constraint if exists sync_log_result_check`.execute(db);
  await sql`alter table sync_log add constraint sync_log_result_check check (result in ('running', 'success', 'partial', 'failed'))`.execute(db);
}
