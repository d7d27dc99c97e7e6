import { z } from 'zod';
import { above, below } from '../compare.ts';
import { defineStrategy } from '../strategy.ts';
import { buyIntoSlot, freeSlots } from './signals.ts';

export const meanReversionParams = z.object({
  window: z.number().int().min(2).default(20).describe('Window of the mean and standard deviation, trading days'),
  z_threshold: z.number().gt(0).default(2.0).describe('Buy below −z, sell above +z (z = (price − mean) / std)'),
  position_ratio: z.number().gt(0).max(1).default(0.8).describe('Share of portfolio value invested across all positions'),
  max_positions: z.number().int().min(1).default(10).describe('Most stocks held at once'),
});

/** Z-score mean reversion on adjusted closes: z < −threshold is the price below mean − threshold·std,
 * compared in price terms with the tolerant comparisons of engine/compare.ts (in a flat window the
 * running-sum mean differs from the price by ~1e-15 and the std is as small: their ratio, the z-score,
 * would be noise of any size). */
export const meanReversion = defineStrategy({
  name: 'mean_reversion',
  description: 'Buys when the price is z standard deviations below its mean, sells when z above',
  params: meanReversionParams,
  onDay(ctx) {
    const { window, z_threshold, position_ratio, max_positions } = ctx.params;
    const mean = ctx.sma(window);
    const sd = ctx.std(window);
    const px = ctx.adjClose;
    const shares = ctx.portfolio.shares();
    let slots = freeSlots(ctx, max_positions);
    for (let i = 0; i < px.length; i++) {
      if (!(sd[i] > 0)) continue;
      const band = z_threshold * sd[i];
      if (below(px[i], mean[i] - band)) {
        if (shares[i] === 0) slots = buyIntoSlot(ctx, i, slots, position_ratio, max_positions);
      } else if (above(px[i], mean[i] + band) && shares[i] > 0) ctx.orderTarget(i, 0);
    }
  },
});
