import type { PgStore } from '../db/database.ts';
import { AppError } from '../http/errors.ts';
import { datasetNames, datasets, type DatasetName } from './datasets.ts';
import type { MarketStore } from './duckdb.ts';
import * as repo from './market.repository.ts';

/**
 * What a backtest's plan and the panel cache ask of the market data (src/backtests/plan.ts,
 * panel-cache.ts): the repository's coverage queries, served through this service.
 */
export { barDateRange, calendarRange, codesWithBars, indexCoverage, tradingDayBefore, tradingDaysIn, universeCounts, unknownCodes } from './market.repository.ts';
import { lastGoodSync, lastSyncPerDataset, listSyncLog, type SyncLogFilter } from './sync/sync-log.repository.ts';

export type Adjustment = 'qfq' | 'hfq' | 'none';

export interface StockSummary {
  tsCode: string;
  symbol: string | null;
  name: string | null;
  industry: string | null;
  area: string | null;
  market: string | null;
  exchange: string | null;
  board: string;
  listStatus: string | null;
  listDate: number | null;
  delistDate: number | null;
}

const toStock = (r: Record<string, unknown>): StockSummary => ({
  tsCode: String(r.ts_code),
  symbol: (r.symbol as string | null) ?? null,
  name: (r.name as string | null) ?? null,
  industry: (r.industry as string | null) ?? null,
  area: (r.area as string | null) ?? null,
  market: (r.market as string | null) ?? null,
  exchange: (r.exchange as string | null) ?? null,
  board: String(r.board),
  listStatus: (r.list_status as string | null) ?? null,
  listDate: (r.list_date as number | null) ?? null,
  delistDate: (r.delist_date as number | null) ?? null,
});

export async function searchStocks(market: MarketStore, f: repo.StockFilter) {
  const { rows, total } = await repo.searchStocks(market, f);
  return { items: rows.map(toStock), total, limit: f.limit, offset: f.offset };
}

export async function getStock(market: MarketStore, code: string): Promise<StockSummary> {
  const r = await repo.findStock(market, code);
  if (!r) throw new AppError(404, 'not_found', `no stock ${code} in the market store; search /market or sync the stock list`);
  return toStock(r);
}

export interface DailyBars {
  tsCode: string;
  adj: Adjustment;
  /** The adj factor prices were divided by (qfq), or null. */
  qfqBase: number | null;
  dates: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  preClose: number[];
  pctChg: (number | null)[];
  /** Lots (100 shares) and thousand CNY, as Tushare gives them. */
  vol: (number | null)[];
  amount: (number | null)[];
  adjFactor: (number | null)[];
  upLimit: (number | null)[];
  downLimit: (number | null)[];
}

/**
 * One stock's bars with an adjustment: hfq = price × adj_factor; qfq = price × adj_factor /
 * (latest factor on or before `end`), so the last bar shows the actual price. Missing factors
 * are carried forward (1 before the first).
 */
export async function stockDaily(market: MarketStore, code: string, start: number, end: number, adj: Adjustment): Promise<DailyBars> {
  if (start > end) throw new AppError(400, 'invalid_range', `start ${start} is after end ${end}`);
  const rows = await repo.stockBars(market, code, start, end);
  const base = adj === 'qfq' ? await repo.latestAdjFactor(market, code, end) : null;
  const out: DailyBars = {
    tsCode: code, adj, qfqBase: base, dates: [], open: [], high: [], low: [], close: [], preClose: [], pctChg: [], vol: [], amount: [], adjFactor: [], upLimit: [], downLimit: [],
  };
  let factor = 1;
  for (const r of rows) {
    if (r.adj_factor != null) factor = Number(r.adj_factor);
    const k = adj === 'none' ? 1 : adj === 'hfq' ? factor : factor / (base ?? factor);
    const px = (v: unknown) => (v == null ? NaN : Math.round(Number(v) * k * 1000) / 1000);
    out.dates.push(Number(r.trade_date));
    out.open.push(px(r.open));
    out.high.push(px(r.high));
    out.low.push(px(r.low));
    out.close.push(px(r.close));
    out.preClose.push(px(r.pre_close));
    out.pctChg.push(r.pct_chg == null ? null : Number(r.pct_chg));
    out.vol.push(r.vol == null ? null : Number(r.vol));
    out.amount.push(r.amount == null ? null : Number(r.amount));
    out.adjFactor.push(r.adj_factor == null ? null : Number(r.adj_factor));
    out.upLimit.push(r.up_limit == null ? null : Number(r.up_limit));
    out.downLimit.push(r.down_limit == null ? null : Number(r.down_limit));
  }
  return out;
}

