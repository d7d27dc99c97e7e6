import { describe, expect, it } from 'vitest';
import { runBacktestSync } from '../../../src/engine/engine.ts';
import { builtinParamsJsonSchema, builtinStrategies } from '../../../src/engine/builtins/registry.ts';
import { backtestMetrics } from '../../../src/engine/metrics/backtest-metrics.ts';
import { makePanel, tradingDates, type StockSpec } from '../panel-builder.ts';
import { syntheticPanel } from '../synthetic-panel.ts';

const { panel, benchmark } = syntheticPanel({ stocks: 60, days: 300, seed: 7, fields: true });

describe('built-in strategies', () => {
  it('carry the original defaults', () => {
    expect(builtinStrategies.dual_ma.params.parse({})).toEqual({ short_window: 5, long_window: 20, position_ratio: 0.8, max_positions: 10 });
    expect(builtinStrategies.momentum.params.parse({})).toEqual({ lookback: 20, top_n: 5, rebalance_days: 5 });
    expect(builtinStrategies.mean_reversion.params.parse({})).toMatchObject({ window: 20, z_threshold: 2 });
    expect(builtinStrategies.bollinger.params.parse({})).toMatchObject({ window: 20, num_std: 2 });
    expect(builtinStrategies.rsi.params.parse({})).toMatchObject({ period: 14, oversold: 30, overbought: 70 });
    expect(builtinStrategies.grid.params.parse({})).toMatchObject({ grid_step: 0.05, grid_levels: 10 });
    expect(() => builtinStrategies.dual_ma.params.parse({ short_window: 30 })).toThrow(/short_window must be below long_window/);
  });

  it('describe every parameter in a JSON Schema for the create page', () => {
    for (const name of Object.keys(builtinStrategies)) {
      const s = builtinParamsJsonSchema(name) as { properties: Record<string, { description?: string; default?: unknown }> };
      for (const [key, prop] of Object.entries(s.properties)) {
        expect(prop.description, `${name}.${key}`).toBeTruthy();
        expect(prop.default, `${name}.${key}`).toBeDefined();
      }
    }
  });

  for (const [name, strategy] of Object.entries(builtinStrategies)) {
    it(`${name} runs a year of a 60-stock market, trades, and keeps NAV = cash + positions`, () => {
      const r = runBacktestSync({ panel, benchmark, strategy });
      expect(r.total.length).toBe(300);
      expect(r.fills.length).toBeGreaterThan(0);
      for (let j = 0; j < r.total.length; j++) expect(r.total[j]).toBeCloseTo(r.cash[j] + r.marketValue[j], 6);
      expect(Math.min(...r.cash)).toBeGreaterThanOrEqual(-1e-6);
      const m = backtestMetrics(r, 1_000_000);
      expect(m.beta).not.toBeNull();
    });
  }

  // The trading logic of every built-in on hand-made markets where the right trades are known. Orders placed on day d
  // fill at day d+1's open (next_open, the default); the panel builder sets open = close, so a fill
  // takes the next day's close price. 1,000,000 cash; position_ratio 0.5 with max_positions 1 makes a
  // buy's budget 500,000, and a buy takes whole lots of 100 (main board). `d[k]` is day k (0-based).
  describe('trade exactly as their rules say', () => {
    const d = tradingDates('2024-01-02', 10);
    const stock = (code: string, close: number[]): StockSpec => ({ code, close });
    const trades = (name: keyof typeof builtinStrategies, stocks: StockSpec[], params: Record<string, unknown>) => {
      const r = runBacktestSync({ panel: makePanel(d.slice(0, stocks[0].close.length), stocks), strategy: builtinStrategies[name] as never, params });
      return r.fills.map((f) => [f.date, f.code, f.side, f.shares, f.price]);
    };
    const slice = { position_ratio: 0.5, max_positions: 1 };
    const flat = (n: number) => Array.from({ length: n }, () => 10);

    it('cover every built-in (a new one needs its hand-made market here)', () => {
      expect(Object.keys(builtinStrategies).sort()).toEqual(['bollinger', 'dual_ma', 'factor_rank', 'grid', 'mean_reversion', 'momentum', 'pe_pb_value', 'rsi', 'simple_ma', 'turnover_rate']);
    });

    it('factor_rank holds the top (or bottom) of the stored factor, rebalancing every K days', () => {
      // The factor as the plan loads it (field factor:<id>). d0: A 3, B 2, C 1 → top 1 is A (bought at d1's
      // open); d2 (rebalance_days 2): A 1, B 3, C 2 → sell A, buy B at d3 (sells before buys). Bottom 1: C
      // on d0, then A on d2. Odd days' values would pick others: they are not rebalance days.
      const f = (vals: number[]) => ({ 'factor:value_x': vals });
      const stocks = [
        { code: '600000.SH', close: [100, 100, 100, 100], fields: f([3, 9, 1, 9]) },
        { code: '600001.SH', close: [100, 100, 100, 100], fields: f([2, 0, 3, 0]) },
        { code: '600002.SH', close: [100, 100, 100, 100], fields: f([1, 0, 2, 0]) },
      ];
      const sides = (params: Record<string, unknown>) => trades('factor_rank', stocks, { factor: 'value_x', top_n: 1, rebalance_days: 2, ...params }).map((t) => t.slice(0, 3));
      expect(sides({})).toEqual([[d[1], '600000.SH', 'buy'], [d[3], '600000.SH', 'sell'], [d[3], '600001.SH', 'buy']]);
      expect(sides({ direction: 'bottom' })).toEqual([[d[1], '600002.SH', 'buy'], [d[3], '600002.SH', 'sell'], [d[3], '600000.SH', 'buy']]);
      // A quantile of 2/3 of three stocks holds two: A and B on d0.
      expect(sides({ quantile: 0.67 }).filter((t) => t[0] === d[1]).map((t) => t[1]).sort()).toEqual(['600000.SH', '600001.SH']);
    });

    it('dual_ma buys the golden cross and sells the death cross', () => {
      // SMA2 vs SMA3 of 10,10,10,10,11,12,12,9,8.5,8.5: equal (10 = 10) up to d3; on d4 SMA2 10.5 > SMA3 10.33
      // (golden cross) → buy at d5's 12: 500,000 / 12 = 41,666 → 41,600. On d7 SMA2 10.5 < SMA3 11 after
      // 12 ≥ 11.67 on d6 (death cross) → sell all at d8's 8.5 (within the −10 % limit of 9; at 8 the sale
      // would be locked). After that both stay below: no event. The flat stock never crosses (SMA2 = SMA3).
      expect(trades('dual_ma', [stock('600000.SH', [10, 10, 10, 10, 11, 12, 12, 9, 8.5, 8.5]), stock('600001.SH', flat(10))], { short_window: 2, long_window: 3, ...slice })).toEqual([
        [d[5], '600000.SH', 'buy', 41_600, 12],
        [d[8], '600000.SH', 'sell', 41_600, 8.5],
      ]);
    });

    it('simple_ma buys a close crossing above its SMA and sells one crossing below', () => {
      // SMA3 of 10,10,10,10,12,12,12,9,9,9: on d4 the close 12 > SMA 10.67 after 10 ≤ 10 → buy at d5's 12
      // (41,600 shares); on d7 the close 9 < SMA 11 after 12 ≥ 12 → sell at d8's 9.
      expect(trades('simple_ma', [stock('600000.SH', [10, 10, 10, 10, 12, 12, 12, 9, 9, 9])], { window: 3, ...slice })).toEqual([
        [d[5], '600000.SH', 'buy', 41_600, 12],
        [d[8], '600000.SH', 'sell', 41_600, 9],
      ]);
    });

    it('mean_reversion buys below −z and sells above +z', () => {
      // Window 3: on d4 (10,10,7) mean 9, sd ≥ 1.41 and ≤ 1.73 (population or sample), z ≤ −1.15 < −1 → buy at
      // d5's 7: 500,000 / 7 = 71,428 → 71,400. d5 (10,7,7) z > −1 and d6 (7,7,7) sd 0: nothing. On d7
      // (7,7,10) mean 8, z ≥ 1.15 > 1 → sell at d8's 10.
      expect(trades('mean_reversion', [stock('600000.SH', [10, 10, 10, 10, 7, 7, 7, 10, 10])], { window: 3, z_threshold: 1, ...slice })).toEqual([
        [d[5], '600000.SH', 'buy', 71_400, 7],
        [d[8], '600000.SH', 'sell', 71_400, 10],
      ]);
    });

    it('bollinger buys below the lower band and sells above the upper band', () => {
      // Same prices, bands mean ± 1 sd over 3 days: d4 close 7 < lower 9 − sd (≤ 7.59) → buy at d5's 7
      // (71,400); d7 close 10 > upper 8 + sd (≤ 9.74) → sell at d8's 10. Flat windows have sd 0: no band crossed.
      expect(trades('bollinger', [stock('600000.SH', [10, 10, 10, 10, 7, 7, 7, 10, 10])], { window: 3, num_std: 1, ...slice })).toEqual([
        [d[5], '600000.SH', 'buy', 71_400, 7],
        [d[8], '600000.SH', 'sell', 71_400, 10],
      ]);
    });

    it('rsi buys oversold and sells overbought', () => {
      // RSI(2) of 10,9,8,7,8,9,10,10: two losses by d2 → RSI 0 < 30 → buy at d3's 7 (71,400). d3 another loss
      // (already held); d4 one gain after losses → 50; d5 a second gain → 75 (Wilder: gains 0.75, losses 0.25),
      // > 70 → sell at d6's 10.
      expect(trades('rsi', [stock('600000.SH', [10, 9, 8, 7, 8, 9, 10, 10])], { period: 2, oversold: 30, overbought: 70, ...slice })).toEqual([
        [d[3], '600000.SH', 'buy', 71_400, 7],
        [d[6], '600000.SH', 'sell', 71_400, 10],
      ]);
    });

    it('momentum holds the top stock by lookback return, rebalancing every other day', () => {
      // Lookback 2, top 1, rebalance on days 1, 3, 5 … (d0, d2, d4). d0: no 2-day return yet, nothing. d2: A +20 %,
      // B 0 %, C −10 % → hold A at 99 % → buy at d3's 12: 990,000 / 12 = 82,500. d4: A 0 %, B +30 %, C 0 % →
      // sell all of A and buy B at d5 (sells first, the sale paying for the purchase); d6: B still the best, held.
      const r = trades('momentum', [
        stock('600000.SH', [10, 10, 12, 12, 12, 12, 12]),
        stock('600001.SH', [10, 10, 10, 10, 13, 13, 13]),
        stock('600002.SH', [10, 10, 9, 9, 9, 9, 9]),
      ], { lookback: 2, top_n: 1, rebalance_days: 2 });
      expect(r.map(([date, code, side]) => [date, code, side])).toEqual([
        [d[3], '600000.SH', 'buy'],
        [d[5], '600000.SH', 'sell'],
        [d[5], '600001.SH', 'buy'],
      ]);
      expect(r[0].slice(3)).toEqual([82_500, 12]);
      expect(r[1].slice(3)).toEqual([82_500, 12]);
      // The target resolves at the fill against the portfolio's value at that open: cash 9,693.10 (1,000,000 −
      // 990,000 − 297 commission − 9.90 transfer fee) + 82,500 × 12 = 999,693.10; 99 % of it at 13 = 76,130 → 76,100.
      expect(r[2].slice(3)).toEqual([76_100, 13]);
    });

    // Flat prices of 10 and hand-set indicator fields: which stock is held changes only with the fields.
    const withFields = (code: string, fields: Record<string, number[]>): StockSpec => ({ code, close: [10, 10, 10, 10, 10], fields });

    it('pe_pb_value holds the cheapest by PE rank + PB rank within the caps, rebalancing every other day', () => {
      // d0 (rebalance): C's PE 40 is over max_pe 30, left out; B (PE 5, PB 0.8) ranks 1 + 1 = 2, A (PE 10, PB 1) 2 + 2 = 4
      // → hold B at 99 %: at d1's 10, 990,000 / 10 = 99,000. d2 (rebalance): B's PE is 35, over the cap; A is the only
      // one left → sell B and buy A at d3: 99 % of cash 9,693.10 + 99,000 × 10 = 999,693.10 → 98,969 → 98,900.
      expect(trades('pe_pb_value', [
        withFields('600000.SH', { pe_ttm: [10, 10, 10, 10, 10], pb: [1, 1, 1, 1, 1] }),
        withFields('600001.SH', { pe_ttm: [5, 5, 35, 35, 35], pb: [0.8, 0.8, 0.8, 0.8, 0.8] }),
        withFields('600002.SH', { pe_ttm: [40, 40, 40, 40, 40], pb: [0.5, 0.5, 0.5, 0.5, 0.5] }),
      ], { max_pe: 30, max_pb: 3, top_n: 1, rebalance_days: 2 })).toEqual([
        [d[1], '600001.SH', 'buy', 99_000, 10],
        [d[3], '600001.SH', 'sell', 99_000, 10],
        [d[3], '600000.SH', 'buy', 98_900, 10],
      ]);
    });

    it('turnover_rate holds the most traded stock inside the band, rebalancing every other day', () => {
      // Band 1–10 %: d0 A 5 %, B 8 %, C 20 % (out) → hold B (99,000 at d1's 10). d2: B 0.5 % falls out of the band →
      // sell B and buy A at d3 (98,900, as above).
      expect(trades('turnover_rate', [
        withFields('600000.SH', { turnover_rate: [5, 5, 5, 5, 5] }),
        withFields('600001.SH', { turnover_rate: [8, 8, 0.5, 0.5, 0.5] }),
        withFields('600002.SH', { turnover_rate: [20, 20, 20, 20, 20] }),
      ], { min_turnover: 1, max_turnover: 10, top_n: 1, rebalance_days: 2 })).toEqual([
        [d[1], '600001.SH', 'buy', 99_000, 10],
        [d[3], '600001.SH', 'sell', 99_000, 10],
        [d[3], '600000.SH', 'buy', 98_900, 10],
      ]);
    });

    it('grid buys a slice each step down and sells one each step up', () => {
      // Step 10 %, 4 levels, one stock: slice = 1,000,000 / 4 = 250,000. Anchor 10 on d0; d1 9 ≤ 9 → buy (at d2's
      // 8: 31,250 → 31,200), anchor 9; d2 8 ≤ 8.1 → buy (at d3's 7.5: 33,333 → 33,300), anchor 8; d3 7.5 > 7.2:
      // nothing; d4 9 ≥ 8.8 → sell ⌈64,500 / 2⌉ = 32,250 → a whole-lot 32,200 at d5's 10, anchor 9; d5 10 ≥ 9.9 →
      // sell ⌈32,300 / 1⌉, all that is left, at d6's 10.
      expect(trades('grid', [stock('600000.SH', [10, 9, 8, 7.5, 9, 10, 10])], { grid_step: 0.1, grid_levels: 4, max_stocks: 1 })).toEqual([
        [d[2], '600000.SH', 'buy', 31_200, 8],
        [d[3], '600000.SH', 'buy', 33_300, 7.5],
        [d[5], '600000.SH', 'sell', 32_200, 10],
        [d[6], '600000.SH', 'sell', 32_300, 10],
      ]);
    });
  });
});
