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
  /** The stock's code (ts_code). */
  code: string;
  /** Its column: the index into ctx.codes and every per-stock array. */
  index: number;
  /** Shares held. */
  shares: number;
  /** Shares that may be sold today (T+1: not bought today). */
  sellable: number;
  /** Average cost per share in CNY, fees included. */
  avgCost: number;
  /** The last mark: yesterday's close before today's close is marked, actual (unadjusted) CNY. */
  price: number;
  /** shares × price, CNY. */
  marketValue: number;
}

export interface OrderOptions {
  /** Limit price: buys fill at or below it, sells at or above it; the order lives for its fill day. */
  limitPrice?: number;
}

export interface Portfolio {
  /** Cash in CNY, after the fees and taxes of every fill. */
  readonly cash: number;
  /** Value of the holdings at the last marks, CNY. */
  readonly marketValue: number;
  /** cash + market value at the last marks (yesterday's close before today's close is marked). */
  readonly value: number;
  /**
   * Shares held per stock (copy, panel column order).
   * @example
   * const held = ctx.portfolio.shares();
   * let n = 0;
   * for (let i = 0; i < held.length; i++) if (held[i] > 0) n++;
   * if (ctx.dayNumber === 30) ctx.log('holding', n, 'stocks');
   */
  shares(): Float64Array;
  /**
   * Shares held of one stock (cheap: no copy).
   * @example
   * if (ctx.portfolio.sharesOf(0) === 0 && ctx.dayNumber === 1) ctx.orderValue(0, 100000);
   */
  sharesOf(code: string | number): number;
  /**
   * Shares that may be sold today per stock (T+1: not those bought today), copy, panel column order.
   * @example
   * const free = ctx.portfolio.sellable();
   * for (let i = 0; i < free.length; i++) if (free[i] > 0 && ctx.dayNumber % 15 === 0) ctx.order(i, -free[i]);
   */
  sellable(): Float64Array;
  /**
   * Every holding, one PositionView per stock held.
   * @example
   * if (ctx.dayNumber === 1) ctx.orderValue(0, 100000);
   * for (const p of ctx.portfolio.positions()) if (p.price > p.avgCost * 1.1) ctx.orderTarget(p.code, 0);   // take a 10 % gain
   */
  positions(): PositionView[];
  /**
   * One stock's holding, or null when none is held.
   * @example
   * const p = ctx.portfolio.position(ctx.codes[0]);
   * if (p && ctx.dayNumber % 10 === 0) ctx.log(p.code, p.shares, 'shares worth', p.marketValue.toFixed(0));
   */
  position(code: string | number): PositionView | null;
  /** Number of stocks held. */
  readonly count: number;
}

