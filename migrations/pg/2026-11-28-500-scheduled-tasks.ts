import { sql, type Kysely } from 'kysely';

/**
 * Scheduled tasks: what runs when. A fire is a row in `runs` keyed (task_id, scheduled_for), whose
 * unique index makes every slot fire once however many instances share this database.
 * `last_slot` is the newest slot any instance has considered (fired or passed over): after a
 * restart the manager resumes from it and applies the misfire policy to the gap.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scheduled_tasks')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('executor', 'text', (c) => c.notNull())
    .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('schedule', 'jsonb', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('Asia/Shanghai'))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('paused', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('overlap', 'text', (c) => c.notNull().defaultTo('skip').check(sql`overlap in ('skip','queue_one','allow')`))
    .addColumn('max_concurrent', 'integer', (c) => c.notNull().defaultTo(1).check(sql`max_concurrent >= 1`))
    .addColumn('misfire', 'text', (c) => c.notNull().defaultTo('once').check(sql`misfire in ('once','each','skip')`))
    .addColumn('max_catch_up', 'integer', (c) => c.notNull().defaultTo(10).check(sql`max_catch_up >= 1`))
    .addColumn('grace_seconds', 'integer', (c) => c.notNull().defaultTo(60).check(sql`grace_seconds >= 0`))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(1).check(sql`max_attempts >= 1`))
    .addColumn('retry_delay_ms', 'integer', (c) => c.notNull().defaultTo(5000))
    .addColumn('timeout_ms', 'integer')
    .addColumn('owner_id', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_slot', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scheduled_tasks').execute();
}
