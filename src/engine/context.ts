/** What a strategy sees each day. Every array handed out is a fresh copy or the engine's own
 * per-day scratch: none is a view of the panel, so nothing after today is reachable (see the
 * no-look-ahead test). Arrays are valid for the day they are handed out. */
import type { Order } from './types.ts';
import type { Series } from './compare.ts';
import type { Panel, panelFloatArrays } from './panel.ts';

/** A price field of a stock's day: one of the panel's Float64 arrays (units in Panel). */
export type BarField = (typeof panelFloatArrays)[number];

/**
 * Today's cross-section, one value per stock in `Panel.codes` order: the panel's price arrays and
 * ST flags for this day (the limit prices are the data's, else computed from the previous close by
 * board rules), and whether each stock can trade.
 */
export type Bars = Pick<Panel, BarField | 'st'> & {
  /** 1 when the stock can trade today (listed, not suspended, has a bar). */
  readonly tradable: Uint8Array;
};

export interface PositionView {
  code: string;
  index: number;
  shares: number;
  /** Shares that may be sold today (T+1: not bought today). */
  sellable: number;
  avgCost: number;
  price: number;
  marketValue: number;
}

export interface OrderOptions {
  /** Limit price: buys fill at or below it, sells at or above it; the order lives for its fill day. */
  limitPrice?: number;
}

export interface Portfolio {
  readonly cash: number;
  readonly marketValue: number;
  /** cash + market value at the last marks (yesterday's close before today's close is marked). */
  readonly value: number;
  /** Shares held per stock (copy, panel column order). */
  shares(): Float64Array;
  /** Shares held of one stock (cheap: no copy). */
  sharesOf(code: string | number): number;
  sellable(): Float64Array;
  positions(): PositionView[];
  position(code: string | number): PositionView | null;
  /** Number of stocks held. */
  readonly count: number;
}

export interface StrategyContext<P = Record<string, unknown>> {
  readonly params: P;
  /** Today as YYYYMMDD. */
  readonly date: number;
  /** Days simulated so far, counting today (1 on the first day). */
  readonly dayNumber: number;
  readonly codes: readonly string[];
  /** Panel column of a code, or −1. */
  indexOf(code: string): number;
  readonly bars: Bars;
  /** Today's backward-adjusted close, carried forward over suspensions. Signals use this. */
  readonly adjClose: Float64Array;
  /** The last `window` days of a field (day-major, oldest row first, NaN before the data starts); 'adjClose' included. */
  history(field: BarField | 'adjClose', window: number): Float64Array;
  /** One stock's last `window` values of a field, oldest first. */
  series(field: BarField | 'adjClose', code: string | number, window: number): Float64Array;
  sma(n: number, lag?: 0 | 1): Float64Array;
  ema(n: number, lag?: 0 | 1): Float64Array;
  rsi(n: number, lag?: 0 | 1): Float64Array;
  std(n: number, lag?: 0 | 1): Float64Array;
  momentum(n: number, lag?: 0 | 1): Float64Array;
  bollinger(n: number, k: number, lag?: 0 | 1): { mid: Float64Array; upper: Float64Array; lower: Float64Array };
  /** Cross-sectional rank, 1 = smallest (largest when `descending`); NaN stays NaN; values within the
   * comparison tolerance (below) are ties and share the average of their ranks. */
  rank(values: ArrayLike<number>, descending?: boolean): Float64Array;
  /**
   * Tolerant comparisons for indicator values (engine/compare.ts). Two values within 1e-12 of the
   * larger magnitude are equal: averages kept as running sums carry float noise of about 1e-15 of the
   * price, so a strict `a > b` can trade on a tie; real differences on cent prices are 1e-5 or more.
   * Every comparison is false when a value is NaN (not enough history).
   * - `above(a, b)`: a > b by more than the tolerance; `below(a, b)`: a < b by more than it.
   * - `crossedAbove(a, b, aPrev, bPrev)`: a crossed above b today — aPrev ≤ bPrev yesterday (ties
   *   included), a > b today (a tie today is not a crossing). `crossedBelow` the mirror image.
   *   With four numbers it answers for one stock (boolean); with per-stock arrays (any argument may
   *   also be one number, a fixed level) it returns a Uint8Array, 1 where the stock crossed:
   *   `const golden = ctx.crossedAbove(ctx.sma(5), ctx.sma(20), ctx.sma(5, 1), ctx.sma(20, 1));`
   */
  above(a: number, b: number): boolean;
  below(a: number, b: number): boolean;
  crossedAbove(a: number, b: number, aPrev: number, bPrev: number): boolean;
  crossedAbove(a: Series, b: Series, aPrev: Series, bPrev: Series): Uint8Array;
  crossedBelow(a: number, b: number, aPrev: number, bPrev: number): boolean;
  crossedBelow(a: Series, b: Series, aPrev: Series, bPrev: Series): Uint8Array;
  /** Today's daily-basic field (pe, pb, turnover_rate…), copy; all NaN when the panel lacks it. */
  field(name: string): Float64Array;
  readonly portfolio: Portfolio;
  order(code: string | number, shares: number, opts?: OrderOptions): number;
  orderValue(code: string | number, value: number, opts?: OrderOptions): number;
  orderTarget(code: string | number, shares: number, opts?: OrderOptions): number;
  orderTargetValue(code: string | number, value: number, opts?: OrderOptions): number;
  orderTargetPercent(code: string | number, percent: number, opts?: OrderOptions): number;
  /** Target weights (fraction of portfolio value) by code; held stocks not named go to 0. Sells are placed before buys. */
  rebalance(weights: Record<string, number>): number[];
  cancel(orderId: number): boolean;
  openOrders(): Readonly<Order>[];
  /** Scratch space the strategy keeps between days. */
  readonly state: Record<string, unknown>;
  log(...args: unknown[]): void;
}
