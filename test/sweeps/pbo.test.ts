// Probability of Backtest Overfitting by CSCV (src/sweeps/pbo.ts), checked against a brute-force
// computation written here along another path (rows sliced out of the matrix for every subset,
// Sharpe from the engine's metrics, ranks by sorting), a case worked by hand, and two properties.
import { describe, expect, it } from 'vitest';
import { sharpe } from '../../src/engine/metrics/metrics.ts';
import { SweepInputError } from '../../src/sweeps/errors.ts';
import { probabilityOfBacktestOverfitting } from '../../src/sweeps/pbo.ts';
import { makeRng } from '../../src/sweeps/prng.ts';

/** N columns of T returns: drift[j] + vol · standard normal (Box–Muller on a seeded mulberry32). */
function noiseMatrix(t: number, drifts: readonly number[], vol: number, seed: number): Float64Array[] {
  const rng = makeRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return drifts.map((d) => Float64Array.from({ length: t }, () => d + vol * gauss()));
}

/** Every subset of size k of 0..s−1, lexicographic, by recursion. */
function subsets(s: number, k: number, from = 0): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let b = from; b <= s - k; b++) for (const rest of subsets(s, k - 1, b + 1)) out.push([b, ...rest]);
  return out;
}

/** CSCV the slow way: concatenate the rows of the chosen blocks, Sharpe of each slice, rank by sorting. */
function bruteForce(columns: Float64Array[], s: number): { pbo: number; lambdas: number[] } {
  const t = columns[0].length;
  const n = columns.length;
  // Row i is in block b iff ⌊bT/S⌋ ≤ i < ⌊(b+1)T/S⌋ (the module's split, as written in its header).
  const starts = Array.from({ length: s }, (_, b) => Math.floor((b * t) / s));
  const blockOf = (i: number) => starts.findLastIndex((start) => start <= i);
  const lambdas: number[] = [];
  for (const chosen of subsets(s, s / 2)) {
    const inSet = new Set(chosen);
    const isRows: number[] = [];
    const oosRows: number[] = [];
    for (let i = 0; i < t; i++) (inSet.has(blockOf(i)) ? isRows : oosRows).push(i);
    const isSharpe = columns.map((c) => sharpe(isRows.map((i) => c[i]), 0, 1));
    const oosSharpe = columns.map((c) => sharpe(oosRows.map((i) => c[i]), 0, 1));
    const best = isSharpe.indexOf(Math.max(...isSharpe));
    const sorted = [...oosSharpe].sort((a, b) => a - b);
    const rank = sorted.indexOf(oosSharpe[best]) + 1; // no ties in continuous noise
    const omega = rank / (n + 1);
    lambdas.push(Math.log(omega / (1 - omega)));
  }
  return { pbo: lambdas.filter((l) => l <= 0).length / lambdas.length, lambdas };
}

