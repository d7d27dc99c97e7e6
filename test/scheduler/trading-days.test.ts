import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgMigrations } from '../../migrations/pg/index.ts';
import { systemActor } from '../../src/auth/users.service.ts';
import { diagnosticExecutors } from '../../src/executors/diagnostic.executors.ts';
import { parseInput } from '../../src/http/contract.ts';
import { silentLogger } from '../../src/logger.ts';
import { addDays, isoDay, isWeekend } from '../../src/market/days.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { makeExecutorRegistry } from '../../src/runs/executor-registry.ts';
import { makeSchedulerManager } from '../../src/scheduler/manager.ts';
import { TaskInputSchema } from '../../src/scheduler/scheduler.contract.ts';
import { nextFireTimes } from '../../src/scheduler/schedule.ts';
import { dailyUpdateName, seedSchedulerTasks } from '../../src/scheduler/seed.ts';
import { createTask as createTaskOf, type TasksDeps } from '../../src/scheduler/tasks.service.ts';
import { calendarCoverage, exchangeDay, pickTradingDaySlots } from '../../src/scheduler/trading-days.ts';
import { tushareSource } from '../../src/market/sync/sources.ts';
import { calendarHorizon, syncDataset } from '../../src/market/sync/sync.service.ts';
import { makeTushareClient } from '../../src/market/tushare/client.ts';
import { bearer, makeUser } from '../helpers/accounts.ts';
import { FAKE_TOKEN, startFakeTushare } from '../helpers/fake-tushare.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { testRunsService } from '../helpers/runs-runtime.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.ts';

/**
 * Trading-day schedules (issue 22). The calendar is the SSE's around National Day 2026: closed
 * 2026-10-01..10-08 (official schedule: the Golden Week holiday, Thursday 1 to Thursday 8 October,
 * markets closed on those weekdays), reopening Friday 10-09; weekends closed. The manager is driven
 * by an injected clock at fixed instants (as test/scheduler/manager.test.ts does); the API test uses
 * calendars relative to today, since the coverage and the preview are about the days ahead.
 */
const nationalDay = new Set([20261001, 20261002, 20261005, 20261006, 20261007, 20261008]);

/** Calendar rows [from, to] for an exchange: open on weekdays not in `closed`. */
async function writeCalendar(market: MarketStore, exchange: string, from: number, to: number, closed: ReadonlySet<number> = new Set()) {
  await market.write(async (c) => {
    await c.run(`delete from trade_calendar where exchange = $1 and cal_date between $2 and $3`, [exchange, from, to]);
    for (let d = from; d <= to; d = addDays(d, 1)) {
      await c.run(`insert into trade_calendar values ($1, $2, $3, null)`, [exchange, d, isWeekend(d) || closed.has(d) ? 0 : 1]);
    }
  });
}

const actor = { ...systemActor('test'), userId: null, username: 'test', ip: null, userAgent: null };

