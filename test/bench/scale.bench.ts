// Past one machine (issue 23):
//   snapshot_publish_full_market_s  publishSnapshot of the synthetic full market (BENCH_BIG_STOCKS = 5,000 stocks × BENCH_YEARS = 10
//                                   years, the demo generator, as sweeps.bench.ts): fingerprint + Parquet per table + sha256s; goal ≤ 10 s
//   snapshot_load_full_market_s     a worker's load of that version: copy from the snapshot directory, verify every sha256, build a new
//                                   DuckDB file from the Parquet files, open it; goal ≤ 10 s
//   sweep_two_workers_speedup       a dual MA sweep of BENCH_SCALE_SETS = 100 random sets (on the demo market of BENCH_SCALE_STOCKS ×
//                                   BENCH_SCALE_YEARS, the full market by default, warm panels) on one worker process with one thread,
//                                   over the same sweep on two worker processes with one thread each (SWEEP_HELPER_RUNS=1); real
//                                   `zquant serve --role web|worker` processes on a Postgres server (TEST_DATABASE_URL); goal ≥ 1.7
//                                   (needs both cores). Each side is warmed first by a sweep of the same size (a process's first big
//                                   sweep runs slower), the two-worker side until both workers took sets of one sweep with their
//                                   panels in memory; a measured sweep whose runs loaded a panel, or that one worker sat out, fails
//                                   the bench instead of being timed. Each measured sweep waits for a quiet machine (other processes
//                                   under a tenth of a core) and is submitted with ?wait (no status polling beside the workers); its
//                                   timeline goes to stderr: its runs, each claim (taken → its last set stored), and the CPU each
//                                   process and the rest of the machine spent meanwhile. The sides alternate (the other side's workers
//                                   stopped with SIGSTOP while idle), BENCH_SCALE_REPEATS = 5 pairs by default (an odd count: the medians are measured sweeps; 3 pairs moved the result by ±0.15 between runs); the medians are compared.
//                                   Sweep threads stay up across claims and between sweeps (sweep-pool.ts, both sides alike); a spread
//                                   sweep's participants claim a lockstep batch per thread at a time and split the last sets
//                                   (sweep-claims.repository.ts)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/logger.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { openMarketStore } from '../../src/market/duckdb.ts';
import { publishSnapshot } from '../../src/snapshots/publish.ts';
import { makeReplicas } from '../../src/snapshots/replicas.service.ts';
import { dirSource, listDirVersions } from '../../src/snapshots/snapshot-source.ts';
import { LOCKSTEP_MAX } from '../../src/sweeps/sweep-pool.ts';
import { createTestDatabase } from '../helpers/pg.ts';
import { client, startCluster, waitFor, type Cluster, type WorkerProcess } from '../scale/cluster.ts';

const years = Number(process.env.BENCH_YEARS ?? 10);
const bigStocks = Number(process.env.BENCH_BIG_STOCKS ?? 5000);
const scaleStocks = process.env.BENCH_SCALE_STOCKS ?? String(bigStocks);
const scaleYears = process.env.BENCH_SCALE_YEARS ?? String(years);
const scaleSets = Number(process.env.BENCH_SCALE_SETS ?? 100);
const overridden = ['BENCH_YEARS', 'BENCH_BIG_STOCKS', 'BENCH_SCALE_STOCKS', 'BENCH_SCALE_YEARS', 'BENCH_SCALE_SETS'].some((k) => process.env[k] !== undefined);
const out = (name: string, v: number, unit: string) => process.stdout.write(`${name}${overridden ? '_at_override' : ''}: ${Math.round(v * 100) / 100} ${unit}\n`);

