/**
 * Retention and housekeeping (issue 22): what goes by age and count, what is kept (running runs and
 * their trees, pinned backtests, a kept backtest's run, each dataset's newest sync row), the dry run
 * equal to what a real prune removes, the executor through the run machinery, `zquant prune
 * --dry-run`, the pin API and the storage page. Real Postgres and DuckDB; fixtures are dated on the
 * database clock, far from every cutoff.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.ts';
import { planPrune, prune, pruneBatchRows, type HousekeepingDeps, type PruneReport } from '../../src/housekeeping/housekeeping.service.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { insertBacktestFixture } from '../helpers/backtests.ts';
import { runCli } from '../helpers/process.ts';

const admin = principal('admin', 1, 'boss');
const analyst = principal('analyst', 2, 'li.wei');

type Status = 'queued' | 'running' | 'succeeded' | 'failed';

/** A run queued and finished `daysAgo` days ago (database clock), with `events` events of each kind dated then too. */
async function run(db: Kysely<Database>, o: { daysAgo: number; status?: Status; parent?: number; logs?: number; logDaysAgo?: number }): Promise<number> {
  const status = o.status ?? 'succeeded';
  const finished = status === 'succeeded' || status === 'failed';
  const r = await sql<{ id: string }>`
    insert into runs (executor, status, queued_at, started_at, finished_at, parent_run_id)
    values ('noop', ${status}, now() - make_interval(days => ${o.daysAgo}), now() - make_interval(days => ${o.daysAgo}),
            ${finished ? sql`now() - make_interval(days => ${o.daysAgo})` : sql`null`}, ${o.parent ?? null})
    returning id`.execute(db);
  const id = Number(r.rows[0].id);
  const logs = o.logs ?? 1;
  const at = o.logDaysAgo ?? o.daysAgo;
  await sql`insert into run_events (run_id, seq, kind, at, data) values (${id}, 1, 'status', now() - make_interval(days => ${at}), '{}'::jsonb)`.execute(db);
  for (let i = 0; i < logs; i++) {
    await sql`insert into run_events (run_id, seq, kind, at, data) values (${id}, ${i + 2}, 'log', now() - make_interval(days => ${at}), '{"message":"x"}'::jsonb)`.execute(db);
  }
  await sql`update runs set event_seq = ${logs + 1} where id = ${id}`.execute(db);
  return id;
}

/** A finished backtest of `ownerId` created `daysAgo` days ago, its run dated `runDaysAgo`. */
async function backtest(db: Kysely<Database>, o: { daysAgo: number; runDaysAgo?: number; pinned?: boolean; status?: 'succeeded' | 'queued' }): Promise<{ id: number; runId: number }> {
  const id = await insertBacktestFixture(db, analyst.userId, o.status ?? 'succeeded');
  const row = await sql<{ run_id: string }>`
    update backtests set created_at = now() - make_interval(days => ${o.daysAgo}), pinned = ${o.pinned ?? false} where id = ${id} returning run_id`.execute(db);
  const runId = Number(row.rows[0].run_id);
  const rd = o.runDaysAgo ?? o.daysAgo;
  await sql`update runs set queued_at = now() - make_interval(days => ${rd}), finished_at = case when finished_at is null then null else now() - make_interval(days => ${rd}) end where id = ${runId}`.execute(db);
  // A queued one stays queued: not claimable before tomorrow, so this file's workers leave it alone.
  await sql`update runs set run_after = now() + interval '1 day' where id = ${runId} and status = 'queued'`.execute(db);
  return { id, runId };
}

async function syncRow(db: Kysely<Database>, dataset: string, daysAgo: number, result = 'success'): Promise<number> {
  const r = await sql<{ id: string }>`
    insert into sync_log (source, dataset, result, started_at, finished_at)
    values ('demo', ${dataset}, ${result}, now() - make_interval(days => ${daysAgo}), ${result === 'running' ? null : sql`now() - make_interval(days => ${daysAgo})`})
    returning id`.execute(db);
  return Number(r.rows[0].id);
}

