import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/auth/users.service.ts';
import { silentLogger } from '../../src/logger.ts';
import { makeSchedulerManager } from '../../src/scheduler/manager.ts';
import { parseInput } from '../../src/http/contract.ts';
import { TaskInputSchema } from '../../src/scheduler/scheduler.contract.ts';
import { createTask as createTaskOf, type TasksDeps } from '../../src/scheduler/tasks.service.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { countExecutions, waitUntil } from '../helpers/executions.ts';
import type { TestDatabase } from '../helpers/pg.ts';

/**
 * The manager's decisions with an injected clock: what fires after a gap (misfire policies), what an
 * overlap policy lets through, DST and the seconds field: fireDue is called directly at fixed
 * instants, no timers are relied on. Then, on databases of their own where workers execute the runs,
 * that two managers fire each slot once and the timer rings each slot once, counted from the noop
 * executor's own execution records (helpers/executions.ts), and that this count does see a duplicate
 * when the runs table's unique key is gone.
 */
let app: TestApp;
let tdb: TestDatabase;
let deps: TasksDeps;
const actor = { ...systemActor('test'), userId: null, username: 'test', ip: null, userAgent: null };
/** Creates a task from a request body, read as the API reads it. */
const createTask = (d: TasksDeps, a: typeof actor, body: Record<string, unknown>) => createTaskOf(d, a, parseInput(TaskInputSchema, body));
let seq = 0;

beforeAll(async () => {
  // No workers: the policy tests need runs to stay queued.
  app = await makeTestApp();
  tdb = app.db;
  deps = { db: tdb.store.db, registry: app.deps.executors!, runs: app.deps.runs! };
});
afterAll(() => app?.close());
beforeEach(() => {
  seq++;
});

async function task(over: Record<string, unknown>, lastSlot: string) {
  const t = await createTask(deps, actor, { name: `t${seq}-${Math.random().toString(36).slice(2, 7)}`, executor: 'noop', ...over });
  await tdb.store.db.updateTable('scheduled_tasks').set({ last_slot: new Date(lastSlot) }).where('id', '=', t.id).execute();
  return t;
}
const managerAt = (iso: string) => makeSchedulerManager({ pg: tdb.store, runs: deps.runs, logger: silentLogger, clock: () => new Date(iso) });
const slotsOf = async (taskId: number) =>
  (await tdb.store.db.selectFrom('runs').select('scheduled_for').where('task_id', '=', taskId).orderBy('scheduled_for').execute()).map((r) => new Date(r.scheduled_for!).toISOString());

describe('misfire after downtime', () => {
  // Every minute; last considered 10:00:00; now 10:05:30 → missed 10:01…10:05 (5 slots).
  const schedule = { kind: 'cron', expression: '* * * * *', timezone: 'UTC' };
  it('once: one run for the newest missed slot', async () => {
    const t = await task({ schedule, misfire: 'once', grace_seconds: 10 }, '2026-03-02T10:00:00Z');
    const r = await managerAt('2026-03-02T10:05:30Z').fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:05:00.000Z']);
    expect(r.dropped).toBe(4);
  });
  it('each: every missed slot up to the catch-up bound, newest kept', async () => {
    const t = await task({ schedule, misfire: 'each', max_catch_up: 3, grace_seconds: 10, overlap: 'allow', max_concurrent: 10 }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:05:30Z').fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:03:00.000Z', '2026-03-02T10:04:00.000Z', '2026-03-02T10:05:00.000Z']);
  });
  it('skip: only a slot still within the grace period', async () => {
    const t = await task({ schedule, misfire: 'skip', grace_seconds: 45 }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:05:30Z').fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:05:00.000Z']);
    const u = await task({ schedule, misfire: 'skip', grace_seconds: 10 }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:05:30Z').fireDue([u.id]);
    expect(await slotsOf(u.id)).toEqual([]);
  });
  it('advances the considered slot so the next decision does not fire again', async () => {
    const t = await task({ schedule, misfire: 'once', overlap: 'allow', max_concurrent: 5 }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:01:00.005Z').fireDue([t.id]);
    await managerAt('2026-03-02T10:01:00.900Z').fireDue([t.id]);
    await managerAt('2026-03-02T10:02:00.001Z').fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:01:00.000Z', '2026-03-02T10:02:00.000Z']);
  });
});

