// The scheduled_backtest executor through a scheduled task: each trigger creates and runs a new
// backtest over a moving range, owned by whoever triggered it; bad configs are refused at save time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditActor } from '../../src/audit/audit.service.ts';
import { createTask, triggerTask, type TasksDeps } from '../../src/scheduler/tasks.service.ts';
import { makeBacktestEnv, smallDemo, type BacktestEnv } from '../helpers/backtests.ts';

let env: BacktestEnv;
let deps: TasksDeps;
let admin: AuditActor;
beforeAll(async () => {
  env = await makeBacktestEnv();
  deps = { db: env.db.store.db, registry: env.registry, runs: env.rt.service };
  admin = { userId: env.users.admin.userId, username: env.users.admin.username, ip: null, userAgent: null };
}, 60_000);
afterAll(async () => {
  await env?.close();
});

describe('scheduled_backtest', () => {
  it('creates one new backtest per run, to the newest trading day, owned by who triggered it', async () => {
    const task = await createTask(deps, admin, {
      name: 'nightly dual ma', executor: 'scheduled_backtest', schedule: { kind: 'manual', timezone: 'UTC' },
      config: { strategy: 'dual_ma', universe: 'all', lookback_days: 200, end_date: 'latest', benchmark: null },
    } as never);
    const ids: number[] = [];
    for (let k = 0; k < 2; k++) {
      const run = await triggerTask(deps, admin, task.id);
      const done = await env.rt.service.waitForRun(run.id, { timeoutMs: 60_000 });
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
      const row = await env.db.store.db.selectFrom('backtests').selectAll().where('run_id', '=', run.id).executeTakeFirstOrThrow();
      expect(row.owner_id).toBe(env.users.admin.userId);
      expect(row.name).toContain('(task nightly dual ma)');
      // The demo market ends on ${smallDemo.end} (a Friday, a trading day); 200 calendar days before it is 2026-05-11.
      expect(row.end_date).toBe(smallDemo.end);
      expect(row.start_date).toBe(20260511);
      expect((done.result as { backtest_id: number }).backtest_id).toBe(row.id);
      ids.push(row.id);
      env.as(env.users.admin);
      const res = await env.app.request(`/api/v1/backtests/${row.id}/result`);
      expect(res.status).toBe(200);
      expect((await res.json()).series.dates.at(-1)).toBe(`${String(smallDemo.end).slice(0, 4)}-${String(smallDemo.end).slice(4, 6)}-${String(smallDemo.end).slice(6)}`);
    }
    expect(new Set(ids).size).toBe(2);
  }, 150_000);

  it('refuses a config naming both start_date and lookback_days, or an unknown strategy field, when the task is saved', async () => {
    const base = { executor: 'scheduled_backtest', schedule: { kind: 'manual', timezone: 'UTC' } };
    await expect(createTask(deps, admin, { ...base, name: 'both', config: { strategy: 'dual_ma', start_date: '2026-01-05', lookback_days: 30 } } as never)).rejects.toMatchObject({
      status: 400, message: expect.stringContaining('start_date'),
    });
    await expect(createTask(deps, admin, { ...base, name: 'extra', config: { strategy: 'dual_ma', lookback_days: 30, colour: 'red' } } as never)).rejects.toMatchObject({ status: 400 });
  });
});
