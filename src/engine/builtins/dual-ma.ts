import { z } from 'zod';
import { TOLERANCE } from '../compare.ts';
import { defineStrategy } from '../strategy.ts';
import { buyIntoSlot, freeSlots } from './signals.ts';

export const dualMaParams = z.object({
  short_window: z.number().int().min(1).default(5).describe('Short moving average window, trading days'),
  long_window: z.number().int().min(2).default(20).describe('Long moving average window, trading days'),
  position_ratio: z.number().gt(0).max(1).default(0.8).describe('Share of portfolio value invested across all positions'),
  max_positions: z.number().int().min(1).default(10).describe('Most stocks held at once; each gets an equal slice'),
}).refine((p) => p.short_window < p.long_window, { message: 'short_window must be below long_window', path: ['short_window'] });

/** b · ABOVE and b · BELOW: b moved out by the comparison tolerance, for the hot loop below. */
const ABOVE = 1 + TOLERANCE;
const BELOW = 1 - TOLERANCE;

/**
 * Today's crossings into `events`, in stock order: i for a golden cross (short MA was at or below
 * the long one yesterday, above today), ~i for a death cross (at or above, then below); any NaN
 * (not enough history) is neither. Returns how many. The comparisons are the tolerant ones of
 * engine/compare.ts (ctx.crossedAbove / crossedBelow), written out inline: two averages within
 * TOLERANCE of the larger magnitude are equal, so a tie that the running sums turn into a 4e-15
 * difference is no crossing. Kept apart from onDay: this loop is the hot
 * one and touches only typed arrays, so its optimized code survives a new backtest's ctx (whose
 * fresh closures deoptimize onDay at first call).
 */
function crossings(sNow: Float64Array, lNow: Float64Array, sPrev: Float64Array, lPrev: Float64Array, events: Int32Array): number {
  let k = 0;
  const n = sNow.length;
  for (let i = 0; i < n; i++) {
    const a = sNow[i];
    const b = lNow[i];
    const pa = sPrev[i];
    const pb = lPrev[i];
    // The tolerant comparisons as one multiply each: for b ≥ 0 (averages of prices are), a > b·(1 + TOLERANCE) is
    // a − b > TOLERANCE·b, the compare.ts test with the long average's magnitude in place of max(|a|, |b|) — the
    // same decision except within TOLERANCE² of the price. NaN compares false, so no history is no event.
    // Combined as 0/1 numbers rather than with && so the loop has one rarely taken branch instead
    // of several unpredictable ones (half its cost was mispredicted branches on which MA was above).
    const up = +(pa <= pb * ABOVE) & +(a > b * ABOVE);
    const down = +(pa >= pb * BELOW) & +(a < b * BELOW);
    if ((up | down) === 0) continue;
    events[k++] = up === 1 ? i : ~i;
  }
  return k;
}

/** Dual moving average on adjusted closes: buy the golden cross, sell the death cross. */
export const dualMa = defineStrategy({
  name: 'dual_ma',
  description: 'Buys when the short SMA crosses above the long SMA, sells when it crosses below',
  params: dualMaParams,
  onDay(ctx) {
    const { short_window: s, long_window: l, position_ratio, max_positions } = ctx.params;
    const sNow = ctx.sma(s);
    const lNow = ctx.sma(l);
    const sPrev = ctx.sma(s, 1);
    const lPrev = ctx.sma(l, 1);
    const pf = ctx.portfolio;
    let slots = freeSlots(ctx, max_positions);
    let events = ctx.state.crossings as Int32Array | undefined;
    if (events === undefined || events.length !== sNow.length) events = ctx.state.crossings = new Int32Array(sNow.length);
    const count = crossings(sNow, lNow, sPrev, lPrev, events);
    for (let e = 0; e < count; e++) {
      const ev = events[e];
      if (ev >= 0) {
        if (slots > 0 && pf.sharesOf(ev) === 0) slots = buyIntoSlot(ctx, ev, slots, position_ratio, max_positions);
      } else if (pf.sharesOf(~ev) > 0) ctx.orderTarget(~ev, 0);
    }
  },
});
