import { sql, type Kysely } from 'kysely';

/**
 * Trading-day schedules (issue 22). `scheduled_tasks.trading_days` names the exchange (SSE or
 * SZSE) whose trade calendar a task's slots must fall on; null fires every slot.
 *
 * `task_slot_log` records slot decisions that leave no run behind or need a word beside the run:
 * a slot passed over because the exchange is closed that day (`skipped`, `market_closed`), and a
 * slot fired although the calendar has no row for its day (`fired`, `calendar_missing`). Keyed
 * (task_id, scheduled_for) like the runs a fire inserts, written ON CONFLICT DO NOTHING, so every
 * instance may decide and each slot is recorded once. The log goes with its task.
 *
 * The seeded `daily-update` (Monday–Friday 18:00, which fires on Spring Festival and National
 * Day) takes the SSE calendar where it still has the seed's schedule: an operator's own schedule
 * is left alone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('scheduled_tasks')
    .addColumn('trading_days', 'text', (c) => c.check(sql`trading_days in ('SSE', 'SZSE')`))
    .execute();
  await db.schema
    .createTable('task_slot_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('task_id', 'bigint', (c) => c.notNull().references('scheduled_tasks.id').onDelete('cascade'))
    .addColumn('scheduled_for', 'timestamptz', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('skipped', 'fired')`))
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('market_closed', 'calendar_missing')`))
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('task_slot_log_slot', ['task_id', 'scheduled_for'])
    .execute();
  // A schedule written as a JSON string inside jsonb (a driver that sent the text as a string) is read through.
  await sql`
    with t as (
      select id, case when jsonb_typeof(schedule) = 'string' then (schedule #>> '{}')::jsonb else schedule end as s
      from scheduled_tasks where name = 'daily-update' and executor = 'workflow' and trading_days is null and timezone = 'Asia/Shanghai')
    update scheduled_tasks set trading_days = 'SSE'
    from t where scheduled_tasks.id = t.id and t.s->>'kind' = 'cron' and t.s->>'expression' = '0 18 * * 1-5'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('task_slot_log').execute();
  await db.schema.alterTable('scheduled_tasks').dropColumn('trading_days').execute();
}