async function snapshots(dir: string): Promise<void> {
  const market = await openMarketStore(join(dir, 'market.duckdb'));
  const t0 = performance.now();
  await seedDemoMarket(market, { seed: 12, stocks: bigStocks, years, end: 20261127 });
  process.stderr.write(`# big demo market ${bigStocks} × ${years} y seeded in ${Math.round(performance.now() - t0)} ms\n`);
  const t1 = performance.now();
  const published = await publishSnapshot(market, join(dir, 'snapshots'));
  out('snapshot_publish_full_market_s', (performance.now() - t1) / 1000, 's');
  const mb = published.manifest.files.reduce((n, f) => n + f.bytes, 0) / 2 ** 20;
  const rows = published.manifest.files.reduce((n, f) => n + f.rows, 0);
  process.stderr.write(`# version ${published.manifest.version}: ${rows} rows, ${mb.toFixed(0)} MB of Parquet\n`);
  await market.close();

  const db = await createTestDatabase();
  const replicas = makeReplicas({ dataDir: join(dir, 'worker'), source: dirSource(join(dir, 'snapshots')), db: db.store.db, keep: 2, panelCacheMb: 256, logger: silentLogger });
  try {
    const t2 = performance.now();
    await replicas.load(published.manifest.version);
    out('snapshot_load_full_market_s', (performance.now() - t2) / 1000, 's');
  } finally {
    await replicas.close();
    await db.drop();
  }
}

async function twoWorkers(): Promise<void> {
  // The web process seeds the demo market at its first start (minutes for the full market).
  // The run machinery's lease, heartbeat and poll at their defaults (the cluster's are short, for tests): each heartbeat and poll is
  // a query, and with two workers they share the cores the sweep runs on.
  const cluster: Cluster = await startCluster({ SEED_DEMO: 'true', DEMO_STOCKS: scaleStocks, DEMO_YEARS: scaleYears }, { WORKERS: '1', SWEEP_THREADS: '1', RUN_LEASE_MS: '30000', RUN_HEARTBEAT_MS: '10000', RUN_POLL_MS: '5000' }, 1_800_000);
  try {
    await waitFor('the first snapshot', async () => (await listDirVersions(cluster.snapshotDir)).length > 0, 600_000, 500);
    const u = await cluster.user('bench-scale', 'analyst');
    const api = client(cluster.web.url, u.token);
    const bars = (await api.get('/api/v1/market/coverage')).items.find((c: { dataset: string }) => c.dataset === 'daily_bars');
    const period = { universe: 'all', start_date: `${Number(bars.last.slice(0, 4)) - Number(scaleYears) + 1}${bars.last.slice(4)}`, end_date: bars.last, benchmark: null };
    const pids = () => Object.fromEntries([['bench', process.pid], ['web', cluster.web.child.pid!], ...cluster.workers.map((w, i) => [`worker${i + 1}`, w.child.pid!])]);
    // Submitted with ?wait: the web process answers once the sweep's run has ended (told by NOTIFY),
    // instead of a status poll every few ms that takes CPU from the cores the workers run on.
    const sweep = async (seed: number, sets: number): Promise<Measured> => {
      await waitFor('no run left queued or running', async () => (await busyRuns(cluster)) === 0, 600_000, 50);
      const cpu0 = cpuNow(pids());
      const postedAt = Date.now();
      const t0 = performance.now();
      const s = await api.post('/api/v1/sweeps?wait=600', { strategy: 'dual_ma', ...period, mode: 'random', budget: sets, seed, space: { short_window: { from: 2, to: 21, step: 1 }, long_window: { from: 10, to: 60, step: 5 } } }, 200);
      const seconds = (performance.now() - t0) / 1000;
      const cpu1 = cpuNow(pids());
      if (s.status !== 'succeeded') throw new Error(`sweep ${s.id} ended ${s.status}: ${JSON.stringify(s.error ?? null)}`);
      return { id: s.id, seconds, postedAt, cpu: Object.fromEntries(Object.entries(cpu1).map(([k, v]) => [k, v - (cpu0[k] ?? 0)])) };
    };
    const pairs = Number(process.env.BENCH_SCALE_REPEATS ?? 5);
    const idle = () => waitFor('no run left queued or running', async () => (await busyRuns(cluster)) === 0, 600_000, 50);
    // Workers that sit out a measurement are stopped (SIGSTOP, once idle) and continued after, so the
    // sides can alternate: the machine's speed drifts over minutes (measured quiet: one worker took
    // 10.9-14.1 s for the same sweep), and alternating puts both sides through the same drift.
    const pause = async (ws: WorkerProcess[]) => {
      await idle();
      for (const w of ws) w.child.kill('SIGSTOP');
    };
    const resume = (ws: WorkerProcess[]) => {
      for (const w of ws) w.child.kill('SIGCONT');
    };
    // One worker, one thread; a sweep of the same size first warms its panel and its process (the
    // first sweep of a process runs slower: its memory is new to it).
    const one = await cluster.addWorker('w1', { SWEEP_HELPER_RUNS: '0' });
    if (!(await ranWarm(cluster, await sweep(1, 2), 1)) && !(await ranWarm(cluster, await sweep(1, 2), 1))) throw new Error('the worker did not keep its panel in memory');
    await sweep(11, scaleSets);
    await pause([one]);
    // Two workers, one thread each, a helper run per sweep. Warmed until one sweep had both take sets
    // with their panels already in memory (a sweep of two claims: each takes one when both are warm).
    const two = [await cluster.addWorker('w2', { SWEEP_HELPER_RUNS: '1' }), await cluster.addWorker('w3', { SWEEP_HELPER_RUNS: '1' })];
    let warm = false;
    for (let seed = 3; seed < 11 && !warm; seed++) warm = await ranWarm(cluster, await sweep(seed, 2 * LOCKSTEP_MAX), 2);
    if (!warm) throw new Error('two workers never both took sets of a warm-up sweep with their panels in memory: the measured sweep would time a cold worker');
    await sweep(11, scaleSets);
    const t1: number[] = [];
    const t2: number[] = [];
    // One measured sweep on `side` (the other side stopped). After sitting out, a side first runs one
    // batch per worker: a worker idle for a minute ran its next sweep up to a third slower.
    const measure = async (side: WorkerProcess[], other: WorkerProcess[], r: number): Promise<number> => {
      await pause(other);
      resume(side);
      await sweep(12 + r, LOCKSTEP_MAX * side.length);
      await waitQuiet(pids);
      const m = await sweep(2, scaleSets);
      await mustHaveRunWarm(cluster, m, side.length);
      await timeline(cluster, m);
      return m.seconds;
    };
    for (let r = 0; r < pairs; r++) {
      t1.push(await measure([one], two, r));
      t2.push(await measure(two, [one], r));
    }
    resume([one]);
    const median = (xs: number[]) => {
      const o = [...xs].sort((a, b) => a - b);
      return (o[(o.length - 1) >> 1] + o[o.length >> 1]) / 2;
    };
    process.stderr.write(`# ${scaleSets} sets, alternating: one worker ${t1.map((t) => t.toFixed(2)).join(', ')} s (median ${median(t1).toFixed(2)}); two workers ${t2.map((t) => t.toFixed(2)).join(', ')} s (median ${median(t2).toFixed(2)})\n`);
    out('sweep_two_workers_speedup', median(t1) / median(t2), 'x');
  } finally {
    await cluster.close();
  }
}

