/** A user strategy for export and result-page tests (not a test file: shared source). */

/** Value orders (CNY amounts) that overspend on purpose, so some do not fill or fill in part; sells by target. */
export const valueOrdersSource = `
export default defineStrategy({
  name: 'value_orders',
  params: z.object({ n: z.number().int().default(10) }),
  onDay(ctx) {
    const m = ctx.sma(ctx.params.n);
    for (let i = 0; i < m.length; i++) {
      if (ctx.bars.close[i] > m[i] && ctx.portfolio.sharesOf(i) === 0 && ctx.portfolio.count < 6) ctx.orderValue(i, ctx.portfolio.value * 0.2 + 0.123456);
      else if (ctx.bars.close[i] < m[i] && ctx.portfolio.sharesOf(i) > 0) ctx.orderTarget(i, 0);
    }
  },
});`;
