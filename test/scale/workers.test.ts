// Past one machine (issue 23): a Postgres-backed `web` and two `worker` processes, each with its
// own DATA_DIR, started through the CLI. A sweep of 40 sets runs on both workers (each set's claim
// records the process that ran it), its sets' metrics are those of the same sweep run in one
// process on the same data, and after a kill -9 of one worker mid-sweep the other finishes its sets.
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.ts';
import { listDirVersions } from '../../src/snapshots/snapshot-source.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { bearer, makeUser } from '../helpers/accounts.ts';
import { client, startCluster, waitFor, type Cluster } from './cluster.ts';

let cluster: Cluster;
let version: string;
let analyst: ReturnType<typeof client>;

const sweepBody = (seed: number, period: { start_date: string; end_date: string }) => ({
  name: `spread ${seed}`, strategy: 'dual_ma', universe: 'all', ...period, mode: 'random', budget: 40, seed,
  space: { short_window: { from: 2, to: 21, step: 1 }, long_window: { from: 10, to: 60, step: 5 } },
});
let period: { start_date: string; end_date: string };

/** A sweep's stored sets, by ordinal: the columns compared across processes. */
async function setsOf(db: Kysely<Database>, sweepId: number) {
  const rows = await db.selectFrom('sweep_sets').select(['ordinal', 'params', 'status', 'total_return', 'sharpe', 'max_drawdown', 'final_value', 'trade_count', 'returns']).where('sweep_id', '=', sweepId).orderBy('ordinal').execute();
  return rows.map((r) => ({ ...r, params: typeof r.params === 'string' ? JSON.parse(r.params) : r.params, returns: r.returns ? Buffer.from(r.returns).toString('base64') : null }));
}
const claimsOf = (sweepId: number) => cluster.pg.db.selectFrom('sweep_set_claims').select(['ordinal', 'owner', 'done']).where('sweep_id', '=', sweepId).orderBy('ordinal').execute();
const storedOf = async (sweepId: number) => (await cluster.pg.db.selectFrom('sweep_sets').select('ordinal').where('sweep_id', '=', sweepId).execute()).map((r) => r.ordinal);
const sweepDone = (id: number) => waitFor(`sweep ${id} to finish`, async () => {
  const s = await analyst.get(`/api/v1/sweeps/${id}`);
  if (s.status === 'failed' || s.status === 'cancelled') throw new Error(`sweep ${id} ${s.status}: ${JSON.stringify(s.error)}`);
  return s.status === 'succeeded' ? s : null;
}, 300_000, 250);

beforeAll(async () => {
  // 400 stocks × 3 years of the demo market: a set takes long enough that two processes share 40.
  cluster = await startCluster({ SEED_DEMO: 'true', DEMO_STOCKS: '400', DEMO_YEARS: '3' }, { WORKERS: '1', SWEEP_HELPER_RUNS: '1' });
  const [first] = await waitFor('the first snapshot', async () => {
    const v = await listDirVersions(cluster.snapshotDir);
    return v.length ? v : null;
  }, 120_000);
  version = first.version;
  const u = await cluster.user('spread-analyst', 'analyst');
  analyst = client(cluster.web.url, u.token);
  const coverage = await analyst.get('/api/v1/market/coverage');
  const bars = coverage.items.find((c: { dataset: string }) => c.dataset === 'daily_bars');
  const end: string = bars.last;
  period = { start_date: `${Number(end.slice(0, 4)) - 2}${end.slice(4)}`, end_date: end };
  await cluster.addWorker('worker-1');
  await cluster.addWorker('worker-2');
}, 300_000);

afterAll(async () => {
  await cluster?.close();
});