describe('the pure policy', () => {
  it('walks past National Day: the next five fires are trading days, the closed slots marked', () => {
    const s = { kind: 'cron' as const, expression: '30 15 * * 1-5', timezone: 'Asia/Shanghai' };
    const cal = new Map<number, boolean>();
    for (let d = 20260920; d <= 20261031; d = addDays(d, 1)) cal.set(d, !isWeekend(d) && !nationalDay.has(d));
    const { slots, closedCount } = pickTradingDaySlots(nextFireTimes(s, new Date('2026-09-29T08:00:00Z'), 100), cal, 5);
    const shown = slots.map((x) => `${isoDay(x.day)} ${x.state}`);
    expect(shown).toEqual([
      '2026-09-30 open',
      '2026-10-01 closed',
      '2026-10-02 closed',
      '2026-10-05 closed',
      '2026-10-06 closed',
      '2026-10-07 closed',
      '2026-10-08 closed',
      '2026-10-09 open',
      '2026-10-12 open',
      '2026-10-13 open',
      '2026-10-14 open',
    ]);
    expect(closedCount).toBe(6);
    // 15:30 in Shanghai is 07:30 UTC.
    expect(slots[0].at.toISOString()).toBe('2026-09-30T07:30:00.000Z');
  });

  it('reads a slot on the exchange’s day (Beijing time), whatever the cron’s zone', () => {
    // 20:00 UTC on 30 September is 04:00 on 1 October in Shanghai: National Day, closed.
    expect(exchangeDay(new Date('2026-09-30T20:00:00Z'))).toBe(20261001);
    expect(exchangeDay(new Date('2026-09-30T15:59:59Z'))).toBe(20260930);
  });

  it('reports the calendar’s coverage of the next 30 days', () => {
    const full = new Map<number, boolean>();
    for (let d = 20261201; d <= 20270131; d = addDays(d, 1)) full.set(d, true);
    expect(calendarCoverage('SSE', 20261206, full)).toEqual({ exchange: 'SSE', coveredThrough: 20270105, warning: null });
    const short = new Map([...full].filter(([d]) => d <= 20261220));
    const cov = calendarCoverage('SSE', 20261206, short);
    expect(cov.coveredThrough).toBe(20261220);
    expect(cov.warning).toContain('ends on 2026-12-20');
    // A hole breaks the run: coverage ends the day before it.
    const holed = new Map([...full].filter(([d]) => d !== 20261225));
    expect(calendarCoverage('SSE', 20261206, holed).coveredThrough).toBe(20261224);
    expect(calendarCoverage('SZSE', 20261206, new Map()).warning).toContain('has no row for today (2026-12-06)');
  });
});

