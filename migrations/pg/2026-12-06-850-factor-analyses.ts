import { sql, type Kysely } from 'kysely';

/**
 * Factor analyses (issue 21): one row per analysis of a factor over a universe and period, run by
 * the `factor-analysis` executor (status, progress and log live on its run). `factor_id` is the
 * factor as the URL names it (momentum_20, u12, u12v3) and `factor_key` the stored values it read
 * (u12v3 for a user factor's version); a user factor's analyses go with it (`user_factor_id`).
 * `params` is what was asked (snake_case, as the API takes it); once the run ends, `summary` holds
 * the statistics (IC, Rank IC, quantiles, turnover, coverage) and `series` the daily series (dates,
 * IC and Rank IC per horizon, quantile returns, turnover, counts) as JSON arrays, null for a day
 * without a value: the page's charts and the CSV read them back (~1 MB on the full market over ten years).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('factor_analyses')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('run_id', 'bigint', (c) => c.references('runs.id').onDelete('set null'))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('factor_id', 'text', (c) => c.notNull())
    .addColumn('factor_key', 'text', (c) => c.notNull())
    .addColumn('user_factor_id', 'integer', (c) => c.references('factors.id').onDelete('cascade'))
    .addColumn('params', 'jsonb', (c) => c.notNull())
    .addColumn('summary', 'jsonb')
    .addColumn('series', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await sql`create index factor_analyses_factor on factor_analyses (factor_id, id desc)`.execute(db);
  await sql`create index factor_analyses_owner on factor_analyses (owner_id, id desc)`.execute(db);
  await sql`create index factor_analyses_run on factor_analyses (run_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('factor_analyses').execute();
}
