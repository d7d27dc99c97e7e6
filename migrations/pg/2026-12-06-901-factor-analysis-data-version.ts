import type { Kysely } from 'kysely';

/**
 * `factor_analyses.data_version` (issue 23): the market snapshot version a factor analysis ran on,
 * as backtests and sweeps record theirs (migration 900); null until its run starts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('factor_analyses').addColumn('data_version', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('factor_analyses').dropColumn('data_version').execute();
}
