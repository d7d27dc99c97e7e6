/**
 * The market datasets: one DuckDB table each, with its key, its columns in table order and the Tushare
 * endpoint that fills it. Sync, CSV import, the fake Tushare server and the merge all read this table,
 * so a column is named once. Column names are Tushare's field names.
 */
export type DatasetName =
  | 'stocks'
  | 'trade_calendar'
  | 'daily_bars'
  | 'daily_basic'
  | 'adj_factors'
  | 'index_daily'
  | 'limit_prices'
  | 'suspensions'
  | 'st_periods';

/** str: text; date: YYYYMMDD (int in DuckDB, 'YYYYMMDD' string at Tushare); int: whole number; num: double. */
export type ColumnKind = 'str' | 'date' | 'int' | 'num';

export interface ColumnDef {
  readonly name: string;
  readonly kind: ColumnKind;
  /** A row without it is refused (keys and the like). */
  readonly required: boolean;
  /** Computed by us, not sent by Tushare (stocks.board). */
  readonly derived?: boolean;
}

export interface DatasetDef {
  readonly name: DatasetName;
  readonly table: string;
  /** Tushare api_name, or null when no endpoint feeds it as is (ST periods are derived from namechange). */
  readonly apiName: string | null;
  readonly key: readonly string[];
  readonly columns: readonly ColumnDef[];
  /** The date column of per-day datasets (a range sync walks it), null for stocks. */
  readonly dateColumn: string | null;
  /** Per-day datasets keyed by (ts_code, trade_date), fetched one trade date at a time for the whole market. */
  readonly perTradeDate: boolean;
  readonly summary: string;
}

const col = (name: string, kind: ColumnKind, required = false, derived = false): ColumnDef => ({ name, kind, required, derived });
const nums = (...names: string[]) => names.map((n) => col(n, 'num'));
const keyCols = [col('ts_code', 'str', true), col('trade_date', 'date', true)];

