/**
 * A sweep survives kill -9: a real `zquant serve` (its own data directory, demo market, a Postgres
 * server) runs a sweep, is killed with SIGKILL mid-sweep, and a new server on the same directory
 * reaps the lost attempt and retries it. The sets stored before the kill are kept as they were
 * (same rows, same creation time), the rest run, and the final table is complete and equal to the
 * table of the same sweep run without interruption.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/auth/tokens.service.ts';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { testPassword } from '../helpers/accounts.ts';
import { createTestDatabase, testServerUrl, type TestDatabase } from '../helpers/pg.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';

const serverUrl = await testServerUrl();
if (!serverUrl) console.warn('sweep resume test skipped: it needs a Postgres server (two processes cannot share embedded PGlite)');

// Short leases so the killed process's run is reaped within seconds; one worker slot, the demo market (300 stocks × 3 years).
const env = (dbUrl: string) => ({ DATABASE_URL: dbUrl, SEED_DEMO: 'true', DEMO_STOCKS: '300', DEMO_YEARS: '3', RUN_LEASE_MS: '1500', RUN_POLL_MS: '300', WORKERS: '1', SHUTDOWN_TIMEOUT_MS: '4000' });

describe.skipIf(!serverUrl)('a sweep whose server is killed with kill -9', () => {
  let db: TestDatabase;
  let dir: string;
  let server: ServerProcess | null = null;
  let token = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'zq-sweep-'));
    server = await startServerProcess(['--data-dir', dir], env(db.url!));
    const u = await createUser(db.store.db, systemActor('test'), { username: 'sweeper', role: 'analyst', password: testPassword });
    token = (await createToken(db.store.db, systemActor('test'), { userId: u.id, name: 't', expiresDays: null, now: new Date() })).token;
  }, 180_000);
  afterAll(async () => {
    await server?.stop('SIGTERM');
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${server!.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
    return { status: res.status, body: await res.json() };
  };
  const sets = (id: number) => db.store.db.selectFrom('sweep_sets').select(['ordinal', 'params', 'sharpe', 'total_return', 'final_value', 'trade_count', 'returns', 'created_at']).where('sweep_id', '=', id).orderBy('ordinal').execute();
  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 100) => {
    const until = performance.now() + timeoutMs;
    while (!(await check())) {
      if (performance.now() > until) throw new Error(`${what}: not in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  // short 2..21 × long 10..60 by 5 = 220 points, 199 valid (short < long: 12 + 7 + 2 refused); ~50 ms a set here.
  const body = { strategy: 'dual_ma', universe: 'all', start_date: '2024-06-03', end_date: '2026-11-27', space: { short_window: { from: 2, to: 21, step: 1 }, long_window: { from: 10, to: 60, step: 5 } } };

  it('keeps the sets stored before the kill, runs the rest on the retry, and ends with the table of an uninterrupted sweep', async () => {
    const submitted = await call('/api/v1/sweeps', { method: 'POST', body: JSON.stringify(body) });
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as number;
    // Kill once some sets are stored, long before all are.
    await waitFor('20 sets stored', async () => (await sets(id)).length >= 20, 120_000, 20);
    server!.child.kill('SIGKILL');
    await server!.stop('SIGKILL');
    const before = await sets(id);
    const planned = (await db.store.db.selectFrom('sweeps').select('planned_sets').where('id', '=', id).executeTakeFirstOrThrow()).planned_sets;
    expect(planned).toBe(199);
    expect(before.length).toBeLessThan(planned);

    server = await startServerProcess(['--data-dir', dir], env(db.url!));
    let last: unknown = null;
    await waitFor('the sweep succeeds on its retry', async () => {
      const r = await call(`/api/v1/sweeps/${id}`);
      last = r.body;
      return r.body.status === 'succeeded';
    }, 180_000, 300).catch(async (err) => {
      const events = await db.store.db.selectFrom('run_events').select(['kind', 'data']).where('run_id', '=', submitted.body.run_id).orderBy('seq').execute();
      throw new Error(`${err.message}\n${JSON.stringify(last)}\n${JSON.stringify(events.filter((e) => e.kind !== 'progress').slice(-30))}\n${server!.lines.filter((l) => l.includes('"error"') || l.includes('incident')).slice(-5).join('\n')}`);
    });
    const after = await sets(id);
    expect(after.map((s) => s.ordinal)).toEqual(Array.from({ length: planned }, (_, k) => k));
    // The rows stored before the kill are the same rows (not written again).
    const byOrdinal = new Map(after.map((s) => [s.ordinal, s]));
    for (const b of before) expect(byOrdinal.get(b.ordinal)!.created_at.getTime()).toBe(b.created_at.getTime());
    const run = await db.store.db.selectFrom('runs').select(['attempt', 'status']).where('id', '=', submitted.body.run_id).executeTakeFirstOrThrow();
    expect(run).toMatchObject({ status: 'succeeded', attempt: 2 });
    const done = (await call(`/api/v1/sweeps/${id}`)).body;
    expect(done.counts).toMatchObject({ done: planned, skipped: 21 });
    expect(done.dsr).not.toBeNull();
    expect(done.pbo).not.toBeNull();

    // The same sweep without interruption: the same table, set for set.
    const again = await call('/api/v1/sweeps', { method: 'POST', body: JSON.stringify(body) });
    await waitFor('the uninterrupted sweep succeeds', async () => (await call(`/api/v1/sweeps/${again.body.id}`)).body.status === 'succeeded', 180_000, 300);
    const clean = await sets(again.body.id);
    expect(clean).toHaveLength(planned);
    const strip = (rows: typeof after) => rows.map(({ created_at: _c, returns, ...r }) => ({ ...r, returns: Buffer.from(returns!).toString('base64') }));
    expect(strip(after)).toEqual(strip(clean));
    const cleanSweep = (await call(`/api/v1/sweeps/${again.body.id}`)).body;
    expect(done.best).toEqual(cleanSweep.best);
    expect(done.dsr).toEqual(cleanSweep.dsr);
    expect(done.pbo).toEqual(cleanSweep.pbo);
  }, 420_000);
});
