/** A set's key metrics from the engine's metrics (apart from sweep.thread.ts, which only a worker thread may import). */
import type { Metrics } from '../engine/metrics/metrics.ts';
import type { SetMetrics } from './sweep.types.ts';

/** The set's key metrics as stored (the columns a backtest stores, plus sortino, calmar and win rate). */
export function setMetricsOf(m: Metrics, finalValue: number): SetMetrics {
  return {
    total_return: m.totalReturn, annualized_return: m.annualizedReturn, sharpe: m.sharpe, sortino: m.sortino, calmar: m.calmar,
    max_drawdown: m.drawdown.maxDrawdown, volatility: m.volatility, excess_return: m.excessReturn, win_rate: m.winRate, final_value: finalValue,
    trade_count: m.tradeCount,
  };
}
