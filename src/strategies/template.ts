/** The framework template offered on the create page: a complete, runnable strategy to start from. */
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
`;
