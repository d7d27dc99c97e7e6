/**
 * The SQL of stored factor values (`factor_values` in the market store); factors.service.ts shapes what it reads.
 *
 * A row is (factor_id, code, trade_date, value), all numbers: the key is a row of `factor_keys` and
 * the stock an integer made from its ts_code (`stockCode`). Strings per row made a full-market
 * write three times dearer (10 M rows: 1.5 s to store a constant key string, 1.3 s the codes, 0.45 s
 * the four numbers; migration 995).
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { MarketStore } from '../market/duckdb.ts';
import { scatter } from '../market/panel-chunks.ts';
import type { FactorSources } from './builtin-factors.ts';

/**
 * A stock as `factor_values` stores it: its six digits × 4 plus the exchange (BJ 1, SH 2, SZ 3), so
 * the integers sort as the ts_codes do. Every stored code has this form (the market's code check,
 * csv-stage.ts); another throws rather than being stored under a wrong number.
 */
export function stockCode(tsCode: string): number {
  const m = /^(\d{6})\.(BJ|SH|SZ)$/.exec(tsCode);
  if (!m) throw new Error(`not an A-share code: ${tsCode}`);
  return Number(m[1]) * 4 + (m[2] === 'BJ' ? 1 : m[2] === 'SH' ? 2 : 3);
}

/** stockCode in SQL, of a ts_code column; a code of another form fails the statement. */
export const stockCodeSql = (col: string) =>
  `(left(${col}, 6)::integer * 4 + case right(${col}, 3) when '.BJ' then 1 when '.SH' then 2 when '.SZ' then 3 else error('not an A-share code: ' || ${col}) end)::integer`;

/** The ts_code of a stored code (stockCode's inverse), in SQL. */
const tsCodeSql = (col: string) => `lpad((${col} // 4)::varchar, 6, '0') || case ${col} % 4 when 1 then '.BJ' when 2 then '.SH' else '.SZ' end`;

/** The id of a stored key (null: nothing ever stored under it), in SQL of parameter `p`. */
const keyId = (p: string) => `(select id from factor_keys where key = ${p})`;

/** The id of a key for a write, made when it has none (inside the caller's write transaction). */
async function keyIdForWrite(conn: DuckDBConnection, key: string): Promise<number> {
  await conn.run(`insert into factor_keys (id, key) select coalesce(max(id), 0) + 1, $1 from factor_keys having count(*) filter (where key = $1) = 0`, [key]);
  const rows = (await conn.runAndReadAll(`select id from factor_keys where key = $1`, [key])).getRows();
  return Number(rows[0][0]);
}

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
  let where = `factor_id = ${keyId('$1')} and trade_date between $2 and $3`;
  if (options.codes?.length) {
    where += ` and code in (${options.codes.map((_, i) => `$${i + 4}`).join(', ')})`;
    params.push(...options.codes.map(stockCode));
  }
  return market.query(`select ${tsCodeSql('code')} as ts_code, trade_date, value from factor_values where ${where} order by code, trade_date`, params);
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
  const where = keys ? `where k.key in (select unnest(string_split($1, ',')))` : '';
  const rows = await market.query(
    `select k.key as factor, count(*) as n, min(f.trade_date) as first, max(f.trade_date) as last, count(distinct f.code) as codes
     from factor_values f join factor_keys k on k.id = f.factor_id ${where} group by k.key order by k.key`,
    keys ? [keys.join(',')] : [],
  );
  return rows.map((r) => ({ factor: String(r.factor), rows: Number(r.n), first: Number(r.first), last: Number(r.last), codes: Number(r.codes) }));
}

/**
 * The market tables scoped for a computation, each with the stock's stored `code` beside its
 * ts_code: a stock filter ($3, comma-joined codes) when given and days up to `end` ($2). No lower
 * bound: windows look back before `start` as far as they need.
 */
