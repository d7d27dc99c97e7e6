/**
 * The daily pass of a factor analysis (alphalens-style) over a panel: for each factor day, the
 * cross-section of names that count (universe and exclusions), neutralised if asked, restricted to
 * those that can be bought at the next open (tradable.ts states the return rule); then per horizon
 * the IC (Pearson), the Rank IC (Spearman: Pearson of average ranks, ties averaged), the quantile
 * portfolios' mean forward returns; per quantile the turnover; and the coverage counts.
 *
 * Quantiles: the m tradable names of a day ranked ascending by (neutralised) factor value, average
 * ranks for ties; name with rank r goes to quantile ⌊(r − 1)·Q / m⌋ + 1 (1 = lowest values, Q =
 * highest). Sizes differ by at most one when there are no ties (m = 7, Q = 5: 2, 1, 2, 1, 1), and tied
 * names always share a quantile (so with many ties a quantile can be empty that day: its mean is then
 * NaN). A day with fewer than Q tradable names has no quantiles. The quantile membership is the same
 * for every horizon; a name without a return at a horizon (it could not be sold, tradable.ts) is
 * left out of that horizon's mean only.
 * Turnover of quantile q on day t: the share of its names on t that were not in q on the previous
 * factor day (NaN on the first day and after a day without quantiles); the portfolios rebalance
 * daily, whatever the horizon.
 * IC on a day needs at least 3 pairs and some spread in both series, else it is NaN (and the day is
 * left out of the statistics).
 *
 * Hot path: typed arrays, one ranking of the factor per day and one of the returns per horizon per
 * day, every buffer allocated once before the loop.
 */
import type { Panel } from '../../engine/panel.ts';
import { makeNeutraliser } from './neutralise.ts';
import { makeRanker } from './rank.ts';
import { LOCK_EPS, nextSellDays, type TradingArrays } from './tradable.ts';

export interface AnalysisOptions {
  /** Forward horizons in trading days, ascending, distinct (default 1, 5, 20). */
  horizons: readonly number[];
  /** Number of quantile portfolios (default 5). */
  quantiles: number;
  industryNeutral: boolean;
  sizeNeutral: boolean;
  /** Leave out a stock on the days it carries an ST/*ST tag. */
  excludeSt: boolean;
  /** Leave out a stock until it has been listed this many trading days (the listing day is day 1); 0 keeps all. */
  minListedDays: number;
}

export interface AnalysisInput {
  market: TradingArrays & Pick<Panel, 'st'>;
  /** Factor values aligned with the panel, day-major (d·N + i); NaN where there is none. */
  factor: Float64Array;
  /** Panel day indexes of the first and last factor day analysed (inclusive). */
  from: number;
  to: number;
  /** Industry of each stock as 0…industries−1 (needed with industryNeutral). */
  industry: Int32Array | null;
  industries: number;
  /** Panel day index of each stock's listing (negative when before the panel); needed with minListedDays. */
  listedDay: Int32Array | null;
  /** Total market cap, day-major like the factor (needed with sizeNeutral; its log is the regressor); NaN where unknown. */
  marketCap: Float64Array | null;
  onProgress?: (done: number, total: number) => void;
  /** Checked every few days; the pass throws its reason when it says stop. */
  signal?: AbortSignal;
}

export interface AnalysisSeries {
  dates: Int32Array;
  horizons: number[];
  quantiles: number;
  /** Names that count that day (listed, not excluded), with a factor value, and of those tradable at the next open. */
  universe: Int32Array;
  names: Int32Array;
  tradable: Int32Array;
  /** Per horizon, per day. */
  ic: Float64Array[];
  rankIc: Float64Array[];
  pairs: Int32Array[];
  /** [horizon][quantile][day]: the mean forward return of the quantile's names with a return. */
  quantileReturns: Float64Array[][];
  /** [quantile][day]: names in the quantile. */
  quantileCounts: Int32Array[];
  /** [quantile][day]. */
  turnover: Float64Array[];
}

