/**
 * The engine's configuration, orders, fills and result shapes. Pure types and defaults: no imports
 * from outside this folder, no Node APIs (the engine also runs inside an isolated-vm isolate).
 */

/** When pending orders fill. `next_open` (default): orders placed on day d fill at day d+1's open.
 * `same_close`: orders placed on day d fill at day d's close — optimistic (the signal used that
 * close), so it must be chosen explicitly and results carry the label. */
export type FillTiming = 'next_open' | 'same_close';

export interface BacktestConfig {
  /** Starting cash in CNY. */
  initialCash: number;
  /** First and last simulated day (YYYYMMDD); panel days before `startDate` only warm up indicators. */
  startDate?: number;
  endDate?: number;
  fillTiming: FillTiming;
  /** Commission per fill: max(value × commissionRate, minCommission). */
  commissionRate: number;
  minCommission: number;
  /** Stamp duty. 'schedule' (default): the dated rates of rules.ts — 0.05% on sells from 2023-08-28,
   * 0.1% on sells from 2008-09-19, both sides before (0.1% from 2008-04-24, 0.3% from 2007-05-30 …).
   * A number is a fixed rate of the value on sells only, every date (0 turns it off). */
  stampDuty: 'schedule' | number;
  /** Transfer fee (过户费) on buys and sells. 'schedule' (default): the dated rules of rules.ts — SH
   * and SZ 0.001% of value from 2022-04-29, 0.002% from 2015-08-01; before that Shanghai per share
   * (0.0006 CNY from 2012-09-01, 0.001 CNY before) and Shenzhen none; Beijing none. A number is a
   * fixed rate of the value on both sides, every date and exchange (0 turns it off). */
  transferFee: 'schedule' | number;
  /** Price impact in basis points: buys fill at price × (1 + bps/1e4), sells × (1 − bps/1e4), within the bar. */
  slippageBps: number;
  /** Max share of a bar's volume one stock's fills may take that day (0.25 = 25%); null = no cap. */
  volumeCap: number | null;
  /** Orders hitting a suspended stock: keep waiting (until filled, cancelled or the run ends) or expire. */
  suspendedOrders: 'wait' | 'expire';
  /** A held stock that stops being listed: settled into cash at its last price, or written off. */
  delisting: 'last_price' | 'zero';
  /** A strategy error fails the run (default) or is logged and the day skipped. */
  onError: 'fail' | 'skip_day';
  /** Keep daily position snapshots (compact arrays). */
  keepSnapshots: boolean;
  /** Orders one backtest may place, and one simulated day; past either the run fails (`OrderLimitError`),
   * so a runaway strategy cannot grow the result (and the process holding it) without bound. */
  maxOrders: number;
  maxOrdersPerDay: number;
}

export const defaultConfig: BacktestConfig = {
  initialCash: 1_000_000,
  fillTiming: 'next_open',
  commissionRate: 0.0003,
  minCommission: 5,
  stampDuty: 'schedule',
  transferFee: 'schedule',
  slippageBps: 0,
  volumeCap: null,
  suspendedOrders: 'expire',
  delisting: 'last_price',
  onError: 'fail',
  keepSnapshots: true,
  maxOrders: 200_000,
  maxOrdersPerDay: 20_000,
};

export type OrderKind = 'shares' | 'value' | 'target_shares' | 'target_value' | 'target_percent';
export type OrderStatus = 'pending' | 'filled' | 'partially_filled' | 'cancelled' | 'expired' | 'rejected';
/** Why an order did not (fully) fill. `limit_not_reached`: a limit order whose price the bar never touched. */
export type OrderReason =
  | 'limit_up_locked'
  | 'limit_down_locked'
  | 'suspended'
  | 't1_locked'
  | 'lot_size'
  | 'insufficient_cash'
  | 'insufficient_position'
  | 'volume_cap'
  | 'not_listed'
  | 'limit_not_reached'
  | 'cancelled_by_strategy'
  | 'end_of_backtest';

export interface Order {
  id: number;
  code: string;
  /** Column of the stock in the panel. */
  index: number;
  kind: OrderKind;
  /** Shares, CNY or a fraction of portfolio value, by kind. */
  amount: number;
  limitPrice: number | null;
  placedDate: number;
  status: OrderStatus;
  reason: OrderReason | null;
  /** Signed shares resolved at fill time (+ buy, − sell); 0 until resolved. */
  requestedShares: number;
  filledShares: number;
  avgPrice: number;
  costs: number;
  doneDate: number | null;
}

export interface Fill {
  orderId: number;
  date: number;
  code: string;
  side: 'buy' | 'sell';
  shares: number;
  price: number;
  value: number;
  commission: number;
  stampDuty: number;
  transferFee: number;
  /** Label of the fill price: the bar's open or close, or a settlement. */
  priceBasis: 'open' | 'close' | 'limit' | 'delisting';
}

/** A corporate action applied to a held position on its ex-date, derived from the adj factor change. */
export interface CorporateAction {
  date: number;
  code: string;
  sharesBefore: number;
  sharesAfter: number;
  cash: number;
  factorRatio: number;
}

/** Position-level round trip: opens when a position goes from 0 to > 0, closes when it returns to 0. */
export interface RoundTrip {
  code: string;
  entryDate: number;
  exitDate: number;
  /** Trading days held (exit index − entry index). */
  holdingDays: number;
  boughtShares: number;
  avgEntryPrice: number;
  avgExitPrice: number;
  /** Sell proceeds + dividends − buy cost − all fees. */
  pnl: number;
  returnPct: number;
}

export interface SkippedDay {
  date: number;
  message: string;
  stack: string;
  /** Position in the user's source, filled in by the sandbox host. */
  line?: number | null;
  column?: number | null;
}

export interface BacktestResult {
  fillTiming: FillTiming;
  /** Human label of the fill timing, shown beside results (same-close fills are optimistic). */
  fillTimingLabel: string;
  dates: Int32Array;
  cash: Float64Array;
  marketValue: Float64Array;
  total: Float64Array;
  /** Simple daily returns of `total`; 0 on the first day. */
  returns: Float64Array;
  /** total / running max(total) − 1 (≤ 0). */
  drawdown: Float64Array;
  /** Benchmark close rebased to 1 on the first day (NaN when no benchmark). */
  benchmarkNav: Float64Array;
  benchmarkCode: string | null;
  fills: Fill[];
  orders: Order[];
  corporateActions: CorporateAction[];
  /** Compact snapshots: day t holds entries snapOffsets[t] .. snapOffsets[t+1]−1. */
  snapshots: { offsets: Int32Array; index: Int32Array; shares: Float64Array; value: Float64Array; codes: readonly string[] };
  trades: RoundTrip[];
  skippedDays: SkippedDay[];
  logs: string[];
}

export interface Progress {
  done: number;
  total: number;
  date: number;
}
