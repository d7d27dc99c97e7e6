/** Metrics of an engine result: the NAV with the initial capital as its starting point. */
import type { BacktestResult } from '../engine/types.ts';
import { computeMetrics, type Metrics, type MetricsOptions } from './metrics.ts';

export function backtestMetrics(result: BacktestResult, initialCash: number, opts: MetricsOptions = {}): Metrics {
  const n = result.total.length;
  const dates = new Int32Array(n + 1);
  dates.set(result.dates, 1);
  const values = new Float64Array(n + 1);
  values[0] = initialCash;
  values.set(result.total, 1);
  let benchmark: Float64Array | null = null;
  if (result.benchmarkCode && n > 0 && result.benchmarkNav.every((x) => Number.isFinite(x))) {
    benchmark = new Float64Array(n + 1);
    benchmark[0] = 1;
    benchmark.set(result.benchmarkNav, 1);
  }
  const exposure = new Float64Array(n);
  for (let j = 0; j < n; j++) exposure[j] = result.total[j] > 0 ? result.marketValue[j] / result.total[j] : 0;
  let traded = 0;
  for (const f of result.fills) if (f.priceBasis !== 'delisting') traded += f.value;
  return computeMetrics({ ...opts, dates, values, benchmark, trades: result.trades, tradedValue: traded, exposure });
}
