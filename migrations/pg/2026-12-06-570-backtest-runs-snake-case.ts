import { sql, type Kysely } from 'kysely';

/**
 * The backtest executors name their params, checkpoint and result in snake_case (issue 18:
 * `{"backtest_id": 7}`, `{"backtest_id": 7, "total_return": …}`); runs stored before, including
 * queued ones a worker has yet to claim, are rewritten so they still run and read the same.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update runs set params = zq_snake_keys(params), checkpoint = zq_snake_keys(checkpoint), result = zq_snake_keys(result)
    where executor in ('backtest', 'scheduled_backtest')
      and (params::text ~ '"backtestId"' or coalesce(checkpoint::text, '') ~ '"backtestId"' or coalesce(result::text, '') ~ '"[a-z]+[A-Z]')`.execute(db);
}

export async function down(): Promise<void> {
  // Not reversed: the code that read the camelCase names is gone.
}
