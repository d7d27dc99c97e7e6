import { sql, type Kysely } from 'kysely';

/**
 * The run machinery: one row per unit of work (backtest, cron fire, manual trigger, workflow
 * step) and its event history. Retries of a run reuse its row (attempt counts up); every state
 * change is a `status` event, so the timeline of all attempts stays readable.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('executor', 'text', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('queued','running','paused','succeeded','failed','cancelled','abandoned')`),
    )
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(1).check(sql`max_attempts >= 1`))
    .addColumn('retry_delay_ms', 'integer', (c) => c.notNull().defaultTo(2000))
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('task_id', 'bigint')
    .addColumn('scheduled_for', 'timestamptz')
    .addColumn('parent_run_id', 'bigint', (c) => c.references('runs.id').onDelete('set null'))
    .addColumn('retry_of_run_id', 'bigint', (c) => c.references('runs.id').onDelete('set null'))
    // The users table is built in parallel; its foreign key is added when the branches meet.
    .addColumn('queued_by', 'integer')
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('run_after', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('timeout_ms', 'integer')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'timestamptz')
    .addColumn('heartbeat_at', 'timestamptz')
    // A request from the API to the instance holding the lease: 'cancel' or 'pause'.
    .addColumn('control', 'text', (c) => c.check(sql`control in ('cancel','pause')`))
    .addColumn('progress', 'jsonb')
    .addColumn('result', 'jsonb')
    .addColumn('error', 'jsonb')
    .addColumn('checkpoint', 'jsonb')
    // The last event sequence number handed out for this run (SSE ids are `<seq>`).
    .addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  // A scheduled fire is inserted with ON CONFLICT DO NOTHING on this key: each slot fires once.
  await sql`create unique index runs_task_slot on runs (task_id, scheduled_for) where scheduled_for is not null`.execute(db);
  // The claim query: queued runs in priority order, earliest first.
  await sql`create index runs_claimable on runs (priority desc, run_after, id) where status = 'queued'`.execute(db);
  // The reaper: running rows by lease expiry.
  await sql`create index runs_leases on runs (lease_expires_at) where status = 'running'`.execute(db);
  await sql`create index runs_queued_at on runs (queued_at desc, id desc)`.execute(db);
  await sql`create index runs_task on runs (task_id, queued_at desc) where task_id is not null`.execute(db);
  await sql`create index runs_parent on runs (parent_run_id) where parent_run_id is not null`.execute(db);

  await db.schema
    .createTable('run_events')
    .addColumn('run_id', 'bigint', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('status','progress','log')`))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_events_pk', ['run_id', 'seq'])
    .execute();
  await sql`create index run_events_logs on run_events (run_id, seq) where kind = 'log'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('run_events').execute();
  await db.schema.dropTable('runs').execute();
}
