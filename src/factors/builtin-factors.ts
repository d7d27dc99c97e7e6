/**
 * The built-in factors: each a DuckDB SELECT of (code, trade_date, value) over the market tables
 * (`code`: the stock as factor_values stores it, which each source relation carries).
 * No look-ahead: every window ends at the current row (`rows between … preceding and current row`,
 * `lag`), so the value on day t reads bars up to t only. Windows count a stock's own bars (a
 * suspension stretches them over more calendar days). Values are stored under the factor's id:
 * `<kind>_<n>` for parameterised kinds (momentum_20), the kind itself for the others (size).
 */

export const builtinFactorKinds = ['momentum', 'reversal', 'volatility', 'turnover_ma', 'amihud', 'size', 'ep', 'bp'] as const;
export type BuiltinFactorKind = (typeof builtinFactorKinds)[number];

/** The market tables a definition reads, as SQL relations the caller scopes (codes, last day), each with an integer `code` column beside ts_code. */
export interface FactorSources {
  daily_bars: string;
  daily_basic: string;
  adj_factors: string;
}

export interface BuiltinFactorDefinition {
  kind: BuiltinFactorKind;
  title: string;
  description: string;
  /** The window N (trading days of the stock's own bars), when the kind has one. */
  window: { default: number; min: number; max: number } | null;
  /** A SELECT of code, trade_date, value for window `n` (an integer, inlined after validation). */
  sql(n: number, from: FactorSources): string;
}

// Backward-adjusted close: price × the adjustment factor of the day (1 where the store has none).
// Joined on ts_code (so only the bars' codes are numbered: 5% less CPU than numbering both sides over
// the full market, measured) and windowed on the integer code.
const adjClose = (from: FactorSources) => `
  select b.code, b.trade_date, b.close * coalesce(a.adj_factor, 1) as px, b.amount
  from ${from.daily_bars} b left join ${from.adj_factors} a on a.ts_code = b.ts_code and a.trade_date = b.trade_date
  where b.close is not null`;

const window = (n: number) => `window w as (partition by code order by trade_date rows between ${n - 1} preceding and current row)`;
const nDays = { default: 20, min: 2, max: 500 };

const nReturn = (n: number, from: FactorSources, sign: 1 | -1) => `
  select code, trade_date, value from (
    select code, trade_date, ${sign === 1 ? '' : '-'}(px / lag(px, ${n}) over (partition by code order by trade_date) - 1) as value
    from (${adjClose(from)})
  ) where value is not null`;

export const builtinFactors: Readonly<Record<BuiltinFactorKind, BuiltinFactorDefinition>> = {
  momentum: {
    kind: 'momentum',
    title: 'Momentum',
    description: 'N-day return of the backward-adjusted close: close / close N bars earlier − 1',
    window: nDays,
    sql: (n, from) => nReturn(n, from, 1),
  },
  reversal: {
    kind: 'reversal',
    title: 'Short-term reversal',
    description: 'minus the N-day return (−(close / close N bars earlier − 1)): high for recent losers',
    window: { ...nDays, default: 5 },
    sql: (n, from) => nReturn(n, from, -1),
  },
  volatility: {
    kind: 'volatility',
    title: 'Volatility',
    description: 'sample standard deviation of daily adjusted-close returns over N bars (not annualised)',
    window: nDays,
    sql: (n, from) => `
      select code, trade_date, value from (
        select code, trade_date, stddev_samp(r) over w as value, count(r) over w as k
        from (select code, trade_date, px / lag(px) over (partition by code order by trade_date) - 1 as r from (${adjClose(from)}))
        ${window(n)}
      ) where k = ${n} and value is not null`,
  },
  turnover_ma: {
    kind: 'turnover_ma',
    title: 'Turnover',
    description: 'mean turnover rate (%, daily_basic) over N trading days',
    window: { ...nDays, default: 5 },
    sql: (n, from) => `
      select code, trade_date, value from (
        select code, trade_date, avg(turnover_rate) over w as value, count(turnover_rate) over w as k
        from ${from.daily_basic}
        ${window(n)}
      ) where k = ${n}`,
  },
  amihud: {
    kind: 'amihud',
    title: 'Amihud illiquidity',
    description: 'mean of |daily return| / amount traded over N bars, per million CNY traded (high: illiquid)',
    window: nDays,
    // amount is in thousands of CNY (Tushare): |r| / (amount × 1000) × 1e6 = |r| / amount × 1000.
    sql: (n, from) => `
      select code, trade_date, value from (
        select code, trade_date, avg(illiq) over w as value, count(illiq) over w as k
        from (
          select code, trade_date,
            case when amount > 0 then abs(px / lag(px) over (partition by code order by trade_date) - 1) / amount * 1000 end as illiq
          from (${adjClose(from)})
        )
        ${window(n)}
      ) where k = ${n}`,
  },
  size: {
    kind: 'size',
    title: 'Size',
    description: 'natural log of total market value (daily_basic total_mv, in 10k CNY)',
    window: null,
    sql: (_n, from) => `select code, trade_date, ln(total_mv) as value from ${from.daily_basic} where total_mv > 0`,
  },
  ep: {
    kind: 'ep',
    title: 'Earnings yield (E/P)',
    description: '1 / PE (TTM, daily_basic pe_ttm); none where PE is missing (Tushare leaves it empty for losses)',
    window: null,
    sql: (_n, from) => `select code, trade_date, 1.0 / pe_ttm as value from ${from.daily_basic} where pe_ttm is not null and pe_ttm <> 0`,
  },
  bp: {
    kind: 'bp',
    title: 'Book-to-price (B/P)',
    description: '1 / PB (daily_basic pb); none where PB is missing or not positive',
    window: null,
    sql: (_n, from) => `select code, trade_date, 1.0 / pb as value from ${from.daily_basic} where pb > 0`,
  },
};

const builtinIdPattern = /^(momentum|reversal|volatility|turnover_ma|amihud)_(\d{1,3})$|^(size|ep|bp)$/;

/** The id (and stored key) of a built-in: `momentum_20`, `size`. */
export function builtinFactorId(kind: BuiltinFactorKind, n?: number): string {
  return builtinFactors[kind].window ? `${kind}_${n ?? builtinFactors[kind].window!.default}` : kind;
}

/** A built-in id's kind and window, or null when the id names no built-in (or N is out of range). */
export function parseBuiltinFactorId(id: string): { kind: BuiltinFactorKind; n: number } | null {
  const m = builtinIdPattern.exec(id);
  if (!m) return null;
  if (m[3]) return { kind: m[3] as BuiltinFactorKind, n: 0 };
  const kind = m[1] as BuiltinFactorKind;
  const n = Number(m[2]);
  const w = builtinFactors[kind].window!;
  return n >= w.min && n <= w.max && String(n) === m[2] ? { kind, n } : null;
}
