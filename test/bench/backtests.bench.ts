// Backtest flow numbers (shared 2-core machine: expect noise). Demo market generated into an in-memory DuckDB.
//   submit_to_first_day_ms       median of 5, from POST /api/v1/backtests to the first progress event on its SSE stream that
//                                reports a simulated day (processed ≥ 1; the executor's `0 of N` placeholder does not count),
//                                panel warm; submit_to_first_day_cold_ms the same for the first submission (panel from DuckDB).
//                                Measured on the BENCH_STOCKS market and, with the big market, on 5,000 stocks (`_full_market`).
//   task_page_render_ms          p95 of BENCH_REPS GET /backtests/:id for a finished BENCH_YEARS-year, BENCH_STOCKS-stock dual MA
//                                backtest, after BENCH_WARMUP (5) renders; task_page_first_render_ms is the very first
//   list_page_render_ms          the same for GET /backtests with BENCH_TASKS backtests in the table (first page, 25 rows)
//   backtest_cold_s / backtest_warm_s  DuckDB → panel → simulate → metrics on BENCH_BIG_STOCKS (5000) × BENCH_YEARS, dual MA;
//                                warm = panel cached. Seeding that market takes ~1 min: BENCH_SKIP_BIG=1 leaves these out,
//                                BENCH_ONLY_BIG=1 measures only these.
import { sql } from 'kysely';
import { createApp } from '../../src/app.tsx';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { panelKeyOf } from '../../src/backtests/backtest.executor.ts';
import { makePanelCache } from '../../src/backtests/panel-cache.ts';
import { runBacktest } from '../../src/engine/run-backtest.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { openMarketStore } from '../../src/market/duckdb.ts';
import { defaultAssets, startServerRuns } from '../../src/server.ts';
import { createTestDatabase } from '../helpers/pg.ts';

const stocks = Number(process.env.BENCH_STOCKS ?? 300);
const years = Number(process.env.BENCH_YEARS ?? 10);
const tasks = Number(process.env.BENCH_TASKS ?? 10_000);
const reps = Number(process.env.BENCH_REPS ?? 40);
const warmup = Number(process.env.BENCH_WARMUP ?? 5);
const end = 20261127;

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Any size knob set: the lines carry `_at_override`, never a headline name (the goals speak of the defaults). */
const overridden = ['BENCH_STOCKS', 'BENCH_YEARS', 'BENCH_TASKS', 'BENCH_REPS', 'BENCH_WARMUP', 'BENCH_BIG_STOCKS'].some((k) => process.env[k] !== undefined);
const out = (name: string, v: number, unit: string) => process.stdout.write(`${name}${overridden ? '_at_override' : ''}: ${Math.round(v * 100) / 100} ${unit}\n`);

async function main() {
  const db = await createTestDatabase();
  if (process.env.BENCH_ONLY_BIG !== '1') await flow(db);
  if (process.env.BENCH_SKIP_BIG !== '1') await big(db);
  await db.drop();
}

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

/** The real app and run machinery (one backtest slot) over `market`, acting as one analyst. */
async function flowApp(db: Db, market: Awaited<ReturnType<typeof openMarketStore>>, username: string) {
  const { runtime: rt, registry } = await startServerRuns({
    config: loadConfig({ LOG_LEVEL: 'silent' }), pg: db.store, market, logger: silentLogger,
    settings: { concurrency: { backtest: 1, io: 2 }, leaseMs: 60_000, heartbeatMs: 5000, pollMs: 200, reaperMs: 30_000, maxRetryDelayMs: 2000, abortGraceMs: 2000, flushIntervalMs: 50 },
  });
  const u = await createUser(db.store.db, systemActor('bench'), { username, role: 'analyst', password: 'bench password long enough' });
  const principal = { userId: u.id, username, role: 'analyst' as const, via: 'token' as const };
  const app = createApp({ config: loadConfig({ LOG_LEVEL: 'silent', API_RATE_LIMIT_PER_MINUTE: '1000000' }), logger: silentLogger, pg: db.store, market, assets: defaultAssets(), version: 'bench', startedAt: new Date(), runs: rt.service, executors: registry, authenticate: async () => principal });
  return { app, rt, user: u };
}

