// Factors on the full synthetic market (BENCH_BIG_STOCKS = 5,000 stocks × BENCH_YEARS = 10 years,
// the demo generator, as backtests.bench.ts and sweeps.bench.ts) in a DuckDB file as the server
// keeps it, one function per measurement:
//   factor_compute_full_market_s   measureFactorCompute: 20-day momentum, every stock, every day,
//                                  computed in DuckDB and its values replaced (one write transaction)
//   factor_read_matrix_s           measureFactorRead: those values read back as a day-major matrix
//                                  over every stock and day (what the analysis and ctx.factor load)
//   factor_analysis_full_market_s  measureFactorAnalysis: the analysis's daily pass and statistics
//                                  over every stock and day (IC, Rank IC, 5 quantiles, turnover,
//                                  coverage at horizons 1, 5, 20) on the loaded panel and matrix
//                                  (loading them is the panel cache's and factor_read_matrix_s), as
//                                  the factor-analysis executor runs it: the days split between the
//                                  cores' threads (up to 4), kept between analyses (median of 3
//                                  analyses after a first one that started them)
//   factor_analysis_new_threads_s  that first analysis, the threads' start included (what the first
//                                  analysis after 5 minutes without one takes)
//   factor_analysis_one_thread_s   the same pass and statistics on one thread (the work the threads
//                                  share: what a machine with one free core would take)
import { computeBuiltinFactor, readFactorMatrix } from '../../src/factors/factors.service.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { makePanelCache } from '../../src/backtests/panel-cache.ts';
import { analyseFactor } from '../../src/factors/analysis/analyse.ts';
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { analysisInput } from '../../src/factors/analysis/analysis-input.ts';
import { analyseOnThreads } from '../../src/factors/analysis/analysis-threads.ts';
import type { AnalysisParams } from '../../src/factors/analysis/analysis.types.ts';
import { summarise } from '../../src/factors/analysis/summary.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';

const years = Number(process.env.BENCH_YEARS ?? 10);
const bigStocks = Number(process.env.BENCH_BIG_STOCKS ?? 5000);
const end = 20261127;
const overridden = ['BENCH_YEARS', 'BENCH_BIG_STOCKS'].some((k) => process.env[k] !== undefined);
const out = (name: string, v: number, unit: string) => process.stdout.write(`${name}${overridden ? '_at_override' : ''}: ${Math.round(v * 100) / 100} ${unit}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The seeded market every measurement reads: its store, stock codes and trading days. */
export interface BenchMarket {
  market: MarketStore;
  codes: string[];
  dates: Int32Array;
}

async function seedMarket(): Promise<BenchMarket> {
  // A DuckDB file, as the server's market store is: writing 10 M values to a file costs ~2 s more
  // than to an in-memory database (measured 5.0 s against 3.5 s for the compute), and the file is what users run.
  const market = await openMarketStore(join(dir, 'market.duckdb'));
  const t = performance.now();
  await seedDemoMarket(market, { seed: 12, stocks: bigStocks, years, end });
  const codes = (await market.query(`select distinct ts_code from daily_bars order by ts_code`)).map((r) => String(r.ts_code));
  const dates = Int32Array.from((await market.query(`select distinct trade_date from daily_bars order by trade_date`)).map((r) => Number(r.trade_date)));
  process.stderr.write(`# demo market ${codes.length} stocks × ${dates.length} days seeded in ${Math.round(performance.now() - t)} ms\n`);
  return { market, codes, dates };
}

/** 20-day momentum over the whole market, computed and stored; median of 3 (each replaces the last). */
async function measureFactorCompute(b: BenchMarket): Promise<void> {
  const times: number[] = [];
  let rows = 0;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    rows = await computeBuiltinFactor(b.market, 'momentum_20', { start: 19900101, end: 21001231, codes: null });
    times.push((performance.now() - t) / 1000);
  }
  process.stderr.write(`# momentum_20: ${(rows / 1e6).toFixed(2)} M values; runs ${times.map((x) => x.toFixed(2)).join(', ')} s\n`);
  out('factor_compute_full_market_s', median(times), 's');
}

/** The stored momentum_20 read back as a dense matrix over every stock and day; median of 3. */
async function measureFactorRead(b: BenchMarket): Promise<void> {
  const times: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    const m = await readFactorMatrix(b.market, 'momentum_20', { codes: b.codes, dates: b.dates });
    times.push((performance.now() - t) / 1000);
    if (m.length !== b.codes.length * b.dates.length) throw new Error('matrix of the wrong size');
  }
  out('factor_read_matrix_s', median(times), 's');
}

/** The analysis of the stored momentum_20 over the whole market and period, as the executor runs it (threads) and on one thread; median of 3 each. */
async function measureFactorAnalysis(b: BenchMarket): Promise<void> {
  const params: AnalysisParams = {
    universe: 'all', codes: null, boards: null, start_date: b.dates[0], end_date: b.dates[b.dates.length - 1], horizons: [1, 5, 20], quantiles: 5,
    industry_neutral: false, size_neutral: false, exclude_st: false, exclude_new_listings: false, new_listing_days: 60,
  };
  const t0 = performance.now();
  const { input, days, stocks } = await analysisInput(b.market, makePanelCache(b.market), params, 'momentum_20', () => {});
  process.stderr.write(`# analysis inputs (panel, matrix, industries): ${stocks} stocks × ${days} days in ${Math.round(performance.now() - t0)} ms\n`);
  const { options, ...rest } = input;
  // The executor's way (analysis.executor.ts): the days split between the cores' threads (at most 4),
  // kept between analyses (analysis-threads.ts). The first analysis starts them (measured on its own,
  // factor_analysis_new_threads_s); the next three run on them, as every analysis within 5 minutes of another does.
  const threads = Math.max(1, Math.min(4, availableParallelism()));
  const threaded: number[] = [];
  let threadedIc: number | null = null;
  let first = 0;
  for (let k = 0; k < 4; k++) {
    const t = performance.now();
    const summary = summarise((await analyseOnThreads(input, threads, { signal: new AbortController().signal })).series);
    if (k === 0) first = (performance.now() - t) / 1000;
    else threaded.push((performance.now() - t) / 1000);
    threadedIc = summary.horizons[0].ic.mean;
  }
  const times: number[] = [];
  let icMean: number | null = null;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    const summary = summarise(analyseFactor(rest, options));
    times.push((performance.now() - t) / 1000);
    icMean = summary.horizons[0].ic.mean;
  }
  // The split must not change the answer: the same statistics as the one pass.
  if (threadedIc !== icMean) throw new Error(`threads gave IC mean ${threadedIc}, one pass ${icMean}`);
  process.stderr.write(`# analysis: on ${threads} threads as the executor runs it: new threads ${first.toFixed(2)} s, kept threads ${threaded.map((x) => x.toFixed(2)).join(', ')} s; on one thread ${times.map((x) => x.toFixed(2)).join(', ')} s; 1-day IC mean ${icMean?.toFixed(4)}\n`);
  out('factor_analysis_full_market_s', median(threaded), 's');
  out('factor_analysis_new_threads_s', first, 's');
  out('factor_analysis_one_thread_s', median(times), 's');
}

const dir = mkdtempSync(join(tmpdir(), 'zq-bench-factors-'));

async function main() {
  const b = await seedMarket();
  await measureFactorCompute(b);
  await measureFactorRead(b);
  await measureFactorAnalysis(b);
  await b.market.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