/**
 * Waits (up to `timeoutMs`) until the processes outside this install took under a tenth of a core for
 * two seconds running: the speed-up is only meaningful when the workers have both cores to themselves.
 * Each measured sweep's timeline says what the others took while it ran.
 */
async function waitQuiet(pids: () => Record<string, number>, timeoutMs = 180_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 2) {
    if (Date.now() > until) {
      process.stderr.write(`# the machine did not get quiet in ${timeoutMs / 1000} s: measuring anyway (see "other processes" below)\n`);
      return;
    }
    const a = cpuNow(pids());
    await new Promise((r) => setTimeout(r, 1000));
    const b = cpuNow(pids());
    const others = b.machine - a.machine - Object.keys(b).filter((k) => k !== 'machine' && !k.includes('_')).reduce((n, k) => n + b[k] - (a[k] ?? 0), 0);
    quiet = others < 0.1 ? quiet + 1 : 0;
  }
}

interface Measured {
  id: number;
  seconds: number;
  postedAt: number;
  /** CPU seconds each process (and the machine) spent while it ran. */
  cpu: Record<string, number>;
}

/** Runs not ended (a helper of an earlier sweep still finishing would hold a worker's slot). */
async function busyRuns(cluster: Cluster): Promise<number> {
  const r = await cluster.pg.db.selectFrom('runs').select((eb) => eb.fn.countAll<string>().as('n')).where('status', 'in', ['queued', 'running']).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Whether `workers` processes each took sets of this sweep, and each of its runs found its panel in memory (its log says so). */
async function ranWarm(cluster: Cluster, m: Measured, workers: number): Promise<boolean> {
  const db = cluster.pg.db;
  const sw = await db.selectFrom('sweeps').select('run_id').where('id', '=', m.id).executeTakeFirstOrThrow();
  const runs = await db.selectFrom('runs').select('id').where((eb) => eb.or([eb('id', '=', sw.run_id!), eb('parent_run_id', '=', sw.run_id!)])).execute();
  const panels = await db.selectFrom('run_events').select('data').where('run_id', 'in', runs.map((r) => r.id)).where('kind', '=', 'log').execute();
  const panelLines = panels.map((p) => String((p.data as { message?: string }).message ?? '')).filter((t) => t.startsWith('panel: '));
  const allWarm = panelLines.length === runs.length && panelLines.every((t) => t.includes('warm, from memory'));
  if (workers === 1) return allWarm;
  const owners = await db.selectFrom('sweep_set_claims').select('owner').distinct().where('sweep_id', '=', m.id).execute();
  const ours = new Set(owners.map((o) => o.owner).filter((o) => cluster.workers.some((w) => w.instanceId === o)));
  return allWarm && ours.size === workers;
}

async function mustHaveRunWarm(cluster: Cluster, m: Measured, workers: number): Promise<void> {
  if (!(await ranWarm(cluster, m, workers))) {
    await timeline(cluster, m);
    throw new Error(`the measured sweep ${m.id} did not run warm on ${workers} worker(s) (a panel loaded during it, or a worker took no set): not a fair measurement`);
  }
}

/**
 * CPU seconds so far: the machine's busy time, and each of these processes' (all threads) and every
 * postgres process's, with `<name>_sys` (kernel time) and `<name>_faults` (minor page faults, thousands) beside.
 */
function cpuNow(pids: Record<string, number>): Record<string, number> {
  const tick = 100; // USER_HZ
  const fields = (text: string) => text.slice(text.lastIndexOf(')') + 2).split(' ');
  const read = (pid: number | string) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
  };
  const out: Record<string, number> = {};
  const add = (name: string, f: string[]) => {
    out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / tick;
    out[`${name}_sys`] = (out[`${name}_sys`] ?? 0) + Number(f[12]) / tick;
    out[`${name}_faults`] = (out[`${name}_faults`] ?? 0) + Number(f[7]) / 1000;
  };
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  out.machine = (cpu.reduce((a, b) => a + b, 0) - cpu[3] - cpu[4]) / tick;
  for (const [name, pid] of Object.entries(pids)) {
    const t = read(pid);
    if (t) add(name, fields(t));
    if (!name.startsWith('worker')) continue;
    // A worker's threads by name: MainThread, WorkerThread (the sweep's), V8Worker (GC, compiler), libuv-worker, …
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      const st = read(`${pid}/task/${tid}`);
      if (!st) continue;
      const f = fields(st);
      const key = `${name}_thread_${st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'))}`;
      out[key] = (out[key] ?? 0) + (Number(f[11]) + Number(f[12])) / tick;
    }
  }
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const t = read(d);
    if (t && t.slice(t.indexOf('(') + 1, t.lastIndexOf(')')) === 'postgres') add('postgres', fields(t));
  }
  return out;
}

