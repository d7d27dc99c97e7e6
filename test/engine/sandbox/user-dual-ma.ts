// The dual-MA strategy written as user code (JavaScript source run in the isolate), identical in
// logic to src/engine/builtins/dual-ma.ts: shared by the sandbox test and the benchmark.
export const userDualMaSource = `
const ABOVE = 1 + 1e-12, BELOW = 1 - 1e-12;
export default defineStrategy({
  name: 'user_dual_ma',
  params: z.object({
    short_window: z.number().int().default(5),
    long_window: z.number().int().default(20),
    position_ratio: z.number().default(0.8),
    max_positions: z.number().int().default(10),
  }),
  onDay(ctx) {
    const { short_window: s, long_window: l, position_ratio, max_positions } = ctx.params;
    const sNow = ctx.sma(s), lNow = ctx.sma(l), sPrev = ctx.sma(s, 1), lPrev = ctx.sma(l, 1);
    const pf = ctx.portfolio;
    let slots = max_positions - ctx.portfolio.count;
    for (let i = 0; i < sNow.length; i++) {
      const a = sNow[i], b = lNow[i], pa = sPrev[i], pb = lPrev[i];
      if (!(pa <= pb) && !(pa >= pb)) continue;
      // The built-in's tolerant comparisons (averages within 1e-12 of each other are equal), as it writes them.
      if (pa <= pb * ABOVE && a > b * ABOVE) {
        if (slots > 0 && pf.sharesOf(i) === 0) {
          const budget = Math.min(ctx.portfolio.cash, ctx.portfolio.value * position_ratio / max_positions);
          if (budget > 0) { ctx.orderValue(i, budget); slots--; }
        }
      } else if (pa >= pb * BELOW && a < b * BELOW && pf.sharesOf(i) > 0) ctx.orderTarget(i, 0);
    }
  },
});
`;
