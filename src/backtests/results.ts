/** Turns an engine result into the stored rows (compact arrays, NaN → null) and reads them back for pages and the API. */
import type { BacktestResult } from '../engine/types.ts';
import { navSeries, type StartPoint } from '../engine/metrics/backtest-metrics.ts';
import type { Metrics } from '../engine/metrics/metrics.ts';
import { storableJson } from '../db/storable-json.ts';
import type { MetricColumns, ResultRow } from './backtests.repository.ts';

/**
 * The NAV series as stored, at full precision (navSeries in backtest-metrics.ts, which the metrics
 * are computed from). Point 0 is the starting capital, dated the trading day before the first
 * simulated day; results stored before it was added start at the first simulated day instead
 * (their `dates.length` equals `metrics.periods` rather than periods + 1).
 */
export interface StoredSeries {
  dates: number[];
  /** Portfolio value / capital (1 at the starting point). */
  nav: number[];
  total: number[];
  cash: number[];
  marketValue: number[];
  /** Benchmark rebased to 1 at the starting point; null on days without an index close; null without one. */
  benchmark: (number | null)[] | null;
  drawdown: number[];
}

export interface StoredPosition {
  code: string;
  shares: number;
  price: number;
  value: number;
  weight: number;
}

export interface StoredExtras {
  fillTimingLabel: string;
  benchmarkCode: string | null;
  corporateActions: unknown[];
  skippedDays: unknown[];
  logs: string[];
  /** Orders that did not fill (fully), by reason. */
  notFilled: Record<string, number>;
  orderCount: number;
  fillCount: number;
  /** The first page of each table, so the task page renders without reading the whole arrays. */
  firstFills: unknown[];
  firstOrders: unknown[];
}

/** What the task page, the report and the exports show of a finished backtest (read by result-data.ts, drawn by views/backtests/result.tsx). */
export interface ResultData {
  metrics: Metrics;
  series: StoredSeries;
  positions: StoredPosition[];
  extras: StoredExtras;
  fills: { items: Record<string, unknown>[]; total: number; offset: number; limit: number };
  orders: { items: Record<string, unknown>[]; total: number; offset: number; limit: number; rejectedOnly: boolean };
}

/** Rows per page of the task page's trades and orders tables. */
export const tablePageSize = 20;

/** Stored numbers keep full precision (JSON writes the shortest text that reads back the same double);
 * rounding is for display and for the CSV exports (csv.ts). NaN/±Infinity, which JSON cannot hold, become null. */
const finite = (x: number) => (Number.isFinite(x) ? x : null);

export function finalPositions(result: BacktestResult): StoredPosition[] {
  const s = result.snapshots;
  const n = result.dates.length;
  if (!n || !s || s.offsets.length < n + 1) return [];
  const total = result.total[n - 1];
  const out: StoredPosition[] = [];
  for (let k = s.offsets[n - 1]; k < s.offsets[n]; k++) {
    const shares = s.shares[k];
    if (!shares) continue;
    const value = s.value[k];
    out.push({ code: s.codes[s.index[k]], shares, price: finite(value / shares) ?? 0, value: finite(value) ?? 0, weight: total > 0 ? (finite(value / total) ?? 0) : 0 });
  }
  return out.sort((a, b) => b.value - a.value);
}

/**
 * `metrics` must be those of the same series (backtestMetrics with the same `start`), so the stored
 * NAV reproduces them; `start` dates the starting point (startPointOf the run's panel).
 */
export function toStored(result: BacktestResult, metrics: Metrics, capital: number, start?: StartPoint): { row: ResultRow; columns: MetricColumns } {
  const n = result.dates.length;
  const s = navSeries(result, capital, start);
  const hasBench = s.benchmark !== null;
  const series: StoredSeries = {
    dates: Array.from(s.dates),
    nav: Array.from(s.nav, (v) => finite(v) ?? 0),
    total: Array.from(s.total, (v) => finite(v) ?? 0),
    cash: Array.from(s.cash, (v) => finite(v) ?? 0),
    marketValue: Array.from(s.marketValue, (v) => finite(v) ?? 0),
    benchmark: s.benchmark ? Array.from(s.benchmark, finite) : null,
    drawdown: Array.from(s.drawdown, (v) => finite(v) ?? 0),
  };
  const notFilled: Record<string, number> = {};
  for (const o of result.orders) if (o.status !== 'filled' && o.reason) notFilled[o.reason] = (notFilled[o.reason] ?? 0) + 1;
  const orders = result.orders.map(({ index: _index, ...o }) => o);
  const extras: StoredExtras = {
    fillTimingLabel: result.fillTimingLabel,
    benchmarkCode: hasBench ? result.benchmarkCode : null,
    corporateActions: result.corporateActions,
    skippedDays: result.skippedDays,
    logs: result.logs.slice(0, 2000),
    notFilled,
    orderCount: result.orders.length,
    fillCount: result.fills.length,
    firstFills: result.fills.slice(0, tablePageSize),
    firstOrders: orders.slice(0, tablePageSize),
  };
  return {
    // storableJson: logs, order notes and skipped-day messages come from strategy code and may hold
    // a NUL or a lone surrogate, which jsonb refuses.
    row: {
      metrics: storableJson(metrics),
      series: storableJson(series),
      fills: storableJson(result.fills),
      orders: storableJson(orders),
      trades: storableJson(result.trades),
      positions: storableJson(finalPositions(result)),
      extras: storableJson(extras),
    },
    columns: {
      total_return: metrics.totalReturn,
      annualized_return: metrics.annualizedReturn,
      sharpe: metrics.sharpe,
      max_drawdown: metrics.drawdown.maxDrawdown,
      volatility: metrics.volatility,
      excess_return: metrics.excessReturn,
      final_value: n ? result.total[n - 1] : capital,
      trade_count: metrics.tradeCount,
    },
  };
}