export interface StrategyContext<P = Record<string, unknown>> {
  /**
   * The backtest's parameters, checked against the strategy's `params` schema with its defaults filled in.
   * @example
   * const { top = 5 } = ctx.params;   // a parameter the schema declares, or a fallback
   * if (ctx.dayNumber === 1) ctx.log('holding', top, 'stocks');
   */
  readonly params: P;
  /**
   * Today as YYYYMMDD.
   * @example
   * const month = Math.floor(ctx.date / 100) % 100;   // 20230315 → 3
   * if (ctx.date % 100 === 1) ctx.log('first of the month', ctx.date, month);
   */
  readonly date: number;
  /**
   * Days simulated so far, counting today (1 on the first day).
   * @example
   * if ((ctx.dayNumber - 1) % 5 === 0) ctx.log('rebalance day', ctx.dayNumber);
   */
  readonly dayNumber: number;
  /**
   * The stock codes (ts_code), one per column: index i of every per-stock array is `ctx.codes[i]`.
   * @example
   * if (ctx.dayNumber === 1) ctx.log(ctx.codes.length, 'stocks, the first', ctx.codes[0]);
   */
  readonly codes: readonly string[];
  /**
   * Panel column of a code, or −1.
   * @example
   * const i = ctx.indexOf('600007.SH');
   * if (i >= 0 && ctx.bars.tradable[i]) ctx.log('600007.SH closed at', ctx.bars.close[i]);
   */
  indexOf(code: string): number;
  /**
   * Today's bars, one value per stock: actual prices, volume, limits, the ST flag and `tradable`.
   * @example
   * let up = 0;
   * for (let i = 0; i < ctx.codes.length; i++) if (ctx.bars.tradable[i] && ctx.bars.close[i] > ctx.bars.preClose[i]) up++;
   * ctx.log(up, 'stocks rose today');
   */
  readonly bars: Bars;
  /**
   * Today's backward-adjusted close, carried forward over suspensions. Signals use this.
   * @example
   * const first = ctx.adjClose[0];   // the adjusted close of ctx.codes[0]
   * if (ctx.dayNumber === 1) ctx.log(ctx.codes[0], 'adjusted close', first);
   */
  readonly adjClose: Float64Array;
  /**
   * The last `window` days of a field (day-major, oldest row first, NaN before the data starts); 'adjClose' included.
   * @example
   * const h = ctx.history('close', 5);             // 5 rows of ctx.codes.length values
   * const N = ctx.codes.length;
   * const fiveDaysAgo = h[0 * N + 0], today = h[4 * N + 0];
   * ctx.log(ctx.codes[0], 'over 5 days', fiveDaysAgo, '→', today);
   */
  history(field: BarField | 'adjClose', window: number): Float64Array;
  /**
   * One stock's last `window` values of a field, oldest first.
   * @example
   * const last10 = ctx.series('adjClose', ctx.codes[0], 10);
   * const high10 = Math.max(...last10.filter((x) => !Number.isNaN(x)));
   * if (ctx.above(ctx.adjClose[0], high10 - 1e-9)) ctx.log(ctx.codes[0], 'at a 10-day high');
   */
  series(field: BarField | 'adjClose', code: string | number, window: number): Float64Array;
  /**
   * Simple moving average of the adjusted close over `n` days, per stock; `lag` 1 gives yesterday's.
   * NaN until a stock has `n` days. Call indicators every day: they are computed incrementally.
   * @example
   * const fast = ctx.sma(5), slow = ctx.sma(20);
   * for (let i = 0; i < fast.length; i++) if (ctx.above(fast[i], slow[i]) && ctx.portfolio.sharesOf(i) === 0) ctx.orderValue(i, 100000);
   */
  sma(n: number, lag?: 0 | 1): Float64Array;
  /**
   * Exponential moving average of the adjusted close (smoothing 2 / (n + 1)), per stock; `lag` 1 gives yesterday's.
   * @example
   * const ema = ctx.ema(12);
   * if (ctx.dayNumber === 30) ctx.log(ctx.codes[0], '12-day EMA', ema[0].toFixed(2));
   */
  ema(n: number, lag?: 0 | 1): Float64Array;
  /**
   * Relative strength index (0–100) of the adjusted close over `n` days, per stock; `lag` 1 gives yesterday's.
   * @example
   * const rsi = ctx.rsi(14);
   * for (let i = 0; i < rsi.length; i++) if (ctx.below(rsi[i], 30)) ctx.orderTargetPercent(i, 0.1);
   */
  rsi(n: number, lag?: 0 | 1): Float64Array;
  /**
   * Standard deviation of the adjusted close over `n` days, per stock; `lag` 1 gives yesterday's.
   * @example
   * const sd = ctx.std(20), mean = ctx.sma(20);
   * if (ctx.dayNumber === 30) ctx.log(ctx.codes[0], 'coefficient of variation', (sd[0] / mean[0]).toFixed(4));
   */
  std(n: number, lag?: 0 | 1): Float64Array;
  /**
   * Return over `n` days of the adjusted close (today / n days ago − 1), per stock; `lag` 1 gives yesterday's.
   * @example
   * const mom = ctx.momentum(20);
   * const best = ctx.rank(mom, true).indexOf(1);   // rank 1 = the strongest
   * if (best >= 0 && ctx.dayNumber % 20 === 0) ctx.orderTargetPercent(best, 0.5);
   */
  momentum(n: number, lag?: 0 | 1): Float64Array;
  /**
   * Bollinger bands over `n` days: the SMA (`mid`) ± `k` standard deviations, per stock; `lag` 1 gives yesterday's.
   * @example
   * const b = ctx.bollinger(20, 2);
   * for (let i = 0; i < ctx.codes.length; i++) {
   *   if (ctx.below(ctx.adjClose[i], b.lower[i])) ctx.orderValue(i, 50000);
   *   else if (ctx.above(ctx.adjClose[i], b.upper[i])) ctx.orderTarget(i, 0);
   * }
   */
  bollinger(n: number, k: number, lag?: 0 | 1): { mid: Float64Array; upper: Float64Array; lower: Float64Array };
  /** Cross-sectional rank, 1 = smallest (largest when `descending`); NaN stays NaN; values within the
   * comparison tolerance (below) are ties and share the average of their ranks.
   * @example
   * const r = ctx.rank(ctx.momentum(10), true);   // 1 = the strongest
   * const weights = {};
   * for (let i = 0; i < r.length; i++) if (r[i] <= 2) weights[ctx.codes[i]] = 0.45;
   * if (ctx.dayNumber % 10 === 0) ctx.rebalance(weights);
   */
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
   * @example
   * const fast = ctx.sma(5), slow = ctx.sma(20);
   * if (ctx.above(fast[0], slow[0])) ctx.log(ctx.codes[0], 'trades above its 20-day average');
   */
  above(a: number, b: number): boolean;
  /**
   * a < b by more than the comparison tolerance (see `above`); false when either is NaN.
   * @example
   * const rsi = ctx.rsi(14);
   * if (ctx.below(rsi[0], 30)) ctx.log(ctx.codes[0], 'oversold, RSI', rsi[0].toFixed(1));
   */
  below(a: number, b: number): boolean;
  /**
   * a crossed above b today: a ≤ b yesterday (aPrev, bPrev), a > b today beyond the tolerance (see
   * `above`). Numbers answer for one stock; per-stock arrays (or a fixed level) give 1 where a stock crossed.
   * @example
   * const golden = ctx.crossedAbove(ctx.sma(5), ctx.sma(20), ctx.sma(5, 1), ctx.sma(20, 1));
   * for (let i = 0; i < golden.length; i++) if (golden[i]) ctx.orderValue(i, 100000);
   */
  crossedAbove(a: number, b: number, aPrev: number, bPrev: number): boolean;
  crossedAbove(a: Series, b: Series, aPrev: Series, bPrev: Series): Uint8Array;
  /**
   * a crossed below b today: the mirror image of `crossedAbove`.
   * @example
   * const exit = ctx.crossedBelow(ctx.rsi(14), 70, ctx.rsi(14, 1), 70);   // RSI fell through 70
   * for (let i = 0; i < exit.length; i++) if (exit[i]) ctx.orderTarget(i, 0);
   */
  crossedBelow(a: number, b: number, aPrev: number, bPrev: number): boolean;
  crossedBelow(a: Series, b: Series, aPrev: Series, bPrev: Series): Uint8Array;
  /**
   * Today's daily-basic field (pe, pb, turnover_rate…), copy; all NaN when the panel lacks it.
   * @example
   * const pe = ctx.field('pe_ttm');
   * const cheap = ctx.rank(pe);   // 1 = the lowest P/E; NaN where unknown
   * if (ctx.dayNumber === 1) ctx.log(ctx.codes[0], 'P/E', pe[0], 'rank', cheap[0]);
   */
  field(name: string): Float64Array;
  /**
   * Today's cross-section of a stored factor (src/factors: 'momentum_20', 'ep', a user factor's
   * 'u12v3'), copy; NaN where the factor has no value. Only factors loaded with the backtest: a
   * built-in strategy's (factorsOf), in user code those named as a string literal, ctx.factor('…').
   * Throws for a factor not loaded.
   * @example
   * const ep = ctx.factor('ep');   // 1 / PE (TTM): loaded because it is named here as a string literal
   * if (ctx.dayNumber === 1) ctx.log(ctx.codes[0], 'E/P', ep[0]);
   */
  factor(name: string): Float64Array;
  /**
   * Cash, holdings and value (see Portfolio).
   * @example
   * const p = ctx.portfolio;
   * if (ctx.dayNumber % 20 === 0) ctx.log('cash', p.cash.toFixed(0), 'value', p.value.toFixed(0), 'holding', p.count);
   */
  readonly portfolio: Portfolio;
  /**
   * Buys (shares > 0) or sells (< 0) a number of shares of a stock (code or column), filled at the
   * backtest's fill time (the next day's open by default) under A-share rules (lots, T+1, limits);
   * returns the order id.
   * @example
   * if (ctx.dayNumber === 1) ctx.order(ctx.codes[0], 1000);   // buy 1,000 shares
   */
  order(code: string | number, shares: number, opts?: OrderOptions): number;
  /**
   * Buys (value > 0) or sells (< 0) about this many CNY of a stock, rounded down to whole lots; returns the order id.
   * @example
   * if (ctx.dayNumber === 1) ctx.orderValue(0, 100000);   // about 100,000 CNY of ctx.codes[0]
   */
  orderValue(code: string | number, value: number, opts?: OrderOptions): number;
  /**
   * Orders what it takes to hold `shares` of a stock (0 sells all that may be sold); returns the order id.
   * @example
   * if (ctx.dayNumber === 1) ctx.orderTarget(0, 2000);
   * if (ctx.dayNumber === 20) ctx.orderTarget(0, 0);   // sell out
   */
  orderTarget(code: string | number, shares: number, opts?: OrderOptions): number;
  /**
   * Orders what it takes to hold about `value` CNY of a stock; returns the order id.
   * @example
   * if (ctx.dayNumber % 10 === 1) ctx.orderTargetValue(ctx.codes[1], 200000);
   */
  orderTargetValue(code: string | number, value: number, opts?: OrderOptions): number;
  /**
   * Orders what it takes for a stock to be `percent` (a fraction: 0.1 is 10 %) of the portfolio's value; returns the order id.
   * @example
   * if (ctx.dayNumber % 10 === 1 && ctx.bars.tradable[0]) ctx.orderTargetPercent(0, 0.25, { limitPrice: ctx.bars.close[0] * 1.01 });
   */
  orderTargetPercent(code: string | number, percent: number, opts?: OrderOptions): number;
  /**
   * Target weights (fraction of portfolio value) by code; held stocks not named go to 0. Sells are placed before buys.
   * @example
   * if (ctx.dayNumber % 20 === 1) ctx.rebalance({ [ctx.codes[0]]: 0.5, [ctx.codes[1]]: 0.45 });
   */
  rebalance(weights: Record<string, number>): number[];
  /**
   * Cancels an open order by id; false when it has already filled or gone.
   * @example
   * if (ctx.bars.tradable[0]) {
   *   const id = ctx.orderValue(0, 50000, { limitPrice: ctx.bars.close[0] * 0.95 });
   *   if (!ctx.cancel(id)) ctx.log('order', id, 'was no longer open');
   * }
   */
  cancel(orderId: number): boolean;
  /**
   * Orders placed and not yet filled or cancelled.
   * @example
   * if (ctx.dayNumber === 1) ctx.orderValue(0, 50000);
   * for (const o of ctx.openOrders()) ctx.log('open order', o.id, o.code, o.kind, o.amount);
   */
  openOrders(): Readonly<Order>[];
  /**
   * Scratch space the strategy keeps between days.
   * @example
   * ctx.state.days = (ctx.state.days ?? 0) + 1;
   * if (ctx.state.days === 10) ctx.log('ten days in, on', ctx.date);
   */
  readonly state: Record<string, unknown>;
  /**
   * Writes a line to the run's log (console.log does the same); values are joined with spaces.
   * @example
   * if (ctx.dayNumber === 1) ctx.log('starting on', ctx.date, 'with', ctx.portfolio.cash, 'CNY');
   */
  log(...args: unknown[]): void;
}
