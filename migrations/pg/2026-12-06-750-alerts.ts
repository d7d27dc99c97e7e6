import { sql, type Kysely } from 'kysely';

/**
 * Alerts (issue 22). `alert_channels`: where alerts go (a signed webhook, a WeCom/DingTalk/Feishu
 * group bot, e-mail over SMTP); `config` holds the channel's settings with its secrets sealed like
 * a task's secret config. `shared`: users may point their own backtest rules at it.
 *
 * `alert_rules`: what to alert on (event), for one task or every task (task_id null), or for the
 * owner's own backtests; sent to a channel (`email`: the recipient instead of an e-mail channel's own).
 *
 * `alert_events`: one row per (rule, run, kind), inserted with ON CONFLICT DO NOTHING by whichever
 * instance's scan sees the run first, so an event alerts once however many instances scan.
 *
 * `alert_deliveries`: one row per delivery attempt (status code, error), the log the admin page shows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('alert_channels')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('webhook','wecom','dingtalk','feishu','email')`))
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('shared', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('alert_rules')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull().check(sql`event in ('run_failed','retries_exhausted','run_late','sync_partial','backtest_finished')`))
    .addColumn('task_id', 'integer', (c) => c.references('scheduled_tasks.id').onDelete('cascade'))
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('alert_channels.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('alert_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('rule_id', 'integer', (c) => c.notNull().references('alert_rules.id').onDelete('cascade'))
    .addColumn('run_id', 'bigint', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('delivery_run_id', 'bigint', (c) => c.references('runs.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('alert_events_once', ['rule_id', 'run_id', 'kind'])
    .execute();

  await db.schema
    .createTable('alert_deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('event_id', 'bigint', (c) => c.references('alert_events.id').onDelete('cascade'))
    .addColumn('channel_id', 'integer', (c) => c.references('alert_channels.id').onDelete('set null'))
    .addColumn('rule_id', 'integer', (c) => c.references('alert_rules.id').onDelete('set null'))
    .addColumn('run_id', 'bigint', (c) => c.references('runs.id').onDelete('set null'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('ok', 'boolean', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('alert_deliveries_at').on('alert_deliveries').column('at').execute();
  await db.schema.createIndex('runs_finished_at_alerts').on('runs').column('finished_at').where(sql.ref('finished_at'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('runs_finished_at_alerts').execute();
  await db.schema.dropTable('alert_deliveries').execute();
  await db.schema.dropTable('alert_events').execute();
  await db.schema.dropTable('alert_rules').execute();
  await db.schema.dropTable('alert_channels').execute();
}
