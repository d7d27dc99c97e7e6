import { describe, expect, it } from 'vitest';
import { runBacktestSync } from '../../../src/backtest/engine/engine.ts';
import { builtinParamsJsonSchema, builtinStrategies } from '../../../src/backtest/strategies/registry.ts';
import { backtestMetrics } from '../../../src/backtest/metrics/backtest-metrics.ts';
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
});
