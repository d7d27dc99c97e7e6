import { requireRole } from '../auth/access.ts';
import type { PgStore } from '../db/database.ts';
import { makeApiRouter } from '../http/api.ts';
import { json, operation } from '../http/contract.ts';
import type { MarketStore } from './duckdb.ts';
import * as svc from './market.service.ts';
import {
  calendarDayJson, CalendarQuery, CalendarSchema, CoverageListSchema, coverageJson, dailyBarsJson, DailyBarsSchema, DailyQuery, StockPageSchema, stockJson, StocksQuery,
  SyncLogPageSchema, SyncLogQuery, syncLogEntryJson,
} from './market.contract.ts';

const viewer = requireRole('viewer');

/** JSON under /api/v1/market: stocks, daily bars with adjustment, calendar, coverage, operation log. */
export function marketApi(deps: { market: MarketStore; pg: PgStore }) {
  const api = makeApiRouter();

  api.openapi(
    operation({
      method: 'get', path: '/market/stocks', operationId: 'searchStocks', tags: ['market'], middleware: viewer,
      summary: 'Search stocks by code or name, filter by board and list status',
      request: { query: StocksQuery },
      responses: { 200: json(StockPageSchema, 'a page of stocks with the total') },
    }),
    async (c) => {
      const r = await svc.searchStocks(deps.market, c.req.valid('query'));
      return c.json({ items: r.items.map(stockJson), total: r.total, limit: r.limit, offset: r.offset }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/market/daily', operationId: 'getDailyBars', tags: ['market'], middleware: viewer,
      summary: 'Daily bars of one stock, unadjusted (none), forward- (qfq) or backward-adjusted (hfq)',
      request: { query: DailyQuery },
      responses: { 200: json(DailyBarsSchema, 'columns of bars') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      await svc.getStock(deps.market, q.ts_code);
      const end = q.end_date ?? (await svc.lastBarDate(deps.market, q.ts_code)) ?? 0;
      const start = q.start_date ?? end - 10000;
      return c.json(dailyBarsJson(await svc.stockDaily(deps.market, q.ts_code, start, end, q.adj)), 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/market/calendar', operationId: 'getTradingCalendar', tags: ['market'], middleware: viewer,
      summary: 'Trading calendar of an exchange',
      request: { query: CalendarQuery },
      responses: { 200: json(CalendarSchema, 'calendar days') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json({ items: (await svc.calendar(deps.market, q.exchange, q.start_date, q.end_date, q.is_open === '1')).map(calendarDayJson) }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/market/coverage', operationId: 'getMarketCoverage', tags: ['market'], middleware: viewer,
      summary: 'Per dataset: rows, stocks, first and last date, last sync',
      responses: { 200: json(CoverageListSchema, 'coverage per dataset') },
    }),
    async (c) => c.json({ items: (await svc.coverage(deps.market, deps.pg)).map(coverageJson) }, 200),
  );

  api.openapi(
    operation({
      method: 'get', path: '/market/sync-log', operationId: 'listSyncLog', tags: ['market'], middleware: viewer,
      summary: 'The operation log of syncs and imports, newest first',
      request: { query: SyncLogQuery },
      responses: { 200: json(SyncLogPageSchema, 'a page of log rows with the total') },
    }),
    async (c) => {
      const r = await svc.syncLog(deps.pg, c.req.valid('query'));
      return c.json({ items: r.items.map(syncLogEntryJson), total: r.total, limit: r.limit, offset: r.offset }, 200);
    },
  );

  return api;
}
