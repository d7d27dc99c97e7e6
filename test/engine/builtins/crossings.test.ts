// Crossings decided with the tolerant comparisons (engine/compare.ts): an exact tie between two
// averages, which the SMA's running sums turn into a ~4e-15 difference, is not a crossing; a real
// difference of a fraction of a fen is. Expected numbers come from integer arithmetic in fen
// (1 fen = 0.01 CNY), never from the engine.
import { describe, expect, it } from 'vitest';
import { runBacktestSync } from '../../../src/engine/engine.ts';
import { above, below, crossedAbove, crossedBelow, TOLERANCE } from '../../../src/engine/compare.ts';
import { defineStrategy } from '../../../src/engine/strategy.ts';
import { rank } from '../../../src/engine/rank.ts';
import { dualMa } from '../../../src/engine/builtins/dual-ma.ts';
import { builtinStrategies } from '../../../src/engine/builtins/registry.ts';
import { makePanel, tradingDates } from '../panel-builder.ts';

// Closes in fen, days 0..21.
const tie = [998, 1001, 1003, 1003, 1003, 997, 999, 997, 1000, 1003, 1000, 1000, 1002, 1000, 1003, 998, 997, 1000, 997, 1003, 1006, 1006];
// The same but day 20 closes 1 fen higher (1007).
const oneFen = tie.map((v, d) => (d === 20 ? 1007 : v));
const dates = tradingDates('2024-01-02', 22);
const dualMa520 = (fen: number[]) =>
  runBacktestSync({ panel: makePanel(dates, [{ code: '600000.SH', close: fen.map((v) => v / 100) }]), strategy: dualMa, params: { short_window: 5, long_window: 20 } });

describe('dual_ma on an exact tie of its averages', () => {
  // SMA5 − SMA20 = S5/5 − S20/20 = (4·S5 − S20)/20 fen, with S5, S20 the sums of the last 5 / 20 closes in fen:
  //   day 19: S5 = 998+997+1000+997+1003 = 4,995, S20 = 20,004 (days 0..19): (19,980 − 20,004)/20 = −24/20 fen (below)
  //   day 20: S5 = 997+1000+997+1003+1006 = 5,003, S20 = 20,012 (days 1..20): (20,012 − 20,012)/20 = 0 (a tie: 10.006 CNY both)
  //   day 21: S5 = 1000+997+1003+1006+1006 = 5,012, S20 = 20,017 (days 2..21): (20,048 − 20,017)/20 = +31/20 fen (above)
  it('the engine\'s running sums do not give the tie exactly (the noise this guards against)', () => {
    let seen: [number, number] | null = null;
    const probe = defineStrategy<Record<string, unknown>>({
      name: 'probe',
      params: { parse: () => ({}) },
      onDay(ctx) {
        if (ctx.dayNumber === 21) seen = [ctx.sma(5)[0], ctx.sma(20)[0]];
      },
    });
    runBacktestSync({ panel: makePanel(dates, [{ code: '600000.SH', close: tie.map((v) => v / 100) }]), strategy: probe });
    const [s5, s20] = seen!;
    // Exactly 10.006 both in decimals; in floats they differ (10.006000000000004 vs 10.006 when written), by far
    // less than the tolerance, so neither is above the other.
    expect(Math.abs(s5 - s20)).toBeLessThan(1e-13);
    expect(above(s5, s20) || below(s5, s20)).toBe(false);
  });

  it('does not buy on the tie (day 20); the rise after it (day 21) is a crossing, too late to fill', () => {
    const r = dualMa520(tie);
    // Strict `>` bought on day 20 and filled on day 21. Now: no order on day 20; day 21 is below-or-equal
    // yesterday (the tie) and above today, a golden cross; its order waits for day 22, which the panel lacks.
    expect(r.fills).toEqual([]);
    expect(r.orders.map((o) => [o.placedDate, o.status, o.reason])).toEqual([[dates[21], 'expired', 'end_of_backtest']]);
  });

  it('buys a real difference of a fraction of a fen (day 20 one fen higher)', () => {
    // Day 20: S5 = 5,004, S20 = 20,013: (20,016 − 20,013)/20 = +3/20 fen above after −24/20 below → golden cross,
    // filled at day 21's open (= close) 10.06 with min(cash, 1,000,000 × 0.8 / 10) = 80,000: 80,000 / 10.06 = 7,952 → 7,900.
    const r = dualMa520(oneFen);
    expect(r.fills.map((f) => [f.date, f.side, f.shares, f.price])).toEqual([[dates[21], 'buy', 7900, 10.06]]);
  });
});

