/** The set metrics' labels and formats on the sweep pages (fractions as percentages, ratios to 2 places). */
import type { SetMetricName } from '../../src/sweeps/sweep.types.ts';
import type { MessageKey, T } from '../layout.tsx';
import { money, num, pct } from '../backtests/format.ts';

export const metricLabels: Record<SetMetricName, string> = {
  total_return: 'Total return', annualized_return: 'Annual return', sharpe: 'Sharpe', sortino: 'Sortino', calmar: 'Calmar',
  max_drawdown: 'Max drawdown', volatility: 'Volatility', excess_return: 'Excess return', win_rate: 'Win rate', final_value: 'Final value', trade_count: 'Trades',
};

/** A set metric's name in the reader's language (sweeps.metric.*); an unknown name as it is. */
export function metricLabel(t: T, m: string): string {
  return m in metricLabels ? t(`sweeps.metric.${m}` as MessageKey) : m;
}

const percentMetrics = new Set<SetMetricName>(['total_return', 'annualized_return', 'max_drawdown', 'volatility', 'excess_return', 'win_rate']);

/** A metric's value as the pages show it. */
export function fmtMetric(m: SetMetricName, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (percentMetrics.has(m)) return pct(v, 2);
  if (m === 'final_value') return money(v, 0);
  if (m === 'trade_count') return String(Math.round(v));
  return num(v, 2);
}

/** A parameter value as written in tables and axes. */
export const fmtParam = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toPrecision(10))) : v === undefined || v === null ? '—' : String(v));
