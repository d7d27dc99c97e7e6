import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/auth/users.service.ts';
import { diagnosticExecutors } from '../../src/executors/diagnostic.executors.ts';
import { silentLogger } from '../../src/logger.ts';
import { makeExecutorRegistry } from '../../src/runs/executor-registry.ts';
import { makeRunsCore } from '../../src/runs/runs.runtime.ts';
import { makeSchedulerManager } from '../../src/scheduler/manager.ts';
import { createTask, type TasksDeps } from '../../src/scheduler/tasks.service.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.ts';

/**
 * The manager's decisions with an injected clock: what fires after a gap (misfire policies), what an
 * overlap policy lets through, DST and the seconds field, and that two managers on one database fire
 * each slot once. No timers are relied on: fireDue is called directly at fixed instants.
 */
let tdb: TestDatabase;
let deps: TasksDeps;
const actor = { ...systemActor('test'), userId: null, username: 'test', ip: null, userAgent: null };
let seq = 0;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const registry = makeExecutorRegistry(diagnosticExecutors);
  deps = { db: tdb.store.db, registry, runs: makeRunsCore(tdb.store, registry, silentLogger).service };
});
afterAll(async () => {
  await tdb.drop();
});
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
    const t = await task({ schedule, misfire: 'once', graceSeconds: 10 }, '2026-03-02T10:00:00Z');
    const r = await managerAt('2026-03-02T10:05:30Z').fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:05:00.000Z']);
    expect(r.dropped).toBe(4);
  });
  it('each: every missed slot up to the catch-up bound, newest kept', async () => {
    const t = await task({ schedule, misfire: 'each', maxCatchUp: 3, graceSeconds: 10, overlap: 'allow', maxConcurrent: 10 }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:05:30Z').fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:03:00.000Z', '2026-03-02T10:04:00.000Z', '2026-03-02T10:05:00.000Z']);
  });
  it('skip: only a slot still within the grace period', async () => {
    const t = await task({ schedule, misfire: 'skip', graceSeconds: 45 }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:05:30Z').fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:05:00.000Z']);
    const u = await task({ schedule, misfire: 'skip', graceSeconds: 10 }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:05:30Z').fireDue([u.id]);
    expect(await slotsOf(u.id)).toEqual([]);
  });
  it('advances the considered slot so the next decision does not fire again', async () => {
    const t = await task({ schedule, misfire: 'once', overlap: 'allow', maxConcurrent: 5 }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:01:00.005Z').fireDue([t.id]);
    await managerAt('2026-03-02T10:01:00.900Z').fireDue([t.id]);
    await managerAt('2026-03-02T10:02:00.001Z').fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:01:00.000Z', '2026-03-02T10:02:00.000Z']);
  });
});

describe('exactly once across managers', () => {
  it('two managers deciding the same slot insert one run; the other counts a duplicate', async () => {
    const t = await task({ schedule: { kind: 'interval', everySeconds: 1, timezone: 'UTC' }, overlap: 'allow', maxConcurrent: 100 }, '2026-03-02T10:00:00Z');
    const [a, b] = await Promise.all([managerAt('2026-03-02T10:00:01.010Z').fireDue([t.id]), managerAt('2026-03-02T10:00:01.020Z').fireDue([t.id])]);
    expect(a.fired.length + b.fired.length).toBe(1);
    expect(a.duplicates + b.duplicates).toBe(1);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:00:01.000Z']);
  });
});

