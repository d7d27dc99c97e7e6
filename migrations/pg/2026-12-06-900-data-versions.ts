import { sql, type Kysely } from 'kysely';

/**
 * Past one machine (issue 23).
 *
 * `backtests.data_version`, `sweeps.data_version`: the market snapshot version a backtest or sweep
 * ran on (src/snapshots). Set when its run starts unless a rerun carried it over (pinned), so a
 * rerun reads the same data. Null: not run yet, or run before versions were recorded.
 *
 * `api_tokens.scope` gains `worker`: a token that may fetch market snapshots and nothing else (what
 * a worker process on another host holds when it fetches them from the web process over HTTP).
 *
 * `sweep_set_claims`: which run (and which process) took each parameter set of a sweep spread over
 * several worker processes. A claim holds while its run is running under the same lease owner;
 * once that run lost its lease (a killed process) another participant takes the set over. The row
 * stays after the set is stored: `owner` is the process that ran it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('backtests').addColumn('data_version', 'text').execute();
  await db.schema.alterTable('sweeps').addColumn('data_version', 'text').execute();
  await sql`alter table api_tokens drop constraint if exists api_tokens_scope_check`.execute(db);
  await sql`alter table api_tokens add constraint api_tokens_scope_check check (scope in ('metrics', 'worker'))`.execute(db);
  await db.schema
    .createTable('sweep_set_claims')
    .addColumn('sweep_id', 'bigint', (c) => c.notNull().references('sweeps.id').onDelete('cascade'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('run_id', 'bigint', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('done', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('sweep_set_claims_pk', ['sweep_id', 'ordinal'])
    .execute();
  // Retention asks which versions queued and running work still pins.
  await sql`create index backtests_data_version on backtests (data_version) where data_version is not null`.execute(db);
  await sql`create index sweeps_data_version on sweeps (data_version) where data_version is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sweep_set_claims').execute();
  await sql`alter table api_tokens drop constraint if exists api_tokens_scope_check`.execute(db);
  await sql`alter table api_tokens add constraint api_tokens_scope_check check (scope in ('metrics'))`.execute(db);
  await db.schema.alterTable('sweeps').dropColumn('data_version').execute();
  await db.schema.alterTable('backtests').dropColumn('data_version').execute();
}