describe('the manager on a calendar with a holiday', () => {
  let tdb: TestDatabase;
  let market: MarketStore;
  let deps: TasksDeps;
  let seq = 0;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    market = await openMarketStore(':memory:');
    await writeCalendar(market, 'SSE', 20260901, 20261020, nationalDay);
    const registry = makeExecutorRegistry(diagnosticExecutors);
    deps = { db: tdb.store.db, registry, runs: testRunsService(tdb.store, registry), market };
  });
  afterAll(async () => {
    await market?.close();
    await tdb?.drop();
  });

  const task = async (over: Record<string, unknown>, lastSlot: string) => {
    const t = await createTaskOf(deps, actor, parseInput(TaskInputSchema, { name: `td${++seq}`, executor: 'noop', schedule: { kind: 'cron', expression: '30 15 * * 1-5', timezone: 'Asia/Shanghai' }, ...over }));
    await tdb.store.db.updateTable('scheduled_tasks').set({ last_slot: new Date(lastSlot) }).where('id', '=', t.id).execute();
    return t;
  };
  const managerAt = (iso: string, withMarket = true) =>
    makeSchedulerManager({ pg: tdb.store, runs: deps.runs, logger: silentLogger, clock: () => new Date(iso), market: withMarket ? market : null });
  const slotsOf = async (taskId: number) =>
    (await tdb.store.db.selectFrom('runs').select('scheduled_for').where('task_id', '=', taskId).orderBy('scheduled_for').execute()).map((r) => new Date(r.scheduled_for!).toISOString().slice(0, 10));
  const logOf = async (taskId: number) =>
    (
      await sql<{ day: string; outcome: string; reason: string; message: string }>`
        select to_char(day, 'YYYY-MM-DD') as day, outcome, reason, message from task_slot_log where task_id = ${taskId} order by scheduled_for`.execute(tdb.store.db)
    ).rows;
  // The slots 30 September … 9 October at 15:30 Shanghai (07:30 UTC), each decided 5 s after it came.
  const weekdaySlots = ['2026-09-30', '2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08', '2026-10-09'];
  const driveThrough = async (taskId: number, withMarket = true) => {
    const reports = [];
    for (const d of weekdaySlots) reports.push(await managerAt(`${d}T07:30:05Z`, withMarket).fireDue([taskId]));
    return reports;
  };

  it('skips the holiday slots, records each with its reason, and fires on the trading days around them', async () => {
    const t = await task({ trading_days: 'SSE', overlap: 'allow', max_concurrent: 20 }, '2026-09-30T00:00:00Z');
    const reports = await driveThrough(t.id);
    expect(await slotsOf(t.id)).toEqual(['2026-09-30', '2026-10-09']);
    expect(reports.flatMap((r) => r.skipped.map((s) => s.reason))).toEqual(Array(6).fill('market_closed'));
    const log = await logOf(t.id);
    expect(log.map((l) => `${l.day} ${l.outcome} ${l.reason}`)).toEqual([...nationalDay].map((d) => `${isoDay(d)} skipped market_closed`));
    expect(log[0].message).toBe('SSE is closed on 2026-10-01 (trade calendar): slot skipped');
    // The considered slot moved past the holidays: a later decision does not revisit them.
    await managerAt('2026-10-09T07:30:10Z').fireDue([t.id]);
    expect(await logOf(t.id)).toHaveLength(6);
    expect(await slotsOf(t.id)).toEqual(['2026-09-30', '2026-10-09']);
  });

  it('without the policy, the same weekday cron fires on every holiday (the behaviour it replaces)', async () => {
    const t = await task({ overlap: 'allow', max_concurrent: 20 }, '2026-09-30T00:00:00Z');
    await driveThrough(t.id);
    expect(await slotsOf(t.id)).toEqual(weekdaySlots);
    expect(await logOf(t.id)).toEqual([]);
  });

  it('a second instance deciding the same slots records each skip once', async () => {
    const t = await task({ trading_days: 'SSE' }, '2026-09-30T08:00:00Z');
    await managerAt('2026-10-01T07:30:05Z').fireDue([t.id]);
    await sql`update scheduled_tasks set last_slot = '2026-09-30T08:00:00Z' where id = ${t.id}`.execute(tdb.store.db);
    await managerAt('2026-10-01T07:30:06Z').fireDue([t.id]);
    expect(await logOf(t.id)).toHaveLength(1);
  });

  it('a once catch-up that lands on a holiday fires the newest missed trading day instead', async () => {
    // Considered up to Tuesday 29 September; no instance ran until Thursday 1 October (a holiday), 09:00 UTC.
    const t = await task({ trading_days: 'SSE', misfire: 'once', grace_seconds: 60 }, '2026-09-29T08:00:00Z');
    const r = await managerAt('2026-10-01T09:00:00Z').fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-09-30']);
    expect(r.dropped).toBe(0);
    expect((await logOf(t.id)).map((l) => `${l.day} ${l.outcome}`)).toEqual(['2026-10-01 skipped']);
    // Without the policy, once fires the newest (the holiday) as before.
    const u = await task({ misfire: 'once', grace_seconds: 60 }, '2026-09-29T08:00:00Z');
    expect((await managerAt('2026-10-01T09:00:00Z').fireDue([u.id])).dropped).toBe(1);
    expect(await slotsOf(u.id)).toEqual(['2026-10-01']);
  });

  it('a day the calendar has no row for fires, with the warning recorded', async () => {
    // The calendar ends on 2026-10-20 (a Tuesday); Wednesday 21 has no row.
    const t = await task({ trading_days: 'SSE' }, '2026-10-21T00:00:00Z');
    const r = await managerAt('2026-10-21T07:30:05Z').fireDue([t.id]);
    expect(r.fired).toHaveLength(1);
    expect(await slotsOf(t.id)).toEqual(['2026-10-21']);
    expect(await logOf(t.id)).toEqual([
      { day: '2026-10-21', outcome: 'fired', reason: 'calendar_missing', message: 'the SSE trade calendar has no row for 2026-10-21: fired anyway; sync the trade_calendar dataset' },
    ]);
  });

  it('an instance without a market store fires trading-day slots and says why', async () => {
    const t = await task({ trading_days: 'SSE' }, '2026-10-01T00:00:00Z');
    await managerAt('2026-10-01T07:30:05Z', false).fireDue([t.id]);
    expect(await slotsOf(t.id)).toEqual(['2026-10-01']);
    expect((await logOf(t.id))[0]).toMatchObject({ outcome: 'fired', reason: 'calendar_missing' });
    expect((await logOf(t.id))[0].message).toContain('this instance has no market store');
  });

  it('a slot held back by the overlap policy leaves no calendar note', async () => {
    const t = await task({ trading_days: 'SSE', overlap: 'skip' }, '2026-10-21T00:00:00Z');
    await deps.runs.queueRun({ executor: 'noop', params: {}, queuedBy: null, taskId: t.id, scheduledFor: null, maxAttempts: 1, retryDelayMs: 1000, timeoutMs: null });
    const r = await managerAt('2026-10-21T07:30:05Z').fireDue([t.id]);
    expect(r.skipped).toEqual([{ taskId: t.id, scheduledFor: new Date('2026-10-21T07:30:00Z'), reason: 'overlap' }]);
    expect(await logOf(t.id)).toEqual([]);
  });
});

