import { z } from 'zod';
import { defineStrategy } from '../strategy.ts';

export const valueParams = z.object({
  max_pe: z.number().gt(0).default(30).describe('Only stocks with 0 < PE (TTM) at or below this'),
  max_pb: z.number().gt(0).default(3).describe('Only stocks with 0 < PB at or below this'),
  top_n: z.number().int().min(1).default(10).describe('Hold this many of the cheapest (by PE rank + PB rank)'),
  rebalance_days: z.number().int().min(1).default(20).describe('Rebalance every this many trading days'),
});

/** PE/PB value: hold the cheapest stocks by the sum of their PE and PB ranks, equal weights. Needs daily-basic pe_ttm and pb. */
export const value = defineStrategy({
  name: 'pe_pb_value',
  description: 'Holds the cheapest stocks by PE and PB, rebalanced periodically',
  params: valueParams,
  fields: ['pe_ttm', 'pb'],
  onDay(ctx) {
    const { max_pe, max_pb, top_n, rebalance_days } = ctx.params;
    if ((ctx.dayNumber - 1) % rebalance_days !== 0) return;
    const pe = ctx.field('pe_ttm');
    const pb = ctx.field('pb');
    const tradable = ctx.bars.tradable;
    const pem = new Float64Array(pe.length).fill(NaN);
    const pbm = new Float64Array(pe.length).fill(NaN);
    for (let i = 0; i < pe.length; i++) {
      if (tradable[i] && pe[i] > 0 && pe[i] <= max_pe && pb[i] > 0 && pb[i] <= max_pb) {
        pem[i] = pe[i];
        pbm[i] = pb[i];
      }
    }
    const rp = ctx.rank(pem);
    const rb = ctx.rank(pbm);
    const score = new Float64Array(pe.length);
    for (let i = 0; i < pe.length; i++) score[i] = rp[i] + rb[i];
    const r = ctx.rank(score);
    const weights: Record<string, number> = {};
    for (let i = 0; i < r.length; i++) if (r[i] <= top_n) weights[ctx.codes[i]] = 0.99 / top_n;
    ctx.rebalance(weights);
  },
});
