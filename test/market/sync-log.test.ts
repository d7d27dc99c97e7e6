import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { insertSyncLog } from '../../src/market/sync/sync-log.repository.ts';
import { closeOrphanedSyncLogs, openSyncLog, processOwner } from '../../src/market/sync/sync-log.service.ts';
import { makeExecutorRegistry } from '../../src/runs/executor-registry.ts';
import type { RunsRuntime } from '../../src/runs/runs.runtime.ts';
import { serverReaperHooks } from '../../src/server.ts';
import { makeUser } from '../helpers/accounts.ts';
import { makeTestApp, type App, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { FAKE_TOKEN, startFakeTushare, type FakeTushare } from '../helpers/fake-tushare.ts';
import { createTestDatabase, testServerUrl, type TestDatabase } from '../helpers/pg.ts';
import { cliPath, startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { startTestWorkers } from '../helpers/runs-runtime.ts';

const serverUrl = await testServerUrl();
if (!serverUrl) console.warn('sync-log process tests skipped: they need a Postgres server (several processes cannot share embedded PGlite)');

const none = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await pause(100);
  }
}
const logRow = (db: TestDatabase, id: number) => db.store.db.selectFrom('sync_log').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('operation-log rows are held by a lease', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('a live owner keeps its row running past its lease; rows whose owner stopped renewing (or never had one) are closed as abandoned', async () => {
    const live = await openSyncLog(db.store.db, { source: 'demo', endpoint: null, dataset: 'daily_bars', params: {} }, { leaseMs: 400, heartbeatMs: 100 });
    // A CLI sync killed with kill -9 on another host: nobody renews its row any more.
    const dead = await insertSyncLog(db.store.db, { source: 'tushare', endpoint: 'daily', dataset: 'daily_bars', params: {}, runId: null, runAttempt: null, owner: 'gone-host:4242:deadbeef', leaseMs: 400 });
    // A row written before owners were recorded (migration 530).
    const legacy = Number(
      (await db.store.db.insertInto('sync_log').values({ source: 'demo', endpoint: null, dataset: 'stocks', params: '{}', result: 'running', error: null, last_completed_date: null, finished_at: null, duration_ms: null, run_id: null, owner: null, run_attempt: null, lease_expires_at: null }).returning('id').executeTakeFirstOrThrow()).id,
    );
    const closed: number[] = [];
    // Three leases' worth of sweeps, as every instance's reaper makes them.
    for (let i = 0; i < 12; i++) {
      closed.push(...(await closeOrphanedSyncLogs(db.store.db)).map((r) => r.id));
      await pause(100);
    }
    expect(closed.sort()).toEqual([dead, legacy].sort());
    const liveRow = await logRow(db, live.id);
    expect(liveRow.result).toBe('running');
    expect(liveRow.owner).toBe(processOwner());
    const deadRow = await logRow(db, dead);
    expect(deadRow.result).toBe('abandoned');
    expect(deadRow.error).toMatch(/^abandoned: its process gone-host:4242:deadbeef stopped renewing/);
    expect(deadRow.finished_at).not.toBeNull();
    expect((await logRow(db, legacy)).error).toMatch(/from before owners were recorded/);
    await live.finish({ counts: { ...none, inserted: 5 }, lastCompletedDate: 20260105, result: 'success', error: null });
    expect((await logRow(db, live.id)).result).toBe('success');
  });

  it('the first close wins: an owner that comes back after its row was abandoned writes its counts, not its result', async () => {
    const slow = await openSyncLog(db.store.db, { source: 'demo', endpoint: null, dataset: 'adj_factors', params: {} }, { leaseMs: 60_000, heartbeatMs: 30_000 });
    // Its process stalled past the lease (simulated on the database clock).
    await sql`update sync_log set lease_expires_at = now() - interval '1 second' where id = ${slow.id}`.execute(db.store.db);
    expect((await closeOrphanedSyncLogs(db.store.db)).map((r) => r.id)).toEqual([slow.id]);
    await slow.finish({ counts: { ...none, inserted: 7 }, lastCompletedDate: 20260106, result: 'success', error: null });
    const row = await logRow(db, slow.id);
    expect(row.result).toBe('abandoned');
    expect(row.inserted).toBe(7);
    expect(row.last_completed_date).toBe(20260106);
  });
});

