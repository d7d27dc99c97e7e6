// Adjustment modes of a backtest: qfq rescales each stock's factors to its last day; the engine's
// corporate actions depend only on factor ratios, so hfq and qfq hold the same shares and cash.
import { describe, expect, it } from 'vitest';
import { runBacktestSync } from '../../src/engine/engine.ts';
import { dualMa } from '../../src/engine/builtins/dual-ma.ts';
import { forwardAdjusted } from '../../src/backtests/panel-cache.ts';
import { makePanel } from '../engine/panel-builder.ts';

const dates = Array.from({ length: 40 }, (_, d) => 20240102 + d);

describe('qfq adjustment', () => {
  it('divides each stock by its last factor, so the qfq price on the last day is the actual close', () => {
    // A: factor 1 then 2 from day 20 (a 10-for-10 bonus issue); B: factor 3 throughout.
    const p = makePanel(dates.slice(0, 25), [
      { code: '600000.SH', close: Array.from({ length: 25 }, (_, d) => (d < 20 ? 10 : 5)), adjFactor: Array.from({ length: 25 }, (_, d) => (d < 20 ? 1 : 2)) },
      { code: '000001.SZ', close: Array(25).fill(8), adjFactor: Array(25).fill(3) },
    ]);
    const q = forwardAdjusted(p);
    // Day 0: A's factor 1 / last factor 2 = 0.5 (qfq price 10 × 0.5 = 5); B: 3 / 3 = 1.
    expect(q.adjFactor[0]).toBe(0.5);
    expect(q.adjFactor[1]).toBe(1);
    const last = 24 * 2;
    expect(q.close[last] * q.adjFactor[last]).toBe(5);
    expect(q.close[last + 1] * q.adjFactor[last + 1]).toBe(8);
    // The source panel is left as it was (the cache may hold it for another mode).
    expect(p.adjFactor[0]).toBe(1);
  });

  it('gives the same fills and corporate actions as hfq for a scale-free strategy (dual MA)', () => {
    // A falls for 12 days, then rises (a golden cross: dual MA 3/10 buys before the split), splits
    // 2-for-1 on day 25 (factor 1 → 2, price halves) and keeps rising.
    const adjusted = dates.map((_, d) => (d < 12 ? 12 - d * 0.2 : 9.6 + (d - 12) * 0.3));
    const close = adjusted.map((v, d) => (d < 25 ? v : v / 2));
    const adjFactor = dates.map((_, d) => (d < 25 ? 1 : 2));
    const p = makePanel(dates, [{ code: '600000.SH', close, adjFactor }]);
    const params = { short_window: 3, long_window: 10, max_positions: 1 };
    const h = runBacktestSync({ panel: p, strategy: dualMa, params });
    const q = runBacktestSync({ panel: forwardAdjusted(p), strategy: dualMa, params });
    expect(h.fills.length).toBeGreaterThan(0);
    expect(h.corporateActions).toHaveLength(1);
    expect(q.fills).toEqual(h.fills);
    expect(q.corporateActions).toEqual(h.corporateActions);
    expect(Array.from(q.total)).toEqual(Array.from(h.total));
  });
});