describe('overlap', () => {
  const schedule = { kind: 'interval', every_seconds: 60, timezone: 'UTC' };
  it('skip: no new run while one is queued', async () => {
    const t = await task({ schedule, overlap: 'skip' }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:01:00.001Z').fireDue([t.id]);
    const r = await managerAt('2026-03-02T10:02:00.001Z').fireDue([t.id]);
    expect(r.skipped.map((s) => s.reason)).toEqual(['overlap']);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:01:00.000Z']);
  });
  it('allow: up to max concurrent', async () => {
    const t = await task({ schedule, overlap: 'allow', max_concurrent: 2 }, '2026-03-02T10:00:00Z');
    for (const at of ['10:01', '10:02', '10:03']) await managerAt(`2026-03-02T${at}:00.001Z`).fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:01:00.000Z', '2026-03-02T10:02:00.000Z']);
  });
});

describe('time zones and seconds', () => {
  it('a daily 02:30 in New York fires at 03:00 on the spring-forward day (02:30 does not exist) and once on fall-back', async () => {
    // 2026-03-08: 02:30 does not exist in America/New_York (clocks jump 02:00 → 03:00).
    const t = await task({ schedule: { kind: 'cron', expression: '30 2 * * *', timezone: 'America/New_York' }, misfire: 'each', max_catch_up: 10, overlap: 'allow', max_concurrent: 10 }, '2026-03-07T00:00:00Z');
    await managerAt('2026-03-10T12:00:00Z').fireDue([t.id]);
    // 03-07 02:30 EST = 07:30Z; 03-08 has no 02:30, so it fires at the first valid time, 03:00 EDT = 07:00Z
    // (what schedule.test.ts pins for nextFireTimes); 03-09 and 03-10 02:30 EDT = 06:30Z.
    expect(await slotsOf(t.id)).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
    const u = await task({ schedule: { kind: 'cron', expression: '30 1 * * *', timezone: 'America/New_York' }, misfire: 'each', max_catch_up: 10, overlap: 'allow', max_concurrent: 10 }, '2026-10-31T12:00:00Z');
    await managerAt('2026-11-02T12:00:00Z').fireDue([u.id]);
    // 2026-11-01 01:30 happens twice; it fires once (the first, EDT = 05:30Z), then 11-02 01:30 EST = 06:30Z.
    expect(await slotsOf(u.id)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });
  it('six fields: every 15 seconds', async () => {
    const t = await task({ schedule: { kind: 'cron', expression: '*/15 * * * * *', timezone: 'Asia/Shanghai' }, misfire: 'each', max_catch_up: 100, overlap: 'allow', max_concurrent: 100 }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:01:00.500Z').fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['10:00:15', '10:00:30', '10:00:45', '10:01:00'].map((x) => `2026-03-02T${x}.000Z`));
  });
});

describe('disabled, paused and manual tasks', () => {
  it('never fire from the schedule', async () => {
    const schedule = { kind: 'interval', every_seconds: 60, timezone: 'UTC' };
    const a = await task({ schedule, enabled: false }, '2026-03-02T10:00:00Z');
    const b = await task({ schedule }, '2026-03-02T10:00:00Z');
    await tdb.store.db.updateTable('scheduled_tasks').set({ paused: true }).where('id', '=', b.id).execute();
    const c = await task({ schedule: { kind: 'manual', timezone: 'UTC' } }, '2026-03-02T10:00:00Z');
    const r = await managerAt('2026-03-02T10:05:00.001Z').fireDue([a.id, b.id, c.id]);
    expect(r.fired).toEqual([]);
  });
});

/**
 * A database of its own with workers executing every run (the policy tests above need runs to stay
 * queued), the noop tasks traced so each execution records itself. `dropSlotKey` removes the unique
 * index on runs(task_id, scheduled_for) first: the broken schema the detector must notice.
 */
async function withExecutingDatabase(dropSlotKey: boolean, body: (x: { deps: TasksDeps; db: TestDatabase; slots: (taskId: number) => Promise<string[]> }) => Promise<void>) {
  const executing = await makeTestApp({}, {
    workers: { settings: { concurrency: { backtest: 1, io: 4 }, leaseMs: 10_000, heartbeatMs: 1000, pollMs: 100, reaperMs: 5000, maxRetryDelayMs: 1000, abortGraceMs: 1000, flushIntervalMs: 20 } },
  });
  const { db } = executing;
  try {
    if (dropSlotKey) await sql`drop index runs_task_slot`.execute(db.store.db);
    const slots = async (taskId: number) =>
      (await db.store.db.selectFrom('runs').select('scheduled_for').where('task_id', '=', taskId).orderBy('scheduled_for').execute()).map((r) => new Date(r.scheduled_for!).toISOString());
    await body({ deps: { db: db.store.db, registry: executing.deps.executors!, runs: executing.runtime!.service }, db, slots });
  } finally {
    await executing.close();
  }
}

/** Waits until every run of these tasks has finished (so each has written its execution record). */
async function allRunsDone(db: TestDatabase, taskIds: number[]) {
  await waitUntil('every run to finish', async () => {
    const rows = await db.store.db.selectFrom('runs').select('status').where('task_id', 'in', taskIds).execute();
    return rows.every((r) => r.status === 'succeeded');
  });
}

const traced = { executor: 'noop', config: { trace: true } };

describe('exactly once across managers, counted from executions', () => {
  it('two managers deciding the same slot insert one run, executed once; the other counts a duplicate', async () => {
    await withExecutingDatabase(false, async ({ deps: d, db, slots }) => {
      const t = await createTask(d, actor, { name: 'race', ...traced, schedule: { kind: 'interval', every_seconds: 1, timezone: 'UTC' }, overlap: 'allow', max_concurrent: 100 });
      await db.store.db.updateTable('scheduled_tasks').set({ last_slot: new Date('2026-03-02T10:00:00Z') }).where('id', '=', t.id).execute();
      const at = (iso: string) => makeSchedulerManager({ pg: db.store, runs: d.runs, logger: silentLogger, clock: () => new Date(iso) });
      const [a, b] = await Promise.all([at('2026-03-02T10:00:01.010Z').fireDue([t.id]), at('2026-03-02T10:00:01.020Z').fireDue([t.id])]);
      expect(a.fired.length + b.fired.length).toBe(1);
      expect(a.duplicates + b.duplicates).toBe(1);
      expect(await slots(t.id)).toEqual(['2026-03-02T10:00:01.000Z']);
      await allRunsDone(db, [t.id]);
      expect(await countExecutions(db.store.db, [t.id])).toEqual({ executions: 1, executedSlots: 1, duplicates: [] });
    });
  });

  it('the detector sees the slot executed twice when the unique key on runs(task_id, scheduled_for) is dropped', async () => {
    await withExecutingDatabase(true, async ({ deps: d, db }) => {
      const t = await createTask(d, actor, { name: 'race', ...traced, schedule: { kind: 'interval', every_seconds: 1, timezone: 'UTC' }, overlap: 'allow', max_concurrent: 100 });
      await db.store.db.updateTable('scheduled_tasks').set({ last_slot: new Date('2026-03-02T10:00:00Z') }).where('id', '=', t.id).execute();
      const at = (iso: string) => makeSchedulerManager({ pg: db.store, runs: d.runs, logger: silentLogger, clock: () => new Date(iso) });
      const [a, b] = await Promise.all([at('2026-03-02T10:00:01.010Z').fireDue([t.id]), at('2026-03-02T10:00:01.020Z').fireDue([t.id])]);
      // Without the key both inserts succeed and neither manager knows of the other.
      expect(a.fired.length + b.fired.length).toBe(2);
      expect(a.duplicates + b.duplicates).toBe(0);
      await allRunsDone(db, [t.id]);
      expect(await countExecutions(db.store.db, [t.id])).toEqual({
        executions: 2,
        executedSlots: 1,
        duplicates: [{ taskId: t.id, scheduledFor: '2026-03-02T10:00:01.000Z', executions: 2 }],
      });
    });
  });
});

describe('the timer', () => {
  it('rings tasks on different schedules from one timer, each slot executed once, and drops a task that is paused', async () => {
    await withExecutingDatabase(false, async ({ deps: d, db, slots }) => {
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const make = async (name: string, schedule: Record<string, unknown>) => {
        // misfire 'each': a timer late on a busy machine still fires every slot, so the slots below are consecutive.
        const t = await createTask(d, actor, { name, ...traced, schedule, overlap: 'allow', max_concurrent: 100, misfire: 'each', max_catch_up: 100, grace_seconds: 300 });
        await db.store.db.updateTable('scheduled_tasks').set({ last_slot: now }).where('id', '=', t.id).execute();
        return t;
      };
      const everySecond = await make('every-second', { kind: 'cron', expression: '* * * * * *', timezone: 'UTC' });
      const everyTwo = await make('every-two', { kind: 'interval', every_seconds: 2, timezone: 'UTC' });
      const paused = await make('paused', { kind: 'cron', expression: '* * * * * *', timezone: 'UTC' });
      const m = makeSchedulerManager({ pg: db.store, runs: d.runs, logger: silentLogger, sweepMs: 60_000 });
      await m.start();
      try {
        expect(m.armed()).toEqual(expect.arrayContaining([everySecond.id, everyTwo.id, paused.id]));
        await db.store.db.updateTable('scheduled_tasks').set({ paused: true }).where('id', '=', paused.id).execute();
        await m.reload(paused.id);
        expect(m.armed()).not.toContain(paused.id);
        const pausedRuns = (await slots(paused.id)).length;
        // Wait for the timer's fires themselves (4 one-second and 2 two-second slots), not for a span of time.
        await waitUntil('4 one-second and 2 two-second fires', async () => (await slots(everySecond.id)).length >= 4 && (await slots(everyTwo.id)).length >= 2, 20_000);
        await m.stop();
        await allRunsDone(db, [everySecond.id, everyTwo.id]);
        const a = await slots(everySecond.id);
        const b = await slots(everyTwo.id);
        // Consecutive slots, none skipped: one second apart, and two seconds apart on even seconds.
        for (let i = 1; i < a.length; i++) expect(new Date(a[i]).getTime() - new Date(a[i - 1]).getTime()).toBe(1000);
        for (let i = 1; i < b.length; i++) expect(new Date(b[i]).getTime() - new Date(b[i - 1]).getTime()).toBe(2000);
        for (const s of b) expect(new Date(s).getTime() % 2000).toBe(0);
        // Each slot executed exactly once, by the executions' own records.
        const ran = await countExecutions(db.store.db, [everySecond.id, everyTwo.id]);
        expect(ran.duplicates).toEqual([]);
        expect(ran.executedSlots).toBe(a.length + b.length);
        expect((await slots(paused.id)).length).toBe(pausedRuns);
      } finally {
        await m.stop();
      }
    });
  });
});
