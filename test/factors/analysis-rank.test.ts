/**
 * The analysis's ranking (src/factors/analysis/rank.ts) and statistics (summary.ts). Ranks are checked
 * against a plain comparator sort with average ranks for exact ties (the definition scipy's rankdata
 * uses) on data built to stress the bucket sort: ties, skew, outliers, huge and tiny spans; the
 * statistics against values worked out by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { makeRanker } from '../../src/factors/analysis/rank.ts';
import { cumulative, histogram, movingAverage, seriesStats } from '../../src/factors/analysis/summary.ts';

/** Reference: sort indexes with a comparator, average the ranks of equal values. */
function referenceRanks(v: Float64Array): Float64Array {
  const idx = [...v.keys()].sort((a, b) => v[a] - v[b]);
  const out = new Float64Array(v.length);
  for (let a = 0; a < idx.length; ) {
    let e = a;
    while (e + 1 < idx.length && v[idx[e + 1]] === v[idx[a]]) e++;
    for (let q = a; q <= e; q++) out[idx[q]] = (a + e) / 2 + 1;
    a = e + 1;
  }
  return out;
}

/** A small seeded generator (mulberry32) so a failure reproduces. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ranker', () => {
  const r = rng(7);
  const shapes: Record<string, () => number> = {
    uniform: () => r(),
    ties: () => Math.round(r() * 10),
    lognormal: () => Math.exp(8 * (r() + r() - 1)),
    outliers: () => (r() < 0.01 ? 1e9 : r()),
    tiny: () => 1 + r() * 1e-13,
    huge: () => (r() - 0.5) * 1.7e308,
    signed_zeros: () => (r() < 0.5 ? -0 : 0),
  };
  for (const [name, gen] of Object.entries(shapes)) {
    it(`average ranks equal the comparator sort's: ${name}`, () => {
      for (const n of [1, 2, 31, 33, 500, 3000]) {
        const v = Float64Array.from({ length: n }, gen);
        const ranker = makeRanker(n);
        const idx = Int32Array.from({ length: n }, (_, i) => i);
        ranker.order(v, idx, n);
        for (let j = 1; j < n; j++) expect(v[idx[j - 1]] <= v[idx[j]]).toBe(true);
        const out = new Float64Array(n);
        expect(ranker.averageRanks(v, idx, n, out)).toBe(n);
        expect(Array.from(out)).toEqual(Array.from(referenceRanks(v)));
      }
    });
  }

  it('ranks a subset from the order of the whole (skip), ties averaged among those kept', () => {
    // values 3, 1, 3, 2, 3; skip index 2 → kept 3, 1, 2, 3: ranks 3.5, 1, 2, 3.5.
    const v = Float64Array.from([3, 1, 3, 2, 3]);
    const ranker = makeRanker(5);
    const idx = Int32Array.from([0, 1, 2, 3, 4]);
    ranker.order(v, idx, 5);
    const out = new Float64Array(5).fill(NaN);
    const skip = Uint8Array.from([0, 0, 1, 0, 0]);
    expect(ranker.averageRanks(v, idx, 5, out, skip)).toBe(4);
    expect([out[0], out[1], out[3], out[4]]).toEqual([3.5, 1, 2, 3.5]);
    expect(out[2]).toBeNaN();
  });
});

describe('summary statistics', () => {
  it('mean, sample std, IR, t and share positive skip NaN days', () => {
    // 0.1, −0.1, 0.3 (NaN left out): mean 0.1; deviations 0, −0.2, 0.2 → var 0.08/2 = 0.04, std 0.2;
    // IR 0.5; t = 0.5·√3 = 0.8660254; 2 of 3 above zero.
    const s = seriesStats(Float64Array.from([0.1, NaN, -0.1, 0.3]));
    expect(s.days).toBe(3);
    expect(s.mean).toBeCloseTo(0.1, 12);
    expect(s.std).toBeCloseTo(0.2, 12);
    expect(s.ir).toBeCloseTo(0.5, 12);
    expect(s.t).toBeCloseTo(0.8660254037844386, 12);
    expect(s.positive).toBeCloseTo(2 / 3, 12);
    expect(seriesStats([NaN])).toEqual({ mean: null, std: null, ir: null, t: null, positive: null, days: 0 });
  });

  it('cumulative returns compound every h-th day only', () => {
    // h = 2: days 0 and 2 count: 1.1 × 0.9 = 0.99; day 1 and 3 hold.
    expect(Array.from(cumulative([0.1, 5, -0.1, 5], 2)).map((x) => +x.toFixed(12))).toEqual([1.1, 1.1, 0.99, 0.99]);
  });

  it('moving average over the window, NaN days left out of it', () => {
    expect(Array.from(movingAverage([1, 2, NaN, 4], 2))).toEqual([NaN, 1.5, 2, 4]);
  });

  it('histogram bins between min and max, the max in the last bin', () => {
    const h = histogram([0, 0.25, 0.5, 1, NaN], 4);
    expect(h.edges).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(h.counts).toEqual([1, 1, 1, 1]);
  });
});
