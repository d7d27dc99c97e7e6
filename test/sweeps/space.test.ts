// The parameter space of a sweep (src/sweeps/space.ts): axes checked against the strategy's own
// schema, the grid counted without materialising it, grid points decoded in nested-loop order.
import { describe, expect, it } from 'vitest';
import { builtinParamsJsonSchema } from '../../src/engine/builtins/registry.ts';
import { SweepInputError } from '../../src/sweeps/errors.ts';
import { assertGridWithin, buildSpace, decodeIndex, encodeIndex, neighbourIndices, pointAt, type ParamsJsonSchema } from '../../src/sweeps/space.ts';

const dualMa = builtinParamsJsonSchema('dual_ma') as ParamsJsonSchema;
const grid = builtinParamsJsonSchema('grid') as ParamsJsonSchema;

/** The SweepInputError `fn` throws (fails the test when it throws nothing or something else). */
function inputError(fn: () => unknown): SweepInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SweepInputError) return err;
    throw err;
  }
  throw new Error('expected a SweepInputError');
}

describe('buildSpace', () => {
  it('lists and ranges, both ends of a range included when on the step', () => {
    const space = buildSpace({ short_window: { from: 2, to: 21, step: 1 }, long_window: { values: [10, 20, 30, 60] } }, dualMa);
    expect(space.axes.map((a) => [a.name, a.kind, a.length])).toEqual([
      ['short_window', 'range', 20],
      ['long_window', 'list', 4],
    ]);
    expect(space.count).toBe(80n);
    const short = space.axes[0];
    expect([short.valueAt(0), short.valueAt(19)]).toEqual([2, 21]);
  });

  it('a range that does not land on `to` stops below it', () => {
    const space = buildSpace({ long_window: { from: 10, to: 60, step: 7 } }, dualMa);
    // 10, 17, 24, 31, 38, 45, 52, 59: 8 values, 66 would pass 60.
    expect(space.count).toBe(8n);
    expect(space.axes[0].valueAt(7)).toBe(59);
  });

  it('decimal ranges give the values as typed, without float drift', () => {
    const space = buildSpace({ grid_step: { from: 0.01, to: 0.1, step: 0.01 } }, grid);
    const values = Array.from({ length: space.axes[0].length }, (_, k) => space.axes[0].valueAt(k));
    // (0.1 − 0.01) / 0.01 = 8.999999999999998 in doubles: the slack must still give 10 values.
    expect(values).toEqual([0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1]);
  });

  it('refuses names, values and bounds the schema does not allow, naming the parameter and the fix', () => {
    const unknown = inputError(() => buildSpace({ windw: { values: [1] } }, dualMa));
    expect(unknown).toMatchObject({ code: 'unknown_param', param: 'windw' });
    expect(unknown.message).toContain('short_window, long_window, position_ratio, max_positions');

    // short_window: z.number().int().min(1) (src/engine/builtins/dual-ma.ts).
    const below = inputError(() => buildSpace({ short_window: { from: 0, to: 5, step: 1 } }, dualMa));
    expect(below).toMatchObject({ code: 'invalid_axis', param: 'short_window' });
    expect(below.message).toMatch(/below the minimum 1.*at least 1/);

    const fractional = inputError(() => buildSpace({ short_window: { from: 2, to: 10, step: 1.5 } }, dualMa));
    expect(fractional.message).toMatch(/whole numbers/);

    // position_ratio: z.number().gt(0).max(1): 0 is refused (exclusive), 1 allowed, 1.2 refused.
    expect(inputError(() => buildSpace({ position_ratio: { values: [0, 0.5] } }, dualMa)).message).toMatch(/not above 0/);
    expect(buildSpace({ position_ratio: { values: [0.5, 1] } }, dualMa).count).toBe(2n);
    expect(inputError(() => buildSpace({ position_ratio: { from: 0.5, to: 1.2, step: 0.1 } }, dualMa)).message).toMatch(/above the maximum 1/);

    expect(inputError(() => buildSpace({ short_window: { values: [] } }, dualMa)).message).toMatch(/empty/);
    expect(inputError(() => buildSpace({ short_window: { values: [3, 3] } }, dualMa)).message).toMatch(/twice/);
    expect(inputError(() => buildSpace({ short_window: { from: 9, to: 3, step: 1 } }, dualMa)).message).toMatch(/from ≤ to/);
    expect(inputError(() => buildSpace({ short_window: { from: 1, to: 3, step: 0 } }, dualMa)).message).toMatch(/step must be above 0/);
    expect(inputError(() => buildSpace({ short_window: { values: ['5'] } }, dualMa)).message).toMatch(/is a string/);
    expect(inputError(() => buildSpace({ a: { values: [1] } }, null))).toMatchObject({ code: 'unknown_param' });
  });
});