/**
 * Submit → the first progress event that reports a simulated day, cold (first submission: panel
 * from DuckDB) then the median of 5 warm ones; `suffix` names the market in the lines.
 */
async function submitToFirstDay(app: Awaited<ReturnType<typeof flowApp>>['app'], rt: Awaited<ReturnType<typeof flowApp>>['rt'], suffix: string, what: string) {
  const startYear = Math.floor(end / 10000) - years + 1;
  const body = { strategy: 'dual_ma', universe: 'all', start_date: `${startYear}-06-01`, end_date: '2026-11-27' };
  const firstDay = async (): Promise<{ ms: number; id: number; run_id: number }> => {
    const t = performance.now();
    const res = await app.request('/api/v1/backtests', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const b = (await res.json()) as { id: number; run_id: number };
    const ac = new AbortController();
    const stream = await app.request(`/api/v1/runs/${b.run_id}/events`, { signal: ac.signal });
    const reader = stream.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    let ms = NaN;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      // Whole SSE messages only; a progress message counts once it reports a simulated day.
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const message = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        if (!/^event: progress$/m.test(message)) continue;
        const data = JSON.parse(message.split('\n').find((l) => l.startsWith('data: '))!.slice(6)) as { processed?: number | null };
        if ((data.processed ?? 0) >= 1) ms = performance.now() - t;
      }
      if (ms === ms) break;
    }
    ac.abort();
    await reader.cancel().catch(() => {});
    await rt.service.waitForRun(b.run_id, { timeoutMs: 600_000 });
    if (ms !== ms) throw new Error(`backtest ${b.id}: its stream ended without a progress event reporting a simulated day`);
    return { ms, id: b.id, run_id: b.run_id };
  };
  const cold = await firstDay();
  out(`submit_to_first_day_cold_ms${suffix}`, cold.ms, `ms (${what}, dual MA, panel from DuckDB)`);
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await firstDay()).ms);
  out(`submit_to_first_day_ms${suffix}`, median(warm), `ms (${what}, dual MA, panel warm, median of 5)`);
  return cold;
}