describe('probabilityOfBacktestOverfitting', () => {
  it('matches the brute-force CSCV on fixed matrices', () => {
    for (const [t, n, s, seed, drift] of [
      [40, 5, 4, 1, 0.0001],
      [67, 6, 8, 2, 0.0005], // T not a multiple of S: blocks of 8 and 9 rows
      [200, 12, 10, 4, 0.0001],
    ]) {
      // Small drifts against the noise, so the winner changes between combinations and PBO is neither 0 nor 1.
      const columns = noiseMatrix(t, Array.from({ length: n }, (_, j) => drift * j), 0.01, seed);
      const fast = probabilityOfBacktestOverfitting(columns, { partitions: s });
      const slow = bruteForce(columns, s);
      expect(fast.combinations).toBe(slow.lambdas.length);
      expect(fast.pbo).toBe(slow.pbo);
      expect(fast.pbo > 0 && fast.pbo < 1).toBe(true);
      // Sums vs two-pass Sharpe differ in the last bits only.
      slow.lambdas.forEach((l, c) => expect(Math.abs(fast.lambdas[c] - l)).toBeLessThan(1e-12));
    }
  });

  it('worked by hand: two configurations that swap halves are overfit every time (PBO 1)', () => {
    // S = 2: the combinations are {block 0} and {block 1}. A wins the first half and loses the second,
    // B the reverse; whichever half is in-sample, its winner is last out of sample: rank 1 of 2,
    // ω̄ = 1/3, λ = ln(½) for both combinations.
    const a = Float64Array.from([0.02, 0.01, -0.01, -0.02]);
    const b = Float64Array.from([-0.02, -0.01, 0.01, 0.02]);
    const r = probabilityOfBacktestOverfitting([a, b], { partitions: 2 });
    expect(r.combinations).toBe(2);
    expect(r.pbo).toBe(1);
    for (const l of r.lambdas) expect(l).toBeCloseTo(Math.log(0.5), 15);
    expect(Array.from(r.selected)).toEqual([0, 1]);
    // The selected one's Sharpe: in-sample mean 0.015 / sample std 0.00707 (= √(2·0.005²)) · √252, out of sample its negative.
    const expected = (0.015 / Math.sqrt(0.00005)) * Math.sqrt(252);
    expect(r.isPerformance[0]).toBeCloseTo(expected, 9);
    expect(r.oosPerformance[0]).toBeCloseTo(-expected, 9);
    expect(r.probOosLoss).toBe(1);
  });

  it('a configuration better in every block is never overfit: PBO 0, λ = ln N everywhere', () => {
    const n = 20;
    const columns = noiseMatrix(800, Array.from({ length: n }, (_, j) => (j === 7 ? 0.01 : 0)), 0.01, 4);
    const r = probabilityOfBacktestOverfitting(columns);
    expect(r.combinations).toBe(12_870); // C(16, 8)
    expect(r.pbo).toBe(0);
    expect(new Set(r.selected)).toEqual(new Set([7]));
    // Best of N out of sample: ω̄ = N/(N+1), λ = ln N.
    for (const l of r.lambdas) expect(l).toBeCloseTo(Math.log(n), 12);
    expect(r.probOosLoss).toBe(0);
  });

  it('pure noise: PBO near ½', () => {
    // With no skill the in-sample winner's out-of-sample rank is uniform, so P(λ ≤ 0) = ½ for even N.
    // One matrix's 12,870 combinations are strongly dependent, so single seeds spread widely;
    // averaged over 8 fixed seeds the mean must fall within 0.5 ± 0.1.
    const values: number[] = [];
    for (let seed = 10; seed < 18; seed++) values.push(probabilityOfBacktestOverfitting(noiseMatrix(480, new Array(30).fill(0), 0.01, seed)).pbo);
    const mean = values.reduce((x, y) => x + y, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.1);
  });

  it('ties out of sample take the average rank; a flat configuration scores 0, not NaN', () => {
    // Three configurations: one never trades (all zeros), two identical. S = 2.
    const flat = new Float64Array(8);
    const same = Float64Array.from([0.01, 0.02, 0.01, 0.02, 0.01, 0.03, 0.01, 0.02]);
    const r = probabilityOfBacktestOverfitting([flat, same, Float64Array.from(same)], { partitions: 2 });
    // In-sample the identical pair ties; the lower index (1) wins. Out of sample 1 and 2 tie for ranks
    // 2 and 3: average 2.5, ω̄ = 2.5/4, λ = ln(2.5/1.5).
    expect(Array.from(r.selected)).toEqual([1, 1]);
    for (const l of r.lambdas) expect(l).toBeCloseTo(Math.log(2.5 / 1.5), 14);
    expect(r.pbo).toBe(0);
  });

  it('mean as the metric, and bad input refused with what to do', () => {
    const columns = noiseMatrix(64, [0, 0.001, 0.002], 0.01, 6);
    const r = probabilityOfBacktestOverfitting(columns, { partitions: 4, metric: 'mean' });
    expect(r.combinations).toBe(6);
    expect(() => probabilityOfBacktestOverfitting(columns, { partitions: 5 })).toThrow(/even whole number/);
    expect(() => probabilityOfBacktestOverfitting(columns, { partitions: 40 })).toThrow(SweepInputError);
    expect(() => probabilityOfBacktestOverfitting([columns[0]])).toThrow(/at least 2/);
    expect(() => probabilityOfBacktestOverfitting(columns, { partitions: 48 })).toThrow(/partitions/);
    expect(() => probabilityOfBacktestOverfitting([columns[0], columns[1].subarray(1)], { partitions: 4 })).toThrow(/same periods/);
    expect(() => probabilityOfBacktestOverfitting([columns[0], Float64Array.from(columns[1], (x, i) => (i === 9 ? NaN : x))], { partitions: 4 })).toThrow(
      /configuration 1, period 9/,
    );
    expect(() => probabilityOfBacktestOverfitting(noiseMatrix(20, [0, 0], 0.01, 1))).toThrow(/cannot be cut into 16 blocks/);
  });
});
