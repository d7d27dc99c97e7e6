import { z } from 'zod';
import { defineStrategy } from '../strategy.ts';

export const turnoverParams = z.object({
  min_turnover: z.number().min(0).default(1).describe('Minimum daily turnover rate, percent'),
  max_turnover: z.number().gt(0).default(10).describe('Maximum daily turnover rate, percent'),
  top_n: z.number().int().min(1).default(10).describe('Hold this many stocks with the highest turnover inside the band'),
  rebalance_days: z.number().int().min(1).default(5).describe('Rebalance every this many trading days'),
});

/** Turnover rate: hold the most actively traded stocks inside a turnover band (daily-basic turnover_rate). */
export const turnover = defineStrategy({
  name: 'turnover_rate',
  description: 'Holds the most traded stocks within a turnover-rate band, rebalanced periodically',
  params: turnoverParams,
  fields: ['turnover_rate'],
  onDay(ctx) {
    const { min_turnover, max_turnover, top_n, rebalance_days } = ctx.params;
    if ((ctx.dayNumber - 1) % rebalance_days !== 0) return;
    const tr = ctx.field('turnover_rate');
    const tradable = ctx.bars.tradable;
    const m = new Float64Array(tr.length).fill(NaN);
    for (let i = 0; i < tr.length; i++) if (tradable[i] && tr[i] >= min_turnover && tr[i] <= max_turnover) m[i] = tr[i];
    const r = ctx.rank(m, true);
    const weights: Record<string, number> = {};
    for (let i = 0; i < r.length; i++) if (r[i] <= top_n) weights[ctx.codes[i]] = 0.99 / top_n;
    ctx.rebalance(weights);
  },
});
