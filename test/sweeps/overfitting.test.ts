// Probabilistic and Deflated Sharpe Ratios (src/sweeps/overfitting.ts) and the normal distribution
// under them (src/sweeps/normal.ts), against the paper's worked example and computations written
// here independently (a power series for Φ, bisection for Φ⁻¹, a Monte Carlo maximum).
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/engine/metrics/metrics.ts';
import { normalCdf, normalQuantile } from '../../src/sweeps/normal.ts';
import {
  annualizedSharpe,
  deflatedSharpe,
  deflatedSharpeOf,
  expectedMaxSharpe,
  moments,
  periodSharpe,
  probabilisticSharpe,
} from '../../src/sweeps/overfitting.ts';
import { makeRng } from '../../src/sweeps/prng.ts';

/** Φ by the Maclaurin series of erf, Φ(x) = ½ + (1/√(2π)) Σ (−1)^n x^(2n+1) / (2^n n! (2n+1)); accurate to ~1e-15 for |x| ≤ 4. */
function seriesCdf(x: number): number {
  let term = x; // (−1)^n x^(2n+1) / (2^n n!)
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / (2 * n);
    sum += term / (2 * n + 1);
    if (Math.abs(term) < 1e-18) break;
  }
  return 0.5 + sum / Math.sqrt(2 * Math.PI);
}

