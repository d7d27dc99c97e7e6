/** The framework template offered on the create page: a complete, runnable strategy to start from,
 * followed by a short reference of what `ctx` offers (src/engine/context.ts in full). */
export const strategyTemplate = `// A strategy is one defineStrategy({...}) call; \`z\` (zod) describes its parameters,
// and the parameter form on the backtest page is generated from that schema.
export default defineStrategy({
  name: 'my_strategy',
  description: 'Buys the strongest momentum stocks, rebalancing every N days',
  params: z.object({
    lookback: z.number().int().min(2).default(20).describe('Momentum window, trading days'),
    top: z.number().int().min(1).default(5).describe('How many stocks to hold'),
    every: z.number().int().min(1).default(5).describe('Rebalance every N trading days'),
  }),
  init(ctx) {
    ctx.log('starting with', ctx.portfolio.cash, 'CNY');
  },
  onDay(ctx) {
    const { lookback, top, every } = ctx.params;
    const mom = ctx.momentum(lookback);         // one value per stock; NaN without enough history
    if ((ctx.dayNumber - 1) % every !== 0) return; // indicators are incremental: call them every day
    const rank = ctx.rank(mom, true);           // 1 = strongest
    const weights = {};
    for (let i = 0; i < mom.length; i++) {
      if (ctx.bars.tradable[i] && rank[i] <= top) weights[ctx.codes[i]] = 0.95 / top;
    }
    ctx.rebalance(weights);                     // sells what is not in weights, buys to target
  },
});

// What ctx offers (one value per stock in panel order, index i ↔ ctx.codes[i]):
// - ctx.date (YYYYMMDD), ctx.dayNumber, ctx.codes, ctx.indexOf(code), ctx.params, ctx.state (kept between days)
// - ctx.bars.open/high/low/close/preClose/volume/amount/upLimit/downLimit/tradable/st: today's values
// - ctx.adjClose; ctx.history(field, window), ctx.series(field, code, window): the past, never the future
// - indicators on adjusted closes, today's or yesterday's (lag 1): ctx.sma(n), ctx.sma(n, 1), ctx.ema(n),
//   ctx.rsi(n), ctx.std(n), ctx.momentum(n), ctx.bollinger(n, k) → { mid, upper, lower }; ctx.rank(values)
// - comparing indicators: averages carry float noise (two equal SMAs can differ by 1e-15), so compare them
//   with the tolerant helpers, which treat values within 1e-12 of their size as equal (NaN: always false):
//     ctx.above(a, b), ctx.below(a, b)                       one stock: a > b / a < b beyond the noise
//     ctx.crossedAbove(a, b, aPrev, bPrev), ctx.crossedBelow(…)  a crossed b today (at or below yesterday,
//                                                            above today); with four numbers → true/false,
//                                                            with per-stock arrays → Uint8Array, 1 = crossed
//     e.g. golden crosses: const up = ctx.crossedAbove(ctx.sma(5), ctx.sma(20), ctx.sma(5, 1), ctx.sma(20, 1));
//          for (let i = 0; i < up.length; i++) if (up[i]) ctx.orderValue(i, 100000);
//     an argument may also be one number, a level for every stock: ctx.crossedBelow(ctx.rsi(14), 30, ctx.rsi(14, 1), 30)
// - ctx.field('pe_ttm' | 'pb' | 'turnover_rate' …): daily-basic fields
// - ctx.portfolio (cash, value, count, shares(), position(code)…); orders: ctx.order(code, shares),
//   ctx.orderValue, ctx.orderTarget, ctx.orderTargetValue, ctx.orderTargetPercent, ctx.rebalance(weights),
//   ctx.cancel(id), ctx.openOrders(); ctx.log(...) or console.log(...)
// Orders fill at the next day's open under A-share rules: lots of 100 (STAR ≥ 200, Beijing ≥ 100, then
// steps of 1), T+1, price limits, suspensions, commission, stamp duty and transfer fee by date.
`;