/** Where the time of a measured sweep went, from the database's clock (stderr): its runs, each owner's claims, its last stored set, its end. */
async function timeline(cluster: Cluster, s: Measured): Promise<void> {
  const db = cluster.pg.db;
  const at = (d: Date | null | undefined) => (d ? `${((d.getTime() - s.postedAt) / 1000).toFixed(2)}` : '-');
  const sw = await db.selectFrom('sweeps').select(['run_id', 'created_at', 'finished_at']).where('id', '=', s.id).executeTakeFirstOrThrow();
  const runs = await db.selectFrom('runs').select(['id', 'executor', 'queued_at', 'started_at', 'finished_at', 'lease_owner']).where((eb) => eb.or([eb('id', '=', sw.run_id!), eb('parent_run_id', '=', sw.run_id!)])).orderBy('id').execute();
  const lines = [`# timeline of sweep ${s.id} (s after the POST): created ${at(sw.created_at)}, finished ${at(sw.finished_at)}, answered ${s.seconds.toFixed(2)}`];
  const ours = Object.entries(s.cpu).filter(([k]) => k !== 'machine' && !k.includes('_')).reduce((n, [, v]) => n + v, 0);
  const procs = Object.keys(s.cpu).filter((k) => k !== 'machine' && !k.includes('_'));
  lines.push(`#   CPU s while it ran: machine ${s.cpu.machine.toFixed(2)}, other processes ${(s.cpu.machine - ours).toFixed(2)}; ${procs.map((k) => `${k} ${s.cpu[k].toFixed(2)} (sys ${s.cpu[`${k}_sys`].toFixed(2)}, ${s.cpu[`${k}_faults`].toFixed(0)}k faults)`).join(', ')}`);
  for (const k of procs.filter((p) => p.startsWith('worker'))) {
    const threads = Object.keys(s.cpu).filter((x) => x.startsWith(`${k}_thread_`) && s.cpu[x] >= 0.005);
    lines.push(`#     ${k} by thread: ${threads.map((x) => `${x.slice(k.length + 8)} ${s.cpu[x].toFixed(2)}`).join(', ')}`);
  }
  for (const r of runs) lines.push(`#   run ${r.id} ${r.executor} on ${r.lease_owner ?? '?'}: queued ${at(r.queued_at)}, started ${at(r.started_at)}, finished ${at(r.finished_at)}`);
  // Each claim (an owner's sets claimed in one statement share claimed_at): when it was taken, when its last set was stored.
  const claims = await db.selectFrom('sweep_set_claims as k').innerJoin('sweep_sets as s', (j) => j.onRef('s.sweep_id', '=', 'k.sweep_id').onRef('s.ordinal', '=', 'k.ordinal'))
    .select(['k.owner', 'k.claimed_at', 's.created_at']).where('k.sweep_id', '=', s.id).orderBy('k.claimed_at').execute();
  const byOwner = new Map<string, Map<number, { n: number; claimed: Date; stored: Date }>>();
  for (const c of claims) {
    const m = byOwner.get(c.owner) ?? new Map<number, { n: number; claimed: Date; stored: Date }>();
    const k = m.get(c.claimed_at.getTime()) ?? { n: 0, claimed: c.claimed_at, stored: c.created_at };
    k.n++;
    if (c.created_at > k.stored) k.stored = c.created_at;
    m.set(c.claimed_at.getTime(), k);
    byOwner.set(c.owner, m);
  }
  for (const [owner, m] of byOwner) lines.push(`#   claims by ${owner}: ${[...m.values()].map((k) => `${k.n} ${at(k.claimed)}→${at(k.stored)}`).join(', ')}`);
  const stored = await db.selectFrom('sweep_sets').select((eb) => [eb.fn.min('created_at').as('first'), eb.fn.max('created_at').as('last')]).where('sweep_id', '=', s.id).executeTakeFirstOrThrow();
  lines.push(`#   sets stored from ${at(stored.first as Date)} to ${at(stored.last as Date)}`);
  const logs = await db.selectFrom('run_events').select(['run_id', 'at', 'data']).where('run_id', 'in', runs.map((r) => r.id)).where('kind', '=', 'log').orderBy('at').execute();
  for (const l of logs) lines.push(`#   log ${l.run_id} ${at(l.at)}: ${String((l.data as { message?: string }).message ?? JSON.stringify(l.data)).slice(0, 160)}`);
  process.stderr.write(`${lines.join('\n')}\n`);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'zq-bench-scale-'));
  try {
    if (process.env.BENCH_SCALE_ONLY !== 'speedup') await snapshots(dir);
    if (process.env.BENCH_SCALE_ONLY !== 'snapshots') await twoWorkers();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
