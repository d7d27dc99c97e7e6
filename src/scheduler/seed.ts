import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import * as repo from './tasks.service.ts';

export const dailyUpdateName = 'daily-update';

/** The seeded workflow: calendar → stock list → daily bars → daily basic → adj factors → index → factors. */
export const dailyUpdateConfig = {
  mode: 'serial',
  parallelism: 1,
  on_failure: 'stop',
  steps: [
    { id: 'calendar', executor: 'data_sync', config: { dataset: 'trade_calendar' }, depends_on: [] },
    { id: 'stocks', executor: 'data_sync', config: { dataset: 'stocks' }, depends_on: ['calendar'] },
    { id: 'daily_bars', executor: 'data_sync', config: { dataset: 'daily_bars' }, depends_on: ['stocks'] },
    { id: 'daily_basic', executor: 'data_sync', config: { dataset: 'daily_basic' }, depends_on: ['daily_bars'] },
    { id: 'adj_factors', executor: 'data_sync', config: { dataset: 'adj_factors' }, depends_on: ['daily_basic'] },
    { id: 'index', executor: 'data_sync', config: { dataset: 'index_daily' }, depends_on: ['adj_factors'] },
    { id: 'factors', executor: 'factor', config: {}, depends_on: ['index'] },
  ],
};

/**
 * Seeds the daily-update workflow once per database (disabled until an operator enables it).
 * Idempotent across instances starting together: a settings row claims the seeding, and the task
 * insert ignores an existing name. A task an operator deleted is not brought back.
 */
export async function seedSchedulerTasks(db: Kysely<Database>, logger: Logger): Promise<boolean> {
  if (!(await repo.claimSchedulerSeeding(db))) return false;
  const row = await repo.insertTask(db, {
    name: dailyUpdateName,
    description: 'After the close on SSE trading days: trade calendar, stock list, daily bars, daily basic, adjustment factors, index bars, then factors.',
    executor: 'workflow',
    config: JSON.stringify(dailyUpdateConfig),
    schedule: JSON.stringify({ kind: 'cron', expression: '0 18 * * 1-5', timezone: 'Asia/Shanghai' }),
    timezone: 'Asia/Shanghai',
    enabled: false,
    overlap: 'skip',
    max_concurrent: 1,
    misfire: 'once',
    max_catch_up: 1,
    grace_seconds: 3600,
    max_attempts: 1,
    retry_delay_ms: 60_000,
    timeout_ms: null,
    // Monday–Friday alone fires on Spring Festival and National Day: only SSE trading days sync.
    trading_days: 'SSE',
    owner_id: null,
  });
  if (row) logger.info('seeded the daily-update workflow (disabled)', { taskId: Number(row.id) });
  return row !== null;
}
