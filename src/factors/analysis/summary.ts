/**
 * The statistics of an analysis from its daily series (analyse.ts), cold path:
 * - IC and Rank IC per horizon: mean, standard deviation (sample, n − 1), IR = mean / std,
 *   t = mean / (std / √n), share of days above zero, n days — over the days with a value. For
 *   horizons above 1 the daily series overlap (each day's h-day return shares h − 1 days with the
 *   next), so their t-statistics overstate the evidence, as alphalens' do;
 * - IC decay: those means by horizon;
 * - quantiles per horizon: the mean over days of each quantile's mean h-day return, and the
 *   top-minus-bottom spread (quantile Q minus quantile 1) per day with its mean and t;
 * - cumulative returns of each quantile and of the spread at the shortest horizon h: the portfolio
 *   rebalanced every h factor days, compounding its h-day returns, so the periods do not overlap (a
 *   day without a value adds nothing);
 * - turnover and coverage means;
 * - the IC series' moving average (20 days by default: `maWindow`) and histogram (for the page).
 */
import type { AnalysisSeries } from './analyse.ts';

export interface SeriesStats {
  mean: number | null;
  std: number | null;
  ir: number | null;
  t: number | null;
  positive: number | null;
  days: number;
}

export interface HorizonSummary {
  horizon: number;
  ic: SeriesStats;
  rankIc: SeriesStats;
  /** Mean over days of each quantile's mean return (quantile 1 first). */
  quantileMeans: (number | null)[];
  spread: SeriesStats;
}

export interface AnalysisSummary {
  horizons: HorizonSummary[];
  /** Mean turnover per quantile. */
  turnover: (number | null)[];
  /** Mean names per day: in the universe, with a value, tradable; and coverage = with a value / universe. */
  meanUniverse: number | null;
  meanNames: number | null;
  meanTradable: number | null;
  coverage: number | null;
  days: number;
}

const finite = (x: number) => x - x === 0;
const orNull = (x: number) => (finite(x) ? x : null);

export function seriesStats(xs: ArrayLike<number>): SeriesStats {
  let n = 0;
  let sum = 0;
  let pos = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (!finite(v)) continue;
    n++;
    sum += v;
    if (v > 0) pos++;
  }
  if (n === 0) return { mean: null, std: null, ir: null, t: null, positive: null, days: 0 };
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (finite(v)) ss += (v - mean) * (v - mean);
  }
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  const ir = std > 0 ? mean / std : NaN;
  return { mean, std: orNull(std), ir: orNull(ir), t: orNull(ir * Math.sqrt(n)), positive: pos / n, days: n };
}

function meanOf(xs: ArrayLike<number>): number | null {
  let n = 0;
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    if (finite(xs[i])) {
      n++;
      s += xs[i];
    }
  }
  return n ? s / n : null;
}

/** Top-minus-bottom per day: quantile Q's mean return minus quantile 1's (NaN when either is). */
export function spreadSeries(s: AnalysisSeries, h: number): Float64Array {
  const top = s.quantileReturns[h][s.quantiles - 1];
  const bottom = s.quantileReturns[h][0];
  const out = new Float64Array(top.length);
  for (let t = 0; t < out.length; t++) out[t] = top[t] - bottom[t];
  return out;
}

export function summarise(s: AnalysisSeries): AnalysisSummary {
  const coverage = new Float64Array(s.dates.length);
  for (let t = 0; t < coverage.length; t++) coverage[t] = s.universe[t] > 0 ? s.names[t] / s.universe[t] : NaN;
  return {
    horizons: s.horizons.map((horizon, h) => ({
      horizon,
      ic: seriesStats(s.ic[h]),
      rankIc: seriesStats(s.rankIc[h]),
      quantileMeans: s.quantileReturns[h].map(meanOf),
      spread: seriesStats(spreadSeries(s, h)),
    })),
    turnover: s.turnover.map(meanOf),
    meanUniverse: meanOf(s.universe),
    meanNames: meanOf(s.names),
    meanTradable: meanOf(s.tradable),
    coverage: meanOf(coverage),
    days: s.dates.length,
  };
}

/**
 * Growth of 1 for a series of h-day returns, rebalanced every h days: value[t] after the period
 * that starts on day t is added, steps of h days (days between hold the last value); NaN periods add nothing.
 */
export function cumulative(returns: ArrayLike<number>, h: number): Float64Array {
  const out = new Float64Array(returns.length);
  let v = 1;
  for (let t = 0; t < returns.length; t++) {
    if (t % h === 0 && finite(returns[t])) v *= 1 + returns[t];
    out[t] = v;
  }
  return out;
}

/** Trailing moving average over `window` days of the days with a value (NaN for the first window − 1 days and while the window holds none). */
export function movingAverage(xs: ArrayLike<number>, window: number): Float64Array {
  const out = new Float64Array(xs.length).fill(NaN);
  let sum = 0;
  let n = 0;
  for (let t = 0; t < xs.length; t++) {
    if (finite(xs[t])) {
      sum += xs[t];
      n++;
    }
    const old = t - window;
    if (old >= 0 && finite(xs[old])) {
      sum -= xs[old];
      n--;
    }
    if (t >= window - 1 && n > 0) out[t] = sum / n;
  }
  return out;
}

/** Histogram of the finite values into `bins` equal bins between their min and max. */
export function histogram(xs: ArrayLike<number>, bins = 20): { edges: number[]; counts: number[] } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (!finite(xs[i])) continue;
    if (xs[i] < min) min = xs[i];
    if (xs[i] > max) max = xs[i];
  }
  if (!(max >= min)) return { edges: [], counts: [] };
  if (max === min) {
    min -= 0.005;
    max += 0.005;
  }
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < xs.length; i++) {
    if (!finite(xs[i])) continue;
    counts[Math.min(bins - 1, Math.floor((xs[i] - min) / width))]++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, b) => min + b * width), counts };
}
