/**
 * The sweep pages' pure parts: the form's axes read into a space (problems naming the field), the
 * robustness reading of a set beside its grid neighbours (a lone spike vs a plateau, on a planted
 * landscape), the λ histogram, and the heatmap's SVG (one cell per point, each with its hover value).
 */
import { describe, expect, it } from 'vitest';
import { builtinSweepSchema } from '../../src/sweeps/checks.ts';
import { i18nFor } from '../../src/i18n/i18n.ts';
import { buildSpace, pointAt } from '../../src/sweeps/space.ts';
import type { SetMetrics, SweepSet } from '../../src/sweeps/sweep.types.ts';
import { axesFromForm, defaultAxes, lambdaHistogram, robustness, spaceOfAxes } from '../../src/sweeps/sweeps.view-model.ts';
import { divergingColour, divergingScale, Heatmap } from '../../views/sweeps/heatmap.tsx';

const schema = builtinSweepSchema('dual_ma')!.schema;

const metrics = (sharpe: number): SetMetrics => ({
  total_return: null, annualized_return: null, sharpe, sortino: null, calmar: null, max_drawdown: null, volatility: null, excess_return: null, win_rate: null, final_value: null, trade_count: null,
});

describe('the sweep form read back', () => {
  it('turns fixed rows into base params and list/range rows into the space, in form order', () => {
    const axes = axesFromForm(schema, {
      'ax.short_window.kind': 'range', 'ax.short_window.from': '3', 'ax.short_window.to': '6', 'ax.short_window.step': '1',
      'ax.long_window.kind': 'list', 'ax.long_window.values': '20, 30;40',
      'ax.position_ratio.kind': 'fixed', 'ax.position_ratio.value': '0.5',
      'ax.max_positions.kind': 'fixed', 'ax.max_positions.value': '',
    });
    expect(spaceOfAxes(schema, axes)).toEqual({
      space: { short_window: { from: 3, to: 6, step: 1 }, long_window: { values: [20, 30, 40] } },
      params: { position_ratio: 0.5 },
    });
  });

  it('names the parameter of a row it cannot read', () => {
    const axes = axesFromForm(schema, { 'ax.short_window.kind': 'range', 'ax.short_window.from': '3', 'ax.short_window.to': '' });
    expect(spaceOfAxes(schema, axes)).toEqual({ field: 'space.short_window', message: "short_window: give the range's to, step as numbers" });
    const list = axesFromForm(schema, { 'ax.long_window.kind': 'list', 'ax.long_window.values': '10, x' });
    expect(spaceOfAxes(schema, list)).toEqual({ field: 'space.long_window', message: 'long_window: "x" is not an integer' });
  });

  it('starts with the first two integer parameters as ranges around their defaults, within the schema', () => {
    const axes = defaultAxes(schema);
    expect(axes.short_window).toMatchObject({ kind: 'range', from: '3', to: '7', step: '1' });
    expect(axes.long_window).toMatchObject({ kind: 'range', from: '10', to: '30', step: '5' });
    expect(axes.position_ratio).toMatchObject({ kind: 'fixed', value: '0.8' });
    const sp = spaceOfAxes(schema, axes);
    expect('space' in sp && buildSpace(sp.space, schema).count).toBe(25n);
  });
});

describe('robustness', () => {
  // A 5 × 5 grid: a smooth plateau around (2, 2) and one planted spike at (4, 0).
  const space = buildSpace({ a: { from: 0, to: 4, step: 1 }, b: { from: 0, to: 4, step: 1 } }, { properties: { a: { type: 'integer' }, b: { type: 'integer' } } });
  const value = (a: number, b: number) => (a === 4 && b === 0 ? 3 : 1 - 0.1 * (Math.abs(a - 2) + Math.abs(b - 2)));
  const sets: SweepSet[] = Array.from({ length: 25 }, (_, i) => {
    const p = pointAt(space, i) as { a: number; b: number };
    return { ordinal: i, windowIndex: null, gridIndex: i, params: p, status: 'succeeded', error: null, metrics: metrics(value(p.a, p.b)) };
  });

  it('flags the lone spike and reads the top of the plateau as a plateau', () => {
    const { rows, sd } = robustness(space, sets, 'sharpe', 3);
    expect(sd).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ params: { a: 4, b: 0 }, value: 3, neighbours: 2, verdict: 'spike' });
    // Its neighbours (3, 0) and (4, 1): 1 − 0.1·3 = 0.7 and 0.7.
    expect(rows[0].neighbourMean).toBeCloseTo(0.7, 12);
    expect(rows[1]).toMatchObject({ params: { a: 2, b: 2 }, value: 1, neighbours: 4, verdict: 'plateau' });
    expect(rows[1].neighbourMean).toBeCloseTo(0.9, 12);
  });

  it('says so when no neighbour ran', () => {
    const { rows } = robustness(space, [sets[12]], 'sharpe');
    expect(rows).toEqual([expect.objectContaining({ ordinal: 12, neighbours: 0, neighbourMean: null, verdict: 'alone' })]);
  });
});

describe('the λ histogram', () => {
  it('bins every finite λ in bins symmetric about zero and counts those at or below it', () => {
    const h = lambdaHistogram(Float64Array.from([-1.2, -0.1, 0, 0.3, 0.3, 2.2]), 8);
    expect(h.edges[0]).toBe(-2.5);
    expect(h.edges[8]).toBe(2.5);
    expect(h.edges[4]).toBe(0);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(6);
    expect(h.atOrBelowZero).toBe(3);
    expect(h.combinations).toBe(6);
  });
});

describe('the heatmap', () => {
  it('draws one cell per point with its value on hover, white where no set ran, on a scale centred at zero', async () => {
    const html = String(await (Heatmap({
      t: i18nFor('en').t,
      data: {
        x: { name: 'long_window', values: [20, 30] }, y: { name: 'short_window', values: [3, 4] }, metric: 'sharpe', agg: 'max',
        cells: [[0.5, -0.25], [null, 1]], counts: [[1, 1], [0, 1]],
      },
    }) as unknown as { toString(): string | Promise<string> }).toString());
    const titles = [...html.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(titles).toEqual(['long_window 20, short_window 3: Sharpe 0.50', 'long_window 30, short_window 3: Sharpe -0.25', 'long_window 20, short_window 4: Sharpe no set', 'long_window 30, short_window 4: Sharpe 1.00']);
    expect(html).toContain('fill="#fff" class="hm-empty"');
    expect(html).toContain('long_window →');
    expect(divergingScale([0.5, -0.25, 1])).toEqual({ centre: 0, half: 1 });
    expect(divergingScale([2, 4])).toEqual({ centre: 3, half: 1 });
    expect(divergingColour(0)).toBe('rgb(245,247,250)');
    expect(divergingColour(1)).toBe('rgb(198,40,40)');
    expect(divergingColour(-1)).toBe('rgb(46,125,50)');
  });
});