describe('a sync started from the market page', () => {
  let t: TestApp;
  let runtime: RunsRuntime;
  let app: App;
  const env = { DEMO_STOCKS: '20', DEMO_YEARS: '1' };
  beforeAll(async () => {
    t = await makeTestApp(env, { serverExecutors: true, workers: {} });
    runtime = t.runtime!;
    const admin = await makeUser(t, 'syncadmin', 'admin');
    app = t.appWith({ authenticate: actingAs(principal('admin', admin.id, admin.username)) });
  }, 60_000);
  afterAll(() => t?.close());

  it('is a data_sync run: the page answers with the run at once, the run completes and the operation log links it', async () => {
    const res = await app.request('/market/sync', { method: 'POST', body: new URLSearchParams({ dataset: 'daily_bars', source: 'demo', start: '20260901', end: '20260930', codes: '' }) });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/runs\/\d+$/);
    const runId = Number(location.split('/').pop());
    const queued = (await runtime.service.getRun(runId))!;
    expect(queued.executor).toBe('data_sync');
    expect(queued.params).toEqual({ dataset: 'daily_bars', source: 'demo', start: 20260901, end: 20260930 });
    const done = await runtime.service.waitForRun(runId, { timeoutMs: 60_000 });
    expect(done.status).toBe('succeeded');
    expect((done.result as { rows: number }).rows).toBeGreaterThan(0);
    const progress = (await runtime.service.events(runId, 0, 1000)).filter((e) => e.kind === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    const log = await t.db.store.db.selectFrom('sync_log').selectAll().where('run_id', '=', runId).execute();
    expect(log.map((r) => [r.result, r.run_attempt, r.dataset])).toEqual([['success', 1, 'daily_bars']]);
    const page = await (await app.request('/market/log?dataset=daily_bars')).text();
    expect(page).toContain(`<a href="/runs/${runId}">run #${runId}</a>`);
    const api = (await (await app.request('/api/v1/market/sync-log?dataset=daily_bars&result=success')).json()) as { items: Record<string, unknown>[] };
    expect(api.items[0]).toMatchObject({ run_id: runId, run_attempt: 1, owner: processOwner(), result: 'success', lease_expires_at: null });
    expect((await app.request('/api/v1/market/sync-log?result=abandoned')).status).toBe(200);
  }, 90_000);

  it('refuses a bad code or a Tushare sync without a token before queueing anything', async () => {
    const before = (await runtime.service.listRuns({}, { limit: 1, offset: 0 })).total;
    const bad = await app.request('/market/sync', { method: 'POST', body: new URLSearchParams({ dataset: 'daily_bars', source: 'demo', codes: '600000' }) });
    expect(bad.status).toBe(400);
    const noToken = await app.request('/market/sync', { method: 'POST', body: new URLSearchParams({ dataset: 'stocks', source: 'tushare' }) });
    expect(noToken.status).toBe(400);
    expect(await noToken.text()).toContain('TUSHARE_TOKEN');
    expect((await runtime.service.listRuns({}, { limit: 1, offset: 0 })).total).toBe(before);
  });
});

