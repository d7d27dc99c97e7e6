// Past one machine (issue 23):
//   snapshot_publish_full_market_s  publishSnapshot of the synthetic full market (BENCH_BIG_STOCKS = 5,000 stocks × BENCH_YEARS = 10
//                                   years, the demo generator, as sweeps.bench.ts): fingerprint + Parquet per table + sha256s; goal ≤ 10 s
//   snapshot_load_full_market_s     a worker's load of that version: copy from the snapshot directory, verify every sha256, build a new
//                                   DuckDB file from the Parquet files, open it; goal ≤ 10 s
//   sweep_two_workers_speedup       a dual MA sweep of BENCH_SCALE_SETS = 100 random sets (on the demo market of BENCH_SCALE_STOCKS ×
//                                   BENCH_SCALE_YEARS, the full market by default, warm panels) on one worker process with one thread,
//                                   over the same sweep on two worker processes with one thread each (SWEEP_HELPER_RUNS=1); real
//                                   `zquant serve --role web|worker` processes on a Postgres server (TEST_DATABASE_URL); goal ≥ 1.7
//                                   (needs both cores). Each claim of sets starts its thread anew and the helper run starts after the
//                                   sweep's own: fixed costs that a heavy sweep amortises
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/logger.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { openMarketStore } from '../../src/market/duckdb.ts';
import { publishSnapshot } from '../../src/snapshots/publish.ts';
import { makeReplicas } from '../../src/snapshots/replicas.service.ts';
import { dirSource, listDirVersions } from '../../src/snapshots/snapshot-source.ts';
import { createTestDatabase } from '../helpers/pg.ts';
import { client, startCluster, waitFor, type Cluster } from '../scale/cluster.ts';

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
  const cluster: Cluster = await startCluster({ SEED_DEMO: 'true', DEMO_STOCKS: scaleStocks, DEMO_YEARS: scaleYears }, { WORKERS: '1', SWEEP_THREADS: '1', RUN_LEASE_MS: '30000' }, 1_800_000);
  try {
    await waitFor('the first snapshot', async () => (await listDirVersions(cluster.snapshotDir)).length > 0, 600_000, 500);
    const u = await cluster.user('bench-scale', 'analyst');
    const api = client(cluster.web.url, u.token);
    const bars = (await api.get('/api/v1/market/coverage')).items.find((c: { dataset: string }) => c.dataset === 'daily_bars');
    const period = { universe: 'all', start_date: `${Number(bars.last.slice(0, 4)) - Number(scaleYears) + 1}${bars.last.slice(4)}`, end_date: bars.last, benchmark: null };
    const sweep = async (seed: number, sets: number) => {
      const t0 = performance.now();
      const s = await api.post('/api/v1/sweeps', { strategy: 'dual_ma', ...period, mode: 'random', budget: sets, seed, space: { short_window: { from: 2, to: 21, step: 1 }, long_window: { from: 10, to: 60, step: 5 } } });
      await waitFor(`sweep ${s.id}`, async () => {
        const r = await api.get(`/api/v1/sweeps/${s.id}`);
        if (r.status === 'failed') throw new Error(JSON.stringify(r.error));
        return r.status === 'succeeded';
      }, 1_800_000, 50);
      return (performance.now() - t0) / 1000;
    };
    // One worker, one thread; a small sweep first warms its panel.
    const one = await cluster.addWorker('w1', { SWEEP_HELPER_RUNS: '0' });
    await sweep(1, 2);
    const t1 = await sweep(2, scaleSets);
    await one.stop();
    cluster.workers.length = 0;
    // Two workers, one thread each, a helper run per sweep; warmed until both took part in a sweep (both panels warm).
    await cluster.addWorker('w1', { SWEEP_HELPER_RUNS: '1' });
    await cluster.addWorker('w2', { SWEEP_HELPER_RUNS: '1' });
    for (let seed = 3; seed < 8; seed++) {
      await sweep(seed, 8);
      const owners = await cluster.pg.db.selectFrom('sweep_set_claims').select('owner').distinct().execute();
      if (new Set(owners.map((o) => o.owner).filter((o) => cluster.workers.some((w) => w.instanceId === o))).size === 2) break;
    }
    const t2 = await sweep(2, scaleSets);
    process.stderr.write(`# ${scaleSets} sets: one worker ${t1.toFixed(2)} s, two workers ${t2.toFixed(2)} s\n`);
    out('sweep_two_workers_speedup', t1 / t2, 'x');
  } finally {
    await cluster.close();
  }
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
