import { sql, type Kysely } from 'kysely';

/** The market-data operation log: one row per sync or import, with exact counts and where a range got to. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sync_log')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text')
    .addColumn('dataset', 'text', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('inserted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('result', 'text', (c) => c.notNull().check(sql`result in ('running', 'success', 'partial', 'failed')`))
    .addColumn('error', 'text')
    .addColumn('last_completed_date', 'integer')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('duration_ms', 'integer')
    .addColumn('run_id', 'bigint')
    .execute();
  await db.schema.createIndex('sync_log_dataset_started').on('sync_log').columns(['dataset', 'started_at']).execute();
  await db.schema.createIndex('sync_log_started').on('sync_log').column('started_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sync_log').execute();
}