describe.skipIf(!serverUrl)('processes killed mid-sync on a shared Postgres', () => {
  // The test's own view of the shared database: the server's executors to queue data_sync runs, no workers.
  let t: TestApp;
  let db: TestDatabase;
  let fake: FakeTushare;
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const servers: ServerProcess[] = [];
  const leaseMs = 1000;
  const tushareEnv = () => ({ TUSHARE_TOKEN: FAKE_TOKEN, TUSHARE_URL: fake.url, TUSHARE_CALLS_PER_MINUTE: '100000' });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'zq-sync-log-'));
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    fake = await startFakeTushare({ params: { seed: 11, stocks: 30, years: 1, end: 20261127 } });
    t = await makeTestApp({}, { serverExecutors: true });
    ({ db } = t);
  }, 60_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    await t?.close();
    await fake?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** `zquant sync …` in its own process against the test database; resolves with its exit code. */
  const cliSync = (args: string[]) => {
    const child = spawn(process.execPath, [cliPath, 'sync', ...args, '--data-dir', tempDir()], {
      env: { ...process.env, LOG_LEVEL: 'warn', SEED_DEMO: 'false', DATABASE_URL: db.url!, RUN_LEASE_MS: String(leaseMs), ...tushareEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return { child, exited, output: () => output };
  };
  /** The running log row this process owns. */
  const rowOf = async (pid: number) => db.store.db.selectFrom('sync_log').selectAll().where('owner', 'like', `%:${pid}:%`).where('result', '=', 'running').executeTakeFirst();

  it('a data_sync run whose process is killed leaves its log rows abandoned, not running, once the reaper settles the run', async () => {
    // Slow answers (a few seconds of sync) so the process dies mid-range.
    fake.inject({ kind: 'delay', ms: 400 }, { times: 400, apiName: 'daily' });
    const victim = await startServerProcess(['--data-dir', tempDir()], { DATABASE_URL: db.url!, RUN_LEASE_MS: String(leaseMs), RUN_POLL_MS: '200', ...tushareEnv() });
    servers.push(victim);
    const runs = t.deps.runs!;
    const run = await runs.queueRun({ executor: 'data_sync', params: { dataset: 'daily_bars', source: 'tushare', start: 20260601, end: 20260930, batch_rows: 100 }, maxAttempts: 1 });
    let logId = 0;
    await waitFor('the run commits a batch', async () => {
      const row = await db.store.db.selectFrom('sync_log').select(['id', 'last_completed_date', 'run_attempt']).where('run_id', '=', run.id).where('result', '=', 'running').executeTakeFirst();
      logId = row?.last_completed_date ? Number(row.id) : 0;
      return logId > 0;
    }, 60_000);
    await victim.stop('SIGKILL');

    // Another instance's reaper (with the hooks the server gives it) settles the dead attempt.
    const survivor = await startTestWorkers(db.store, makeExecutorRegistry([]), {
      settings: { concurrency: { backtest: 1, io: 1 }, leaseMs, heartbeatMs: 300, pollMs: 500, reaperMs: 200, maxRetryDelayMs: 100, abortGraceMs: 500, flushIntervalMs: 50 },
      reaperHooks: serverReaperHooks(db.store, silentLogger),
    });
    try {
      await waitFor('the run is abandoned', async () => (await runs.getRun(run.id))!.status === 'abandoned', 15_000);
      const row = await logRow(db, logId);
      expect(row.result).toBe('abandoned');
      expect(row.run_attempt).toBe(1);
      // Closed by the reaper with the run (not later by the row's own, longer lease).
      expect(row.error).toMatch(new RegExp(`^abandoned: run ${run.id} attempt 1 stopped renewing its lease`));
      expect(row.last_completed_date).toBeGreaterThanOrEqual(20260601);
      expect(await db.store.db.selectFrom('sync_log').select('id').where('result', '=', 'running').execute()).toEqual([]);
    } finally {
      await survivor.stop(1000);
    }
  }, 120_000);

  it('at start-up a server closes the row of a CLI sync killed with kill -9, and leaves a live CLI sync on the same database running to success', async () => {
    fake.inject({ kind: 'delay', ms: 300 }, { times: 400, apiName: 'daily' });
    fake.inject({ kind: 'delay', ms: 500 }, { times: 400, apiName: 'daily_basic' });
    const killed = cliSync(['daily_bars', '--source', 'tushare', '--start', '20260101', '--end', '20260630']);
    // About 180 trade days at 0.5 s a call, 4 calls in flight: some 20 s, well past the server's start.
    const alive = cliSync(['daily_basic', '--source', 'tushare', '--start', '20260101', '--end', '20260930']);
    await waitFor('the first CLI sync starts', async () => !!(await rowOf(killed.child.pid!)), 60_000);
    const killedRow = (await rowOf(killed.child.pid!))!;
    // Mid-range: fetching (the whole range is one write batch at 30 stocks).
    await pause(1000);
    killed.child.kill('SIGKILL');
    await killed.exited;
    await waitFor('the second CLI sync starts', async () => !!(await rowOf(alive.child.pid!)), 60_000);
    const aliveRow = (await rowOf(alive.child.pid!))!;
    // The dead CLI's lease runs out on the database clock; the live one keeps renewing its own.
    await waitFor('the killed sync lease passes', async () => (await sql<{ passed: boolean }>`select lease_expires_at < now() as passed from sync_log where id = ${killedRow.id}`.execute(db.store.db)).rows[0].passed, 10_000);

    const server = await startServerProcess(['--data-dir', tempDir()], { DATABASE_URL: db.url!, RUN_LEASE_MS: String(leaseMs) });
    servers.push(server);
    // Start-up is over once the server listens: the orphan is closed, the live sync is not.
    const afterStart = await logRow(db, Number(killedRow.id));
    expect(afterStart.result).toBe('abandoned');
    expect(afterStart.error).toContain(`:${killed.child.pid}:`);
    expect((await logRow(db, Number(aliveRow.id))).result).toBe('running');
    expect(server.lines.some((l) => l.includes('closed operation-log rows whose process stopped renewing them'))).toBe(true);

    // The server's reaper passes (every lease/2) while the live sync goes on for several leases.
    await pause(3 * leaseMs);
    expect(alive.child.exitCode).toBeNull();
    expect((await logRow(db, Number(aliveRow.id))).result).toBe('running');
    expect(await alive.exited).toBe(0);
    expect(alive.output()).toMatch(/daily_basic from tushare: success/);
    const finished = await logRow(db, Number(aliveRow.id));
    expect(finished.result).toBe('success');
    expect(finished.error).toBeNull();
  }, 180_000);
});
