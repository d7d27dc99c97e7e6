/** The SQL of stored factor values (`factor_values` in the market store); factors.service.ts shapes what it reads. */
import type { DuckDBValue } from '@duckdb/node-api';
import type { MarketStore } from '../market/duckdb.ts';
import { scatter } from '../market/panel-chunks.ts';
import type { FactorSources } from './builtin-factors.ts';

/** Which values a computation covers: days between start and end (inclusive), all stocks or some. */
export interface FactorScope {
  start: number;
  end: number;
  /** null: every stock. */
  codes: readonly string[] | null;
}

/** The rows of one factor, optionally for some codes, between two days (inclusive), by code then date. */
export async function selectFactorValues(market: MarketStore, name: string, options: { codes?: readonly string[]; start?: number; end?: number } = {}) {
  const params: DuckDBValue[] = [name, options.start ?? 0, options.end ?? 99991231];
  let where = 'factor = $1 and trade_date between $2 and $3';
  if (options.codes?.length) {
    where += ` and ts_code in (${options.codes.map((_, i) => `$${i + 4}`).join(', ')})`;
    params.push(...options.codes);
  }
  return market.query(`select ts_code, trade_date, value from factor_values where ${where} order by ts_code, trade_date`, params);
}

export interface StoredCoverage {
  factor: string;
  rows: number;
  first: number;
  last: number;
  codes: number;
}

/** Keys with values stored (all, or those given), with their row counts, date span and number of stocks, by key. */
export async function selectStoredFactors(market: MarketStore, keys?: readonly string[]): Promise<StoredCoverage[]> {
  const where = keys ? `where factor in (select unnest(string_split($1, ',')))` : '';
  const rows = await market.query(
    `select factor, count(*) as n, min(trade_date) as first, max(trade_date) as last, count(distinct ts_code) as codes from factor_values ${where} group by factor order by factor`,
    keys ? [keys.join(',')] : [],
  );
  return rows.map((r) => ({ factor: String(r.factor), rows: Number(r.n), first: Number(r.first), last: Number(r.last), codes: Number(r.codes) }));
}

/**
 * The market tables scoped for a computation: a stock filter ($3, comma-joined codes) when given and
 * days up to `end` ($2). No lower bound: windows look back before `start` as far as they need.
 */
function scopedSources(scope: FactorScope): FactorSources {
  const codes = scope.codes ? ` and ts_code in (select unnest(string_split($3, ',')))` : '';
  const t = (table: string) => `(select * from ${table} where trade_date <= $2${codes})`;
  return { daily_bars: t('daily_bars'), daily_basic: t('daily_basic'), adj_factors: t('adj_factors') };
}

function deleteScope(scope: FactorScope): string {
  return `delete from factor_values where factor = $1 and trade_date between $2 and $3${scope.codes ? ` and ts_code in (select unnest(string_split($4, ',')))` : ''}`;
}

/**
 * Replaces one key's values within the scope with those `sqlOf(sources)` computes (rows of ts_code,
 * trade_date, value; non-finite values dropped), in one write transaction so a reader never sees
 * half. Answers how many values it wrote.
 */
export async function replaceFactorValues(market: MarketStore, key: string, sqlOf: (from: FactorSources) => string, scope: FactorScope): Promise<number> {
  const codes = scope.codes ? scope.codes.join(',') : null;
  return market.write(async (conn) => {
    await conn.run(deleteScope(scope), codes === null ? [key, scope.start, scope.end] : [key, scope.start, scope.end, codes]);
    const params: DuckDBValue[] = [key, scope.end];
    if (codes !== null) params.push(codes);
    // $4: the first day kept (the scan reaches back before it for the windows).
    params.push(scope.start);
    const start = codes === null ? '$3' : '$4';
    const r = await conn.run(
      `insert into factor_values (factor, ts_code, trade_date, value)
       select $1, ts_code, trade_date, value from (${sqlOf(scopedSources(scope))}) where trade_date >= ${start}::integer and isfinite(value)`,
      params,
    );
    return Number(r.rowsChanged);
  });
}

/**
 * Replaces one key's values within the scope with a day-major matrix (`values[d * codes.length + i]`
 * for `dates[d]`, `codes[i]`; NaN and ±Infinity: no value), in one write transaction.
 */
export async function replaceFactorMatrix(market: MarketStore, key: string, codes: readonly string[], dates: ArrayLike<number>, values: Float64Array, scope: FactorScope): Promise<number> {
  const N = codes.length;
  const scoped = scope.codes ? scope.codes.join(',') : null;
  return market.write(async (conn) => {
    await conn.run(deleteScope(scope), scoped === null ? [key, scope.start, scope.end] : [key, scope.start, scope.end, scoped]);
    const appender = await conn.createAppender('factor_values');
    let n = 0;
    try {
      for (let d = 0; d < dates.length; d++) {
        const day = dates[d];
        if (day < scope.start || day > scope.end) continue;
        for (let i = 0; i < N; i++) {
          const v = values[d * N + i];
          if (!Number.isFinite(v)) continue;
          appender.appendVarchar(key);
          appender.appendVarchar(codes[i]);
          appender.appendInteger(day);
          appender.appendDouble(v);
          appender.endRow();
          n++;
        }
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return n;
  });
}

/** Deletes every value of these keys (a deleted user factor's versions); answers how many rows went. */
export async function deleteFactorValues(market: MarketStore, keys: readonly string[]): Promise<number> {
  if (!keys.length) return 0;
  return market.write(async (conn) => Number((await conn.run(`delete from factor_values where factor in (select unnest(string_split($1, ',')))`, [keys.join(',')])).rowsChanged));
}

/**
 * One key's values as a day-major matrix over `codes` × `dates` (NaN where none is stored): codes and
 * days become indexes through temp tables, and the rows are scattered straight from DuckDB's vectors
 * (the panel loader's way, panel-chunks.ts), so a full-market read makes no object per row.
 */
export async function readFactorMatrixRows(market: MarketStore, key: string, codes: readonly string[], dates: ArrayLike<number>): Promise<Float64Array> {
  const N = codes.length;
  const D = dates.length;
  const out = new Float64Array(N * D).fill(NaN);
  if (!N || !D) return out;
  const present = new Uint8Array(N * D);
  const dayList = Array.from(dates).join(',');
  await market.readParallel(1, async ([c]) => {
    await c.run(`create temp table fm_codes as select unnest(s) as ts_code, unnest(range(len(s)))::integer as i from (select string_split($1, ',') as s)`, [codes.join(',')]);
    await c.run(`create temp table fm_days as select unnest(s)::integer as trade_date, unnest(range(len(s)))::integer as k from (select string_split($1, ',') as s)`, [dayList]);
    const result = await c.stream(
      `select (d.k * $4::integer + u.i)::integer as slot, coalesce(f.value, 'nan'::double) as value
       from factor_values f join fm_codes u on u.ts_code = f.ts_code join fm_days d on d.trade_date = f.trade_date
       where f.factor = $1 and f.trade_date between $2 and $3`,
      [key, dates[0], dates[D - 1], N],
    );
    await scatter(result, [out], null, present);
  });
  return out;
}