function scopedSources(scope: FactorScope): FactorSources {
  const codes = scope.codes ? ` and ts_code in (select unnest(string_split($3, ',')))` : '';
  const t = (table: string) => `(select ${stockCodeSql('ts_code')} as code, * from ${table} where trade_date <= $2${codes})`;
  return { daily_bars: t('daily_bars'), daily_basic: t('daily_basic'), adj_factors: t('adj_factors') };
}

/** Deletes a key's values in the scope (its id $1, days $2–$3, the stocks' codes $4 comma-joined when given). */
async function deleteScope(conn: DuckDBConnection, id: number, scope: FactorScope): Promise<void> {
  const codes = scope.codes ? ` and code in (select unnest(string_split($4, ','))::integer)` : '';
  const params: DuckDBValue[] = [id, scope.start, scope.end];
  if (scope.codes) params.push(scope.codes.map(stockCode).join(','));
  await conn.run(`delete from factor_values where factor_id = $1 and trade_date between $2 and $3${codes}`, params);
}

/**
 * Replaces one key's values within the scope with those `sqlOf(sources)` computes (rows of code,
 * trade_date, value; non-finite values dropped), in one write transaction so a reader never sees
 * half. Answers how many values it wrote.
 */
export async function replaceFactorValues(market: MarketStore, key: string, sqlOf: (from: FactorSources) => string, scope: FactorScope): Promise<number> {
  const codes = scope.codes ? scope.codes.join(',') : null;
  return market.write(async (conn) => {
    const id = await keyIdForWrite(conn, key);
    await deleteScope(conn, id, scope);
    const params: DuckDBValue[] = [id, scope.end];
    if (codes !== null) params.push(codes);
    // $4: the first day kept (the scan reaches back before it for the windows).
    params.push(scope.start);
    const start = codes === null ? '$3' : '$4';
    const r = await conn.run(
      `insert into factor_values (factor_id, code, trade_date, value)
       select $1::integer, code, trade_date, value from (${sqlOf(scopedSources(scope))}) where trade_date >= ${start}::integer and isfinite(value)`,
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
  const stored = Int32Array.from(codes, stockCode);
  return market.write(async (conn) => {
    const id = await keyIdForWrite(conn, key);
    await deleteScope(conn, id, scope);
    const appender = await conn.createAppender('factor_values');
    let n = 0;
    try {
      for (let d = 0; d < dates.length; d++) {
        const day = dates[d];
        if (day < scope.start || day > scope.end) continue;
        for (let i = 0; i < N; i++) {
          const v = values[d * N + i];
          if (!Number.isFinite(v)) continue;
          appender.appendInteger(id);
          appender.appendInteger(stored[i]);
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
  return market.write(async (conn) => {
    const n = Number((await conn.run(`delete from factor_values where factor_id in (select id from factor_keys where key in (select unnest(string_split($1, ','))))`, [keys.join(',')])).rowsChanged);
    await conn.run(`delete from factor_keys where key in (select unnest(string_split($1, ',')))`, [keys.join(',')]);
    return n;
  });
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
    await c.run(`create temp table fm_codes as select unnest(s)::integer as code, unnest(range(len(s)))::integer as i from (select string_split($1, ',') as s)`, [Array.from(codes, stockCode).join(',')]);
    await c.run(`create temp table fm_days as select unnest(s)::integer as trade_date, unnest(range(len(s)))::integer as k from (select string_split($1, ',') as s)`, [dayList]);
    const result = await c.stream(
      `select (d.k * $4::integer + u.i)::integer as slot, coalesce(f.value, 'nan'::double) as value
       from factor_values f join fm_codes u on u.code = f.code join fm_days d on d.trade_date = f.trade_date
       where f.factor_id = ${keyId('$1')} and f.trade_date between $2 and $3`,
      [key, dates[0], dates[D - 1], N],
    );
    await scatter(result, [out], null, present);
  });
  return out;
}
