// Walk-forward window arithmetic (src/sweeps/walk-forward.ts): rolling and anchored windows over
// trading-day indices, ends inclusive; expected windows written out by hand from the formulas.
import { describe, expect, it } from 'vitest';
import { SweepInputError } from '../../src/sweeps/errors.ts';
import { periodReturns } from '../../src/engine/metrics/metrics.ts';
import { chainSegments, walkForwardDates, walkForwardWindows } from '../../src/sweeps/walk-forward.ts';

const asTuples = (ws: { isStart: number; isEnd: number; oosStart: number; oosEnd: number }[]) => ws.map((w) => [w.isStart, w.isEnd, w.oosStart, w.oosEnd]);

describe('walkForwardWindows', () => {
  it('rolling, step = out-of-sample: fixed-length in-sample windows, out-of-sample segments chained', () => {
    // 20 days, IS 8, OOS 4, step 4: windows start at 0, 4, 8; a fourth would need OOS 20..23.
    const plan = walkForwardWindows(20, { kind: 'rolling', inSampleDays: 8, outOfSampleDays: 4 });
    expect(asTuples(plan.windows)).toEqual([
      [0, 7, 8, 11],
      [4, 11, 12, 15],
      [8, 15, 16, 19],
    ]);
    expect(plan).toMatchObject({ contiguous: true, unusedTailDays: 0 });
    for (let w = 1; w < plan.windows.length; w++) expect(plan.windows[w].oosStart).toBe(plan.windows[w - 1].oosEnd + 1);
  });

  it('anchored: the in-sample window always starts at day 0 and grows by the step', () => {
    const plan = walkForwardWindows(22, { kind: 'anchored', inSampleDays: 8, outOfSampleDays: 4 });
    expect(asTuples(plan.windows)).toEqual([
      [0, 7, 8, 11],
      [0, 11, 12, 15],
      [0, 15, 16, 19],
    ]);
    expect(plan.unusedTailDays).toBe(2); // days 20 and 21
  });

  it('a step longer than the out-of-sample window leaves gaps, never overlaps', () => {
    const plan = walkForwardWindows(30, { kind: 'rolling', inSampleDays: 10, outOfSampleDays: 3, stepDays: 5 });
    expect(asTuples(plan.windows)).toEqual([
      [0, 9, 10, 12],
      [5, 14, 15, 17],
      [10, 19, 20, 22],
      [15, 24, 25, 27],
    ]);
    expect(plan.contiguous).toBe(false);
    expect(plan.unusedTailDays).toBe(2);
  });

  it('exactly one window when the period is in-sample + out-of-sample long', () => {
    expect(asTuples(walkForwardWindows(12, { kind: 'rolling', inSampleDays: 8, outOfSampleDays: 4 }).windows)).toEqual([[0, 7, 8, 11]]);
  });

  it('says what is wrong and what to do', () => {
    const short = (() => {
      try {
        walkForwardWindows(100, { kind: 'rolling', inSampleDays: 250, outOfSampleDays: 60 });
      } catch (err) {
        return err;
      }
    })();
    expect(short).toBeInstanceOf(SweepInputError);
    expect((short as SweepInputError).code).toBe('invalid_windows');
    expect((short as SweepInputError).message).toBe(
      'the period has 100 trading days, but one window needs 250 in-sample + 60 out-of-sample = 310; lengthen the period or shorten the windows',
    );
    expect(() => walkForwardWindows(100, { kind: 'rolling', inSampleDays: 20, outOfSampleDays: 10, stepDays: 5 })).toThrow(/would overlap; use a step of at least 10/);
    expect(() => walkForwardWindows(100, { kind: 'rolling', inSampleDays: 0, outOfSampleDays: 10 })).toThrow(/in_sample_days/);
    expect(() => walkForwardWindows(100, { kind: 'rolling', inSampleDays: 20, outOfSampleDays: 2.5 })).toThrow(/out_of_sample_days/);
  });
});

describe('walkForwardDates', () => {
  it('maps the windows onto the trading days given', () => {
    const days = [20240102, 20240103, 20240104, 20240105, 20240108, 20240109, 20240110];
    expect(walkForwardDates(days, { kind: 'rolling', inSampleDays: 3, outOfSampleDays: 2 })).toEqual([
      { index: 0, isStart: 20240102, isEnd: 20240104, oosStart: 20240105, oosEnd: 20240108 },
      { index: 1, isStart: 20240104, isEnd: 20240108, oosStart: 20240109, oosEnd: 20240110 },
    ]);
    expect(walkForwardDates(days, { kind: 'anchored', inSampleDays: 3, outOfSampleDays: 1 }).map((w) => [w.isStart, w.isEnd, w.oosStart])).toEqual([
      [20240102, 20240104, 20240105],
      [20240102, 20240105, 20240108],
      [20240102, 20240108, 20240109],
      [20240102, 20240109, 20240110],
    ]);
  });
});

describe('chainSegments', () => {
  it('compounds each segment from where the last one ended, dates once each', () => {
    // Segment 1: 100 → 110 → 121 (+10 %, +10 %); segment 2 starts from its own 50: 50 → 45 → 54 (−10 %, +20 %).
    // Chained from 1: 1, 1.1, 1.21, then 1.21·0.9 = 1.089, 1.21·1.08 = 1.3068.
    const chained = chainSegments([
      { dates: [20240102, 20240103, 20240104], values: [100, 110, 121] },
      { dates: [20240104, 20240105, 20240108], values: [50, 45, 54] },
    ]);
    expect(chained.dates).toEqual([20240102, 20240103, 20240104, 20240105, 20240108]);
    const expected = [1, 1.1, 1.21, 1.089, 1.3068];
    chained.values.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    // The chained returns are the segments' own returns, concatenated.
    const own = [...periodReturns([100, 110, 121]), ...periodReturns([50, 45, 54])];
    Array.from(periodReturns(chained.values)).forEach((r, i) => expect(r).toBeCloseTo(own[i], 12));
  });

  it('an empty list is the start point alone', () => {
    expect(chainSegments([], 1e6)).toEqual({ dates: [0], values: Float64Array.from([1e6]) });
  });
});
