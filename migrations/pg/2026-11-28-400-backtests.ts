import { sql, type Kysely } from 'kysely';

/**
 * Strategies (user code with every saved version kept) and backtests. A backtest hangs off the run
 * that executes it (status, timeline, progress and log live in runs/run_events); this table keeps
 * the config snapshot and the key metrics as columns for sorting; backtest_results the series and
 * the detail (fills, orders with outcomes, round trips, final positions) as compact jsonb arrays,
 * which pages slice in SQL (jsonb_path_query_array) instead of loading whole.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('strategies')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('category', 'text', (c) => c.notNull().defaultTo('custom'))
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('js').check(sql`language in ('js','ts')`))
    .addColumn('current_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index strategies_owner_name on strategies (owner_id, lower(name))`.execute(db);

  await db.schema
    .createTable('strategy_versions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('strategy_id', 'integer', (c) => c.notNull().references('strategies.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('params_schema', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('strategy_versions_unique', ['strategy_id', 'version'])
    .execute();

  await db.schema
    .createTable('backtests')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('run_id', 'bigint', (c) => c.references('runs.id').onDelete('set null'))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('strategy_kind', 'text', (c) => c.notNull().check(sql`strategy_kind in ('builtin','user')`))
    .addColumn('strategy_name', 'text', (c) => c.notNull())
    // A user strategy's version row: the exact code this backtest ran (kept even if the strategy is deleted).
    .addColumn('strategy_id', 'integer', (c) => c.references('strategies.id').onDelete('set null'))
    .addColumn('strategy_version_id', 'integer', (c) => c.references('strategy_versions.id').onDelete('restrict'))
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('start_date', 'integer', (c) => c.notNull())
    .addColumn('end_date', 'integer', (c) => c.notNull())
    .addColumn('rerun_of', 'bigint', (c) => c.references('backtests.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('total_return', 'double precision')
    .addColumn('annualized_return', 'double precision')
    .addColumn('sharpe', 'double precision')
    .addColumn('max_drawdown', 'double precision')
    .addColumn('volatility', 'double precision')
    .addColumn('excess_return', 'double precision')
    .addColumn('final_value', 'double precision')
    .addColumn('trade_count', 'integer')
    .execute();
  await sql`create index backtests_owner on backtests (owner_id, id desc)`.execute(db);
  await sql`create index backtests_run on backtests (run_id)`.execute(db);

  await db.schema
    .createTable('backtest_results')
    .addColumn('backtest_id', 'bigint', (c) => c.primaryKey().references('backtests.id').onDelete('cascade'))
    .addColumn('metrics', 'jsonb', (c) => c.notNull())
    // { dates:[], nav:[], total:[], cash:[], benchmark:[]|null, drawdown:[] } (nav rebased to 1)
    .addColumn('series', 'jsonb', (c) => c.notNull())
    .addColumn('fills', 'jsonb', (c) => c.notNull())
    .addColumn('orders', 'jsonb', (c) => c.notNull())
    .addColumn('trades', 'jsonb', (c) => c.notNull())
    .addColumn('positions', 'jsonb', (c) => c.notNull())
    .addColumn('extras', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('backtest_results').execute();
  await db.schema.dropTable('backtests').execute();
  await db.schema.dropTable('strategy_versions').execute();
  await db.schema.dropTable('strategies').execute();
}
