import { z } from 'zod';
import { defineStrategy } from '../engine/strategy.ts';
import { buyIntoSlot, freeSlots } from './signals.ts';

export const dualMaParams = z.object({
  short_window: z.number().int().min(1).default(5).describe('Short moving average window, trading days'),
  long_window: z.number().int().min(2).default(20).describe('Long moving average window, trading days'),
  position_ratio: z.number().gt(0).max(1).default(0.8).describe('Share of portfolio value invested across all positions'),
  max_positions: z.number().int().min(1).default(10).describe('Most stocks held at once; each gets an equal slice'),
}).refine((p) => p.short_window < p.long_window, { message: 'short_window must be below long_window', path: ['short_window'] });

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
    const n = sNow.length;
    for (let i = 0; i < n; i++) {
      const a = sNow[i];
      const b = lNow[i];
      const pa = sPrev[i];
      const pb = lPrev[i];
      // Golden cross (up) or death cross (down); any NaN (not enough history) makes both 0. The
      // comparisons are combined as 0/1 numbers rather than with && so the loop has one rarely
      // taken branch instead of several unpredictable ones (half the cost of this loop was
      // mispredicted branches on which MA was above yesterday).
      const up = +(pa <= pb) & +(a > b);
      const down = +(pa >= pb) & +(a < b);
      if ((up | down) === 0) continue;
      if (up === 1) {
        if (slots > 0 && pf.sharesOf(i) === 0) slots = buyIntoSlot(ctx, i, slots, position_ratio, max_positions);
      } else if (pf.sharesOf(i) > 0) ctx.orderTarget(i, 0);
    }
  },
});
