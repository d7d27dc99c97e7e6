/**
 * Probability of Backtest Overfitting by combinatorially symmetric cross-validation (CSCV):
 * D. H. Bailey, J. M. Borwein, M. López de Prado and Q. J. Zhu, "The Probability of Backtest
 * Overfitting", Journal of Computational Finance 20(4), 2017 (SSRN 2326253, 2015), section 2.
 *
 * Given M, T periods × N configurations of per-period returns:
 * 1. cut the T rows into S contiguous blocks (S even; here as equal as T allows: block b holds rows
 *    [⌊bT/S⌋, ⌊(b+1)T/S⌋));
 * 2. for every combination c of S/2 blocks (C(S, S/2) of them, 12,870 for S = 16), the rows of c
 *    are the in-sample set J and the other blocks the out-of-sample set J̄;
 * 3. n* = the configuration with the best performance on J (ties: the lowest index);
 * 4. ω̄_c = rank of n*'s performance on J̄ among the N configurations (1 = worst, ties averaged)
 *    divided by N + 1, and the logit λ_c = ln(ω̄_c / (1 − ω̄_c));
 * 5. PBO = the share of combinations with λ_c ≤ 0: how often the in-sample best is at or below the
 *    out-of-sample median.
 *
 * Performance is the Sharpe ratio by default (or the mean, or any function of a set's count, sum
 * and sum of squares): each configuration's count, Σr and Σr² are summed once per block, so a
 * combination costs O(N·S), not O(T·N): about 2e7 additions in all for N = 100, S = 16 (12,870 × 100 × 16),
 * half that as each block set serves a combination and its complement.
 */
import { SweepInputError } from './errors.ts';
import { PERIODS_PER_YEAR } from './overfitting.ts';

/** A performance measure from a set of returns' count n, Σr and Σr². Higher is better. */
export type SumsMetric = (n: number, sum: number, sumSq: number) => number;

export interface PboOptions {
  /** Number of blocks S, even, 2 ≤ S ≤ 24; default 16 as in the paper. */
  partitions?: number;
  /** 'sharpe' (default; annualised by √periodsPerYear when reported), 'mean', or a custom SumsMetric. */
  metric?: 'sharpe' | 'mean' | SumsMetric;
  periodsPerYear?: number;
}

export interface PboResult {
  /** Probability of backtest overfitting: share of combinations with λ ≤ 0. */
  pbo: number;
  partitions: number;
  combinations: number;
  /** λ_c per combination (for a histogram of the logits). */
  lambdas: Float64Array;
  /** The selected configuration's in-sample and out-of-sample performance per combination (the degradation plot). */
  isPerformance: Float64Array;
  oosPerformance: Float64Array;
  /** The selected configuration n* per combination. */
  selected: Int32Array;
  /** Least-squares line oos = intercept + slope · is over the combinations (the paper's performance degradation). */
  degradation: { slope: number; intercept: number };
  /** Share of combinations whose selected configuration lost out of sample (performance < 0). */
  probOosLoss: number;
}

/**
 * Per-period Sharpe from sums: mean / sample std, std = √((Σr² − n·mean²)/(n − 1)). A set whose
 * variance is zero within rounding (a configuration that never trades) scores 0 if its mean is 0,
 * else ±∞ by the mean's sign: it must still rank, and flat is neither good nor bad.
 */
export const sharpeFromSums: SumsMetric = (n, sum, sumSq) => {
  if (n < 2) return NaN;
  const mu = sum / n;
  const variance = (sumSq - sum * mu) / (n - 1);
  if (!(variance > 1e-12 * (sumSq / n))) return mu > 0 ? Infinity : mu < 0 ? -Infinity : 0;
  return mu / Math.sqrt(variance);
};

export const meanFromSums: SumsMetric = (n, sum) => (n > 0 ? sum / n : NaN);

/** NaN ranks below everything. */
const orderable = (v: number): number => (Number.isNaN(v) ? -Infinity : v);

