import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/access.ts';
import type { PgStore } from '../db/database.ts';
import { makeApiRouter } from '../http/api.ts';
import { dayProblem, pageQuery } from '../http/input.ts';
import type { MarketStore } from '../market/duckdb.ts';
import * as svc from '../market/market.service.ts';
import { datasetNames } from '../market/datasets.ts';

const ymd = (what: string) =>
  z
    .string()
    .regex(/^\d{8}$/, { message: `${what}: expected a date as YYYYMMDD, e.g. 20240102` })
    .refine((s) => !dayProblem(s), { message: `${what}: expected a calendar day from 19900101 to 21001231` })
    .transform(Number)
    .openapi({ example: '20240102' });
const { limit, offset } = pageQuery(500, 50).shape;
const json = <T extends z.ZodType>(schema: T, description: string) => ({ 200: { description, content: { 'application/json': { schema } } } });
const anyJson = z.any();

/** JSON under /api/v1/market: stocks, daily bars with adjustment, calendar, coverage, operation log. */
export function marketApi(deps: { market: MarketStore; pg: PgStore }) {
  const api = makeApiRouter();

  api.openapi(
    createRoute({
      method: 'get',
      path: '/market/stocks',
      middleware: [requireRole('viewer')] as const,
      summary: 'Search stocks by code or name, filter by board and list status',
      request: {
        query: z.object({
          q: z.string().max(50).optional(),
          board: z.enum(['main', 'chinext', 'star', 'bse']).optional(),
          status: z.enum(['L', 'D', 'P']).optional(),
          limit,
          offset,
        }),
      },
      responses: json(anyJson, 'a page of stocks with the total'),
    }),
    async (c) => c.json(await svc.searchStocks(deps.market, c.req.valid('query')), 200),
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/market/daily',
      middleware: [requireRole('viewer')] as const,
      summary: 'Daily bars of one stock, unadjusted (none), forward- (qfq) or backward-adjusted (hfq)',
      request: {
        query: z.object({
          ts_code: z.string().regex(/^\d{6}\.(SH|SZ|BJ)$/, { message: 'expected a code like 600000.SH' }),
          start: ymd('start').optional(),
          end: ymd('end').optional(),
          adj: z.enum(['qfq', 'hfq', 'none']).default('none'),
        }),
      },
      responses: json(anyJson, 'columns of bars'),
    }),
    async (c) => {
      const q = c.req.valid('query');
      await svc.getStock(deps.market, q.ts_code);
      const end = q.end ?? (await svc.lastBarDate(deps.market, q.ts_code)) ?? 0;
      const start = q.start ?? end - 10000;
      return c.json(await svc.stockDaily(deps.market, q.ts_code, start, end, q.adj), 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/market/calendar',
      middleware: [requireRole('viewer')] as const,
      summary: 'Trading calendar of an exchange',
      request: {
        query: z.object({
          exchange: z.enum(['SSE', 'SZSE', 'BSE']).default('SSE'),
          start: ymd('start'),
          end: ymd('end'),
          is_open: z.enum(['0', '1']).optional(),
        }),
      },
      responses: json(anyJson, 'calendar days'),
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json({ items: await svc.calendar(deps.market, q.exchange, q.start, q.end, q.is_open === '1') }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/market/coverage',
      middleware: [requireRole('viewer')] as const,
      summary: 'Per dataset: rows, stocks, first and last date, last sync',
      responses: json(anyJson, 'coverage per dataset'),
    }),
    async (c) => c.json({ items: await svc.coverage(deps.market, deps.pg) }, 200),
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/market/sync-log',
      middleware: [requireRole('viewer')] as const,
      summary: 'The operation log of syncs and imports, newest first',
      request: {
        query: z.object({
          dataset: z.enum(datasetNames as [string, ...string[]]).optional(),
          source: z.enum(['tushare', 'demo', 'csv']).optional(),
          result: z.enum(['running', 'success', 'partial', 'failed', 'abandoned']).optional(),
          limit,
          offset,
        }),
      },
      responses: json(anyJson, 'a page of log rows with the total'),
    }),
    async (c) => c.json(await svc.syncLog(deps.pg, c.req.valid('query')), 200),
  );

  return api;
}
