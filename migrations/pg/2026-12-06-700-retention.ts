import { sql, type Kysely } from 'kysely';

/**
 * Retention and housekeeping (issue 22).
 *
 * `backtests.pinned`: a backtest its owner (or an admin) pinned keeps its results, and its run,
 * whatever its age; housekeeping prunes only unpinned ones past RETAIN_BACKTESTS_DAYS.
 *
 * The `housekeeping` scheduled task, seeded here for new and existing installs alike (migrations
 * run once per database, so a task an operator deleted is not brought back, and several instances
 * migrating together insert it once: the name is unique). Enabled, daily at 03:30 Shanghai time,
 * when no one is syncing or backtesting; one at a time, a missed night runs once on start-up.
 * An index on runs' finished time serves the age scan over finished top-level runs.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('backtests').addColumn('pinned', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await sql`create index runs_roots_finished on runs (queued_at, id) where parent_run_id is null and status not in ('queued', 'running', 'paused')`.execute(db);
  await sql`create index sync_log_finished on sync_log (finished_at) where result <> 'running'`.execute(db);
  await sql`
    insert into scheduled_tasks (name, description, executor, config, schedule, timezone, enabled, overlap, max_concurrent,
                                 misfire, max_catch_up, grace_seconds, max_attempts, retry_delay_ms, timeout_ms, owner_id)
    values ('housekeeping',
            'Every night: prunes run history, run logs, unpinned backtest results and sync-log rows past their retention (RETAIN_* settings), then reclaims space (DuckDB checkpoint; vacuum of embedded Postgres).',
            'housekeeping', '{}'::jsonb,
            ${JSON.stringify({ kind: 'cron', expression: '30 3 * * *', timezone: 'Asia/Shanghai' })}::jsonb,
            'Asia/Shanghai', true, 'skip', 1, 'once', 1, 3600, 2, 600000, null, null)
    on conflict (name) do nothing`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from scheduled_tasks where name = 'housekeeping' and executor = 'housekeeping'`.execute(db);
  await sql`drop index if exists sync_log_finished`.execute(db);
  await sql`drop index if exists runs_roots_finished`.execute(db);
  await db.schema.alterTable('backtests').dropColumn('pinned').execute();
}
