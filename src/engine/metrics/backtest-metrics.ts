/**
 * Metrics of an engine result, and the NAV series they are computed from: one series, with the
 * starting capital as its first point, that the stored result, the NAV CSV export and the metrics
 * all share — so `zquant metrics` on the exported NAV gives back the reported metrics.
 *
 * The starting point (point 0) is the capital before the first simulated day: NAV 1, total = cash =
 * capital, no market value, drawdown 0. It is dated the last trading day before the first simulated
 * day (the close the first day's return is measured from) when the panel has one (it normally does:
 * the panel carries warm-up days), else the calendar day before the first simulated day. The
 * benchmark is rebased to 1 on that same point: its close that day when known, else (no earlier
 * day, or no index close on it) its first close in the simulated range, as the engine rebases it.
 */
import { addDays } from '../days.ts';
import type { BacktestResult } from '../types.ts';
import { computeMetrics, type Metrics, type MetricsOptions } from './metrics.ts';

export interface StartPoint {
  /** YYYYMMDD of the starting point. */
  date: number;
  /** The benchmark's first close in the simulated range over its close at the starting point (what
   * turns the engine's rebasing into this one); null when the index has no close at the starting point. */
  benchmarkRebase: number | null;
}

/**
 * The starting point of a run from its panel: the last panel day before the first simulated day
 * (`firstDate`), or the calendar day before it when the panel starts there.
 */
export function startPointOf(panelDates: ArrayLike<number>, firstDate: number, benchmarkClose?: ArrayLike<number> | null): StartPoint {
  let k = -1;
  for (let i = 0; i < panelDates.length && panelDates[i] < firstDate; i++) k = i;
  if (k < 0) return { date: addDays(firstDate, -1), benchmarkRebase: null };
  const at = benchmarkClose ? benchmarkClose[k] : NaN;
  let first = NaN;
  for (let i = k + 1; benchmarkClose && i < panelDates.length && !Number.isFinite(first); i++) first = benchmarkClose[i];
  return { date: panelDates[k], benchmarkRebase: Number.isFinite(at) && at > 0 && Number.isFinite(first) ? first / at : null };
}

export interface NavSeries {
  /** Point 0 is the starting point, then one point per simulated day. */
  dates: Int32Array;
  /** total / capital, full precision. */
  nav: Float64Array;
  total: Float64Array;
  cash: Float64Array;
  marketValue: Float64Array;
  /** Benchmark rebased to 1 at point 0; NaN where the index has no close. Null without a benchmark. */
  benchmark: Float64Array | null;
  /** nav / running max(nav) − 1, the starting point included in the running max. */
  drawdown: Float64Array;
}

/** The series with its starting point; without `start`, the calendar day before the first day dates it. */
export function navSeries(result: BacktestResult, initialCash: number, start?: StartPoint): NavSeries {
  const n = result.total.length;
  const sp = start ?? { date: n ? addDays(result.dates[0], -1) : 0, benchmarkRebase: null };
  const dates = new Int32Array(n + 1);
  dates[0] = sp.date;
  dates.set(result.dates, 1);
  const nav = new Float64Array(n + 1);
  const total = new Float64Array(n + 1);
  const cash = new Float64Array(n + 1);
  const marketValue = new Float64Array(n + 1);
  const drawdown = new Float64Array(n + 1);
  nav[0] = 1;
  total[0] = initialCash;
  cash[0] = initialCash;
  let peak = 1;
  for (let j = 0; j < n; j++) {
    const v = result.total[j] / initialCash;
    nav[j + 1] = v;
    total[j + 1] = result.total[j];
    cash[j + 1] = result.cash[j];
    marketValue[j + 1] = result.marketValue[j];
    if (v > peak) peak = v;
    drawdown[j + 1] = v / peak - 1;
  }
  let benchmark: Float64Array | null = null;
  if (result.benchmarkCode && Array.from(result.benchmarkNav).some((x) => Number.isFinite(x))) {
    benchmark = new Float64Array(n + 1);
    benchmark[0] = 1;
    // benchmarkNav is the close over the first close in the simulated range; rebased to the start
    // point's close when there is one (then the first day's index move counts, as the strategy's does).
    const scale = sp.benchmarkRebase;
    for (let j = 0; j < n; j++) benchmark[j + 1] = scale === null ? result.benchmarkNav[j] : result.benchmarkNav[j] * scale;
  }
  return { dates, nav, total, cash, marketValue, benchmark, drawdown };
}

export function backtestMetrics(result: BacktestResult, initialCash: number, opts: MetricsOptions = {}, start?: StartPoint): Metrics {
  return metricsOfSeries(result, navSeries(result, initialCash, start), initialCash, opts);
}

/** The metrics of `series` (navSeries of `result`): the values are its NAV, exactly as the NAV CSV carries it. */
export function metricsOfSeries(result: BacktestResult, series: NavSeries, initialCash: number, opts: MetricsOptions = {}): Metrics {
  const n = result.total.length;
  // The benchmark part needs a close on every point.
  const benchmark = series.benchmark && n > 0 && series.benchmark.every((x) => Number.isFinite(x)) ? series.benchmark : null;
  const exposure = new Float64Array(n);
  for (let j = 0; j < n; j++) exposure[j] = result.total[j] > 0 ? result.marketValue[j] / result.total[j] : 0;
  let traded = 0;
  for (const f of result.fills) if (f.priceBasis !== 'delisting') traded += f.value;
  // Turnover is traded value over mean portfolio value: in NAV units, the traded value over the capital.
  return computeMetrics({ ...opts, dates: series.dates, values: series.nav, benchmark, trades: result.trades, tradedValue: traded / initialCash, exposure });
}
