import { z } from 'zod';
import { crossedAbove, crossedBelow } from '../compare.ts';
import { defineStrategy } from '../strategy.ts';
import { buyIntoSlot, freeSlots } from './signals.ts';

export const simpleMaParams = z.object({
  window: z.number().int().min(2).default(20).describe('Moving average window, trading days'),
  position_ratio: z.number().gt(0).max(1).default(0.8).describe('Share of portfolio value invested across all positions'),
  max_positions: z.number().int().min(1).default(10).describe('Most stocks held at once; each gets an equal slice'),
});

/** Price against its moving average: buy when the adjusted close crosses above, sell when below
 * (tolerant crossings, engine/compare.ts: a close equal to its SMA but for float noise is a tie). */
export const simpleMa = defineStrategy({
  name: 'simple_ma',
  description: 'Buys when the price crosses above its SMA, sells when it crosses below',
  params: simpleMaParams,
  onDay(ctx) {
    const { window, position_ratio, max_positions } = ctx.params;
    const ma = ctx.sma(window);
    const maPrev = ctx.sma(window, 1);
    const px = ctx.adjClose;
    const prev = ctx.history('adjClose', 2);
    const n = ma.length;
    const shares = ctx.portfolio.shares();
    let slots = freeSlots(ctx, max_positions);
    for (let i = 0; i < n; i++) {
      const p0 = prev[i];
      if (crossedAbove(px[i], ma[i], p0, maPrev[i])) {
        if (shares[i] === 0) slots = buyIntoSlot(ctx, i, slots, position_ratio, max_positions);
      } else if (crossedBelow(px[i], ma[i], p0, maPrev[i]) && shares[i] > 0) ctx.orderTarget(i, 0);
    }
  },
});
