import { z } from 'zod';
import { atOrAbove, atOrBelow } from '../compare.ts';
import { defineStrategy } from '../strategy.ts';

export const gridParams = z.object({
  grid_step: z.number().gt(0).lt(1).default(0.05).describe('Distance between grid lines, as a fraction of price'),
  grid_levels: z.number().int().min(1).default(10).describe('Grid levels per stock; each level buys one equal slice'),
  max_stocks: z.number().int().min(1).default(10).describe('Stocks traded (the first ones of the universe)'),
});

/** Grid trading: per stock, buy one slice each time the price falls a step below the last grid
 * price, sell one slice each time it rises a step above; at most `grid_levels` slices held. A price on
 * a grid line reaches it (tolerant comparisons, engine/compare.ts: the line 10.10 × 1.1 is 11.110000000000001, which a close of 11.11 must reach). */
export const grid = defineStrategy({
  name: 'grid',
  description: 'Buys a slice every step down and sells a slice every step up, per stock',
  params: gridParams,
  init(ctx) {
    const n = Math.min(ctx.codes.length, ctx.params.max_stocks);
    ctx.state.anchor = new Float64Array(n).fill(NaN);
    ctx.state.level = new Int32Array(n);
    ctx.state.slice = ctx.portfolio.value / (n * ctx.params.grid_levels);
  },
  onDay(ctx) {
    const { grid_step, grid_levels } = ctx.params;
    const anchor = ctx.state.anchor as Float64Array;
    const level = ctx.state.level as Int32Array;
    const slice = ctx.state.slice as number;
    const px = ctx.bars.close;
    const tradable = ctx.bars.tradable;
    for (let i = 0; i < anchor.length; i++) {
      if (!tradable[i]) continue;
      const p = px[i];
      if (!(anchor[i] === anchor[i])) {
        anchor[i] = p;
        continue;
      }
      if (atOrBelow(p, anchor[i] * (1 - grid_step)) && level[i] < grid_levels) {
        ctx.orderValue(i, slice);
        level[i]++;
        anchor[i] = p;
      } else if (atOrAbove(p, anchor[i] * (1 + grid_step)) && level[i] > 0) {
        const pos = ctx.portfolio.position(i);
        if (pos) ctx.order(i, -Math.min(pos.sellable, Math.ceil(pos.shares / level[i])));
        level[i]--;
        anchor[i] = p;
      }
    }
  },
});