export async function stockIndicators(market: MarketStore, code: string, limit = 20) {
  return repo.stockBasics(market, code, limit);
}

export async function lastBarDate(market: MarketStore, code: string) {
  return repo.lastBarDate(market, code);
}

export async function calendar(market: MarketStore, exchange: string, start: number, end: number, openOnly: boolean) {
  const rows = await repo.calendarDays(market, exchange, start, end, openOnly);
  return rows.map((r) => ({ exchange: String(r.exchange), calDate: Number(r.cal_date), isOpen: Number(r.is_open) === 1, pretradeDate: r.pretrade_date == null ? null : Number(r.pretrade_date) }));
}

export interface CoverageRow {
  dataset: DatasetName;
  summary: string;
  rows: number;
  stocks: number | null;
  first: number | null;
  last: number | null;
  lastSync: string | null;
}

export async function coverage(market: MarketStore, pg: PgStore): Promise<CoverageRow[]> {
  const lastSync = await lastSyncPerDataset(pg.db);
  const out: CoverageRow[] = [];
  for (const name of datasetNames) {
    const c = await repo.datasetCoverage(market, datasets[name]);
    out.push({ dataset: name, summary: datasets[name].summary, ...c, lastSync: (lastSync.get(name) ?? lastSync.get('all'))?.toISOString() ?? null });
  }
  return out;
}

export async function syncLog(pg: PgStore, f: SyncLogFilter) {
  const { rows, total } = await listSyncLog(pg.db, f);
  return {
    total,
    limit: f.limit,
    offset: f.offset,
    items: rows.map((r) => ({
      id: Number(r.id),
      source: r.source,
      endpoint: r.endpoint,
      dataset: r.dataset,
      params: r.params,
      inserted: r.inserted,
      updated: r.updated,
      unchanged: r.unchanged,
      deleted: r.deleted,
      result: r.result,
      error: r.error,
      lastCompletedDate: r.last_completed_date,
      startedAt: new Date(r.started_at).toISOString(),
      finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
      durationMs: r.duration_ms,
      runId: r.run_id === null ? null : Number(r.run_id),
      runAttempt: r.run_attempt,
      /** The process that wrote the row (host:pid:random); a running row is held by its lease until leaseExpiresAt. */
      owner: r.owner,
      leaseExpiresAt: r.lease_expires_at ? new Date(r.lease_expires_at).toISOString() : null,
    })),
  };
}

/** What the home page says about the data: stock count, date range, last sync. */
export async function marketSummary(market: MarketStore, pg: PgStore) {
  const r = await repo.storeCounts(market);
  const last = await lastGoodSync(pg.db);
  return {
    stocks: r.stocks,
    listed: r.listed,
    firstDate: r.first,
    lastDate: r.last,
    lastSync: last ? { dataset: last.dataset, source: last.source, result: last.result, at: new Date(last.finished_at!).toISOString() } : null,
  };
}

/** The first and last day with daily bars, or null when the store has none (the range a backtest may ask for). */
export async function barRange(market: MarketStore): Promise<{ first: number; last: number } | null> {
  return repo.barDateRange(market);
}

/** The index codes with daily data, by code (the benchmarks a backtest may name). */
export async function indexCodes(market: MarketStore): Promise<string[]> {
  return (await repo.indexCoverage(market)).map((i) => i.code);
}

/** Stocks whose code, name or symbol contains `q`, at most 30 (the create form's picker). */
export async function stockPicks(market: MarketStore, q: string): Promise<{ tsCode: string; name: string | null }[]> {
  return repo.stockPicks(market, q);
}
