import { z } from 'zod';
import { defineStrategy } from '../strategy.ts';

export const momentumParams = z.object({
  lookback: z.number().int().min(1).default(20).describe('Momentum lookback: return over this many trading days'),
  top_n: z.number().int().min(1).default(5).describe('Hold the stocks with the strongest momentum, this many'),
  rebalance_days: z.number().int().min(1).default(5).describe('Rebalance every this many trading days'),
});

/** Cross-sectional momentum: every few days hold the top N by lookback return, equal weights (1% kept for costs). */
export const momentum = defineStrategy({
  name: 'momentum',
  description: 'Every N days holds the top stocks by past return, equally weighted',
  params: momentumParams,
  onDay(ctx) {
    const { lookback, top_n, rebalance_days } = ctx.params;
    const mom = ctx.momentum(lookback);
    if ((ctx.dayNumber - 1) % rebalance_days !== 0) return;
    const tradable = ctx.bars.tradable;
    const masked = new Float64Array(mom.length).fill(NaN);
    for (let i = 0; i < mom.length; i++) if (tradable[i] && mom[i] === mom[i]) masked[i] = mom[i];
    const r = ctx.rank(masked, true);
    const weights: Record<string, number> = {};
    for (let i = 0; i < r.length; i++) if (r[i] <= top_n) weights[ctx.codes[i]] = 0.99 / top_n;
    ctx.rebalance(weights);
  },
});
