// Which points a sweep runs (src/sweeps/sampling.ts): grid order, seeded random and Latin-hypercube
// samples, and the strategy's own constraints (dual_ma's short_window < long_window) skipping points.
import { describe, expect, it } from 'vitest';
import { dualMaParams } from '../../src/engine/builtins/dual-ma.ts';
import { builtinParamsJsonSchema } from '../../src/engine/builtins/registry.ts';
import { SweepInputError } from '../../src/sweeps/errors.ts';
import { makeIndexPermutation, makeRng } from '../../src/sweeps/prng.ts';
import { checkWithSchema } from '../../src/sweeps/checks.ts';
import { estimateValid, latinHypercube, planSweep, type Candidate, type SweepPlan } from '../../src/sweeps/sampling.ts';
import { buildSpace, decodeIndex, type ParamsJsonSchema } from '../../src/sweeps/space.ts';

const schema = builtinParamsJsonSchema('dual_ma') as ParamsJsonSchema;
const check = checkWithSchema(dualMaParams);

function drain(plan: SweepPlan): Candidate[] {
  const out: Candidate[] = [];
  const it = plan.candidates();
  for (let r = it.next(); !r.done; r = it.next()) out.push(r.value);
  return out;
}

describe('prng', () => {
  it('mulberry32 is reproducible from its seed and differs across seeds', () => {
    const a = makeRng(42);
    const b = makeRng(42);
    const c = makeRng(43);
    const xs = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 2 ** 32 && Number.isInteger(x)).toBe(true);
  });

  it('the keyed permutation is a bijection of [0, count) for awkward sizes', () => {
    for (const count of [1, 2, 3, 7, 100, 1000, 4097]) {
      const perm = makeIndexPermutation(count, makeRng(count));
      const seen = new Set<number>();
      for (let k = 0; k < count; k++) seen.add(perm(k));
      expect(seen.size).toBe(count);
      expect(Math.min(...seen)).toBe(0);
      expect(Math.max(...seen)).toBe(count - 1);
    }
  });
});

describe('grid mode', () => {
  it('skips dual_ma combinations with short_window ≥ long_window and counts them, by reason', () => {
    // short 2..21 × long 10..60 step 10 (10, 20, …, 60): 20 × 6 = 120 points.
    const space = buildSpace({ short_window: { from: 2, to: 21, step: 1 }, long_window: { from: 10, to: 60, step: 10 } }, schema);
    const plan = planSweep(space, { kind: 'grid' }, { check });
    const sets = drain(plan);
    // Independent count: pairs with s < l.
    let expected = 0;
    for (let s = 2; s <= 21; s++) for (let l = 10; l <= 60; l += 10) if (s < l) expected++;
    // By hand: l = 10 takes s = 2..9 (8), l = 20 takes s = 2..19 (18), l = 30..60 take all 20 (80).
    expect(expected).toBe(8 + 18 + 80);
    expect(sets.length).toBe(expected);
    expect(plan.tally).toMatchObject({ considered: 120, valid: expected, skipped: 120 - expected, duplicates: 0, exhausted: false });
    expect(plan.tally.skipReasons).toEqual([{ message: 'short_window: short_window must be below long_window', count: 120 - expected }]);
    for (const c of sets) expect((c.values.short_window as number) < (c.values.long_window as number)).toBe(true);
    // Grid order kept, ordinals dense, defaults filled in by the schema.
    expect(sets.map((c) => c.gridIndex)).toEqual([...sets.map((c) => c.gridIndex)].sort((a, b) => a - b));
    expect(sets.map((c) => c.ordinal)).toEqual(sets.map((_, i) => i));
    expect(sets[0].params).toEqual({ short_window: 2, long_window: 10, position_ratio: 0.8, max_positions: 10 });
  });

  it('base values reach the check and the params; a grid over the maximum is refused before anything runs', () => {
    const space = buildSpace({ short_window: { values: [5, 10] } }, schema);
    const sets = drain(planSweep(space, { kind: 'grid' }, { check, base: { long_window: 8, max_positions: 3 } }));
    expect(sets.map((c) => c.params)).toEqual([{ short_window: 5, long_window: 8, position_ratio: 0.8, max_positions: 3 }]);
    expect(() => planSweep(space, { kind: 'grid' }, { maxSets: 1 })).toThrow(/2 parameter sets.*maximum of 1/);
  });

  it('the generator returns the final tally and cannot be consumed twice', () => {
    const plan = planSweep(buildSpace({ short_window: { values: [1, 2] } }, schema), { kind: 'grid' }, { check });
    const it = plan.candidates();
    expect(it.next().done).toBe(false);
    expect(it.next().done).toBe(false);
    const end = it.next();
    expect(end).toEqual({ done: true, value: plan.tally });
    expect(() => plan.candidates().next()).toThrow(/consumed once/);
  });
});

