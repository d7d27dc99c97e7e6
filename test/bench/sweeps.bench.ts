// Sweeps on the full synthetic market (BENCH_BIG_STOCKS = 5,000 stocks × BENCH_YEARS = 10 years,
// the demo generator, as backtests.bench.ts), through the API and the run machinery with the
// server's own executors (one backtest slot; the sweep's threads: every core):
//   sweep_100_full_market_s            POST /api/v1/sweeps (dual MA, random, 100 sets of short 2–21 × long 10–60, seed 1) → run done, warm panel
//   sweep_stock_day_sets_per_s         panel stock-days simulated per set (stocks × simulated days) × 100 / that time (goal ≥ 1.2e8)
//   sweep_listed_stock_day_sets_per_s  the same counting only the days a stock had a bar
//   sweep_vs_100_backtests_ratio       that time / (100 × one warm backtest of the same spec on the main thread)
//   sweep_peak_rss_mb                  the process's peak RSS while the sweep runs (threads included; the market a DuckDB file, seeded by a child)
//   sweep_rss_growth_mb                that peak over the RSS just before the sweep (panel warm)
//   sweep_submit_to_first_progress_ms  POST → the first progress event on the run's SSE (median of 5 small sweeps on the warm panel)
//   sweep_submit_to_first_set_ms       POST → the first progress event with a set done (same runs)
//   walk_forward_full_market_s         POST /api/v1/walk-forwards: 8 rolling windows × 50 random sets → done
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/app.tsx';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { panelKeyOf } from '../../src/backtests/backtest.executor.ts';
import { runBacktest } from '../../src/engine/run-backtest.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { openMarketStore } from '../../src/market/duckdb.ts';
import { isoDay } from '../../src/market/days.ts';
import { defaultAssets, startServerRuns } from '../../src/server.ts';
import { createTestDatabase } from '../helpers/pg.ts';

const years = Number(process.env.BENCH_YEARS ?? 10);
const bigStocks = Number(process.env.BENCH_BIG_STOCKS ?? 5000);
const end = 20261127;
const overridden = ['BENCH_YEARS', 'BENCH_BIG_STOCKS'].some((k) => process.env[k] !== undefined);
const out = (name: string, v: number, unit: string) => process.stdout.write(`${name}${overridden ? '_at_override' : ''}: ${Math.round(v * 100) / 100} ${unit}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Seeds the big market into a DuckDB file (a child process of its own, so its memory is not this process's). */
function seedFile(path: string): void {
  const t1 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--seed', path], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) throw new Error(`seeding the bench market failed with exit code ${r.status}`);
  process.stderr.write(`# big demo market ${bigStocks} × ${years} y seeded into a file in ${Math.round(performance.now() - t1)} ms\n`);
}