/** Φ⁻¹ by bisection on seriesCdf over [−4, 4]. */
function bisectQuantile(p: number): number {
  let lo = -4;
  let hi = 4;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (seriesCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Standard normal draws by Box–Muller from a seeded mulberry32. */
function normals(n: number, seed: number): Float64Array {
  const rng = makeRng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng.next();
    const v = rng.next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

describe('normal distribution', () => {
  it('Φ matches the power series to 1e-14 and the tables', () => {
    for (let x = -4; x <= 4; x += 0.125) expect(Math.abs(normalCdf(x) - seriesCdf(x))).toBeLessThan(1e-14);
    // Abramowitz & Stegun table 26.1: Φ(1) = 0.8413447460685429, Φ(1.96) = 0.9750021048517795.
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 15);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 15);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });

  it('Φ⁻¹ inverts Φ to 1e-13 and matches bisection', () => {
    for (const p of [1e-12, 1e-6, 0.001, 0.01, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.99, 0.999]) {
      const x = normalQuantile(p);
      expect(Math.abs(normalCdf(x) - p) / Math.min(p, 1 - p)).toBeLessThan(1e-12);
      if (Math.abs(x) < 3.9) expect(Math.abs(x - bisectQuantile(p))).toBeLessThan(1e-13);
    }
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});

describe('Sharpe helpers', () => {
  it('are the engine metrics\' Sharpe: annualised by √252, per period without', () => {
    const r = Array.from(normals(500, 1), (z) => 0.0005 + 0.01 * z);
    const values = [1];
    for (const x of r) values.push(values[values.length - 1] * (1 + x));
    const engine = computeMetrics({ dates: values.map(() => 0), values }).sharpe!;
    expect(annualizedSharpe(r)).toBeCloseTo(engine, 12);
    expect(periodSharpe(r) * Math.sqrt(252)).toBeCloseTo(engine, 12);
  });

  it('moments: skewness and non-excess kurtosis of a two-point and a skewed sample, by hand', () => {
    // ±1: m2 = 1, m3 = 0, m4 = 1 → skew 0, kurtosis 1.
    expect(moments([1, -1, 1, -1])).toEqual({ skewness: 0, kurtosis: 1 });
    // [0, 0, 0, 4]: mean 1, deviations −1,−1,−1,3: m2 = 12/4 = 3, m3 = (−3 + 27)/4 = 6, m4 = (3 + 81)/4 = 21.
    const m = moments([0, 0, 0, 4]);
    expect(m.skewness).toBeCloseTo(6 / 3 ** 1.5, 14);
    expect(m.kurtosis).toBeCloseTo(21 / 9, 14);
  });
});

describe('Deflated Sharpe Ratio (Bailey & López de Prado, 2014)', () => {
  // The paper's numerical example: N = 100 trials whose annualised Sharpe ratios have variance 1/2;
  // the best has annualised SR 2.5 over five years of daily returns (T = 1,250 at 250 a year), skewness
  // −3 and kurtosis 10. The paper reports SR0 ≈ 0.1132 (per day) and DSR ≈ 0.9004.
  const perDay = Math.sqrt(250);
  const example = { sharpe: 2.5 / perDay, observations: 1250, skewness: -3, kurtosis: 10, trials: 100, sharpeVariance: 0.5 / 250 };

  it('reproduces the paper\'s worked example to its four decimals', () => {
    const d = deflatedSharpe(example);
    expect(Math.abs(d.expectedMaxSharpe - 0.1132)).toBeLessThan(5e-5);
    expect(Math.abs(d.dsr - 0.9004)).toBeLessThan(5e-5);
  });

  it('agrees with the formulas computed here with the series Φ and bisection Φ⁻¹ (to 1e-12)', () => {
    const g = 0.5772156649015329;
    const sr0 = Math.sqrt(example.sharpeVariance) * ((1 - g) * bisectQuantile(1 - 1 / 100) + g * bisectQuantile(1 - 1 / (100 * Math.E)));
    const sr = example.sharpe;
    const z = ((sr - sr0) * Math.sqrt(1249)) / Math.sqrt(1 - -3 * sr + ((10 - 1) / 4) * sr * sr);
    const d = deflatedSharpe(example);
    expect(Math.abs(d.expectedMaxSharpe - sr0)).toBeLessThan(1e-12);
    expect(Math.abs(d.dsr - seriesCdf(z))).toBeLessThan(1e-12);
  });

  it('the expected maximum approximates the Monte Carlo mean maximum of N standard normals', () => {
    // López de Prado's own check (get_numerical_max_sr, 2014): draw N standard normals, keep the max,
    // average over repetitions. 20,000 repetitions of N = 100: standard error ≈ 0.43/√20000 ≈ 0.003; the
    // approximation itself is ~0.02 above the true mean (2.5076) at N = 100: allow 0.04.
    const n = 100;
    const reps = 20_000;
    const z = normals(n * reps, 5);
    let total = 0;
    for (let r = 0; r < reps; r++) {
      let max = -Infinity;
      for (let i = 0; i < n; i++) max = Math.max(max, z[r * n + i]);
      total += max;
    }
    expect(Math.abs(expectedMaxSharpe(n, 1) - total / reps)).toBeLessThan(0.04);
    expect(expectedMaxSharpe(1, 1)).toBe(0);
    expect(expectedMaxSharpe(1000, 4)).toBeCloseTo(2 * expectedMaxSharpe(1000, 1), 14);
  });

  it('PSR: ½ at the benchmark, rising with the track record, lowered by negative skew and fat tails', () => {
    const base = { sharpe: 0.1, observations: 250, skewness: 0, kurtosis: 3 };
    expect(probabilisticSharpe(base, 0.1)).toBe(0.5);
    expect(probabilisticSharpe({ ...base, observations: 1000 }, 0)).toBeGreaterThan(probabilisticSharpe(base, 0));
    expect(probabilisticSharpe({ ...base, skewness: -2 }, 0)).toBeLessThan(probabilisticSharpe(base, 0));
    expect(probabilisticSharpe({ ...base, kurtosis: 9 }, 0)).toBeLessThan(probabilisticSharpe(base, 0));
    // Normal returns, SR 0.1, T 250: z = 0.1·√249 / √(1 + 0.5·0.01) (by hand from the formula).
    expect(probabilisticSharpe(base, 0)).toBeCloseTo(seriesCdf((0.1 * Math.sqrt(249)) / Math.sqrt(1.005)), 14);
  });

  it('from data: N and V[SR] from the trials, skew, kurtosis and T from the selected returns', () => {
    const selected = Array.from(normals(750, 2), (z) => 0.001 + 0.01 * z);
    const trials = [periodSharpe(selected), 0.01, -0.02, 0.03, NaN];
    const d = deflatedSharpeOf(selected, trials);
    const finite = trials.slice(0, 4);
    const mu = finite.reduce((a, b) => a + b, 0) / 4;
    const variance = finite.reduce((a, b) => a + (b - mu) ** 2, 0) / 3;
    const m = moments(selected);
    expect(d).toMatchObject({ trials: 4, observations: 750, sharpe: periodSharpe(selected), skewness: m.skewness, kurtosis: m.kurtosis });
    expect(d.sharpeVariance).toBeCloseTo(variance, 15);
    expect(d.dsr).toBe(probabilisticSharpe(d, expectedMaxSharpe(4, variance)));
    expect(d.dsr).toBeGreaterThan(0);
    expect(d.dsr).toBeLessThan(1);
  });
});