/** PBO by CSCV over `columns`: N configurations, each its T per-period returns (all the same length, finite). */
export function probabilityOfBacktestOverfitting(columns: readonly ArrayLike<number>[], options: PboOptions = {}): PboResult {
  const s = options.partitions ?? 16;
  const n = columns.length;
  const t = n ? columns[0].length : 0;
  if (!Number.isInteger(s) || s < 2 || s % 2 !== 0 || s > 24) throw new SweepInputError('invalid_matrix', `partitions must be an even whole number from 2 to 24, got ${s}`);
  if (n < 2) throw new SweepInputError('invalid_matrix', `PBO compares configurations: give at least 2, got ${n}`);
  if (t < 2 * s) throw new SweepInputError('invalid_matrix', `${t} periods cannot be cut into ${s} blocks of at least 2; use fewer partitions or a longer period`);
  const metricOption = options.metric ?? 'sharpe';
  const metric: SumsMetric = metricOption === 'sharpe' ? sharpeFromSums : metricOption === 'mean' ? meanFromSums : metricOption;
  const scale = metricOption === 'sharpe' ? Math.sqrt(options.periodsPerYear ?? PERIODS_PER_YEAR) : 1;

  // Per configuration j and block b: rows, Σr, Σr² (configuration-major: [j·S + b], so one configuration's blocks are adjacent).
  const rows = new Float64Array(s);
  const sum = new Float64Array(s * n);
  const sumSq = new Float64Array(s * n);
  for (let j = 0; j < n; j++) {
    const col = columns[j];
    if (col.length !== t) throw new SweepInputError('invalid_matrix', `configuration ${j} has ${col.length} periods, configuration 0 has ${t}; every configuration needs the same periods`);
    for (let b = 0; b < s; b++) {
      const lo = Math.floor((b * t) / s);
      const hi = Math.floor(((b + 1) * t) / s);
      rows[b] = hi - lo;
      let a = 0;
      let q = 0;
      for (let i = lo; i < hi; i++) {
        const r = col[i];
        if (!Number.isFinite(r)) throw new SweepInputError('invalid_matrix', `configuration ${j}, period ${i}: return ${r} is not a finite number`);
        a += r;
        q += r * r;
      }
      sum[j * s + b] = a;
      sumSq[j * s + b] = q;
    }
  }

  const half = s / 2;
  let combos = 1;
  for (let k = 0; k < half; k++) combos = (combos * (s - k)) / (k + 1);
  const lambdas = new Float64Array(combos);
  const isPerf = new Float64Array(combos);
  const oosPerf = new Float64Array(combos);
  const selected = new Int32Array(combos);
  // The combinations come in complementary pairs: in lexicographic order the complement of the c-th
  // is the (C − 1 − c)-th, so one combination's out-of-sample blocks are the other's in-sample ones.
  // Each block set's performance per configuration is computed once (its blocks summed in ascending
  // order, as an in-sample or out-of-sample sum always was) and serves both combinations of the pair.
  const pick = Array.from({ length: half }, (_, k) => k); // the current combination, lexicographic
  const other = new Int32Array(half);
  const scoreA = new Float64Array(n);
  const scoreB = new Float64Array(n);
  let atOrBelow = 0;
  let losses = 0;
  /** Performance per configuration over `blocks` (ascending) into `out`. */
  const scoreOf = (blocks: ArrayLike<number>, out: Float64Array) => {
    let r = 0;
    for (let k = 0; k < half; k++) r += rows[blocks[k]];
    for (let j = 0; j < n; j++) {
      const o = j * s;
      let a = 0;
      let q = 0;
      for (let k = 0; k < half; k++) {
        a += sum[o + blocks[k]];
        q += sumSq[o + blocks[k]];
      }
      out[j] = orderable(metric(r, a, q));
    }
  };
  /** Combination c: selected on `is`, judged on `oos`. */
  const judge = (c: number, is: Float64Array, oos: Float64Array) => {
    let best = 0;
    for (let j = 1; j < n; j++) if (is[j] > is[best]) best = j;
    const v = oos[best];
    let less = 0;
    let equal = 0;
    for (let j = 0; j < n; j++) {
      if (oos[j] < v) less++;
      else if (oos[j] === v) equal++;
    }
    const omega = (less + (equal + 1) / 2) / (n + 1);
    const lambda = Math.log(omega / (1 - omega));
    lambdas[c] = lambda;
    isPerf[c] = is[best] * scale;
    oosPerf[c] = v * scale;
    selected[c] = best;
    if (lambda <= 0) atOrBelow++;
    if (v < 0) losses++;
  };
  for (let c = 0; c < combos / 2; c++) {
    let m = 0;
    for (let b = 0, k = 0; b < s; b++) {
      if (k < half && pick[k] === b) k++;
      else other[m++] = b;
    }
    scoreOf(pick, scoreA);
    scoreOf(other, scoreB);
    judge(c, scoreA, scoreB);
    judge(combos - 1 - c, scoreB, scoreA);
    // Next combination: bump the rightmost index that can move, reset the ones after it.
    let k = half - 1;
    while (k >= 0 && pick[k] === s - half + k) k--;
    if (k < 0) break;
    pick[k]++;
    for (let m2 = k + 1; m2 < half; m2++) pick[m2] = pick[m2 - 1] + 1;
  }
  return { pbo: atOrBelow / combos, partitions: s, combinations: combos, lambdas, isPerformance: isPerf, oosPerformance: oosPerf, selected, degradation: fitLine(isPerf, oosPerf), probOosLoss: losses / combos };
}

/** Least squares y = intercept + slope·x over the finite pairs; NaN when x does not vary. */
function fitLine(x: Float64Array, y: Float64Array): { slope: number; intercept: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    n++;
    sx += x[i];
    sy += y[i];
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { slope, intercept: Number.isNaN(slope) ? NaN : my - slope * mx };
}