describe('tolerant comparisons', () => {
  it('treat values within 1e-12 of their magnitude as equal, and NaN as nothing', () => {
    expect(TOLERANCE).toBe(1e-12);
    expect(above(10.006000000000004, 10.006)).toBe(false);
    expect(above(10.0061, 10.006)).toBe(true); // a 0.01-fen difference is 1e-5 relative
    expect(below(10.006, 10.0061)).toBe(true);
    expect(above(NaN, 1) || below(NaN, 1) || above(1, NaN)).toBe(false);
    // Crossing: at or below yesterday (a tie counts), above today; a tie today is no crossing.
    expect(crossedAbove(10.01, 10, 10.006000000000004, 10.006)).toBe(true);
    expect(crossedAbove(10.006000000000004, 10.006, 9.99, 10)).toBe(false);
    expect(crossedBelow(9.99, 10, 10, 10.000000000000002)).toBe(true);
    expect(crossedAbove(10.01, 10, NaN, 10)).toBe(false);
  });

  it('rank counts values equal but for float noise as ties', () => {
    // 0.1 + 0.2 = 0.30000000000000004 and 0.3: the same value, ranks 1.5 and 1.5.
    expect(Array.from(rank([0.1 + 0.2, 0.3, 0.5]))).toEqual([1.5, 1.5, 3]);
  });
});

describe('built-ins on ties', () => {
  const run = (name: keyof typeof builtinStrategies, fen: number[], params: Record<string, unknown>) => {
    const d = tradingDates('2024-01-02', fen.length);
    const r = runBacktestSync({ panel: makePanel(d, [{ code: '600000.SH', close: fen.map((v) => v / 100) }]), strategy: builtinStrategies[name] as never, params });
    return r.fills.map((f) => [d.indexOf(f.date), f.side, f.shares, f.price]);
  };

  it('simple_ma: a close equal to its SMA is neither above nor below it', () => {
    // SMA3 in fen (sum of the last 3 closes / 3) against the close, days 2..7:
    //   day 2: 1003+997+1001 = 3001 → 1000.33, close 1001 above
    //   day 3: 997+1001+998 = 2996 → 998.67, close 998 below: death cross, nothing held
    //   day 4: 1001+998+1001 = 3000 → 1000, close 1001 above: golden cross → buy at day 5's 9.99:
    //          500,000 / 9.99 = 50,050 → 50,000 shares
    //   day 5: 998+1001+999 = 2998 → 999.33, close 999 below: death cross → sell at day 6's 10.00
    //   day 6: 1001+999+1000 = 3000 → 1000, close 1000: a TIE (the running sum gives 9.999999999999998, so a
    //          strict `>` bought here and filled at day 7's 10.01)
    //   day 7: 999+1000+1001 = 3000 → 1000, close 1001 above after the tie: a crossing, on the last day (no fill).
    expect(run('simple_ma', [1003, 997, 1001, 998, 1001, 999, 1000, 1001], { window: 3, position_ratio: 0.5, max_positions: 1 })).toEqual([
      [5, 'buy', 50_000, 9.99],
      [6, 'sell', 50_000, 10],
    ]);
  });

  it('bollinger and mean_reversion: a flat window (std 0, mean = price up to float noise) never trades', () => {
    // 6 days at 9.97 then 12 at 10.06: after the jump, every 5-day window from day 10 on is flat at 10.06, mean and
    // bands exactly 10.06; the running sum leaves the lower band at 10.060000000000002, so a strict `<` bought.
    // The jump itself (day 6) is above the upper band: a sell signal with nothing held.
    const flat = [...Array(6).fill(997), ...Array(12).fill(1006)];
    expect(run('bollinger', flat, { window: 5, num_std: 0.5 })).toEqual([]);
    expect(run('mean_reversion', flat, { window: 5, z_threshold: 0.5 })).toEqual([]);
  });

  it('grid: a price on a grid line reaches it though the line comes out a hair above', () => {
    // Step 10 %, one stock, slice 1,000,000 / 4 = 250,000. Anchor 6.00 on d0; d1 5.40 = 6.00 × 0.9 → buy at d2's 5.40:
    // 250,000 / 5.40 = 46,296 → 46,200, anchor 5.40; d2 nothing; d3 5.94 = 5.40 × 1.1 exactly in decimals, but the
    // float line is 5.940000000000001 (a strict `>=` never sold) → sell the 46,200 at d4's 5.94.
    expect(run('grid', [600, 540, 540, 594, 594], { grid_step: 0.1, grid_levels: 4, max_stocks: 1 })).toEqual([
      [2, 'buy', 46_200, 5.4],
      [4, 'sell', 46_200, 5.94],
    ]);
  });
});