describe('overlap', () => {
  const schedule = { kind: 'interval', everySeconds: 60, timezone: 'UTC' };
  it('skip: no new run while one is queued', async () => {
    const t = await task({ schedule, overlap: 'skip' }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:01:00.001Z').fireDue([t.id]);
    const r = await managerAt('2026-03-02T10:02:00.001Z').fireDue([t.id]);
    expect(r.skipped.map((s) => s.reason)).toEqual(['overlap']);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:01:00.000Z']);
  });
  it('allow: up to max concurrent', async () => {
    const t = await task({ schedule, overlap: 'allow', maxConcurrent: 2 }, '2026-03-02T10:00:00Z');
    for (const at of ['10:01', '10:02', '10:03']) await managerAt(`2026-03-02T${at}:00.001Z`).fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-03-02T10:01:00.000Z', '2026-03-02T10:02:00.000Z']);
  });
});

describe('time zones and seconds', () => {
  it('a daily 02:30 in New York skips the spring-forward day gap and fires once on fall-back', async () => {
    // 2026-03-08: 02:30 does not exist in America/New_York (clocks jump 02:00 → 03:00).
    const t = await task({ schedule: { kind: 'cron', expression: '30 2 * * *', timezone: 'America/New_York' }, misfire: 'each', maxCatchUp: 10, overlap: 'allow', maxConcurrent: 10 }, '2026-03-07T00:00:00Z');
    await managerAt('2026-03-10T12:00:00Z').fireDue([t.id]);
    const got = await slotsOf(t.id);
    // 03-07 02:30 EST = 07:30Z; 03-09 02:30 EDT = 06:30Z; on 03-08 croner moves the nonexistent time (see its docs) or skips it.
    expect(got[0]).toBe('2026-03-07T07:30:00.000Z');
    expect(got[got.length - 1]).toBe('2026-03-10T06:30:00.000Z');
    expect(got.length === 3 || got.length === 4).toBe(true);
    const u = await task({ schedule: { kind: 'cron', expression: '30 1 * * *', timezone: 'America/New_York' }, misfire: 'each', maxCatchUp: 10, overlap: 'allow', maxConcurrent: 10 }, '2026-10-31T12:00:00Z');
    await managerAt('2026-11-02T12:00:00Z').fireDue([u.id]);
    // 2026-11-01 01:30 happens twice; it fires once (the first, EDT = 05:30Z), then 11-02 01:30 EST = 06:30Z.
    expect(await slotsOf(u.id)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });
  it('six fields: every 15 seconds', async () => {
    const t = await task({ schedule: { kind: 'cron', expression: '*/15 * * * * *', timezone: 'Asia/Shanghai' }, misfire: 'each', maxCatchUp: 100, overlap: 'allow', maxConcurrent: 100 }, '2026-03-02T10:00:00Z');
    await managerAt('2026-03-02T10:01:00.500Z').fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['10:00:15', '10:00:30', '10:00:45', '10:01:00'].map((x) => `2026-03-02T${x}.000Z`));
  });
});

describe('disabled, paused and manual tasks', () => {
  it('never fire from the schedule', async () => {
    const schedule = { kind: 'interval', everySeconds: 60, timezone: 'UTC' };
    const a = await task({ schedule, enabled: false }, '2026-03-02T10:00:00Z');
    const b = await task({ schedule }, '2026-03-02T10:00:00Z');
    await tdb.store.db.updateTable('scheduled_tasks').set({ paused: true }).where('id', '=', b.id).execute();
    const c = await task({ schedule: { kind: 'manual', timezone: 'UTC' } }, '2026-03-02T10:00:00Z');
    const r = await managerAt('2026-03-02T10:05:00.001Z').fireDue([a.id, b.id, c.id]);
    expect(r.fired).toEqual([]);
  });
});

describe('the timer', () => {
  it('rings tasks on different schedules from one timer, each slot once, and drops a task that is paused', async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const everySecond = await task({ schedule: { kind: 'cron', expression: '* * * * * *', timezone: 'UTC' }, overlap: 'allow', maxConcurrent: 100 }, now);
    const everyTwo = await task({ schedule: { kind: 'interval', everySeconds: 2, timezone: 'UTC' }, overlap: 'allow', maxConcurrent: 100 }, now);
    const paused = await task({ schedule: { kind: 'cron', expression: '* * * * * *', timezone: 'UTC' }, overlap: 'allow', maxConcurrent: 100 }, now);
    const m = makeSchedulerManager({ pg: tdb.store, runs: deps.runs, logger: silentLogger, sweepMs: 60_000 });
    await m.start();
    try {
      expect(m.armed()).toEqual(expect.arrayContaining([everySecond.id, everyTwo.id, paused.id]));
      await tdb.store.db.updateTable('scheduled_tasks').set({ paused: true }).where('id', '=', paused.id).execute();
      await m.reload(paused.id);
      expect(m.armed()).not.toContain(paused.id);
      const pausedRuns = (await slotsOf(paused.id)).length;
      await new Promise((r) => setTimeout(r, 4200));
      const a = await slotsOf(everySecond.id);
      const b = await slotsOf(everyTwo.id);
      // 4.2 s of wall time: at least 4 one-second slots and 2 two-second slots, each once (slotsOf lists runs, so a duplicate would show).
      expect(a.length).toBeGreaterThanOrEqual(4);
      expect(new Set(a).size).toBe(a.length);
      expect(b.length).toBeGreaterThanOrEqual(2);
      for (const s of b) expect(new Date(s).getTime() % 2000).toBe(0);
      expect((await slotsOf(paused.id)).length).toBe(pausedRuns);
    } finally {
      await m.stop();
    }
  });
});
