/**
 * What the alert scan picks up, on rows as the run machinery and the scheduler leave them: a
 * scheduled slot still queued past its grace (late) and one started within it (not late), a
 * data_sync run whose sync log row is partial, backtests of the rule's owner (and not another
 * user's), a failed run of no task (global rules cover tasks only). Each is recorded once: a second
 * scan finds nothing, and each recorded event has its queued alert_delivery run.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertChannel, insertRule } from '../../src/alerts/alerts.repository.ts';
import { scanAlerts } from '../../src/alerts/alerts.service.ts';
import { insertTask } from '../../src/scheduler/tasks.repository.ts';
import { makeUser } from '../helpers/accounts.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({}, { serverExecutors: true });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('the alert scan', () => {
  it('records late slots, partial syncs and the owner’s finished backtests once each', async () => {
    const db = t.deps.pg.db;
    const admin = await makeUser(t, 'root', 'admin');
    const analyst = await makeUser(t, 'ana', 'analyst');
    const channel = await insertChannel(db, { name: 'mail', kind: 'email', config: JSON.stringify({ host: '127.0.0.1', port: 9, secure: false, from: 'z@example.com', to: ['o@example.com'] }), shared: true, enabled: true, created_by: null });
    const task = await insertTask(db, {
      name: 'nightly', description: '', executor: 'noop', config: '{}', schedule: JSON.stringify({ kind: 'cron', expression: '0 * * * *', timezone: 'UTC' }), timezone: 'UTC',
      enabled: true, overlap: 'allow', max_concurrent: 5, misfire: 'once', max_catch_up: 1, grace_seconds: 60, max_attempts: 1, retry_delay_ms: 1000, timeout_ms: null, owner_id: null,
    });
    const rule = (event: 'run_late' | 'sync_partial' | 'backtest_finished' | 'run_failed', ownerId: number, taskId: number | null = null) =>
      insertRule(db, { name: event, event, task_id: taskId, channel_id: Number(channel!.id), email: null, owner_id: ownerId, enabled: true });
    const late = await rule('run_late', admin.id, Number(task!.id));
    const partial = await rule('sync_partial', admin.id);
    const mine = await rule('backtest_finished', analyst.id);
    const failed = await rule('run_failed', admin.id);
    // The rules existed before the slots below.
    await sql`update alert_rules set created_at = now() - interval '1 hour'`.execute(db);

    const run = async (v: Record<string, unknown>) => Number((await db.insertInto('runs').values({ params: '{}', ...v } as never).returning('id').executeTakeFirstOrThrow()).id);
    const lateRun = await run({ executor: 'noop', status: 'queued', task_id: task!.id, scheduled_for: sql`now() - interval '10 minutes'` });
    await run({ executor: 'noop', status: 'succeeded', task_id: task!.id, scheduled_for: sql`now() - interval '20 minutes'`, started_at: sql`now() - interval '19 minutes 55 seconds'`, finished_at: sql`now()` });
    const syncRun = await run({ executor: 'data_sync', status: 'failed', finished_at: sql`now()`, error: JSON.stringify({ code: 'sync_failed', message: 'daily sync partial: timeout' }) });
    await db.insertInto('sync_log').values({ source: 'demo', endpoint: null, dataset: 'daily', params: '{}', result: 'partial', error: 'timeout', last_completed_date: null, run_id: syncRun } as never).execute();
    const fullSync = await run({ executor: 'data_sync', status: 'failed', finished_at: sql`now()` });
    await db.insertInto('sync_log').values({ source: 'demo', endpoint: null, dataset: 'daily', params: '{}', result: 'failed', error: 'x', last_completed_date: null, run_id: fullSync } as never).execute();
    const ownBacktest = await run({ executor: 'backtest', status: 'succeeded', queued_by: analyst.id, finished_at: sql`now()` });
    await run({ executor: 'backtest', status: 'failed', queued_by: admin.id, finished_at: sql`now()` });
    await run({ executor: 'noop', status: 'failed', finished_at: sql`now()` });

    const recorded = await scanAlerts({ db, runs: t.deps.runs!, defaultLocale: 'en' });
    const events = await db.selectFrom('alert_events').select(['rule_id', 'run_id', 'kind', 'delivery_run_id']).orderBy('id').execute();
    expect(recorded).toHaveLength(events.length);
    expect(events.map((e) => [e.kind, e.rule_id, Number(e.run_id)]).sort()).toEqual(
      [
        ['backtest_finished', mine, ownBacktest],
        ['run_late', late, lateRun],
        ['sync_partial', partial, syncRun],
        // the partial sync's run is no task's: the global run_failed rule leaves it alone, like the bare noop
      ].sort(),
    );
    expect(failed).toBeGreaterThan(0);
    for (const e of events) {
      const delivery = await db.selectFrom('runs').select(['executor', 'status', 'params', 'max_attempts']).where('id', '=', Number(e.delivery_run_id)).executeTakeFirstOrThrow();
      expect(delivery).toMatchObject({ executor: 'alert_delivery', status: 'queued', max_attempts: 5 });
    }
    expect(await scanAlerts({ db, runs: t.deps.runs!, defaultLocale: 'en' })).toEqual([]);
  });
});
