/** The SQL of stored factor values (`factor_values` in the market store); factors.service.ts shapes what it reads. */
import type { DuckDBValue } from '@duckdb/node-api';
import type { MarketStore } from '../market/duckdb.ts';

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

/** Factor names with values stored, with their row counts and date span, by name. */
export async function selectStoredFactors(market: MarketStore): Promise<Array<{ factor: string; rows: number; first: number; last: number }>> {
  const rows = await market.query(`select factor, count(*) as n, min(trade_date) as first, max(trade_date) as last from factor_values group by factor order by factor`);
  return rows.map((r) => ({ factor: String(r.factor), rows: Number(r.n), first: Number(r.first), last: Number(r.last) }));
}

/**
 * Replaces one factor's values from `start` on with those `valuesSql` computes (rows of ts_code,
 * trade_date, value; non-finite values dropped), in one write transaction so a reader never sees half.
 * Answers how many values it wrote.
 */
export async function replaceFactorValues(market: MarketStore, name: string, valuesSql: string, start: number): Promise<number> {
  return market.write(async (conn) => {
    await conn.run(`delete from factor_values where factor = $1 and trade_date >= $2`, [name, start]);
    const r = await conn.run(
      `insert into factor_values (factor, ts_code, trade_date, value)
       select $1, ts_code, trade_date, value from (${valuesSql}) where trade_date >= $2 and isfinite(value)`,
      [name, start],
    );
    return Number(r.rowsChanged);
  });
}