/** Pearson correlation of a[idx[j]] and b[idx[j]] over j < m (two passes); NaN below 3 pairs or without spread. */
function pearson(a: Float64Array, b: Float64Array, idx: Int32Array, m: number): number {
  if (m < 3) return NaN;
  let ma = 0;
  let mb = 0;
  for (let j = 0; j < m; j++) {
    const i = idx[j];
    ma += a[i];
    mb += b[i];
  }
  ma /= m;
  mb /= m;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let j = 0; j < m; j++) {
    const i = idx[j];
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

export function analyseFactor(input: AnalysisInput, o: AnalysisOptions): AnalysisSeries {
  const { market: mk, factor, industry, listedDay, marketCap } = input;
  const N = mk.codes.length;
  const D = mk.dates.length;
  const H = o.horizons.length;
  const Q = o.quantiles;
  const from = Math.max(0, input.from);
  const to = Math.min(D - 1, input.to);
  const T = Math.max(0, to - from + 1);
  if (o.industryNeutral && !industry) throw new Error('industry-neutral analysis needs each stock\'s industry');
  if (o.sizeNeutral && !marketCap) throw new Error('size-neutral analysis needs the market cap');
  if (o.minListedDays > 0 && !listedDay) throw new Error('leaving out new listings needs each stock\'s listing day');

  const out: AnalysisSeries = {
    dates: mk.dates.slice(from, from + T), horizons: [...o.horizons], quantiles: Q,
    universe: new Int32Array(T), names: new Int32Array(T), tradable: new Int32Array(T),
    ic: o.horizons.map(() => new Float64Array(T).fill(NaN)),
    rankIc: o.horizons.map(() => new Float64Array(T).fill(NaN)),
    pairs: o.horizons.map(() => new Int32Array(T)),
    quantileReturns: o.horizons.map(() => Array.from({ length: Q }, () => new Float64Array(T).fill(NaN))),
    quantileCounts: Array.from({ length: Q }, () => new Int32Array(T)),
    turnover: Array.from({ length: Q }, () => new Float64Array(T).fill(NaN)),
  };
  if (T === 0 || N === 0) return out;

  const nextSell = nextSellDays(mk);
  const ranker = makeRanker(N);
  const neutraliser = makeNeutraliser(N, Math.max(1, input.industries));
  const { open, adjFactor, listed, st, suspended, upLimit } = mk;
  const excludeSt = o.excludeSt;
  const sizeNeutral = o.sizeNeutral;
  // Per day, compact (j < m): candidates, their values, industries, sizes.
  const cand = new Int32Array(N);
  const x = new Float64Array(N);
  const grp = new Int32Array(N);
  const sz = new Float64Array(N);
  // Per stock (indexed by i), valid for the day's members only.
  const fv = new Float64Array(N); // neutralised factor value
  const rf = new Float64Array(N); // factor rank among the tradable
  const rfSub = new Float64Array(N); // factor rank among those with a return at this horizon
  const ret = new Float64Array(N);
  const entryPx = new Float64Array(N); // adjusted open on the entry day
  const retRange = { min: 0, max: 0 };
  const rr = new Float64Array(N); // return rank
  const skip = new Uint8Array(N);
  const label = new Int8Array(N);
  const prevLabel = new Int8Array(N).fill(-1);
  const members = new Int32Array(N); // tradable names of the day, in stock order
  const sorted = new Int32Array(N); // the same by factor value
  const prevMembers = new Int32Array(N);
  let prevCount = 0;
  let prevHadQuantiles = false;
  const withRet = new Int32Array(N);
  const qSum = new Float64Array(Q);
  const qN = new Int32Array(Q);
  const qNew = new Int32Array(Q);
  const qCount = new Int32Array(Q);
  const minListed = o.minListedDays;

  for (let t = 0; t < T; t++) {
    const d = from + t;
    if ((t & 63) === 0) {
      input.signal?.throwIfAborted();
      input.onProgress?.(t, T);
    }
    const row = d * N;
    let universe = 0;
    let m0 = 0;
    for (let i = 0; i < N; i++) {
      const k = row + i;
      if (listed[k] !== 1) continue;
      if (excludeSt && st[k] === 1) continue;
      if (minListed > 0 && d - listedDay![i] + 1 < minListed) continue;
      universe++;
      const f = factor[k];
      if (f - f !== 0) continue; // NaN or ±Infinity
      if (sizeNeutral) {
        const s = Math.log(marketCap![k]);
        if (s - s !== 0) continue; // none, or not positive
        sz[m0] = s;
      }
      cand[m0] = i;
      x[m0] = f;
      if (industry) grp[m0] = industry[i];
      m0++;
    }
    out.universe[t] = universe;
    out.names[t] = m0;
    if (o.industryNeutral || sizeNeutral) neutraliser.apply(x, m0, o.industryNeutral ? grp : null, sizeNeutral ? sz : null);

    // Tradable at the next open.
    let m = 0;
    const entryRow = (d + 1) * N;
    if (d + 1 < D) {
      for (let j = 0; j < m0; j++) {
        const i = cand[j];
        const e = entryRow + i;
        // canBuyAt (tradable.ts), inlined: listed, trading, an open below the up-limit.
        const px = open[e];
        if (listed[e] !== 1 || suspended[e] === 1 || !(px > 0)) continue;
        const up = upLimit[e];
        if (up === up && px >= up - LOCK_EPS) continue;
        members[m] = i;
        sorted[m] = i;
        m++;
        fv[i] = x[j];
        entryPx[i] = px * adjFactor[e];
      }
    }
    out.tradable[t] = m;
    if (m === 0) {
      prevHadQuantiles = false;
      continue;
    }
    // Ranked on a copy: the loops below walk the members in stock order, so their reads of the
    // day-major price rows stay sequential (in value order they missed the cache: 3× slower).
    ranker.order(fv, sorted, m);
    ranker.averageRanks(fv, sorted, m, rf);
    const hasQuantiles = m >= Q;
    if (hasQuantiles) {
      qNew.fill(0);
      qCount.fill(0);
      for (let j = 0; j < m; j++) {
        const i = members[j];
        const q = Math.floor(((rf[i] - 1) * Q) / m);
        label[i] = q;
        qCount[q]++;
        if (prevLabel[i] !== q) qNew[q]++;
      }
      for (let q = 0; q < Q; q++) out.quantileCounts[q][t] = qCount[q];
      if (prevHadQuantiles) {
        for (let q = 0; q < Q; q++) {
          const c = qCount[q];
          if (c > 0) out.turnover[q][t] = qNew[q] / c;
        }
      }
      for (let j = 0; j < prevCount; j++) prevLabel[prevMembers[j]] = -1;
      for (let j = 0; j < m; j++) {
        const i = members[j];
        prevLabel[i] = label[i];
        prevMembers[j] = i;
      }
      prevCount = m;
    }
    prevHadQuantiles = hasQuantiles;

    for (let h = 0; h < H; h++) {
      const exitRow = (d + 1 + o.horizons[h]) * N;
      if (d + 1 + o.horizons[h] >= D) continue;
      let p = 0;
      let missing = 0;
      let rmin = Infinity;
      let rmax = -Infinity;
      for (let j = 0; j < m; j++) {
        const i = members[j];
        const xd = nextSell[exitRow + i];
        if (xd < 0) {
          skip[i] = 1;
          missing++;
          continue;
        }
        const k = xd * N + i;
        const r = (open[k] * adjFactor[k]) / entryPx[i] - 1;
        if (r - r !== 0) {
          // An adjustment factor the data lacks: no return (the ranking takes finite values only).
          skip[i] = 1;
          missing++;
          continue;
        }
        ret[i] = r;
        if (r < rmin) rmin = r;
        if (r > rmax) rmax = r;
        withRet[p++] = i;
      }
      out.pairs[h][t] = p;
      out.ic[h][t] = pearson(fv, ret, withRet, p);
      let ranksOfFactor = rf;
      if (missing > 0) {
        ranker.averageRanks(fv, sorted, m, rfSub, skip);
        ranksOfFactor = rfSub;
      }
      retRange.min = rmin;
      retRange.max = rmax;
      ranker.order(ret, withRet, p, retRange);
      ranker.averageRanks(ret, withRet, p, rr);
      out.rankIc[h][t] = pearson(ranksOfFactor, rr, withRet, p);
      if (hasQuantiles) {
        qSum.fill(0);
        qN.fill(0);
        for (let j = 0; j < p; j++) {
          const i = withRet[j];
          qSum[label[i]] += ret[i];
          qN[label[i]]++;
        }
        for (let q = 0; q < Q; q++) if (qN[q] > 0) out.quantileReturns[h][q][t] = qSum[q] / qN[q];
      }
      if (missing > 0) for (let j = 0; j < m; j++) skip[members[j]] = 0;
    }
  }
  input.onProgress?.(T, T);
  return out;
}