const exists = async (db: Kysely<Database>, table: 'runs' | 'backtests' | 'sync_log', id: number) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where id = ${id}`.execute(db)).rows[0].n) === 1;
const rowsOf = (rep: PruneReport) => Object.fromEntries(rep.lines.map((l) => [l.kind, l.rows]));

describe('housekeeping by age', () => {
  let t: TestApp;
  let deps: HousekeepingDeps;
  const ids: Record<string, number> = {};

  const dataDir = mkdtempSync(join(tmpdir(), 'zq-storage-'));
  beforeAll(async () => {
    t = await makeTestApp({ DATA_DIR: dataDir }, { principals: [admin, analyst], serverExecutors: true, workers: {} });
    const db = t.db.store.db;
    deps = { db, pgKind: t.db.store.kind, market: t.market, retention: t.config.retention };
    // Defaults: runs 90 days, logs 30, backtests 365, sync log 180.
    ids.oldRun = await run(db, { daysAgo: 100, logs: 3 }); // goes with its 4 events
    ids.oldRunning = await run(db, { daysAgo: 100, status: 'running' }); // kept: in flight
    ids.oldFlow = await run(db, { daysAgo: 100 }); // a workflow and its finished step go together
    ids.oldFlowStep = await run(db, { daysAgo: 100, parent: ids.oldFlow });
    ids.busyFlow = await run(db, { daysAgo: 100 }); // kept: a step still running
    ids.busyFlowStep = await run(db, { daysAgo: 100, parent: ids.busyFlow, status: 'running' });
    ids.youngRun = await run(db, { daysAgo: 5, logs: 2, logDaysAgo: 40 }); // kept, its 2 old log lines go (its status event stays)
    const pinned = await backtest(db, { daysAgo: 400, pinned: true }); // kept, and so is its run
    ids.pinnedBacktest = pinned.id;
    ids.pinnedRun = pinned.runId;
    const old = await backtest(db, { daysAgo: 400 }); // goes, and its run with it
    ids.oldBacktest = old.id;
    ids.oldBacktestRun = old.runId;
    const young = await backtest(db, { daysAgo: 10, runDaysAgo: 100 }); // kept: a kept backtest's run stays
    ids.youngBacktest = young.id;
    ids.youngBacktestRun = young.runId;
    const queued = await backtest(db, { daysAgo: 400, status: 'queued' }); // kept: its run has not run yet
    ids.queuedBacktest = queued.id;
    ids.syncOld = await syncRow(db, 'daily_bars', 200); // goes
    ids.syncNew = await syncRow(db, 'daily_bars', 1);
    ids.syncOnly = await syncRow(db, 'stocks', 200); // kept: the dataset's newest row
    ids.syncRunning = await syncRow(db, 'adj_factors', 200, 'running'); // kept: running
    await syncRow(db, 'adj_factors', 1);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the dry run counts what a prune will remove, and the prune removes exactly that', async () => {
    const db = t.db.store.db;
    const plan = await planPrune(deps);
    expect(plan.dryRun).toBe(true);
    // runs: oldRun, oldFlow + step, oldBacktestRun = 4; their events: 4 + 2 + 2 + 1 (a fixture's status event) …
    // run_logs: the young run's 2 old lines, and the busy workflow's (it stays, its finished root's old log line goes).
    expect(rowsOf(plan)).toMatchObject({ backtests: 1, runs: 4, run_logs: 3, sync_log: 1 });
    const eventsBefore = Number((await sql<{ n: string }>`select count(*) as n from run_events where run_id = any(${[ids.oldRun, ids.oldFlow, ids.oldFlowStep, ids.oldBacktestRun]}::bigint[])`.execute(db)).rows[0].n);
    expect(rowsOf(plan).run_events).toBe(eventsBefore);
    expect(plan.lines.every((l) => l.bytes >= 0)).toBe(true);
    // Nothing went on the dry run.
    expect(await exists(db, 'runs', ids.oldRun)).toBe(true);

    const done = await prune(deps);
    expect(done.dryRun).toBe(false);
    expect(rowsOf(done)).toEqual(rowsOf(plan));
    expect(done.reclaimed[0]).toBe('duckdb: checkpoint');
    expect(done.reclaimed[1]).toMatch(deps.pgKind === 'pglite' ? /vacuum/ : /autovacuum/);

    for (const gone of [ids.oldRun, ids.oldFlow, ids.oldFlowStep, ids.oldBacktestRun]) expect(await exists(db, 'runs', gone), `run ${gone}`).toBe(false);
    for (const kept of [ids.oldRunning, ids.busyFlow, ids.busyFlowStep, ids.youngRun, ids.pinnedRun, ids.youngBacktestRun]) expect(await exists(db, 'runs', kept), `run ${kept}`).toBe(true);
    expect(await exists(db, 'backtests', ids.oldBacktest)).toBe(false);
    for (const kept of [ids.pinnedBacktest, ids.youngBacktest, ids.queuedBacktest]) expect(await exists(db, 'backtests', kept)).toBe(true);
    expect(await exists(db, 'sync_log', ids.syncOld)).toBe(false);
    for (const kept of [ids.syncNew, ids.syncOnly, ids.syncRunning]) expect(await exists(db, 'sync_log', kept)).toBe(true);
    const youngEvents = await sql<{ kind: string }>`select kind from run_events where run_id = ${ids.youngRun} order by seq`.execute(db);
    expect(youngEvents.rows.map((r) => r.kind)).toEqual(['status']);
    // A pinned backtest keeps its results.
    expect(Number((await sql<{ n: string }>`select count(*) as n from backtest_results where backtest_id = ${ids.pinnedBacktest}`.execute(db)).rows[0].n)).toBe(1);

    // A second pass finds nothing.
    expect(Object.values(rowsOf(await planPrune(deps))).every((n) => n === 0)).toBe(true);
  });

  it('the housekeeping executor runs through the run machinery: dry run, then prune, same counts', async () => {
    const db = t.db.store.db;
    const a = await run(db, { daysAgo: 120, logs: 1 });
    const b = await run(db, { daysAgo: 95 });
    const runs = t.runtime!.service;
    const dry = await runs.queueRun({ executor: 'housekeeping', params: { dry_run: true }, queuedBy: admin.userId });
    const dryDone = await runs.waitForRun(dry.id, { timeoutMs: 30_000 });
    expect(dryDone.status).toBe('succeeded');
    const dryResult = dryDone.result as { dry_run: boolean; pruned: Record<string, { rows: number }> };
    expect(dryResult.dry_run).toBe(true);
    expect(dryResult.pruned.runs.rows).toBe(2);
    expect(await exists(db, 'runs', a)).toBe(true);

    const real = await runs.queueRun({ executor: 'housekeeping', params: {}, queuedBy: admin.userId });
    const realDone = await runs.waitForRun(real.id, { timeoutMs: 60_000 });
    expect(realDone.status).toBe('succeeded');
    const realResult = realDone.result as { dry_run: boolean; pruned: Record<string, { rows: number }>; reclaimed: string[] };
    expect(realResult.dry_run).toBe(false);
    expect(Object.fromEntries(Object.entries(realResult.pruned).map(([k, v]) => [k, v.rows]))).toEqual(Object.fromEntries(Object.entries(dryResult.pruned).map(([k, v]) => [k, v.rows])));
    expect(await exists(db, 'runs', a)).toBe(false);
    expect(await exists(db, 'runs', b)).toBe(false);
    // The run's log says per kind what went.
    const logs = await sql<{ data: { message: string } }>`select data from run_events where run_id = ${real.id} and kind = 'log' order by seq`.execute(db);
    expect(logs.rows.map((r) => r.data.message).join('\n')).toMatch(/pruned runs\s+2 rows/);
  });

  it('the housekeeping task is seeded enabled, daily at 03:30 Shanghai time', async () => {
    const task = await sql<{ executor: string; enabled: boolean; schedule: unknown }>`select executor, enabled, schedule from scheduled_tasks where name = 'housekeeping'`.execute(t.db.store.db);
    expect(task.rows).toHaveLength(1);
    expect(task.rows[0].executor).toBe('housekeeping');
    expect(task.rows[0].enabled).toBe(true);
    const schedule = typeof task.rows[0].schedule === 'string' ? JSON.parse(task.rows[0].schedule) : task.rows[0].schedule;
    expect(schedule).toEqual({ kind: 'cron', expression: '30 3 * * *', timezone: 'Asia/Shanghai' });
  });

  it('pin and unpin over the API: owner or admin, shown in the answer', async () => {
    const db = t.db.store.db;
    const { id } = await backtest(db, { daysAgo: 1 });
    const as = (p: typeof admin) => t.appWith({ authenticate: actingAs(p) });
    const page = async () => (await as(analyst).request(`/backtests/${id}`)).text();
    const before = await page();
    expect(before.match(/>Pin \(keep\)</g)).toHaveLength(1);
    expect(before).not.toContain('>pinned<');
    const pinned = await as(analyst).request(`/api/v1/backtests/${id}/pin`, { method: 'POST' });
    expect(pinned.status).toBe(200);
    expect((await pinned.json()).pinned).toBe(true);
    expect((await (await as(analyst).request(`/api/v1/backtests/${id}`)).json()).pinned).toBe(true);
    // The page offers Unpin instead, once, and says pinned beside the title.
    const after = await page();
    expect(after.match(/>Unpin</g)).toHaveLength(1);
    expect(after).not.toContain('>Pin (keep)<');
    expect(after.match(/>pinned</g)).toHaveLength(1);
    const unpinned = await as(admin).request(`/api/v1/backtests/${id}/pin`, { method: 'DELETE' });
    expect(unpinned.status).toBe(200);
    expect((await unpinned.json()).pinned).toBe(false);
    const other = await as(principal('analyst', 3, 'wang.fang')).request(`/api/v1/backtests/${id}/pin`, { method: 'POST' });
    expect(other.status).toBe(404);
    const audit = await sql<{ action: string }>`select action from audit_log where object_id = ${String(id)} and action like 'backtest.%pin' order by id`.execute(db);
    expect(audit.rows.map((r) => r.action)).toEqual(['backtest.pin', 'backtest.unpin']);
  });

  it('the storage page shows each store\'s tables with sizes and the prune plan, to admins only', async () => {
    const page = await t.appWith({ authenticate: actingAs(admin) }).request('/admin/storage');
    expect(page.status).toBe(200);
    const html = await page.text();
    const row = (table: string, name: string) => new RegExp(`<table id="${table}">[\\s\\S]*?<tr data-table="${name}"><td>${name}</td><td class="num">[\\d,]+</td><td class="num">[\\d.]+ (B|KB|MB|GB)</td>`);
    expect(html).toMatch(row('pg-tables', 'runs'));
    expect(html).toMatch(row('pg-tables', 'backtest_results'));
    expect(html).toMatch(/<table id="duckdb-tables">[\s\S]*?<tr data-table="daily_bars">/);
    expect(html).toMatch(/<tr data-kind="runs"><td>Runs \(finished, with their steps\)<\/td><td class="num">0<\/td>/);
    expect(html).toContain('RETAIN_RUNS_DAYS');
    expect(html).toContain('action="/admin/storage/housekeeping"');
    const denied = await t.appWith({ authenticate: actingAs(analyst) }).request('/admin/storage');
    expect(denied.status).toBe(403);
    const home = await (await t.appWith({ authenticate: actingAs(admin) }).request('/admin')).text();
    expect(home).toContain('href="/admin/storage"');
  });
});

describe('housekeeping by count', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp({ RETAIN_RUNS_MAX: '3' }, { principals: [admin] });
  }, 120_000);
  afterAll(() => t?.close());

  it('keeps the newest RETAIN_RUNS_MAX top-level runs, counting the ones in flight, and prunes older finished ones', async () => {
    const db = t.db.store.db;
    const byAge: number[] = [];
    for (const daysAgo of [6, 5, 4, 3, 2]) byAge.push(await run(db, { daysAgo }));
    const running = await run(db, { daysAgo: 1, status: 'running' });
    await run(db, { daysAgo: 2, parent: byAge[4] }); // a step: not counted, goes with its parent (kept here)
    const deps = { db, pgKind: t.db.store.kind, market: t.market, retention: t.config.retention };
    const plan = await planPrune(deps);
    expect(rowsOf(plan).runs).toBe(3);
    const done = await prune(deps);
    expect(rowsOf(done)).toEqual(rowsOf(plan));
    const left = await sql<{ id: string }>`select id from runs where parent_run_id is null order by id`.execute(db);
    expect(left.rows.map((r) => Number(r.id))).toEqual([byAge[3], byAge[4], running]);
  });

  it('prunes more than one batch (pruneBatchRows) of each kind, dry run and prune agreeing', async () => {
    const db = t.db.store.db;
    const n = pruneBatchRows * 2 + 37;
    await sql`
      with made as (
        insert into runs (executor, status, queued_at, finished_at, event_seq)
        select 'noop', 'succeeded', now() - interval '200 days', now() - interval '200 days', 2 from generate_series(1, ${n})
        returning id)
      insert into run_events (run_id, seq, kind, at, data)
      select id, s, case when s = 1 then 'status' else 'log' end, now() - interval '200 days', '{}'::jsonb from made, generate_series(1, 2) s`.execute(db);
    await sql`insert into sync_log (source, dataset, result, started_at, finished_at)
              select 'demo', 'daily_bars', 'success', now() - interval '300 days', now() - interval '300 days' from generate_series(1, ${n})`.execute(db);
    await syncRow(db, 'daily_bars', 1);
    const deps = { db, pgKind: t.db.store.kind, market: t.market, retention: t.config.retention };
    const plan = await planPrune(deps);
    expect(rowsOf(plan)).toMatchObject({ runs: n, run_events: 2 * n, sync_log: n });
    const done = await prune(deps);
    expect(rowsOf(done)).toEqual(rowsOf(plan));
    expect(Object.values(rowsOf(await planPrune(deps))).every((x) => x === 0)).toBe(true);
  });
});

describe('zquant prune --dry-run', () => {
  let t: TestApp;
  let dir = '';
  beforeAll(async () => {
    t = await makeTestApp({}, { principals: [admin] });
    dir = mkdtempSync(join(tmpdir(), 'zq-prune-'));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints per kind what would go, and removes nothing', async () => {
    if (!t.db.url) return expect.fail('this test needs a Postgres server (TEST_DATABASE_URL) for the CLI to share the fixtures');
    const db = t.db.store.db;
    const old = await run(db, { daysAgo: 200, logs: 2 });
    await run(db, { daysAgo: 1, logs: 1, logDaysAgo: 60 });
    const out = await runCli(['prune', '--dry-run', '--data-dir', dir, '--database-url', t.db.url]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^retention: runs 90 days \/ newest 100000, run logs 30 days, backtests 365 days \(pinned kept\), sync log 180 days$/m);
    expect(out.stdout).toMatch(/^would prune runs\s+1 rows/m);
    expect(out.stdout).toMatch(/^would prune run_events\s+3 rows/m);
    expect(out.stdout).toMatch(/^would prune run_logs\s+1 rows/m);
    expect(out.stdout).toMatch(/^would prune backtests\s+0 rows/m);
    expect(out.stdout).not.toMatch(/reclaimed/);
    const left = await sql<{ id: string }>`select id from runs`.execute(db);
    expect(left.rows.map((r) => Number(r.id))).toContain(old);
  }, 150_000);
});
