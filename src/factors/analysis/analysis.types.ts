/**
 * A factor analysis as the features see it: what was asked (the params, snake_case as the API takes
 * them and as stored), its run's state, and once done the summary and the daily series as stored
 * (JSON arrays, null for a day without a value), with the conversions from the daily pass's typed
 * arrays (analyse.ts) and to the CSV.
 */
import type { RunErrorInfo, RunProgress, RunStatus } from '../../runs/run.types.ts';
import type { AnalysisSeries } from './analyse.ts';
import { cumulative, spreadSeries, type AnalysisSummary, type SeriesStats } from './summary.ts';

export const analysisExecutorName = 'factor-analysis';

/** What an analysis asks, as the API takes it and the table stores it. */
export interface AnalysisParams {
  universe: 'all' | 'codes';
  codes: string[] | null;
  boards: string[] | null;
  /** YYYYMMDD, the first and last factor days analysed (trading days, settled at submit). */
  start_date: number;
  end_date: number;
  horizons: number[];
  quantiles: number;
  industry_neutral: boolean;
  size_neutral: boolean;
  exclude_st: boolean;
  exclude_new_listings: boolean;
  new_listing_days: number;
}

export interface FactorAnalysis {
  id: number;
  runId: number | null;
  ownerId: number;
  ownerName: string | null;
  factorId: string;
  factorKey: string;
  params: AnalysisParams;
  summary: StoredSummary | null;
  status: RunStatus;
  progress: RunProgress | null;
  error: RunErrorInfo | null;
  /** The market snapshot version it read (pinned at submission, or recorded when its run starts); null before. */
  dataVersion: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

type Num = number | null;
const num = (x: number): Num => (x - x === 0 ? x : null);
const nums = (xs: ArrayLike<number>): Num[] => Array.from(xs, num);

/** The daily series as stored: every array one entry per factor day. */
export interface StoredSeries {
  dates: number[];
  horizons: number[];
  quantiles: number;
  universe: number[];
  names: number[];
  tradable: number[];
  ic: Num[][];
  rank_ic: Num[][];
  pairs: number[][];
  /** [horizon][quantile][day] */
  quantile_returns: Num[][][];
  /** [quantile][day] */
  quantile_counts: number[][];
  turnover: Num[][];
}

export function storedSeriesOf(s: AnalysisSeries): StoredSeries {
  return {
    dates: Array.from(s.dates), horizons: s.horizons, quantiles: s.quantiles,
    universe: Array.from(s.universe), names: Array.from(s.names), tradable: Array.from(s.tradable),
    ic: s.ic.map(nums), rank_ic: s.rankIc.map(nums), pairs: s.pairs.map((p) => Array.from(p)),
    quantile_returns: s.quantileReturns.map((h) => h.map(nums)),
    quantile_counts: s.quantileCounts.map((c) => Array.from(c)),
    turnover: s.turnover.map(nums),
  };
}

/** Back to typed arrays (NaN for null), for the statistics and charts. */
export function seriesOfStored(s: StoredSeries): AnalysisSeries {
  const f = (xs: Num[]) => Float64Array.from(xs, (x) => (x === null ? NaN : x));
  return {
    dates: Int32Array.from(s.dates), horizons: s.horizons, quantiles: s.quantiles,
    universe: Int32Array.from(s.universe), names: Int32Array.from(s.names), tradable: Int32Array.from(s.tradable),
    ic: s.ic.map(f), rankIc: s.rank_ic.map(f), pairs: s.pairs.map((p) => Int32Array.from(p)),
    quantileReturns: s.quantile_returns.map((h) => h.map(f)), quantileCounts: s.quantile_counts.map((c) => Int32Array.from(c)),
    turnover: s.turnover.map(f),
  };
}

const statsJson = (s: SeriesStats) => ({ mean: s.mean, std: s.std, ir: s.ir, t: s.t, positive: s.positive, days: s.days });

/** The summary as the API answers it and the table stores it. */
export function storedSummaryOf(s: AnalysisSummary) {
  return {
    days: s.days,
    horizons: s.horizons.map((h) => ({
      horizon: h.horizon, ic: statsJson(h.ic), rank_ic: statsJson(h.rankIc), quantile_means: h.quantileMeans, spread: statsJson(h.spread),
    })),
    turnover: s.turnover,
    coverage: { mean_universe: s.meanUniverse, mean_names: s.meanNames, mean_tradable: s.meanTradable, coverage: s.coverage },
  };
}
export type StoredSummary = ReturnType<typeof storedSummaryOf>;

/**
 * The CSV's columns for a series: date, the counts, per horizon h the IC, Rank IC, pairs, each
 * quantile's mean return and the spread (`ic_5d`, `q1_5d`, `spread_5d`…), the cumulative return of
 * each quantile and of the spread at the shortest horizon, per quantile turnover and size.
 */
export function seriesCsvRows(s: AnalysisSeries): { columns: string[]; rows: Record<string, unknown>[] } {
  const Q = s.quantiles;
  const qs = Array.from({ length: Q }, (_, q) => q + 1);
  const columns = ['date', 'universe', 'names', 'tradable'];
  for (const h of s.horizons) columns.push(`ic_${h}d`, `rank_ic_${h}d`, `pairs_${h}d`, ...qs.map((q) => `q${q}_${h}d`), `spread_${h}d`);
  const h0 = s.horizons[0];
  columns.push(...qs.map((q) => `q${q}_cumulative_${h0}d`), `spread_cumulative_${h0}d`, ...qs.map((q) => `q${q}_turnover`), ...qs.map((q) => `q${q}_names`));
  const spreads = s.horizons.map((_, h) => spreadSeries(s, h));
  const cum = s.quantileReturns[0].map((r) => cumulative(r, h0));
  const cumSpread = cumulative(spreads[0], h0);
  const rows = Array.from(s.dates, (date, t) => {
    const r: Record<string, unknown> = { date, universe: s.universe[t], names: s.names[t], tradable: s.tradable[t] };
    s.horizons.forEach((h, k) => {
      r[`ic_${h}d`] = s.ic[k][t];
      r[`rank_ic_${h}d`] = s.rankIc[k][t];
      r[`pairs_${h}d`] = s.pairs[k][t];
      qs.forEach((q) => (r[`q${q}_${h}d`] = s.quantileReturns[k][q - 1][t]));
      r[`spread_${h}d`] = spreads[k][t];
    });
    qs.forEach((q) => {
      r[`q${q}_cumulative_${h0}d`] = cum[q - 1][t];
      r[`q${q}_turnover`] = s.turnover[q - 1][t];
      r[`q${q}_names`] = s.quantileCounts[q - 1][t];
    });
    r[`spread_cumulative_${h0}d`] = cumSpread[t];
    return r;
  });
  return { columns, rows };
}
