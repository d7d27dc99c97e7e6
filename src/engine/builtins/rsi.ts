import { z } from 'zod';
import { above, below } from '../compare.ts';
import { defineStrategy } from '../strategy.ts';
import { buyIntoSlot, freeSlots } from './signals.ts';

export const rsiParams = z.object({
  period: z.number().int().min(2).default(14).describe('RSI period (Wilder smoothing), trading days'),
  oversold: z.number().min(0).max(100).default(30).describe('Buy when RSI falls below this'),
  overbought: z.number().min(0).max(100).default(70).describe('Sell when RSI rises above this'),
  position_ratio: z.number().gt(0).max(1).default(0.8).describe('Share of portfolio value invested across all positions'),
  max_positions: z.number().int().min(1).default(10).describe('Most stocks held at once'),
}).refine((p) => p.oversold < p.overbought, { message: 'oversold must be below overbought', path: ['oversold'] });

/** RSI (Wilder): buy oversold, sell overbought (tolerant comparisons with the levels, engine/compare.ts). */
export const rsi = defineStrategy({
  name: 'rsi',
  description: 'Buys when RSI is oversold, sells when overbought',
  params: rsiParams,
  onDay(ctx) {
    const { period, oversold, overbought, position_ratio, max_positions } = ctx.params;
    const r = ctx.rsi(period);
    const shares = ctx.portfolio.shares();
    let slots = freeSlots(ctx, max_positions);
    for (let i = 0; i < r.length; i++) {
      if (below(r[i], oversold)) {
        if (shares[i] === 0) slots = buyIntoSlot(ctx, i, slots, position_ratio, max_positions);
      } else if (above(r[i], overbought) && shares[i] > 0) ctx.orderTarget(i, 0);
    }
  },
});
