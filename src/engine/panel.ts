/**
 * The engine's input: a dense trading-day × stock panel of typed arrays, day-major
 * (`index = d * codes.length + i`), so one day's cross-section is contiguous. Produced by the market
 * store's panel loader; the engine reads it and nothing else. Types and names only: no I/O, no Node APIs.
 */
export interface Panel {
  /** Trading days as YYYYMMDD integers, ascending; length D. */
  readonly dates: Int32Array;
  /** Stock codes (ts_code, e.g. 600000.SH), length N, in column order. */
  readonly codes: readonly string[];
  /** Actual (unadjusted) prices in CNY; NaN where the stock has no bar that day (suspended, not listed). */
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly preClose: Float64Array;
  /** Volume in shares (Tushare `vol` is in lots of 100: multiplied out). */
  readonly volume: Float64Array;
  /** Turnover in CNY (Tushare `amount` is in thousands: multiplied out). */
  readonly amount: Float64Array;
  /** Cumulative adjustment factor (hfq price = price × adjFactor); carried forward over gaps. */
  readonly adjFactor: Float64Array;
  /** The exchange's limit prices for the day, already rounded to 0.01; NaN where unknown. */
  readonly upLimit: Float64Array;
  readonly downLimit: Float64Array;
  /** 1 when the stock is listed but has no trading that day. */
  readonly suspended: Uint8Array;
  /** 1 when the stock is listed that day (on or after list date, before delist date). */
  readonly listed: Uint8Array;
  /** 1 on days the stock carries an ST/*ST tag (±5% limits on main boards). */
  readonly st: Uint8Array;
  /** Optional daily-basic fields by Tushare name (pe, pb, turnover_rate, total_mv…), same layout; NaN where missing. */
  readonly fields: Readonly<Record<string, Float64Array>>;
}

/** The panel's Float64 day × stock arrays, by name (everything that walks a whole panel lists them from here). */
export const panelFloatArrays = ['open', 'high', 'low', 'close', 'preClose', 'volume', 'amount', 'adjFactor', 'upLimit', 'downLimit'] as const;
/** The panel's Uint8 day × stock flags. */
export const panelFlagArrays = ['suspended', 'listed', 'st'] as const;
/** Every day × stock array of a panel (fields aside). */
export const panelArrays = [...panelFloatArrays, ...panelFlagArrays] as const;

/** The benchmark series aligned to `Panel.dates`: index close, NaN where missing. */
export interface BenchmarkSeries {
  readonly code: string;
  readonly close: Float64Array;
}