async function main() {
  // The market is a DuckDB file opened fresh, as a server's is: the process's RSS is then what a server
  // running this sweep holds (the warm panel, DuckDB's buffers, the threads), not the seeding's memory.
  const dir = mkdtempSync(join(tmpdir(), 'zq-bench-sweeps-'));
  seedFile(join(dir, 'market.duckdb'));
  const db = await createTestDatabase();
  const market = await openMarketStore(join(dir, 'market.duckdb'));
  const config = loadConfig({ LOG_LEVEL: 'silent', API_RATE_LIMIT_PER_MINUTE: '1000000' });
  const { runtime: rt, registry, panels } = await startServerRuns({
    config, pg: db.store, market, logger: silentLogger,
    settings: { concurrency: { backtest: 1, io: 2 }, leaseMs: 60_000, heartbeatMs: 5000, pollMs: 200, reaperMs: 30_000, maxRetryDelayMs: 2000, abortGraceMs: 2000, flushIntervalMs: 50 },
  });
  const u = await createUser(db.store.db, systemActor('bench'), { username: 'bench-sweeps', role: 'analyst', password: 'bench password long enough' });
  const principal = { userId: u.id, username: u.username, role: 'analyst' as const, via: 'token' as const };
  const app = createApp({ config, logger: silentLogger, pg: db.store, market, assets: defaultAssets(), version: 'bench', startedAt: new Date(), runs: rt.service, executors: registry, authenticate: async () => principal });
  const post = (path: string, body: unknown) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const startYear = Math.floor(end / 10000) - years + 1;
  const period = { universe: 'all', start_date: isoDay(startYear * 10000 + 601), end_date: isoDay(end) };
  const spec = {
    strategy: { kind: 'builtin' as const, name: 'dual_ma', strategyId: null, versionId: null, version: null }, params: {}, universe: { kind: 'all' as const, boards: null, excludeSt: false },
    startDate: startYear * 10000 + 601, endDate: end, capital: 1_000_000, benchmark: '000300.SH', adjust: 'hfq' as const, fillTiming: 'next_open' as const, costs: {},
  };
  // Warm the executor's panel cache (as the first backtest of this spec would).
  const { panel } = await panels.get(panelKeyOf(spec));
  const benchmark = await panels.benchmark('000300.SH', panel);
  let listed = 0;
  for (let d = 0; d < panel.dates.length; d++) {
    if (panel.dates[d] < spec.startDate) continue;
    for (let i = 0; i < panel.codes.length; i++) if (panel.close[d * panel.codes.length + i] === panel.close[d * panel.codes.length + i]) listed++;
  }
  /** Submits, reads the run's SSE: ms to the first progress event, to the first with a set done, and to done. */
  const timed = async (path: string, body: unknown) => {
    const t0 = performance.now();
    const res = await post(path, body);
    if (res.status !== 202) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    const s = await res.json();
    const events = await app.request(s.links.events);
    const reader = events.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    let first = NaN;
    let firstSet = NaN;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let at: number;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        if (!block.includes('event: progress')) continue;
        if (Number.isNaN(first)) first = performance.now() - t0;
        const data = JSON.parse(block.split('\n').find((l) => l.startsWith('data:'))!.slice(5));
        if (Number.isNaN(firstSet) && data.processed >= 1) firstSet = performance.now() - t0;
      }
    }
    const doneMs = performance.now() - t0;
    const final = await (await app.request(`/api/v1/sweeps/${s.id}`)).json();
    if (final.status !== 'succeeded') throw new Error(`sweep ${s.id} ended ${final.status}: ${JSON.stringify(final.error)}`);
    return { first, firstSet, doneMs, sweep: final };
  };

  const space = { short_window: { from: 2, to: 21, step: 1 }, long_window: { from: 10, to: 60, step: 1 } };
  // The 100-set sweep first, on the warm panel, so the RSS is a server's that loaded the panel and ran it.
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const r100 = await timed('/api/v1/sweeps', { strategy: 'dual_ma', ...period, mode: 'random', budget: 100, seed: 1, space });
  clearInterval(sampler);
  // Then, the peak taken, one backtest of the spec on the main thread (the ratio's unit) and the small sweeps.
  const singles: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    const r = await runBacktest({ panel, benchmark, strategy: { kind: 'builtin', name: 'dual_ma', params: { short_window: 5 + k, long_window: 30 } }, config: { initialCash: 1_000_000, startDate: spec.startDate, endDate: spec.endDate } });
    if (!r.ok) throw new Error(r.error.message);
    singles.push((performance.now() - t) / 1000);
  }
  const single = median(singles);
  process.stderr.write(`# one warm backtest: ${single.toFixed(3)} s (${(listed / 1e6).toFixed(1)} M listed stock-days)\n`);

  // Submit → first progress, on small sweeps (4 sets) so each ends quickly.
  const firsts: number[] = [];
  const firstSets: number[] = [];
  for (let k = 0; k < 5; k++) {
    const r = await timed('/api/v1/sweeps', { strategy: 'dual_ma', ...period, mode: 'random', budget: 4, seed: 100 + k, space });
    firsts.push(r.first);
    firstSets.push(r.firstSet);
  }

  const s100 = r100.doneMs / 1000;
  const w = `dual MA, ${bigStocks} stocks × ${years} y, 100 random sets of short 2–21 × long 10–60, warm panel`;
  out('sweep_100_full_market_s', s100, `s (${w}; goal ≤ 10)`);
  // The goal counts the panel (5,000 stocks × its days: ≥ 1.2e8 is the ≤ 10 s above); the listed line counts only days a stock had a bar.
  const simDays = panel.dates.filter((d) => d >= spec.startDate && d <= spec.endDate).length;
  out('sweep_stock_day_sets_per_s', (panel.codes.length * simDays * 100) / s100, `stock-day-sets/s (${panel.codes.length} stocks × ${simDays} simulated days × 100 sets / that time; goal ≥ 1.2e8)`);
  out('sweep_listed_stock_day_sets_per_s', (listed * 100) / s100, 'listed stock-day-sets/s (only the days a stock had a bar)');
  out('sweep_vs_100_backtests_ratio', s100 / (100 * single), `(sweep time / 100 × one warm backtest of ${single.toFixed(3)} s on the main thread)`);
  out('sweep_peak_rss_mb', peak / 2 ** 20, 'MB (process RSS during that sweep: warm panel, DuckDB over the market file, the sweep\'s threads; goal ≤ 2,000)');
  out('sweep_rss_growth_mb', (peak - baseline) / 2 ** 20, `MB (peak over the ${Math.round(baseline / 2 ** 20)} MB before the sweep: warm panel already held)`);
  out('sweep_submit_to_first_progress_ms', median(firsts), 'ms (median of 5 sweeps on the warm panel; goal ≤ 300)');
  out('sweep_submit_to_first_set_ms', median(firstSets), 'ms (the first progress event with a set done)');
  process.stderr.write(`# sweep 100: best sharpe ${r100.sweep.best?.value}, dsr ${r100.sweep.dsr?.dsr}, pbo ${r100.sweep.pbo?.pbo}\n`);

  // Walk-forward: 8 rolling windows over the period's trading days × 50 sets.
  let days = 0;
  for (let d = 0; d < panel.dates.length; d++) if (panel.dates[d] >= spec.startDate && panel.dates[d] <= spec.endDate) days++;
  const oos = Math.floor(days / 12);
  const is = days - 8 * oos;
  const wf = await timed('/api/v1/walk-forwards', {
    strategy: 'dual_ma', ...period, mode: 'random', budget: 50, seed: 2, space, windows: { kind: 'rolling', in_sample_days: is, out_of_sample_days: oos },
  });
  if (wf.sweep.walk_forward.windows.length !== 8) throw new Error(`expected 8 windows, got ${wf.sweep.walk_forward.windows.length}`);
  out('walk_forward_full_market_s', wf.doneMs / 1000, `s (8 rolling windows of ${is} + ${oos} trading days × 50 random sets, ${bigStocks} stocks; goal ≤ 15)`);

  await rt.stop(5000);
  await market.close();
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] === '--seed') {
  openMarketStore(process.argv[3])
    .then(async (m) => {
      await seedDemoMarket(m, { seed: 12, stocks: bigStocks, years, end });
      await m.close();
      process.exit(0);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
} else main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
