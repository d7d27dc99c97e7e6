import { listValue, type DuckDBValue } from '@duckdb/node-api';
import type { DatasetDef } from './datasets.ts';
import type { MarketStore } from './duckdb.ts';

/** SQL over the market store for pages and the JSON API (cold paths: row objects are fine here). */
export interface StockFilter {
  q?: string;
  board?: string;
  status?: string;
  limit: number;
  offset: number;
}

export async function searchStocks(market: MarketStore, f: StockFilter) {
  const where: string[] = [];
  const params: DuckDBValue[] = [];
  if (f.q) {
    params.push(`%${f.q.toLowerCase()}%`);
    where.push(`(lower(ts_code) like $${params.length} or lower(name) like $${params.length} or symbol like $${params.length})`);
  }
  if (f.board) {
    params.push(f.board);
    where.push(`board = $${params.length}`);
  }
  if (f.status) {
    params.push(f.status);
    where.push(`list_status = $${params.length}`);
  }
  const w = where.length ? `where ${where.join(' and ')}` : '';
  const [total] = await market.query(`select count(*)::integer as n from stocks ${w}`, params);
  const rows = await market.query(
    `select ts_code, symbol, name, industry, area, market, exchange, board, list_status, list_date, delist_date from stocks ${w}
     order by ts_code limit ${Math.trunc(f.limit)} offset ${Math.trunc(f.offset)}`,
    params,
  );
  return { rows, total: Number(total.n) };
}

export async function findStock(market: MarketStore, code: string) {
  const rows = await market.query(`select * from stocks where ts_code = $1`, [code]);
  return rows[0] ?? null;
}

export async function stockBars(market: MarketStore, code: string, start: number, end: number) {
  return market.query(
    `select b.trade_date, b.open, b.high, b.low, b.close, b.pre_close, b.change, b.pct_chg, b.vol, b.amount,
            a.adj_factor, l.up_limit, l.down_limit
     from daily_bars b
     left join adj_factors a on a.ts_code = b.ts_code and a.trade_date = b.trade_date
     left join limit_prices l on l.ts_code = b.ts_code and l.trade_date = b.trade_date
     where b.ts_code = $1 and b.trade_date between $2 and $3 order by b.trade_date`,
    [code, start, end],
  );
}

/** The stock's latest adj factor on or before a date (the qfq base). */
export async function latestAdjFactor(market: MarketStore, code: string, asOf: number): Promise<number | null> {
  const rows = await market.query(
    `select adj_factor from adj_factors where ts_code = $1 and trade_date <= $2 and adj_factor is not null order by trade_date desc limit 1`,
    [code, asOf],
  );
  return rows.length ? Number(rows[0].adj_factor) : null;
}

export async function stockBasics(market: MarketStore, code: string, limit: number) {
  return market.query(`select * from daily_basic where ts_code = $1 order by trade_date desc limit ${Math.trunc(limit)}`, [code]);
}

export async function lastBarDate(market: MarketStore, code: string): Promise<number | null> {
  const rows = await market.query(`select max(trade_date)::integer as d from daily_bars where ts_code = $1`, [code]);
  return rows[0]?.d == null ? null : Number(rows[0].d);
}

export async function calendarDays(market: MarketStore, exchange: string, start: number, end: number, openOnly: boolean) {
  return market.query(
    `select exchange, cal_date, is_open, pretrade_date from trade_calendar
     where exchange = $1 and cal_date between $2 and $3 ${openOnly ? 'and is_open = 1' : ''} order by cal_date`,
    [exchange, start, end],
  );
}

export async function datasetCoverage(market: MarketStore, def: DatasetDef) {
  const codeCol = def.columns.some((c) => c.name === 'ts_code') ? 'count(distinct ts_code)::integer' : 'null::integer';
  const dateCol = def.dateColumn ?? (def.name === 'stocks' ? 'list_date' : def.name === 'st_periods' ? 'start_date' : null);
  const range = dateCol ? `min(${dateCol})::integer, max(${dateCol})::integer` : 'null::integer, null::integer';
  const [r] = await market.query(`select count(*)::bigint::double as n, ${codeCol} as stocks, ${range} from ${def.table}`);
  const v = Object.values(r);
  return { rows: Number(v[0]), stocks: v[1] == null ? null : Number(v[1]), first: v[2] == null ? null : Number(v[2]), last: v[3] == null ? null : Number(v[3]) };
}

export async function stockCodesExist(market: MarketStore, codes: string[]): Promise<Set<string>> {
  const rows = await market.query(`select ts_code from stocks where list_contains($1, ts_code)`, [listValue(codes)]);
  return new Set(rows.map((r) => String(r.ts_code)));
}
