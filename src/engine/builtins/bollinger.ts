import { z } from 'zod';
import { above, below } from '../compare.ts';
import { defineStrategy } from '../strategy.ts';
import { buyIntoSlot, freeSlots } from './signals.ts';

export const bollingerParams = z.object({
  window: z.number().int().min(2).default(20).describe('Band window, trading days'),
  num_std: z.number().gt(0).default(2.0).describe('Band width in standard deviations'),
  position_ratio: z.number().gt(0).max(1).default(0.8).describe('Share of portfolio value invested across all positions'),
  max_positions: z.number().int().min(1).default(10).describe('Most stocks held at once'),
});

/** Bollinger bands: buy a close below the lower band, sell a close above the upper band (tolerant
 * comparisons, engine/compare.ts: in a flat window the bands equal the price but for float noise). */
export const bollinger = defineStrategy({
  name: 'bollinger',
  description: 'Buys below the lower Bollinger band, sells above the upper band',
  params: bollingerParams,
  onDay(ctx) {
    const { window, num_std, position_ratio, max_positions } = ctx.params;
    const { upper, lower } = ctx.bollinger(window, num_std);
    const px = ctx.adjClose;
    const shares = ctx.portfolio.shares();
    let slots = freeSlots(ctx, max_positions);
    for (let i = 0; i < px.length; i++) {
      if (!(lower[i] === lower[i])) continue;
      if (below(px[i], lower[i])) {
        if (shares[i] === 0) slots = buyIntoSlot(ctx, i, slots, position_ratio, max_positions);
      } else if (above(px[i], upper[i]) && shares[i] > 0) ctx.orderTarget(i, 0);
    }
  },
});