export const datasets: Readonly<Record<DatasetName, DatasetDef>> = {
  stocks: {
    name: 'stocks',
    table: 'stocks',
    apiName: 'stock_basic',
    key: ['ts_code'],
    columns: [
      col('ts_code', 'str', true),
      col('symbol', 'str'),
      col('name', 'str'),
      col('area', 'str'),
      col('industry', 'str'),
      col('market', 'str'),
      col('exchange', 'str'),
      col('list_status', 'str'),
      col('list_date', 'date'),
      col('delist_date', 'date'),
      col('is_hs', 'str'),
      col('board', 'str', true, true),
    ],
    dateColumn: null,
    perTradeDate: false,
    summary: 'stock list: listed, delisted and paused, with board and list/delist dates',
  },
  trade_calendar: {
    name: 'trade_calendar',
    table: 'trade_calendar',
    apiName: 'trade_cal',
    key: ['exchange', 'cal_date'],
    columns: [col('exchange', 'str', true), col('cal_date', 'date', true), col('is_open', 'int', true), col('pretrade_date', 'date')],
    dateColumn: 'cal_date',
    perTradeDate: false,
    summary: 'trading calendar per exchange (open days and the previous open day)',
  },
  daily_bars: {
    name: 'daily_bars',
    table: 'daily_bars',
    apiName: 'daily',
    key: ['ts_code', 'trade_date'],
    columns: [...keyCols, ...nums('open', 'high', 'low', 'close', 'pre_close', 'change', 'pct_chg', 'vol', 'amount')],
    dateColumn: 'trade_date',
    perTradeDate: true,
    summary: 'daily bars, unadjusted; vol in lots (100 shares), amount in thousand CNY',
  },
  daily_basic: {
    name: 'daily_basic',
    table: 'daily_basic',
    apiName: 'daily_basic',
    key: ['ts_code', 'trade_date'],
    columns: [
      ...keyCols,
      ...nums('close', 'turnover_rate', 'turnover_rate_f', 'volume_ratio', 'pe', 'pe_ttm', 'pb', 'ps', 'ps_ttm', 'dv_ratio', 'dv_ttm'),
      ...nums('total_share', 'float_share', 'free_share', 'total_mv', 'circ_mv'),
    ],
    dateColumn: 'trade_date',
    perTradeDate: true,
    summary: 'daily indicators: turnover, valuation ratios, share counts (10k shares), market values (10k CNY)',
  },
  adj_factors: {
    name: 'adj_factors',
    table: 'adj_factors',
    apiName: 'adj_factor',
    key: ['ts_code', 'trade_date'],
    columns: [...keyCols, col('adj_factor', 'num')],
    dateColumn: 'trade_date',
    perTradeDate: true,
    summary: 'cumulative adjustment factors (hfq = price × factor)',
  },
  index_daily: {
    name: 'index_daily',
    table: 'index_daily',
    apiName: 'index_daily',
    key: ['ts_code', 'trade_date'],
    columns: [...keyCols, ...nums('close', 'open', 'high', 'low', 'pre_close', 'change', 'pct_chg', 'vol', 'amount')],
    dateColumn: 'trade_date',
    perTradeDate: false,
    summary: 'index bars (benchmarks such as 000300.SH)',
  },
  limit_prices: {
    name: 'limit_prices',
    table: 'limit_prices',
    apiName: 'stk_limit',
    key: ['ts_code', 'trade_date'],
    columns: [...keyCols, ...nums('up_limit', 'down_limit')],
    dateColumn: 'trade_date',
    perTradeDate: true,
    summary: 'daily up/down limit prices from the exchange',
  },
  suspensions: {
    name: 'suspensions',
    table: 'suspensions',
    apiName: 'suspend_d',
    key: ['ts_code', 'trade_date'],
    columns: [...keyCols, col('suspend_timing', 'str'), col('suspend_type', 'str')],
    dateColumn: 'trade_date',
    perTradeDate: true,
    summary: 'suspension days (S) and resumptions (R)',
  },
  st_periods: {
    name: 'st_periods',
    table: 'st_periods',
    // Derived from Tushare's name history (nameChanges below, src/market/st-periods.ts), not fetched as is.
    apiName: null,
    key: ['ts_code', 'start_date'],
    columns: [col('ts_code', 'str', true), col('start_date', 'date', true), col('end_date', 'date')],
    dateColumn: null,
    perTradeDate: false,
    summary: 'periods a stock carried an ST or *ST tag (end_date empty while it still does)',
  },
};

/**
 * Tushare's `namechange` (a stock's names with the days each was used): the source st_periods are
 * derived from. An endpoint, not a table of ours.
 */
export const nameChanges: DatasetDef = {
  name: 'st_periods',
  table: 'st_periods',
  apiName: 'namechange',
  key: ['ts_code', 'start_date'],
  columns: [
    col('ts_code', 'str', true), col('name', 'str', true), col('start_date', 'date', true), col('end_date', 'date'),
    col('ann_date', 'date'), col('change_reason', 'str'),
  ],
  dateColumn: null,
  perTradeDate: false,
  summary: 'name history (namechange), read to derive st_periods',
};

export const datasetNames = Object.keys(datasets) as DatasetName[];

export function isDatasetName(s: string): s is DatasetName {
  return Object.hasOwn(datasets, s);
}

/** The fields list sent to Tushare: the dataset's columns that Tushare supplies. */
export function tushareFields(def: DatasetDef): string[] {
  return def.columns.filter((c) => !c.derived).map((c) => c.name);
}

export type Board = 'main' | 'chinext' | 'star' | 'bse';

/** The board of a ts_code: 300/301 ChiNext, 688/689 STAR, .BJ Beijing, the rest main boards. */
export function boardOf(tsCode: string): Board {
  if (tsCode.endsWith('.BJ')) return 'bse';
  if (tsCode.startsWith('688') || tsCode.startsWith('689')) return 'star';
  if (tsCode.startsWith('300') || tsCode.startsWith('301')) return 'chinext';
  return 'main';
}
