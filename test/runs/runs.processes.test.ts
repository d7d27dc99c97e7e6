import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeExecutorRegistry } from '../../src/runs/executor-registry.ts';
import type { RunsService } from '../../src/runs/runs.service.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { testServerUrl, type TestDatabase } from '../helpers/pg.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { startTestWorkers } from '../helpers/runs-runtime.ts';

const serverUrl = await testServerUrl();
if (!serverUrl) console.warn('multi-process run tests skipped: they need a Postgres server (several processes cannot share embedded PGlite)');

// Short leases so a killed process's runs are reaped within seconds.
const leaseMs = 1500;
const env = (dbUrl: string) => ({ DATABASE_URL: dbUrl, SEED_DEMO: 'false', RUN_LEASE_MS: String(leaseMs), RUN_POLL_MS: '500', RUN_IO_CONCURRENCY: '8', SHUTDOWN_TIMEOUT_MS: '4000' });

describe.skipIf(!serverUrl)('several server processes on one Postgres', () => {
  // This test's own view of the shared database: the diagnostic executors, no workers (the server processes execute).
  let t: TestApp;
  let db: TestDatabase;
  let runs: RunsService;
  const servers: ServerProcess[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    t = await makeTestApp();
    ({ db } = t);
    runs = t.deps.runs!;
    for (let i = 0; i < 3; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'zq-runs-'));
      dirs.push(dir);
      servers.push(await startServerProcess(['--data-dir', dir], env(db.url!)));
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    await t?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const statusCounts = async () => {
    const rows = await db.store.db.selectFrom('runs').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  };
  const waitFor = async (check: () => Promise<boolean>, timeoutMs: number) => {
    const until = performance.now() + timeoutMs;
    while (!(await check())) {
      if (performance.now() > until) throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(await statusCounts())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('executes 500 queued runs exactly once', async () => {
    const queued = await runs.queueRuns(Array.from({ length: 500 }, (_, i) => ({ executor: 'noop', params: { note: `n${i}` } })));
    expect(queued).toHaveLength(500);
    await waitFor(async () => (await statusCounts()).succeeded === 500, 60_000);
    // Exactly once: every run was claimed (a `running` event) once, on its first attempt.
    const claims = await sql<{ run_id: number; n: number }>`
      select run_id, count(*)::int as n from run_events where kind = 'status' and data->>'status' = 'running' group by run_id`.execute(db.store.db);
    expect(claims.rows).toHaveLength(500);
    expect(claims.rows.every((r) => r.n === 1)).toBe(true);
    const attempts = await db.store.db.selectFrom('runs').select('attempt').distinct().execute();
    expect(attempts.map((a) => a.attempt)).toEqual([1]);
    const owners = await sql<{ owner: string }>`select distinct split_part(data->>'reason', ' ', 3) as owner from run_events where data->>'status' = 'running'`.execute(db.store.db);
    // Several processes took part (each has 8 io slots and 500 runs arrive at once).
    expect(owners.rows.length).toBeGreaterThan(1);
  }, 90_000);

  it('streams live the events of a run that another process executes (NOTIFY across instances)', async () => {
    // A watcher instance with no executors: it claims nothing, so every event it sees came from another process.
    const watcher = await startTestWorkers(db.store, makeExecutorRegistry([]), {
      settings: { concurrency: { backtest: 1, io: 1 }, leaseMs: 5000, heartbeatMs: 1000, pollMs: 1000, reaperMs: 2500, maxRetryDelayMs: 1000, abortGraceMs: 1000, flushIntervalMs: 100 },
    });
    try {
      // A run that cannot end by itself: it is cancelled only after the watcher has seen it progress,
      // so what the watcher saw before the cancel came live from the executing process, not as a burst at the end.
      const run = await runs.queueRun({ executor: 'sleep', params: { ms: 600_000, steps: 6000 } });
      const seqs: number[] = [];
      let progressSeen = 0;
      let cancelAsked = false;
      for await (const e of watcher.service.follow(run.id, 0, new AbortController().signal)) {
        seqs.push(e.seq);
        if (e.kind === 'progress' && ++progressSeen === 3 && !cancelAsked) {
          expect((await runs.getRun(run.id))!.status).toBe('running');
          cancelAsked = true;
          await runs.cancel(run.id);
        }
      }
      expect(cancelAsked).toBe(true);
      const final = (await runs.getRun(run.id))!;
      expect(final.status).toBe('cancelled');
      expect(seqs).toEqual(Array.from({ length: final.eventSeq }, (_, i) => i + 1));
    } finally {
      await watcher.stop(1000);
    }
  }, 30_000);

  it('after kill -9 of a process mid-run, its runs become abandoned once their lease has expired and a survivor retries them', async () => {
    const batch = await runs.queueRuns(Array.from({ length: 12 }, () => ({ executor: 'sleep', params: { ms: 3000, steps: 30 }, maxAttempts: 3, retryDelayMs: 100 })));
    const ids = batch.map((r) => r.id);
    await waitFor(async () => {
      const n = await db.store.db.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', ids).where('status', '=', 'running').executeTakeFirstOrThrow();
      return Number(n.n) === ids.length;
    }, 20_000);
    // The victim is a process that holds some of these runs right now.
    const anyOwner = await db.store.db.selectFrom('runs').select('lease_owner').where('id', 'in', ids).where('status', '=', 'running').executeTakeFirstOrThrow();
    const victim = servers.find((s) => anyOwner.lease_owner!.includes(`:${s.child.pid}:`))!;
    const owned = await db.store.db.selectFrom('runs').select('id').where('id', 'in', ids).where('lease_owner', 'like', `%:${victim.child.pid}:%`).execute();
    expect(owned.length).toBeGreaterThan(0);
    await victim.stop('SIGKILL');
    servers.splice(servers.indexOf(victim), 1);
    // Dead now, so nothing renews these leases: the reaper may abandon a run only after its lease expires.
    const leases = new Map(
      (await db.store.db.selectFrom('runs').select(['id', 'lease_expires_at', 'status']).where('id', 'in', owned.map((o) => o.id)).execute()).map((r) => [Number(r.id), r]),
    );

    await waitFor(async () => {
      const n = await db.store.db.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', ids).where('status', '=', 'succeeded').executeTakeFirstOrThrow();
      return Number(n.n) === ids.length;
    }, 60_000);
    for (const { id } of owned) {
      const events = (await runs.events(Number(id), 0, 1000)).filter((e) => e.kind === 'status');
      expect(events.map((e) => (e.data as { status: string }).status)).toEqual(['queued', 'running', 'abandoned', 'queued', 'running', 'succeeded']);
      // Order on the database clock: the lease the dead process held ran out, then the run was abandoned.
      const lease = leases.get(Number(id))!;
      // (Read right after the kill: at least lease − heartbeat = 1 s before any expiry, so still running then.)
      expect(lease.status).toBe('running');
      expect(events[2].at.getTime()).toBeGreaterThanOrEqual(new Date(lease.lease_expires_at!).getTime());
      const run = (await runs.getRun(Number(id)))!;
      expect(run.attempt).toBe(2);
      expect(run.leaseOwner).toBeNull();
    }
    const others = ids.filter((id) => !owned.some((o) => Number(o.id) === id));
    for (const id of others) expect((await runs.getRun(id))!.attempt).toBe(1);
  }, 120_000);

  it('a graceful stop releases in-flight runs for another instance to finish', async () => {
    const batch = await runs.queueRuns(Array.from({ length: 4 }, () => ({ executor: 'sleep', params: { ms: 20_000, steps: 200 } })));
    const ids = batch.map((r) => r.id);
    await waitFor(async () => {
      const n = await db.store.db.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', ids).where('status', '=', 'running').executeTakeFirstOrThrow();
      return Number(n.n) === ids.length;
    }, 45_000);
    const anyOwner = await db.store.db.selectFrom('runs').select('lease_owner').where('id', 'in', ids).where('status', '=', 'running').executeTakeFirstOrThrow();
    const leaving = servers.find((s) => anyOwner.lease_owner!.includes(`:${s.child.pid}:`))!;
    const held = await db.store.db.selectFrom('runs').select('id').where('id', 'in', ids).where('lease_owner', 'like', `%:${leaving.child.pid}:%`).execute();
    expect(held.length).toBeGreaterThan(0);
    expect(await leaving.stop('SIGTERM')).toBe(0);
    servers.splice(servers.indexOf(leaving), 1);
    // Released, not failed: the attempt is given back, and a surviving process takes the run up again.
    await waitFor(async () => {
      const n = await db.store.db.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', held.map((h) => h.id)).where('status', '=', 'running').where('attempt', '=', 1).executeTakeFirstOrThrow();
      return Number(n.n) === held.length;
    }, 45_000);
    for (const { id } of held) {
      const statuses = (await runs.events(Number(id), 0, 1000)).filter((e) => e.kind === 'status').map((e) => e.data as { status: string; reason?: string });
      expect(statuses.map((e) => e.status)).toEqual(['queued', 'running', 'queued', 'running']);
      expect(statuses[2].reason).toMatch(/^released/);
      expect((await runs.getRun(Number(id)))!.leaseOwner).not.toContain(`:${leaving.child.pid}:`);
    }
    for (const id of ids) await runs.cancel(id);
  }, 150_000);
});