describe('/api/v1/scheduler with the trading-day policy', () => {
  let t: TestApp;
  let admin: string;
  let viewer: string;
  const today = exchangeDay(new Date());
  /** The weekdays 2 and 3 after today: a two-day holiday ahead, whatever day the test runs. */
  const holiday = new Set<number>();
  beforeAll(async () => {
    t = await makeTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000' });
    admin = (await makeUser(t, 'tda', 'admin')).token;
    viewer = (await makeUser(t, 'tdv', 'viewer')).token;
    const weekdays: number[] = [];
    for (let d = addDays(today, 1); weekdays.length < 3; d = addDays(d, 1)) if (!isWeekend(d)) weekdays.push(d);
    holiday.add(weekdays[1]).add(weekdays[2]);
    // SSE: known for 60 days ahead; SZSE: only 10.
    await writeCalendar(t.market, 'SSE', addDays(today, -5), addDays(today, 60), holiday);
    await writeCalendar(t.market, 'SZSE', addDays(today, -5), addDays(today, 10), holiday);
  });
  afterAll(async () => {
    await t?.close();
  });
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await t.app.request(`/api/v1${path}`, { method, headers: { ...bearer(token), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as any };
  };
  const afterClose = { kind: 'cron', expression: '30 15 * * 1-5', timezone: 'Asia/Shanghai' };

  it('creates a task with trading_days, refuses an unknown exchange naming the field, and edits it off again', async () => {
    const created = await call('POST', '/scheduler/tasks', admin, { name: 'close sync', executor: 'noop', schedule: afterClose, trading_days: 'SSE' });
    expect(created.status).toBe(201);
    expect(created.json.trading_days).toBe('SSE');
    const bad = await call('POST', '/scheduler/tasks', admin, { name: 'bad', executor: 'noop', schedule: afterClose, trading_days: 'NYSE' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe('trading_days: expected "SSE" or "SZSE" (the exchange whose trading days the task keeps), or null to fire every slot');
    const plain = await call('POST', '/scheduler/tasks', admin, { name: 'plain', executor: 'noop', schedule: afterClose });
    expect(plain.json.trading_days).toBeNull();
    const off = await call('PATCH', `/scheduler/tasks/${plain.json.id}`, admin, { trading_days: 'SZSE' });
    expect(off.json.trading_days).toBe('SZSE');
    expect((await call('PATCH', `/scheduler/tasks/${plain.json.id}`, admin, { description: 'kept' })).json.trading_days).toBe('SZSE');
    expect((await call('PATCH', `/scheduler/tasks/${plain.json.id}`, admin, { trading_days: null })).json.trading_days).toBeNull();
  });

  it('reports the calendar coverage: no warning for 60 days ahead, a warning naming the end for 10', async () => {
    const sse = await call('POST', '/scheduler/tasks', admin, { name: 'sse task', executor: 'noop', schedule: afterClose, trading_days: 'SSE' });
    const szse = await call('POST', '/scheduler/tasks', admin, { name: 'szse task', executor: 'noop', schedule: afterClose, trading_days: 'SZSE' });
    const a = (await call('GET', `/scheduler/tasks/${sse.json.id}`, viewer)).json;
    expect(a.calendar).toMatchObject({ exchange: 'SSE', covered_through: isoDay(addDays(today, 30)), warning: null });
    const b = (await call('GET', `/scheduler/tasks/${szse.json.id}`, viewer)).json;
    expect(b.calendar.exchange).toBe('SZSE');
    expect(b.calendar.covered_through).toBe(isoDay(addDays(today, 10)));
    expect(b.calendar.warning).toContain(`ends on ${isoDay(addDays(today, 10))}`);
    // Next fires skip the holiday; the passed-over slots are listed.
    const nextDays = (a.next as string[]).map((n) => exchangeDay(new Date(n)));
    expect(nextDays).toHaveLength(5);
    for (const d of nextDays) expect(holiday.has(d) || isWeekend(d)).toBe(false);
    expect((a.calendar.skipped_next as string[]).map((n) => exchangeDay(new Date(n))).sort()).toEqual([...holiday].sort());
    // A task without the policy has no calendar field value.
    const list = (await call('GET', '/scheduler/tasks', viewer)).json.tasks as Array<{ task: { name: string }; calendar: unknown }>;
    expect(list.find((x) => x.task.name === 'plain')?.calendar).toBeNull();
  });

  it('previews the next five trading-day fires after the close, the holiday slots marked', async () => {
    const r = await call('POST', '/scheduler/cron/preview', viewer, { expression: '30 15 * * 1-5', timezone: 'Asia/Shanghai', trading_days: 'SSE' });
    expect(r.status).toBe(200);
    expect(r.json.describe).toBe('At 15:30, Monday through Friday (Asia/Shanghai), on SSE trading days');
    const fires = (r.json.next as string[]).map((n) => new Date(n));
    expect(fires).toHaveLength(5);
    // The five are the first five open weekdays from now, each at 07:30 UTC.
    const expected: number[] = [];
    for (let d = today; expected.length < 5; d = addDays(d, 1)) {
      const at = new Date(`${isoDay(d)}T07:30:00Z`);
      if (at > new Date() && !isWeekend(d) && !holiday.has(d)) expected.push(d);
    }
    expect(fires.map(exchangeDay)).toEqual(expected);
    for (const f of fires) expect(f.toISOString().slice(11)).toBe('07:30:00.000Z');
    expect((r.json.skipped as string[]).map((n) => exchangeDay(new Date(n)))).toEqual([...holiday].sort());
    expect(r.json.unchecked).toEqual([]);
    // Without the policy the holidays are fires like any weekday.
    const plain = await call('POST', '/scheduler/cron/preview', viewer, { expression: '30 15 * * 1-5', timezone: 'Asia/Shanghai' });
    expect((plain.json.next as string[]).map((n) => exchangeDay(new Date(n)))).toEqual(expect.arrayContaining([...holiday]));
    expect(plain.json.skipped).toEqual([]);
    // Beyond the SZSE calendar the fires are unchecked, and say so.
    const far = await call('POST', '/scheduler/cron/preview', viewer, { expression: '30 15 * * 1-5', timezone: 'Asia/Shanghai', trading_days: 'SZSE', count: 12 });
    expect((far.json.unchecked as string[]).length).toBeGreaterThan(0);
    for (const u of far.json.unchecked as string[]) expect(exchangeDay(new Date(u))).toBeGreaterThan(addDays(today, 10));
  });

  it('lists a task’s recorded slots (skipped on closed days), newest first', async () => {
    const created = await call('POST', '/scheduler/tasks', admin, { name: 'listed', executor: 'noop', schedule: afterClose, trading_days: 'SSE' });
    const id = created.json.id as number;
    const [h1, h2] = [...holiday].sort();
    await t.db.store.db
      .insertInto('task_slot_log')
      .values([h1, h2].map((d) => ({ task_id: id, scheduled_for: new Date(`${isoDay(d)}T07:30:00Z`), day: isoDay(d), outcome: 'skipped' as const, reason: 'market_closed' as const, message: `SSE is closed on ${isoDay(d)}` })))
      .execute();
    const r = await call('GET', `/scheduler/tasks/${id}/slots?limit=1`, viewer);
    expect(r.status).toBe(200);
    expect(r.json.total).toBe(2);
    expect(r.json.slots).toEqual([{ scheduled_for: `${isoDay(h2)}T07:30:00.000Z`, day: isoDay(h2), outcome: 'skipped', reason: 'market_closed', message: `SSE is closed on ${isoDay(h2)}`, recorded_at: expect.any(String) }]);
    expect((await call('GET', '/scheduler/tasks/999999/slots', viewer)).status).toBe(404);
  });

  it('seeds daily-update on new installs with the SSE policy', async () => {
    await seedSchedulerTasks(t.db.store.db, silentLogger);
    const list = (await call('GET', '/scheduler/tasks', viewer)).json.tasks as Array<{ task: { name: string; trading_days: string | null } }>;
    expect(list.find((x) => x.task.name === dailyUpdateName)?.task.trading_days).toBe('SSE');
  });
});

describe('the calendar sync the daily-update runs first', () => {
  it('asks for the calendar through the end of next year, so the coming holidays are known', async () => {
    expect(calendarHorizon(20261206)).toBe(20271231);
    const fake = await startFakeTushare({ params: { seed: 3, stocks: 5, years: 1, end: 20261127 } });
    const tdb = await createTestDatabase();
    const market = await openMarketStore(':memory:');
    try {
      const source = tushareSource(makeTushareClient({ url: fake.url, token: FAKE_TOKEN, callsPerMinute: null, sleep: async () => {} }));
      const out = await syncDataset({ market, pg: tdb.store, source }, { dataset: 'trade_calendar' }, { today: 20261127 });
      expect(out.result).toBe('success');
      const asked = fake.calls.filter((c) => c.apiName === 'trade_cal').map((c) => `${c.params.exchange} ${c.params.end_date}`);
      expect(asked).toEqual(['SSE 20271231', 'SZSE 20271231', 'BSE 20271231']);
      // Other datasets still end at the latest closed trading day.
      fake.calls.length = 0;
      await syncDataset({ market, pg: tdb.store, source }, { dataset: 'index_daily' }, { today: 20261127 });
      expect(fake.calls.find((c) => c.apiName === 'index_daily')?.params.end_date).toBe('20261127');
    } finally {
      await market.close();
      await tdb.drop();
      await fake.close();
    }
  });
});

describe('migration 590 on an existing install', () => {
  it('gives the seeded daily-update the SSE policy, and leaves one an operator rescheduled alone', async () => {
    const tdb = await createTestDatabase({ migrate: false });
    try {
      const migrator = new Migrator({ db: tdb.store.db, provider: { getMigrations: async () => pgMigrations } });
      expect((await migrator.migrateTo('2026-12-06-580-runs-tasks-snake-case')).error).toBeUndefined();
      // As the seed of that version wrote it (kysely's insert of JSON text).
      await tdb.store.db
        .insertInto('scheduled_tasks')
        .values({ name: 'daily-update', executor: 'workflow', config: '{"steps": []}', schedule: JSON.stringify({ kind: 'cron', expression: '0 18 * * 1-5', timezone: 'Asia/Shanghai' }), timezone: 'Asia/Shanghai', enabled: false })
        .execute();
      expect((await migrator.migrateTo('2026-12-06-590-trading-day-schedules')).error).toBeUndefined();
      const rows = await sql<{ name: string; trading_days: string | null }>`select name, trading_days from scheduled_tasks where name = 'daily-update'`.execute(tdb.store.db);
      expect(rows.rows).toEqual([{ name: 'daily-update', trading_days: 'SSE' }]);

      // On a second database: the operator moved it to 19:00 before upgrading.
      const other = await createTestDatabase({ migrate: false });
      try {
        const m2 = new Migrator({ db: other.store.db, provider: { getMigrations: async () => pgMigrations } });
        await m2.migrateTo('2026-12-06-580-runs-tasks-snake-case');
        await sql`
          insert into scheduled_tasks (name, executor, config, schedule, timezone, enabled)
          values ('daily-update', 'workflow', '{}'::jsonb, '{"kind": "cron", "expression": "0 19 * * 1-5", "timezone": "Asia/Shanghai"}'::jsonb, 'Asia/Shanghai', true)`.execute(other.store.db);
        expect((await m2.migrateTo('2026-12-06-590-trading-day-schedules')).error).toBeUndefined();
        const kept = await sql<{ trading_days: string | null }>`select trading_days from scheduled_tasks where name = 'daily-update'`.execute(other.store.db);
        expect(kept.rows).toEqual([{ trading_days: null }]);
      } finally {
        await other.drop();
      }
    } finally {
      await tdb.drop();
    }
  });
});
