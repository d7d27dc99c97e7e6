// Backup and restore of a full install: `npm run bench -- backup`.
//   backup_full_market_s  `backup()` (what `zquant backup` and the scheduled executor run) of the synthetic
//                         market (BENCH_BIG_STOCKS = 5,000 stocks × BENCH_YEARS = 10 years, the demo generator, as
//                         backtests.bench.ts) plus 1,000 finished backtests with results, to one tar. Goal ≤ 30 s.
//   restore_s             `restore()` of that archive into an empty data directory and an empty Postgres database
//                         (TEST_DATABASE_URL's server; embedded PGlite when there is none). Goal ≤ 30 s.
// The backtests: one real dual-MA backtest of that market, BENCH_RESULT_STOCKS = 20 stocks over the last
// BENCH_RESULT_YEARS = 3 years (stored results ~0.64 MB of JSON: the NAV series, orders, fills, trades,
// positions; 10 years of 20 stocks is ~1.5 MB), its rows copied 999 times with SQL, five run events each.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { panelKeyOf } from '../../src/backtests/backtest.executor.ts';
import type { BacktestSpec } from '../../src/backtests/backtest-request.ts';
import { insertBacktest, saveResult, setBacktestRun } from '../../src/backtests/backtests.repository.ts';
import { makePanelCache } from '../../src/backtests/panel-cache.ts';
import { toStored } from '../../src/backtests/results.ts';
import { backup } from '../../src/backup/backup.service.ts';
import { restore } from '../../src/backup/restore.service.ts';
import { runBacktest } from '../../src/engine/run-backtest.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { openMarketStore } from '../../src/market/duckdb.ts';
import { createEmptyDatabase, createTestDatabase } from '../helpers/pg.ts';

