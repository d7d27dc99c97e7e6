/**
 * Migration 580 (issue 18): runs and scheduled tasks of the machinery's own executors stored with
 * camelCase params, results and error details are rewritten in snake_case, values kept; a
 * command's env names and a workflow's step ids (the user's own) are not touched.
 */
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { pgMigrations } from '../../migrations/pg/index.ts';
import { openPostgres } from '../../src/db/database.ts';
import { migratePostgres } from '../../src/db/migrate.ts';

const before = '2026-12-06-570-backtest-runs-snake-case';

describe('migration 580: snake_case runs and tasks', () => {
  it('rewrites params, results, error details and task configs, keeping user-named keys', async () => {
    const store = await openPostgres({ databaseUrl: null, pgliteDir: null });
    try {
      const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => pgMigrations } });
      expect((await migrator.migrateTo(before)).error).toBeUndefined();
      const workflowParams = {
        mode: 'serial', onFailure: 'continue',
        steps: [
          { id: 'syncDaily', executor: 'data_sync', config: { dataset: 'daily_bars', batchRows: 500 }, dependsOn: [], timeoutMs: 1000 },
          { id: 'run', executor: 'command', config: { program: 'echo', env: { myVar: 'x' }, killGraceMs: 10, timeoutSeconds: 5 }, dependsOn: ['syncDaily'] },
        ],
      };
      const workflowState = { outcome: 'failed', steps: { syncDaily: { status: 'succeeded', runId: 2 }, run: { status: 'failed', runId: 3, error: 'exit 1' } } };
      await sql`insert into runs (executor, params, status, result, error) values
        ('sleep', ${JSON.stringify({ ms: 10, failAttempts: 1, failAtStep: 2, ignoreAbort: false })}::jsonb, 'queued', null, null),
        ('data_sync', '{"dataset": "stocks"}'::jsonb, 'failed', null,
          ${JSON.stringify({ code: 'sync_failed', message: 'm', detail: { logId: 4, counts: { inserted: 1 }, lastCompletedDate: 20260105 } })}::jsonb),
        ('command', '{"program": "true", "env": {"myVar": "y"}}'::jsonb, 'succeeded', '{"exitCode": 0, "lines": 2}'::jsonb, null),
        ('workflow', ${JSON.stringify(workflowParams)}::jsonb, 'failed', null, ${JSON.stringify({ code: 'workflow_failed', message: 'm', detail: workflowState })}::jsonb),
        ('workflow', '{"steps": [{"id": "a", "executor": "noop"}]}'::jsonb, 'succeeded', ${JSON.stringify({ outcome: 'succeeded', steps: { a: { status: 'succeeded', runId: 9 } } })}::jsonb, null),
        ('backtest', '{"backtest_id": 1}'::jsonb, 'queued', null, null)`.execute(store.db);
      await sql`insert into run_events (run_id, seq, kind, data)
        select id, 1, 'status', ${JSON.stringify({ status: 'failed', attempt: 1, error: { code: 'workflow_failed', message: 'm', detail: workflowState } })}::jsonb
        from runs where executor = 'workflow' and status = 'failed'`.execute(store.db);
      await sql`insert into scheduled_tasks (name, executor, config, schedule, timezone) values
        ('wf', 'workflow', ${JSON.stringify(workflowParams)}::jsonb, '{"kind": "manual", "timezone": "UTC"}'::jsonb, 'UTC'),
        ('cmd', 'command', '{"program": "echo", "env": {"myVar": "z"}, "killGraceMs": 5}'::jsonb, '{"kind": "manual", "timezone": "UTC"}'::jsonb, 'UTC')`.execute(store.db);

      expect(await migratePostgres(store.db)).toContain('2026-12-06-580-runs-tasks-snake-case');

      const snakeParams = {
        mode: 'serial', on_failure: 'continue',
        steps: [
          { id: 'syncDaily', executor: 'data_sync', config: { dataset: 'daily_bars', batch_rows: 500 }, depends_on: [], timeout_ms: 1000 },
          { id: 'run', executor: 'command', config: { program: 'echo', env: { myVar: 'x' }, kill_grace_ms: 10, timeout_seconds: 5 }, depends_on: ['syncDaily'] },
        ],
      };
      const snakeState = { outcome: 'failed', steps: [{ id: 'run', status: 'failed', run_id: 3, error: 'exit 1' }, { id: 'syncDaily', status: 'succeeded', run_id: 2, error: null }] };
      const runs = await sql<{ executor: string; params: unknown; result: unknown; error: unknown }>`select executor, params, result, error from runs order by id`.execute(store.db);
      expect(runs.rows).toEqual([
        { executor: 'sleep', params: { ms: 10, fail_attempts: 1, fail_at_step: 2, ignore_abort: false }, result: null, error: null },
        { executor: 'data_sync', params: { dataset: 'stocks' }, result: null, error: { code: 'sync_failed', message: 'm', detail: { log_id: 4, counts: { inserted: 1 }, last_completed_date: 20260105 } } },
        { executor: 'command', params: { program: 'true', env: { myVar: 'y' } }, result: { exit_code: 0, lines: 2 }, error: null },
        { executor: 'workflow', params: snakeParams, result: null, error: { code: 'workflow_failed', message: 'm', detail: snakeState } },
        { executor: 'workflow', params: { steps: [{ id: 'a', executor: 'noop' }] }, result: { outcome: 'succeeded', steps: [{ id: 'a', status: 'succeeded', run_id: 9, error: null }] }, error: null },
        { executor: 'backtest', params: { backtest_id: 1 }, result: null, error: null },
      ]);
      const events = await sql<{ data: unknown }>`select data from run_events`.execute(store.db);
      expect(events.rows).toEqual([{ data: { status: 'failed', attempt: 1, error: { code: 'workflow_failed', message: 'm', detail: snakeState } } }]);
      // The two written above (later migrations seed others: housekeeping, 700).
      const tasks = await sql<{ config: unknown }>`select config from scheduled_tasks where name in ('wf', 'cmd') order by id`.execute(store.db);
      expect(tasks.rows).toEqual([{ config: snakeParams }, { config: { program: 'echo', env: { myVar: 'z' }, kill_grace_ms: 5 } }]);
    } finally {
      await store.close();
    }
  });
});
