import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSchedulerTasks } from '../../src/scheduler/seed.ts';
import { silentLogger } from '../../src/logger.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { bearer, makeUser } from '../helpers/accounts.ts';

let t: TestApp;
let admin: string;
let viewer: string;
beforeAll(async () => {
  t = await makeTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' }, { serverExecutors: true });
  admin = (await makeUser(t, 'sa', 'admin')).token;
  viewer = (await makeUser(t, 'sv', 'viewer')).token;
});
afterAll(async () => {
  await t.close();
});

const call = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await t.app.request(`/api/v1${path}`, { method, headers: { ...bearer(token), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
};

describe('/api/v1/scheduler', () => {
  it('creates, reads, edits, switches, triggers and deletes a task; every change is audited', async () => {
    const created = await call('POST', '/scheduler/tasks', admin, { name: 'nightly noop', executor: 'noop', config: { note: 'hi' }, schedule: { kind: 'cron', expression: '0 18 * * 1-5' } });
    expect(created.status).toBe(201);
    const id = created.json.id;
    expect(created.json.timezone).toBe('Asia/Shanghai');
    const got = await call('GET', `/scheduler/tasks/${id}`, viewer);
    expect(got.status).toBe(200);
    expect(got.json.describe).toBe('At 18:00, Monday through Friday (Asia/Shanghai)');
    expect(got.json.next).toHaveLength(5);
    // 18:00 in Shanghai is 10:00 UTC, on weekdays only.
    for (const n of got.json.next as string[]) {
      expect(n.slice(11, 19)).toBe('10:00:00');
      expect([1, 2, 3, 4, 5]).toContain(new Date(n).getUTCDay());
    }
    expect(got.json.state).toBe('idle');
    expect(got.json.task.config).toBeUndefined(); // viewers get the schedule, not the config
    expect(got.json.task).toMatchObject({ max_concurrent: 1, max_catch_up: 10, grace_seconds: 60, max_attempts: 1, retry_delay_ms: 5000, timeout_ms: null, schedule: { kind: 'cron', expression: '0 18 * * 1-5', timezone: 'Asia/Shanghai' } });
    // Field names are snake_case: the old camelCase ones are refused, not ignored.
    expect((await call('PATCH', `/scheduler/tasks/${id}`, admin, { maxConcurrent: 3 })).status).toBe(400);
    expect((await call('PATCH', `/scheduler/tasks/${id}`, admin, { schedule: { kind: 'interval', everySeconds: 90 } })).status).toBe(400);

    const edited = await call('PATCH', `/scheduler/tasks/${id}`, admin, { schedule: { kind: 'interval', every_seconds: 90, timezone: 'UTC' }, overlap: 'allow', max_concurrent: 3 });
    expect(edited.status).toBe(200);
    expect(edited.json.schedule).toEqual({ kind: 'interval', every_seconds: 90, timezone: 'UTC' });
    expect(edited.json.max_concurrent).toBe(3);
    expect(edited.json.description).toBe(''); // a field left out keeps its value

    expect((await call('POST', `/scheduler/tasks/${id}/disable`, admin)).json.enabled).toBe(false);
    const trig = await call('POST', `/scheduler/tasks/${id}/trigger`, admin, { overrides: { note: 'override' } });
    expect(trig.status).toBe(202);
    expect(trig.json.params).toEqual({ note: 'override' });
    expect(trig.json.task_id).toBe(id);
    // Triggered once, it stays disabled.
    const after = await call('GET', `/scheduler/tasks/${id}`, viewer);
    expect(after.json.task.enabled).toBe(false);
    expect(after.json.state).toBe('disabled');
    expect(after.json.last_run.id).toBe(trig.json.id);

    const runs = await call('GET', `/scheduler/tasks/${id}/runs`, viewer);
    expect(runs.json.runs.map((r: { id: number }) => r.id)).toEqual([trig.json.id]);
    const cancelled = await call('POST', `/scheduler/tasks/${id}/runs/${trig.json.id}/cancel`, admin);
    expect(cancelled.json.status).toBe('cancelled');
    const retried = await call('POST', `/scheduler/tasks/${id}/runs/${trig.json.id}/retry`, admin);
    expect(retried.json.retry_of_run_id).toBe(trig.json.id);

    expect((await call('POST', `/scheduler/tasks/${id}/enable`, admin)).json.enabled).toBe(true);
    expect((await call('POST', `/scheduler/tasks/${id}/pause`, admin)).json.paused).toBe(true);
    expect((await call('GET', `/scheduler/tasks/${id}`, viewer)).json.state).toBe('paused');
    expect((await call('POST', `/scheduler/tasks/${id}/resume`, admin)).json.paused).toBe(false);

    const stats = await call('GET', '/scheduler/stats', viewer);
    const mine = stats.json.tasks.find((s: { task_id: number }) => s.task_id === id);
    expect(mine.runs).toBe(1); // the cancelled run; the retried one is still queued (no workers here)

    expect((await call('DELETE', `/scheduler/tasks/${id}`, admin)).status).toBe(200);
    expect((await call('GET', `/scheduler/tasks/${id}`, viewer)).status).toBe(404);

    const audit = await t.deps.pg.db.selectFrom('audit_log').select(['action', 'object_id']).where('action', 'like', 'task.%').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual([
      'task.create', 'task.update', 'task.disable', 'task.trigger', 'task.run.cancel', 'task.run.retry', 'task.enable', 'task.pause', 'task.resume', 'task.delete',
    ]);
  });

  it('rejects bad input naming the field; viewers cannot write', async () => {
    const bad = async (body: unknown) => {
      const r = await call('POST', '/scheduler/tasks', admin, body);
      expect(r.status, JSON.stringify(r.json)).toBe(400);
      return r.json.error ?? r.json;
    };
    expect((await bad({ name: 'x', executor: 'noop', schedule: { kind: 'cron', expression: '61 * * * *' } })).details.field).toBe('schedule.expression');
    expect((await bad({ name: 'x', executor: 'noop', schedule: { kind: 'cron', expression: '* * *' } })).message).toMatch(/expected 5 fields/);
    expect((await bad({ name: 'x', executor: 'noop', schedule: { kind: 'cron', expression: '0 1 * * *', timezone: 'Mars/Base' } })).details.field).toBe('schedule.timezone');
    expect((await bad({ name: 'x', executor: 'nope', schedule: { kind: 'manual' } })).details.field).toBe('executor');
    expect((await bad({ name: 'x', executor: 'sleep', config: { ms: 'soon' }, schedule: { kind: 'manual' } })).details.field).toBe('config.ms');
    await call('POST', '/scheduler/tasks', admin, { name: 'dup', executor: 'noop', schedule: { kind: 'manual' } });
    expect((await call('POST', '/scheduler/tasks', admin, { name: 'dup', executor: 'noop', schedule: { kind: 'manual' } })).status).toBe(409);
    expect((await call('POST', '/scheduler/tasks', viewer, { name: 'v', executor: 'noop', schedule: { kind: 'manual' } })).status).toBe(403);
  });

  it('previews cron expressions and says why one is wrong', async () => {
    const ok = await call('POST', '/scheduler/cron/preview', viewer, { expression: '*/20 * * * * *', timezone: 'UTC', count: 3 });
    expect(ok.json.ok).toBe(true);
    expect(ok.json.next).toHaveLength(3);
    for (const n of ok.json.next as string[]) expect(Number(n.slice(17, 19)) % 20).toBe(0);
    const wrong = await call('POST', '/scheduler/cron/preview', viewer, { expression: '0 25 * * *' });
    expect(wrong.json.ok).toBe(false);
    expect(wrong.json.error).toBeTruthy();
  });

  it('seeds the disabled daily-update workflow once, even when asked twice at once', async () => {
    const [a, b] = await Promise.all([seedSchedulerTasks(t.deps.pg.db, silentLogger), seedSchedulerTasks(t.deps.pg.db, silentLogger)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    // Admins (and analysts) see the config; viewers the schedule alone.
    const list = await call('GET', '/scheduler/tasks', admin);
    const daily = list.json.tasks.filter((s: { task: { name: string } }) => s.task.name === 'daily-update');
    expect(daily).toHaveLength(1);
    expect(daily[0].task.enabled).toBe(false);
    expect(daily[0].describe).toBe('At 18:00, Monday through Friday (Asia/Shanghai)');
    expect(daily[0].task.config.steps.map((s: { id: string }) => s.id)).toEqual(['calendar', 'stocks', 'daily_bars', 'daily_basic', 'adj_factors', 'index', 'factors']);
    expect(await seedSchedulerTasks(t.deps.pg.db, silentLogger)).toBe(false);
  });

  it('lists executors with their config JSON Schemas and appears in the OpenAPI document', async () => {
    const ex = await call('GET', '/scheduler/executors', viewer);
    const cmd = ex.json.executors.find((e: { name: string }) => e.name === 'command');
    expect(cmd.schema.properties.program.type).toBe('string');
    const doc = (await (await t.app.request('/api/v1/openapi.json', { headers: bearer(viewer) })).json()) as { paths: Record<string, unknown> };
    for (const p of ['/scheduler/tasks', '/scheduler/tasks/{id}', '/scheduler/tasks/{id}/trigger', '/scheduler/tasks/{id}/runs', '/scheduler/stats', '/scheduler/cron/preview']) {
      expect(Object.keys(doc.paths).some((k) => k.endsWith(p)), p).toBe(true);
    }
  });
});
