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

// ---- Coverage: what a backtest may ask of the market data (src/backtests/plan.ts) ----------------

const firstLast = (r: Record<string, unknown> | undefined) => (r?.a == null || r?.b == null ? null : { first: Number(r.a), last: Number(r.b) });

/** The first and last day with daily bars (what the market data covers), or null when there are none. */
export async function barDateRange(market: MarketStore): Promise<{ first: number; last: number } | null> {
  const [r] = await market.query(`select min(trade_date)::integer as a, max(trade_date)::integer as b from daily_bars`);
  return firstLast(r);
}

/** The first and last day of the SSE calendar (open or not), or null when none is synced. */
export async function calendarRange(market: MarketStore): Promise<{ first: number; last: number } | null> {
  const [r] = await market.query(`select min(cal_date)::integer as a, max(cal_date)::integer as b from trade_calendar where exchange = 'SSE'`);
  return firstLast(r);
}

/**
 * The trading days in [start, end] as the panel loader counts them (src/market/panel.ts loadDates:
 * the SSE calendar's open days; the days with bars when the calendar has none there): the first,
 * the last and how many; null when there is none.
 */
export async function tradingDaysIn(market: MarketStore, start: number, end: number): Promise<{ first: number; last: number; count: number } | null> {
  let [r] = await market.query(
    `select min(cal_date)::integer as a, max(cal_date)::integer as b, count(*)::integer as n from trade_calendar where exchange = 'SSE' and is_open = 1 and cal_date between $1 and $2`,
    [start, end],
  );
  if (!r || Number(r.n) === 0) {
    [r] = await market.query(`select min(trade_date)::integer as a, max(trade_date)::integer as b, count(distinct trade_date)::integer as n from daily_bars where trade_date between $1 and $2`, [start, end]);
  }
  const fl = firstLast(r);
  return fl && Number(r.n) > 0 ? { ...fl, count: Number(r.n) } : null;
}

/** The trading day `n` trading days before `day` (the earliest there is when fewer are known; `day` when none), counted as tradingDaysIn counts them. */
export async function tradingDayBefore(market: MarketStore, day: number, n: number): Promise<number> {
  if (n <= 0) return day;
  const limit = Math.trunc(n);
  let [r] = await market.query(
    `select min(d)::integer as a from (select cal_date as d from trade_calendar where exchange = 'SSE' and is_open = 1 and cal_date < $1 order by cal_date desc limit $2)`,
    [day, limit],
  );
  if (r?.a == null) [r] = await market.query(`select min(d)::integer as a from (select distinct trade_date as d from daily_bars where trade_date < $1 order by d desc limit $2)`, [day, limit]);
  return r?.a == null ? day : Number(r.a);
}

/** Those of `codes` the store knows neither in its stock list nor by any daily bar, sorted. */
export async function unknownCodes(market: MarketStore, codes: readonly string[]): Promise<string[]> {
  if (!codes.length) return [];
  // The stock list first (small); daily_bars (large) only for the codes it does not have.
  const unlisted = (
    await market.query(`select c.code from (select unnest($1::varchar[]) as code) c where not exists (select 1 from stocks s where s.ts_code = c.code) order by 1`, [listValue([...codes])])
  ).map((r) => String(r.code));
  if (!unlisted.length) return [];
  const traded = new Set(
    (await market.query(`select distinct b.ts_code from daily_bars b join (select unnest($1::varchar[]) as code) c on c.code = b.ts_code`, [listValue(unlisted)])).map((r) => String(r.ts_code)),
  );
  return unlisted.filter((c) => !traded.has(c));
}

/** Those of `codes` with at least one daily bar in [start, end]. */
export async function codesWithBars(market: MarketStore, codes: readonly string[], start: number, end: number): Promise<Set<string>> {
  if (!codes.length) return new Set();
  // A hash join against the codes (list_contains per row cost ~170 ms over 3M bars).
  const rows = await market.query(
    `select distinct b.ts_code from daily_bars b join (select unnest($1::varchar[]) as code) c on c.code = b.ts_code where b.trade_date between $2 and $3`,
    [listValue([...codes]), start, end],
  );
  return new Set(rows.map((r) => String(r.ts_code)));
}

/**
 * How many stocks a universe of every stock listed in [start, end] holds (as the panel loader picks
 * them): in all, on `boards` (null: every board), and of those the ones without an ST tag on any day
 * of the range.
 */
export async function universeCounts(market: MarketStore, start: number, end: number, boards: readonly string[] | null): Promise<{ listed: number; onBoards: number; notSt: number }> {
  const [r] = await market.query(
    `with listed as (
       select ts_code, ($3::varchar[] is null or list_contains($3::varchar[], board)) as on_boards from stocks
       where coalesce(list_date, 0) <= $2 and (delist_date is null or delist_date > $1)
     )
     select count(*)::integer as listed, count(*) filter (where on_boards)::integer as on_boards,
            count(*) filter (where on_boards and not exists (
              select 1 from st_periods p where p.ts_code = l.ts_code and p.start_date <= $2 and (p.end_date is null or p.end_date > $1)))::integer as not_st
     from listed l`,
    [start, end, boards?.length ? listValue([...boards]) : null],
  );
  return { listed: Number(r?.listed ?? 0), onBoards: Number(r?.on_boards ?? 0), notSt: Number(r?.not_st ?? 0) };
}

/** The index codes with daily data, each with its first and last day, by code. */
export async function indexCoverage(market: MarketStore): Promise<{ code: string; first: number; last: number }[]> {
  const rows = await market.query(`select ts_code, min(trade_date)::integer as a, max(trade_date)::integer as b from index_daily group by ts_code order by ts_code`);
  return rows.map((r) => ({ code: String(r.ts_code), first: Number(r.a), last: Number(r.b) }));
}

/** The store's headline counts: stocks, listed stocks, and the first and last daily-bar dates (null when there are no bars). */
export async function storeCounts(market: MarketStore): Promise<{ stocks: number; listed: number; first: number | null; last: number | null }> {
  const [r] = await market.query(
    `select (select count(*) from stocks)::integer as stocks, (select count(*) from stocks where list_status = 'L')::integer as listed,
            (select min(trade_date) from daily_bars)::integer as first, (select max(trade_date) from daily_bars)::integer as last`,
  );
  return { stocks: Number(r.stocks), listed: Number(r.listed), first: r.first == null ? null : Number(r.first), last: r.last == null ? null : Number(r.last) };
}

/** Up to 30 stocks whose code, name or symbol contains `q` (case-insensitive), by code: the create form's stock picker. */
export async function stockPicks(market: MarketStore, q: string): Promise<{ tsCode: string; name: string | null }[]> {
  const rows = await market.query(`select ts_code, name from stocks where ts_code ilike $1 or name ilike $1 or symbol ilike $1 order by ts_code limit 30`, [`%${q}%`]);
  return rows.map((r) => ({ tsCode: String(r.ts_code), name: (r.name as string | null) ?? null }));
}
