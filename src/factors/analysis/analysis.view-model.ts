/** What the analysis page draws, computed from the stored series (typed arrays in, plain arrays out): cold path, once per page view. */
import type { AnalysisSeries } from './analyse.ts';
import { cumulative, histogram, movingAverage, spreadSeries } from './summary.ts';
import type { StoredSummary } from './analysis.types.ts';

/** Days in the IC series' moving average. */
export const icMovingAverageDays = 20;

export interface AnalysisCharts {
  /** The horizon the IC series, histogram and spread show (chosen with ?h=), and the one cumulative returns use (the shortest). */
  horizon: number;
  cumulativeHorizon: number;
  horizons: number[];
  dates: number[];
  ic: (number | null)[];
  /** The IC's trailing average over `averageDays` days. */
  icAverage: (number | null)[];
  averageDays: number;
  histogram: { edges: number[]; counts: number[] };
  decay: { horizon: number; ic: number | null; rankIc: number | null }[];
  /** Growth of 1 per quantile (quantile 1 first) at the shortest horizon, rebalanced every h days. */
  cumulative: (number | null)[][];
  /** Growth of 1 of top minus bottom at the shortest horizon. */
  spreadCumulative: (number | null)[];
  /** Mean h-day return per quantile at the chosen horizon. */
  quantileMeans: (number | null)[];
  coverage: (number | null)[];
}

const plain = (xs: ArrayLike<number>) => Array.from(xs, (x) => (x - x === 0 ? x : null));

export function analysisCharts(s: AnalysisSeries, summary: StoredSummary, horizon: number): AnalysisCharts {
  const k = Math.max(0, s.horizons.indexOf(horizon));
  const h0 = s.horizons[0];
  return {
    horizon: s.horizons[k],
    cumulativeHorizon: h0,
    horizons: s.horizons,
    dates: Array.from(s.dates),
    ic: plain(s.ic[k]),
    icAverage: plain(movingAverage(s.ic[k], icMovingAverageDays)),
    averageDays: icMovingAverageDays,
    histogram: histogram(s.ic[k], 20),
    decay: summary.horizons.map((h) => ({ horizon: h.horizon, ic: h.ic.mean, rankIc: h.rank_ic.mean })),
    cumulative: s.quantileReturns[0].map((r) => plain(cumulative(r, h0))),
    spreadCumulative: plain(cumulative(spreadSeries(s, 0), h0)),
    quantileMeans: summary.horizons[k].quantile_means,
    coverage: plain(Float64Array.from(s.names, (n, t) => (s.universe[t] > 0 ? n / s.universe[t] : NaN))),
  };
}