describe('random mode', () => {
  const space = buildSpace({ short_window: { from: 2, to: 21, step: 1 }, long_window: { from: 10, to: 60, step: 1 } }, schema);

  it('yields `budget` distinct valid points, the same ones in the same order for the same seed', () => {
    const a = drain(planSweep(space, { kind: 'random', budget: 100, seed: 7 }, { check }));
    const b = drain(planSweep(space, { kind: 'random', budget: 100, seed: 7 }, { check }));
    const c = drain(planSweep(space, { kind: 'random', budget: 100, seed: 8 }, { check }));
    expect(a).toHaveLength(100);
    expect(new Set(a.map((x) => x.gridIndex)).size).toBe(100);
    expect(b.map((x) => x.gridIndex)).toEqual(a.map((x) => x.gridIndex));
    expect(c.map((x) => x.gridIndex)).not.toEqual(a.map((x) => x.gridIndex));
    for (const x of a) expect((x.values.short_window as number) < (x.values.long_window as number)).toBe(true);
  });

  it('runs until the space is exhausted when fewer valid points exist than the budget', () => {
    // short 9..12 × long 10..11: 8 points, of which s < l: (9,10) (9,11) (10,11) = 3.
    const small = buildSpace({ short_window: { from: 9, to: 12, step: 1 }, long_window: { values: [10, 11] } }, schema);
    const plan = planSweep(small, { kind: 'random', budget: 5, seed: 1 }, { check });
    const sets = drain(plan);
    expect(sets.map((x) => [x.values.short_window, x.values.long_window]).sort()).toEqual([
      [10, 11],
      [9, 10],
      [9, 11],
    ]);
    expect(plan.tally).toMatchObject({ considered: 8, valid: 3, skipped: 5, exhausted: true });
  });

  it('stops at maxConsidered when almost nothing is valid, and says so', () => {
    // short 30..40 × long 10..20: 121 points, none with short < long.
    const none = buildSpace({ short_window: { from: 30, to: 40, step: 1 }, long_window: { from: 10, to: 20, step: 1 } }, schema);
    const capped = planSweep(none, { kind: 'random', budget: 5, seed: 1 }, { check, maxConsidered: 50 });
    expect(drain(capped)).toEqual([]);
    expect(capped.tally).toMatchObject({ considered: 50, valid: 0, skipped: 50, capped: true, exhausted: false });
    const all = planSweep(none, { kind: 'random', budget: 5, seed: 1 }, { check });
    drain(all);
    expect(all.tally).toMatchObject({ considered: 121, skipped: 121, capped: false, exhausted: true });
  });

  it('samples a 10^12-point space lazily, and refuses a budget over the maximum or the space', () => {
    const huge = buildSpace({ short_window: { from: 1, to: 1_000_000, step: 1 }, long_window: { from: 2, to: 1_000_001, step: 1 } }, schema);
    const sets = drain(planSweep(huge, { kind: 'random', budget: 50, seed: 3 }, { check }));
    expect(sets).toHaveLength(50);
    expect(() => planSweep(huge, { kind: 'random', budget: 20_000, seed: 3 }, { maxSets: 10_000 })).toThrow(/20,000 sets is over the maximum of 10,000/);
    const tiny = buildSpace({ short_window: { values: [1, 2] } }, schema);
    expect(() => planSweep(tiny, { kind: 'random', budget: 3, seed: 0 })).toThrow(SweepInputError);
    expect(() => planSweep(tiny, { kind: 'random', budget: 0, seed: 0 })).toThrow(/at least 1/);
  });
});