describe('two workers and a web process', () => {
  const ran: number[] = [];

  it('runs a 40-set sweep on both workers, on the pinned snapshot version', async () => {
    const submitted = await analyst.post('/api/v1/sweeps', sweepBody(11, period));
    const s = await sweepDone(submitted.id);
    ran.push(s.id);
    expect(s.counts.done + s.counts.failed).toBe(40);
    expect(s.data_version).toBe(version);
    const claims = await claimsOf(s.id);
    expect(claims.map((c) => c.ordinal)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(claims.every((c) => c.done)).toBe(true);
    const owners = new Set(claims.map((c) => c.owner));
    // Each set was run by one of the two workers, and each worker ran some.
    expect([...owners].sort()).toEqual(cluster.workers.map((w) => w.instanceId).sort());
    // The sweep's run and its one helper run both end well (the helper may still be ending).
    await waitFor('the helper run to end', async () => {
      const runs = await cluster.pg.db.selectFrom('runs').select(['executor', 'status']).where('executor', 'in', ['sweep', 'sweep_part']).execute();
      const states = runs.map((r) => `${r.executor}:${r.status}`).sort();
      return states.every((x) => x.endsWith(':succeeded')) ? states : null;
    }, 60_000);
    const runs = await cluster.pg.db.selectFrom('runs').select(['executor', 'status']).where('executor', 'in', ['sweep', 'sweep_part']).execute();
    expect(runs.map((r) => `${r.executor}:${r.status}`).sort()).toEqual(['sweep:succeeded', 'sweep_part:succeeded']);
  }, 300_000);

  it('finishes the sets of a worker killed (kill -9) mid-sweep on the other', async () => {
    const submitted = await analyst.post('/api/v1/sweeps', sweepBody(12, period));
    const id: number = submitted.id;
    // Mid-sweep: both workers hold sets, some are stored, some are not. Both workers are stopped
    // (SIGSTOP) the moment that is seen, so a claim one is running cannot be stored between the look
    // and the kill (a batch here takes tens of ms); statements already sent settle, then the sets are
    // read. The victim is a worker holding sets it had not stored; when neither does (both had just
    // stored what they held), both go on and the look repeats.
    let victimId = '';
    let orphaned: number[] = [];
    for (let attempt = 0; attempt < 50 && !orphaned.length; attempt++) {
      await waitFor('both workers to be mid-sweep', async () => {
        const owners = new Set((await claimsOf(id)).map((c) => c.owner));
        const stored = (await storedOf(id)).length;
        return owners.size >= 2 && stored > 0 && stored < 38;
      }, 120_000, 10);
      for (const w of cluster.workers) w.child.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 300));
      const storedAtStop = new Set(await storedOf(id));
      const held = (await claimsOf(id)).filter((c) => !c.done && !storedAtStop.has(c.ordinal));
      victimId = held[0]?.owner ?? '';
      orphaned = held.filter((c) => c.owner === victimId).map((c) => c.ordinal);
      for (const w of cluster.workers) if (!orphaned.length || w.instanceId !== victimId) w.child.kill('SIGCONT');
    }
    expect(orphaned.length, 'a stopped victim holding sets it had not stored').toBeGreaterThan(0);
    const victim = cluster.workers.find((w) => w.instanceId === victimId)!;
    const survivor = cluster.workers.find((w) => w.instanceId !== victimId)!;
    expect(await victim.stop('SIGKILL')).toBeNull();

    const s = await sweepDone(id);
    ran.push(id);
    expect(s.counts.done + s.counts.failed).toBe(40);
    const after = new Map((await claimsOf(id)).map((c) => [c.ordinal, c]));
    for (const o of orphaned) {
      expect(after.get(o)?.owner, `set ${o}`).toBe(survivor.instanceId);
      expect(after.get(o)?.done, `set ${o}`).toBe(true);
    }
  }, 300_000);

  it('stores the same metrics as the same sweeps run in one process on the same data', async () => {
    expect(ran.length).toBe(2);
    // One process (role all semantics: the server's executors with workers in this test process),
    // its market loaded from the snapshot's Parquet files the workers loaded.
    const t: TestApp = await makeTestApp({}, {
      serverExecutors: true,
      workers: {},
      prepareMarket: async (market) => {
        const [m] = (await listDirVersions(cluster.snapshotDir)).filter((x) => x.version === version);
        await market.write(async (conn) => {
          for (const f of m.files) await conn.run(`insert into "${f.table}" by name select * from read_parquet('${join(cluster.snapshotDir, version, f.name)}')`);
        });
      },
    });
    try {
      const me = await makeUser(t, 'one-process', 'analyst');
      for (const [k, seed] of [11, 12].entries()) {
        const res = await t.app.request('/api/v1/sweeps', { method: 'POST', headers: { ...bearer(me.token), 'content-type': 'application/json' }, body: JSON.stringify(sweepBody(seed, period)) });
        expect(res.status).toBe(202);
        const one = (await res.json()) as { id: number; run_id: number };
        const run = await t.runtime!.service.waitForRun(one.run_id, { timeoutMs: 240_000 });
        expect(run.status).toBe('succeeded');
        const single = await setsOf(t.db.store.db, one.id);
        const spread = await setsOf(cluster.pg.db, ran[k]);
        expect(single.length).toBe(40);
        expect(spread).toEqual(single);
      }
    } finally {
      await t.close();
    }
  }, 600_000);
});
