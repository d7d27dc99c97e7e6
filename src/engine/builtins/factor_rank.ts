import { z } from 'zod';
import { defineStrategy } from '../strategy.ts';

export const factorRankParams = z
  .object({
    factor: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, 'factor: a stored factor id, e.g. momentum_20, ep or u12v3')
      .default('momentum_20')
      .describe('The stored factor to rank by (see /factors; compute it over the backtest period first)'),
    direction: z.enum(['top', 'bottom']).default('top').describe('top: hold the highest values; bottom: the lowest'),
    top_n: z.number().int().min(1).max(1000).default(10).describe('Hold this many stocks (unless quantile is given)'),
    quantile: z.number().min(0).max(1).default(0).describe('Hold this fraction of the stocks with a value instead of top_n (0.2: a quintile), at least one; 0: hold top_n'),
    rebalance_days: z.number().int().min(1).default(20).describe('Rebalance every this many trading days'),
  })
  .strict();

/**
 * Holds the top (or bottom) N stocks — or a quantile — of a stored factor, equal weights (1% kept for
 * costs), rebalanced every K trading days. Among today's tradable stocks with a value; ties broken by
 * panel column (code order), so the choice is deterministic. Lots, T+1, limits and suspensions are the
 * engine's rules (a locked or suspended stock is not bought or sold that day).
 */
export const factorRank = defineStrategy({
  name: 'factor_rank',
  description: 'Holds the top or bottom N (or a quantile) of a stored factor, rebalanced every K days',
  params: factorRankParams,
  factorsOf: (p) => [p.factor],
  onDay(ctx) {
    const { factor, direction, top_n, quantile, rebalance_days } = ctx.params;
    if ((ctx.dayNumber - 1) % rebalance_days !== 0) return;
    const values = ctx.factor(factor);
    const tradable = ctx.bars.tradable;
    const candidates: number[] = [];
    for (let i = 0; i < values.length; i++) if (tradable[i] && Number.isFinite(values[i])) candidates.push(i);
    const sign = direction === 'top' ? -1 : 1;
    candidates.sort((a, b) => sign * (values[a] - values[b]) || a - b);
    const k = quantile > 0 ? Math.max(1, Math.floor(quantile * candidates.length)) : Math.min(top_n, candidates.length);
    const weights: Record<string, number> = {};
    for (let j = 0; j < k && j < candidates.length; j++) weights[ctx.codes[candidates[j]]] = 0.99 / k;
    ctx.rebalance(weights);
  },
});
