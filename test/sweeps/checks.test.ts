// The strategy's own check run on every sweep point (src/sweeps/checks.ts): built-ins through their
// zod schema, user strategies through the JSON Schema stored with them.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { builtinSweepSchema, checkWithJsonSchema, checkWithSchema } from '../../src/sweeps/checks.ts';
import { planSweep } from '../../src/sweeps/sampling.ts';
import { buildSpace, type ParamsJsonSchema } from '../../src/sweeps/space.ts';

describe('builtinSweepSchema', () => {
  it('gives dual_ma\'s bounds and its short < long refinement', () => {
    const dual = builtinSweepSchema('dual_ma')!;
    expect(Object.keys(dual.schema.properties!)).toEqual(['short_window', 'long_window', 'position_ratio', 'max_positions']);
    expect(dual.check({ short_window: 5, long_window: 20 })).toEqual({ ok: true, params: { short_window: 5, long_window: 20, position_ratio: 0.8, max_positions: 10 } });
    expect(dual.check({ short_window: 20, long_window: 20 })).toEqual({ ok: false, message: 'short_window: short_window must be below long_window' });
    expect(builtinSweepSchema('no_such_strategy')).toBeNull();
  });
});

describe('checkWithSchema', () => {
  it('falls back to a throwing parse when there is no safeParse', () => {
    const check = checkWithSchema({
      parse: (p: unknown) => {
        if ((p as { a: number }).a > 1) throw new Error('a too big');
        return p;
      },
    });
    expect(check({ a: 1 })).toEqual({ ok: true, params: { a: 1 } });
    expect(check({ a: 2 })).toEqual({ ok: false, message: 'a too big' });
  });
});

describe('checkWithJsonSchema', () => {
  // A user strategy's params as the sandbox describes them: z.toJSONSchema(params, { io: 'input' }).
  const schema = z.toJSONSchema(
    z.object({
      lookback: z.number().int().min(2).default(20),
      top: z.number().int().min(1).max(50),
      threshold: z.number().gt(0).lt(1).default(0.5),
      side: z.enum(['long', 'short']).default('long'),
    }),
    { io: 'input' },
  ) as ParamsJsonSchema & { required?: string[] };
  const check = checkWithJsonSchema(schema);

  it('fills defaults and accepts values inside the bounds', () => {
    expect(check({ top: 5 })).toEqual({ ok: true, params: { lookback: 20, top: 5, threshold: 0.5, side: 'long' } });
  });

  it('refuses what the schema refuses, naming the parameter', () => {
    expect(check({})).toEqual({ ok: false, message: 'top: required' });
    expect(check({ top: 51 })).toMatchObject({ ok: false, message: expect.stringMatching(/^top: 51 is above the maximum 50/) });
    expect(check({ top: 5, lookback: 2.5 })).toMatchObject({ ok: false, message: expect.stringMatching(/^lookback: 2.5 is not an integer/) });
    expect(check({ top: 5, threshold: 1 })).toMatchObject({ ok: false, message: expect.stringMatching(/^threshold: 1 is not below 1/) });
    expect(check({ top: 5, side: 'flat' })).toMatchObject({ ok: false, message: expect.stringMatching(/^side: "flat" is not one of "long", "short"/) });
    expect(check({ top: [5] })).toMatchObject({ ok: false });
  });

  it('drives a sweep of a user strategy: a required parameter given by the base, the rest swept', () => {
    const space = buildSpace({ lookback: { from: 5, to: 25, step: 10 }, side: { values: ['long', 'short'] } }, schema);
    const it = planSweep(space, { kind: 'grid' }, { check, base: { top: 3 } }).candidates();
    const params = [];
    for (let r = it.next(); !r.done; r = it.next()) params.push(r.value.params);
    expect(params).toEqual([
      { top: 3, lookback: 5, side: 'long', threshold: 0.5 },
      { top: 3, lookback: 5, side: 'short', threshold: 0.5 },
      { top: 3, lookback: 15, side: 'long', threshold: 0.5 },
      { top: 3, lookback: 15, side: 'short', threshold: 0.5 },
      { top: 3, lookback: 25, side: 'long', threshold: 0.5 },
      { top: 3, lookback: 25, side: 'short', threshold: 0.5 },
    ]);
  });
});
