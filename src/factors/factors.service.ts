import type { MarketStore } from '../market/duckdb.ts';
import { replaceFactorValues, selectFactorValues, selectStoredFactors } from './factors.repository.ts';

/**
 * Factor definitions: each a DuckDB SQL window over the market tables that yields
 * (ts_code, trade_date, value) for one N. Values land in `factor_values` under the name
 * `<kind>_<n>` (e.g. momentum_20), so strategies read them by that name.
 */
export type FactorKind = 'turnover_ma' | 'momentum' | 'volatility';

export interface FactorDefinition {
  kind: FactorKind;
  description: string;
  /** A SELECT of ts_code, trade_date, value for window length `n` (an integer, inlined after validation). */
  sql(n: number): string;
}

// Adjusted close: prices times the adjustment factor (the last known one when a day has none).
const adjClose = `
  select b.ts_code, b.trade_date, b.close * coalesce(a.adj_factor, 1) as px
  from daily_bars b left join adj_factors a on a.ts_code = b.ts_code and a.trade_date = b.trade_date
  where b.close is not null`;

export const factorDefinitions: Readonly<Record<FactorKind, FactorDefinition>> = {
  turnover_ma: {
    kind: 'turnover_ma',
    description: 'moving average of the turnover rate (%) over N trading days',
    sql: (n) => `
      select ts_code, trade_date, value from (
        select ts_code, trade_date,
          avg(turnover_rate) over w as value, count(turnover_rate) over w as k
        from daily_basic
        window w as (partition by ts_code order by trade_date rows between ${n - 1} preceding and current row)
      ) where k = ${n}`,
  },
  momentum: {
    kind: 'momentum',
    description: 'N-day return of the adjusted close: close / close N trading days earlier − 1',
    sql: (n) => `
      select ts_code, trade_date, value from (
        select ts_code, trade_date, px / lag(px, ${n}) over (partition by ts_code order by trade_date) - 1 as value
        from (${adjClose})
      ) where value is not null`,
  },
  volatility: {
    kind: 'volatility',
    description: 'standard deviation of daily adjusted-close returns over N trading days (not annualised)',
    sql: (n) => `
      select ts_code, trade_date, value from (
        select ts_code, trade_date, stddev_samp(r) over w as value, count(r) over w as k
        from (select ts_code, trade_date, px / lag(px) over (partition by ts_code order by trade_date) - 1 as r from (${adjClose}))
        window w as (partition by ts_code order by trade_date rows between ${n - 1} preceding and current row)
      ) where k = ${n} and value is not null`,
  },
};

export const factorKinds = Object.keys(factorDefinitions) as FactorKind[];

export function factorName(kind: FactorKind, n: number): string {
  return `${kind}_${n}`;
}

export interface FactorSeries {
  codes: string[];
  dates: Int32Array;
  values: Float64Array;
}

/**
 * What strategies call: values of one factor (e.g. 'momentum_20'), optionally for some codes and a
 * date range, ordered by code then date, as parallel typed arrays.
 */
export async function readFactor(
  market: MarketStore,
  name: string,
  options: { codes?: readonly string[]; start?: number; end?: number } = {},
): Promise<FactorSeries> {
  const rows = await selectFactorValues(market, name, options);
  const codes = new Array<string>(rows.length);
  const dates = new Int32Array(rows.length);
  const values = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    codes[i] = String(rows[i].ts_code);
    dates[i] = Number(rows[i].trade_date);
    values[i] = Number(rows[i].value);
  }
  return { codes, dates, values };
}

/** Factor names with values stored, with their row counts and date span. */
export async function storedFactors(market: MarketStore): Promise<Array<{ factor: string; rows: number; first: number; last: number }>> {
  return selectStoredFactors(market);
}

/** Computes one factor (`kind` over `n` days) and replaces its stored values from `start` on; answers how many it wrote. */
export async function computeFactor(market: MarketStore, kind: FactorKind, n: number, start: number): Promise<number> {
  return replaceFactorValues(market, factorName(kind, n), factorDefinitions[kind].sql(n), start);
}