async function flow(db: Db) {
  const market = await openMarketStore(':memory:');
  const t0 = performance.now();
  await seedDemoMarket(market, { seed: 11, stocks, years, end });
  process.stderr.write(`# demo market ${stocks} × ${years} y seeded in ${Math.round(performance.now() - t0)} ms\n`);
  const { app, rt, user: u } = await flowApp(db, market, 'bench');
  const cold = await submitToFirstDay(app, rt, '', `${stocks} stocks × ${years} y`);

  // Task page of a finished backtest (the cold one: all stocks, ~years of days).
  const done = (await (await app.request(`/api/v1/backtests/${cold.id}`)).json()) as { status: string; metrics: { trade_count: number } };
  process.stderr.write(`# task page backtest #${cold.id}: ${done.status}, ${done.metrics?.trade_count} round trips\n`);
  // The first renders compile the templates and formatting paths (66, 45, 58, 39 ms here, then
  // 11–28): reported on their own, and `warmup` of them left out of the percentiles, which are
  // about a server that has been serving.
  const timed = async (path: string) => {
    const t = performance.now();
    const r = await app.request(path);
    await r.text();
    return performance.now() - t;
  };
  const tw = `GET /backtests/${cold.id}: dual MA, ${stocks} stocks × ${years} y, ${done.metrics?.trade_count} round trips`;
  out('task_page_first_render_ms', await timed(`/backtests/${cold.id}`), `ms (${tw}, first render)`);
  for (let i = 1; i < warmup; i++) await timed(`/backtests/${cold.id}`);
  const pageTimes: number[] = [];
  for (let i = 0; i < reps; i++) pageTimes.push(await timed(`/backtests/${cold.id}`));
  out('task_page_render_ms', p95(pageTimes), `ms (${tw}, p95 of ${reps} after ${warmup} warm-up)`);
  out('task_page_render_median_ms', median(pageTimes), `ms (${tw}, median of ${reps})`);

  // The list with `tasks` backtests: copies of the finished one (with finished runs) in one statement each.
  await sql`
    with r as (
      insert into runs (executor, params, status, queued_by, started_at, finished_at)
      select 'backtest', '{}'::jsonb, 'succeeded', ${u.id}, now(), now() from generate_series(1, ${tasks}) returning id)
    insert into backtests (run_id, owner_id, name, strategy_kind, strategy_name, config, start_date, end_date, total_return, annualized_return, sharpe, max_drawdown, final_value, trade_count)
    select r.id, b.owner_id, b.name || ' ' || r.id, b.strategy_kind, b.strategy_name, b.config, b.start_date, b.end_date,
           random() - 0.5, random() - 0.5, random() * 2, -random() / 2, b.final_value, b.trade_count
      from r, backtests b where b.id = ${cold.id}`.execute(db.store.db);
  await sql`analyze`.execute(db.store.db);
  const lw = `GET /backtests with ${tasks} backtests, first page, by date and by sharpe alternately`;
  out('list_page_first_render_ms', await timed('/backtests'), `ms (${lw}, first render)`);
  for (let i = 1; i < warmup; i++) await timed(i % 2 ? '/backtests?sort=sharpe' : '/backtests');
  const listTimes: number[] = [];
  for (let i = 0; i < reps; i++) listTimes.push(await timed(i % 2 ? '/backtests?sort=sharpe' : '/backtests'));
  out('list_page_render_ms', p95(listTimes), `ms (${lw}, p95 of ${reps} after ${warmup} warm-up)`);
  out('list_page_render_median_ms', median(listTimes), `ms (${lw}, median of ${reps})`);
  await rt.stop(5000);
  await market.close();
}

async function big(db: Db) {
  const startYear = Math.floor(end / 10000) - years + 1;
  {
    const bigStocks = Number(process.env.BENCH_BIG_STOCKS ?? 5000);
    const bigStore = await openMarketStore(':memory:');
    const t1 = performance.now();
    await seedDemoMarket(bigStore, { seed: 12, stocks: bigStocks, years, end });
    process.stderr.write(`# big demo market ${bigStocks} × ${years} y seeded in ${Math.round(performance.now() - t1)} ms\n`);
    const spec = {
      strategy: { kind: 'builtin' as const, name: 'dual_ma', strategyId: null, versionId: null, version: null }, params: {}, universe: { kind: 'all' as const, boards: null, excludeSt: false },
      startDate: startYear * 10000 + 601, endDate: end, capital: 1_000_000, benchmark: '000300.SH', adjust: 'hfq' as const, fillTiming: 'next_open' as const, costs: {},
    };
    const cache = makePanelCache(bigStore);
    const once = async () => {
      const t = performance.now();
      const { panel } = await cache.get(panelKeyOf(spec));
      const benchmark = await cache.benchmark('000300.SH', panel);
      const r = await runBacktest({ panel, benchmark, strategy: { kind: 'builtin', name: 'dual_ma' }, config: { initialCash: 1_000_000, startDate: spec.startDate, endDate: spec.endDate } });
      if (!r.ok) throw new Error(r.error.message);
      return (performance.now() - t) / 1000;
    };
    const bw = `dual MA, ${bigStocks} stocks × ${years} y, DuckDB → panel → simulate → metrics`;
    out('backtest_cold_s', await once(), `s (${bw}, panel loaded)`);
    out('backtest_warm_s', await once(), `s (${bw}, panel cached)`);
    // Through the API and the run machinery, on the full market (the executor's own panel cache).
    const { rt } = await (async () => {
      const f = await flowApp(db, bigStore, 'bench-full');
      await submitToFirstDay(f.app, f.rt, '_full_market', `${bigStocks} stocks × ${years} y`);
      return f;
    })();
    await rt.stop(5000);
    await bigStore.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
