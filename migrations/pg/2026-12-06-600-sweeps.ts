import { sql, type Kysely } from 'kysely';

/**
 * Parameter sweeps and walk-forwards (issue 20). A sweep hangs off the run that executes it (status,
 * progress and log live in runs/run_events, like a backtest's); this table keeps what was asked
 * (the backtest spec with the base params, the parameter space, the search mode, the objective and,
 * for a walk-forward, its windows), the counts, and the statistics computed once every set has run
 * (the Deflated Sharpe Ratio of the best set, the Probability of Backtest Overfitting) plus a
 * walk-forward's result (windows, chosen params, the chained out-of-sample curve).
 *
 * `sweep_sets` holds one row per parameter set that ran, keyed (sweep_id, ordinal): the ordinal is
 * the set's position among the plan's valid candidates, so a resumed run (after a pause or kill -9)
 * skips the ordinals present and continues with the rest. Key metrics are columns (sorting,
 * filtering, the heatmap in SQL); `returns` is the set's per-period (daily) simple returns as
 * little-endian float64 bytes (8 bytes a day: 10,000 sets × ten years ≈ 195 MB), the matrix DSR and
 * PBO are computed from.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sweeps')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('run_id', 'bigint', (c) => c.references('runs.id').onDelete('set null'))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('sweep').check(sql`kind in ('sweep','walk_forward')`))
    .addColumn('strategy_kind', 'text', (c) => c.notNull().check(sql`strategy_kind in ('builtin','user')`))
    .addColumn('strategy_name', 'text', (c) => c.notNull())
    .addColumn('strategy_id', 'integer', (c) => c.references('strategies.id').onDelete('set null'))
    .addColumn('strategy_version_id', 'integer', (c) => c.references('strategy_versions.id').onDelete('restrict'))
    // The backtest spec (backtest-request.ts BacktestSpec) every set runs with, params = the base values.
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    // The swept parameters (space.ts SpaceSpec) as [name, axis] pairs: jsonb reorders an object's keys, and their order is the grid's.
    .addColumn('space', 'jsonb', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('grid','random','lhs')`))
    .addColumn('budget', 'integer')
    .addColumn('seed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('objective', 'text', (c) => c.notNull().defaultTo('sharpe'))
    // Walk-forward windows {kind, in_sample_days, out_of_sample_days, step_days}; null for a sweep.
    .addColumn('windows', 'jsonb')
    .addColumn('grid_count', 'text', (c) => c.notNull())
    .addColumn('planned_sets', 'integer', (c) => c.notNull())
    .addColumn('sets_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sets_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skip_reasons', 'jsonb')
    .addColumn('best_ordinal', 'integer')
    .addColumn('best_value', 'double precision')
    .addColumn('dsr', 'double precision')
    .addColumn('pbo', 'double precision')
    // Details of the statistics and a walk-forward's windows and chained curve.
    .addColumn('stats', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await sql`create index sweeps_owner on sweeps (owner_id, id desc)`.execute(db);
  await sql`create index sweeps_run on sweeps (run_id)`.execute(db);

  await db.schema
    .createTable('sweep_sets')
    .addColumn('sweep_id', 'bigint', (c) => c.notNull().references('sweeps.id').onDelete('cascade'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    // Walk-forward: the window whose in-sample optimisation ran this set; null in a sweep.
    .addColumn('window_index', 'integer')
    .addColumn('grid_index', 'bigint', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('succeeded').check(sql`status in ('succeeded','failed')`))
    .addColumn('error', 'text')
    .addColumn('total_return', 'double precision')
    .addColumn('annualized_return', 'double precision')
    .addColumn('sharpe', 'double precision')
    .addColumn('sortino', 'double precision')
    .addColumn('calmar', 'double precision')
    .addColumn('max_drawdown', 'double precision')
    .addColumn('volatility', 'double precision')
    .addColumn('excess_return', 'double precision')
    .addColumn('win_rate', 'double precision')
    .addColumn('final_value', 'double precision')
    .addColumn('trade_count', 'integer')
    .addColumn('metrics', 'jsonb')
    .addColumn('returns', 'bytea')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sweep_sets_pk', ['sweep_id', 'ordinal'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sweep_sets').execute();
  await db.schema.dropTable('sweeps').execute();
}