const years = Number(process.env.BENCH_YEARS ?? 10);
const bigStocks = Number(process.env.BENCH_BIG_STOCKS ?? 5000);
const backtests = 1000;
const resultStocks = Number(process.env.BENCH_RESULT_STOCKS ?? 20);
const resultYears = Number(process.env.BENCH_RESULT_YEARS ?? 3);
const end = 20261127;
const overridden = ['BENCH_YEARS', 'BENCH_BIG_STOCKS', 'BENCH_RESULT_STOCKS', 'BENCH_RESULT_YEARS'].some((k) => process.env[k] !== undefined);
const out = (name: string, v: number, unit: string) => process.stdout.write(`${name}${overridden ? '_at_override' : ''}: ${Math.round(v * 100) / 100} ${unit}\n`);
const note = (line: string) => process.stderr.write(`# ${line}\n`);

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'zq-bench-backup-'));
  const db = await createTestDatabase();
  const market = await openMarketStore(join(scratch, 'source-market.duckdb'));
  const target = await createEmptyDatabase();
  try {
    let t = performance.now();
    await seedDemoMarket(market, { seed: 12, stocks: bigStocks, years, end });
    note(`demo market ${bigStocks} × ${years} y seeded in ${Math.round(performance.now() - t)} ms`);

    t = performance.now();
    const user = await createUser(db.store.db, systemActor('bench'), { username: 'bench-backup', role: 'analyst', password: 'bench password long enough' });
    const codes = (await market.query(`select ts_code from stocks order by ts_code limit ${resultStocks}`)).map((r) => String(r.ts_code));
    const startDate = (Math.floor(end / 10000) - Math.min(years, resultYears)) * 10000 + 1201;
    const spec: BacktestSpec = {
      strategy: { kind: 'builtin', name: 'dual_ma', strategyId: null, versionId: null, version: null }, params: {}, universe: { kind: 'codes', codes },
      startDate, endDate: end, capital: 1_000_000, benchmark: null, adjust: 'hfq', fillTiming: 'next_open', costs: {},
    };
    const { panel } = await makePanelCache(market).get(panelKeyOf(spec));
    const ran = await runBacktest({ panel, strategy: { kind: 'builtin', name: 'dual_ma', params: {} }, config: { initialCash: spec.capital } });
    if (!ran.ok) throw new Error(ran.error.message);
    const { row, columns } = toStored(ran.result, ran.metrics, spec.capital);
    const run = await db.store.db.insertInto('runs').values({ executor: 'backtest', params: sql`'{}'::jsonb` as never, status: 'succeeded', queued_by: user.id, started_at: new Date(), finished_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    const first = await insertBacktest(db.store.db, {
      owner_id: user.id, name: 'bench 1', strategy_kind: 'builtin', strategy_name: 'dual_ma', strategy_id: null, strategy_version_id: null,
      config: JSON.stringify(spec), start_date: spec.startDate, end_date: spec.endDate, rerun_of: null,
    });
    await setBacktestRun(db.store.db, first, run.id);
    await saveResult(db.store.db, first, row, columns);
    await copyBacktest(db.store.db, first, backtests - 1);
    const { rows: sizes } = await sql<{ n: number; mb: number }>`select count(*)::int as n, (sum(pg_column_size(r.*)) / 1048576.0)::float8 as mb from backtest_results r`.execute(db.store.db);
    const resultBytes = Object.values(row).reduce((a, v) => a + JSON.stringify(v).length, 0);
    note(`${sizes[0].n} finished backtests (${resultStocks} stocks × ${ran.result.dates.length} days, ${(resultBytes / 1e6).toFixed(2)} MB of result JSON each; ${sizes[0].mb.toFixed(1)} MiB stored) made in ${Math.round(performance.now() - t)} ms on ${db.kind}`);

    const archive = join(scratch, 'full.tar');
    t = performance.now();
    let cpu = process.cpuUsage();
    const taken = await backup({ pg: db.store, market, dataDir: scratch, secretKey: null }, archive);
    const backupS = (performance.now() - t) / 1000;
    const marketRows = Object.values(taken.manifest.tables.duckdb).reduce((a, b) => a + b, 0);
    note(`archive ${(taken.bytes / 2 ** 20).toFixed(0)} MiB, ${marketRows} market rows; this process's CPU ${cpuSeconds(cpu)} s (DuckDB's threads included, the Postgres server's not); steps (ms, the stores' overlap): ${JSON.stringify(taken.phasesMs)}`);
    out('backup_full_market_s', backupS, 's');

    t = performance.now();
    cpu = process.cpuUsage();
    const restored = await restore(archive, { dataDir: join(scratch, 'restored'), databaseUrl: target.url });
    out('restore_s', (performance.now() - t) / 1000, 's');
    note(`restored onto ${restored.postgres}; this process's CPU ${cpuSeconds(cpu)} s; steps (ms, the stores' overlap): ${JSON.stringify(restored.phasesMs)}`);
  } finally {
    await market.close();
    await db.drop();
    await target.drop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return ((d.user + d.system) / 1e6).toFixed(1);
};

/** `n` more finished backtests like `id`: runs, backtests, results and five run events each, all in SQL. */
async function copyBacktest(db: Parameters<typeof insertBacktest>[0], id: number, n: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { rows: cols } = await sql<{ c: string }>`select column_name as c from information_schema.columns
      where table_schema = 'public' and table_name = 'backtests' and column_name not in ('id', 'run_id', 'name') order by ordinal_position`.execute(trx);
    const list = sql.join(cols.map((r) => sql.ref(r.c)));
    const copied = sql.join(cols.map((r) => sql.ref(`b.${r.c}`)));
    await sql`create temporary table bench_runs on commit drop as
      with r as (insert into runs (executor, params, status, queued_by, started_at, finished_at)
        select executor, params, status, queued_by, started_at, finished_at from runs, generate_series(1, ${n}) where id = (select run_id from backtests where id = ${id}) returning id)
      select id from r`.execute(trx);
    await sql`insert into backtests (run_id, name, ${list}) select r.id, 'bench ' || r.id, ${copied} from bench_runs r, backtests b where b.id = ${id}`.execute(trx);
    await sql`insert into backtest_results (backtest_id, metrics, series, fills, orders, trades, positions, extras)
      select b.id, x.metrics, x.series, x.fills, x.orders, x.trades, x.positions, x.extras
      from backtests b, backtest_results x where x.backtest_id = ${id} and b.id <> ${id}`.execute(trx);
    await sql`insert into run_events (run_id, seq, kind, data)
      select r.id, s, case when s in (1, 5) then 'status' else 'progress' end, jsonb_build_object('n', s) from bench_runs r, generate_series(1, 5) s`.execute(trx);
    await sql`update runs set event_seq = 5 where id in (select id from bench_runs)`.execute(trx);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