describe('grid count', () => {
  it('a 10^12-point space counts instantly and exactly, and is refused over the maximum with the count named', () => {
    // Four axes of 1,000 values each (ranges, so nothing is listed): 1,000^4 = 10^12 points.
    const started = performance.now();
    const space = buildSpace(
      {
        short_window: { from: 1, to: 1000, step: 1 },
        long_window: { from: 2, to: 1001, step: 1 },
        position_ratio: { from: 0.001, to: 1, step: 0.001 },
        max_positions: { from: 1, to: 1000, step: 1 },
      },
      dualMa,
    );
    expect(space.count).toBe(10n ** 12n);
    const err = inputError(() => assertGridWithin(space, 10_000));
    expect(performance.now() - started).toBeLessThan(100);
    expect(err.code).toBe('space_too_large');
    expect(err.message).toContain('1,000,000,000,000 parameter sets');
    expect(err.message).toContain('maximum of 10,000');
    // The last point decodes without materialising anything before it.
    expect(pointAt(space, 10 ** 12 - 1)).toEqual({ short_window: 1000, long_window: 1001, position_ratio: 1, max_positions: 1000 });
  });

  it('counts past 2^53 exactly as a bigint', () => {
    const props: Record<string, { type: string }> = {};
    const spec: Record<string, { from: number; to: number; step: number }> = {};
    for (let d = 0; d < 6; d++) {
      props[`p${d}`] = { type: 'integer' };
      spec[`p${d}`] = { from: 1, to: 1000, step: 1 };
    }
    const space = buildSpace(spec, { properties: props });
    expect(space.count).toBe(10n ** 18n);
    expect(space.count > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    // Index 10^18 − 1 as a bigint: every axis at its last value.
    expect(decodeIndex(space, 10n ** 18n - 1n)).toEqual([999, 999, 999, 999, 999, 999]);
  });

  it('a space within the maximum passes', () => {
    const space = buildSpace({ short_window: { values: [5, 10] } }, dualMa);
    expect(() => assertGridWithin(space, 2)).not.toThrow();
    expect(() => assertGridWithin(space, 1)).toThrow(SweepInputError);
  });
});

describe('decodeIndex', () => {
  it('is the order of nested loops over the axes as given (last fastest), and encodeIndex inverts it', () => {
    const space = buildSpace(
      { short_window: { values: [2, 3, 5] }, long_window: { from: 10, to: 30, step: 10 }, max_positions: { values: [1, 4] } },
      dualMa,
    );
    // Independent order: three nested loops.
    const nested: Record<string, number>[] = [];
    for (const s of [2, 3, 5]) for (const l of [10, 20, 30]) for (const m of [1, 4]) nested.push({ short_window: s, long_window: l, max_positions: m });
    expect(space.count).toBe(BigInt(nested.length));
    nested.forEach((point, i) => {
      expect(pointAt(space, i)).toEqual(point);
      expect(pointAt(space, BigInt(i))).toEqual(point);
      expect(encodeIndex(space, decodeIndex(space, i))).toBe(BigInt(i));
    });
    expect(() => decodeIndex(space, 18)).toThrow(RangeError);
    expect(() => decodeIndex(space, -1)).toThrow(RangeError);
  });
});

describe('neighbourIndices', () => {
  it('one step along each axis, fewer at the edges', () => {
    const space = buildSpace({ short_window: { values: [2, 3, 5] }, long_window: { values: [10, 20, 30] }, max_positions: { values: [1, 4] } }, dualMa);
    const at = (s: number, l: number, m: number) => Number(encodeIndex(space, [s, l, m]));
    // The middle of the 3 × 3 × 2 grid: short ±1, long ±1, and the one other max_positions.
    expect(neighbourIndices(space, at(1, 1, 0))).toEqual([at(0, 1, 0), at(2, 1, 0), at(1, 0, 0), at(1, 2, 0), at(1, 1, 1)]);
    // A corner has one neighbour per axis.
    expect(neighbourIndices(space, at(0, 0, 0))).toEqual([at(1, 0, 0), at(0, 1, 0), at(0, 0, 1)]);
    expect(neighbourIndices(space, at(2, 2, 1))).toEqual([at(1, 2, 1), at(2, 1, 1), at(2, 2, 0)]);
  });
});