describe('lhs mode', () => {
  it('each axis value stratum is used exactly once when the budget fits the axes', () => {
    // 10 points over axes of 20 and 50 values: strata of 2 and 5 values, one point in each.
    const space = buildSpace({ short_window: { from: 1, to: 20, step: 1 }, long_window: { from: 21, to: 70, step: 1 } }, schema);
    const design = latinHypercube(space, 10, 11);
    const idx = design.map((g) => decodeIndex(space, g));
    expect(idx.map((k) => Math.floor(k[0] / 2)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(idx.map((k) => Math.floor(k[1] / 5)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(latinHypercube(space, 10, 11)).toEqual(design);
    expect(latinHypercube(space, 10, 12)).not.toEqual(design);
  });

  it('with more points than values, every value of an axis is used ⌊n/L⌋ or ⌈n/L⌉ times', () => {
    const space = buildSpace({ short_window: { values: [1, 2, 3] }, long_window: { from: 10, to: 109, step: 1 } }, schema);
    const idx = latinHypercube(space, 10, 5).map((g) => decodeIndex(space, g));
    const uses = [0, 0, 0];
    for (const k of idx) uses[k[0]]++;
    expect(uses.sort()).toEqual([3, 3, 4]);
  });

  it('skips duplicates and invalid points, counting both', () => {
    // Axes of 2 × 2 values and a budget of 4: the design uses each value twice, so pairs can repeat,
    // and (30, 20) breaks short < long. The first seed whose design has both is the case under test.
    const space = buildSpace({ short_window: { values: [5, 30] }, long_window: { values: [20, 40] } }, schema);
    const invalidIndex = 2; // (30, 20): short index 1, long index 0 → 1·2 + 0
    let seed = 0;
    while (new Set(latinHypercube(space, 4, seed)).size === 4 || !latinHypercube(space, 4, seed).includes(invalidIndex)) seed++;
    const design = latinHypercube(space, 4, seed);
    const distinct = [...new Set(design)];
    const plan = planSweep(space, { kind: 'lhs', budget: 4, seed }, { check });
    const sets = drain(plan);
    expect(sets.map((c) => c.gridIndex)).toEqual(distinct.filter((g) => g !== invalidIndex));
    expect(plan.tally).toMatchObject({ considered: 4, duplicates: 4 - distinct.length, skipped: 1, valid: distinct.length - 1, exhausted: true });
    expect(plan.tally.duplicates).toBeGreaterThan(0);
  });
});

describe('estimateValid', () => {
  it('is exact on a small space and close on a large one', () => {
    const small = buildSpace({ short_window: { from: 2, to: 21, step: 1 }, long_window: { from: 10, to: 60, step: 10 } }, schema);
    expect(estimateValid(small, { check })).toMatchObject({ count: 120n, exact: true, estimatedValid: 106n });
    // short 1..1000 × long 2..1001: s < l holds for Σ_{s=1}^{1000} (1001 − s) = 500,500 of 10^6 points (exact count, by hand).
    const big = buildSpace({ short_window: { from: 1, to: 1000, step: 1 }, long_window: { from: 2, to: 1001, step: 1 } }, schema);
    const est = estimateValid(big, { check, samples: 4000, seed: 9 });
    expect(est.exact).toBe(false);
    expect(est.sampled).toBe(4000);
    // 4,000 draws of a proportion near ½: standard error √(¼/4000) ≈ 0.8 %; allow 4 standard errors (3.2 %).
    expect(Math.abs(Number(est.estimatedValid) - 500_500) / 1e6).toBeLessThan(0.032);
  });
});
