/** The market API's contract: stocks, daily bars, calendar, coverage and the sync log (conventions in src/http/contract.ts). */
import { z } from '@hono/zod-openapi';
import { instantSchema, isoDaySchema } from '../http/contract.ts';
import { isoDay, ymdOf } from './days.ts';
import { dayProblem, pageQuery } from '../http/input.ts';
import { datasetNames } from './datasets.ts';
import type { CoverageRow, DailyBars, StockSummary, syncLog } from './market.service.ts';

/** A day in a market query: YYYY-MM-DD, or YYYYMMDD as Tushare writes it; read as the YYYYMMDD number. */
const day = (what: string) =>
  z
    .string()
    .superRefine((s, ctx) => {
      const why = dayProblem(s);
      if (why) ctx.addIssue({ code: 'custom', message: `${what}: ${why} (YYYYMMDD also works)` });
    })
    .transform(ymdOf)
    .openapi({ example: '2024-01-02', description: 'YYYY-MM-DD (or YYYYMMDD)' });
const { limit, offset } = pageQuery(500, 50).shape;
const tsCode = z.string().regex(/^\d{6}\.(SH|SZ|BJ)$/, { message: 'expected a code like 600000.SH' });

export const StocksQuery = z.object({
  q: z.string().max(50).optional().describe('Part of a code or name'),
  board: z.enum(['main', 'chinext', 'star', 'bse']).optional(),
  status: z.enum(['L', 'D', 'P']).optional().describe('L listed, D delisted, P paused'),
  limit,
  offset,
}).strict();
export const DailyQuery = z.object({
  ts_code: tsCode,
  start_date: day('start_date').optional().describe('First day; a year before end_date when absent'),
  end_date: day('end_date').optional().describe("Last day; the stock's last bar when absent"),
  adj: z.enum(['qfq', 'hfq', 'none']).default('none'),
}).strict();
export const CalendarQuery = z.object({
  exchange: z.enum(['SSE', 'SZSE', 'BSE']).default('SSE'),
  start_date: day('start_date'),
  end_date: day('end_date'),
  is_open: z.enum(['0', '1']).optional().describe('1: trading days only'),
}).strict();
export const SyncLogQuery = z.object({
  dataset: z.enum(datasetNames as [string, ...string[]]).optional(),
  source: z.enum(['tushare', 'demo', 'csv']).optional(),
  result: z.enum(['running', 'success', 'partial', 'failed', 'abandoned']).optional(),
  limit,
  offset,
}).strict();

export const StockSchema = z
  .object({
    ts_code: z.string(), symbol: z.string().nullable(), name: z.string().nullable(), industry: z.string().nullable(), area: z.string().nullable(),
    market: z.string().nullable(), exchange: z.string().nullable(), board: z.string(), list_status: z.string().nullable(),
    list_date: isoDaySchema.nullable(), delist_date: isoDaySchema.nullable(),
  })
  .openapi('Stock');
export const stockJson = (s: StockSummary): z.infer<typeof StockSchema> => ({
  ts_code: s.tsCode, symbol: s.symbol, name: s.name, industry: s.industry, area: s.area, market: s.market, exchange: s.exchange, board: s.board,
  list_status: s.listStatus, list_date: isoDay(s.listDate), delist_date: isoDay(s.delistDate),
});
export const StockPageSchema = z.object({ items: z.array(StockSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }).openapi('StockPage');

const prices = z.array(z.number().nullable()).describe('CNY, adjusted as `adj` says; null where the bar lacks it');
const values = z.array(z.number().nullable());
export const DailyBarsSchema = z
  .object({
    ts_code: z.string(),
    adj: z.enum(['qfq', 'hfq', 'none']),
    qfq_base: z.number().nullable().describe('The adj_factor qfq prices were divided by (the latest on or before end_date), else null'),
    trade_date: z.array(isoDaySchema),
    open: prices, high: prices, low: prices, close: prices, pre_close: prices,
    pct_chg: values.describe('Percent change, as Tushare gives it'),
    vol: values.describe('Lots of 100 shares, as Tushare gives it'),
    amount: values.describe('Thousand CNY, as Tushare gives it'),
    adj_factor: values, up_limit: values, down_limit: values,
  })
  .openapi('DailyBars', { description: 'One stock\'s bars as columns: element i of every array is trade_date[i]' });
const finite = (v: number) => (Number.isFinite(v) ? v : null);
export const dailyBarsJson = (b: DailyBars): z.infer<typeof DailyBarsSchema> => ({
  ts_code: b.tsCode, adj: b.adj, qfq_base: b.qfqBase, trade_date: b.dates.map((d) => isoDay(d)),
  open: b.open.map(finite), high: b.high.map(finite), low: b.low.map(finite), close: b.close.map(finite), pre_close: b.preClose.map(finite),
  pct_chg: b.pctChg, vol: b.vol, amount: b.amount, adj_factor: b.adjFactor, up_limit: b.upLimit, down_limit: b.downLimit,
});

export const CalendarDaySchema = z.object({ exchange: z.string(), cal_date: isoDaySchema, is_open: z.boolean(), pretrade_date: isoDaySchema.nullable() }).openapi('CalendarDay');
export const calendarDayJson = (d: { exchange: string; calDate: number; isOpen: boolean; pretradeDate: number | null }): z.infer<typeof CalendarDaySchema> => ({
  exchange: d.exchange, cal_date: isoDay(d.calDate), is_open: d.isOpen, pretrade_date: isoDay(d.pretradeDate),
});
export const CalendarSchema = z.object({ items: z.array(CalendarDaySchema) }).openapi('Calendar');

export const CoverageSchema = z
  .object({
    dataset: z.string(), summary: z.string(), rows: z.number().int(), stocks: z.number().int().nullable(),
    first: isoDaySchema.nullable().describe('Earliest date in the dataset'), last: isoDaySchema.nullable(), last_sync: instantSchema.nullable(),
  })
  .openapi('DatasetCoverage');
export const coverageJson = (c: CoverageRow): z.infer<typeof CoverageSchema> => ({
  dataset: c.dataset, summary: c.summary, rows: c.rows, stocks: c.stocks, first: isoDay(c.first), last: isoDay(c.last), last_sync: c.lastSync,
});
export const CoverageListSchema = z.object({ items: z.array(CoverageSchema) }).openapi('CoverageList');

export const SyncLogEntrySchema = z
  .object({
    id: z.number().int(), source: z.string(), endpoint: z.string().nullable(), dataset: z.string(), params: z.record(z.string(), z.unknown()).nullable(),
    inserted: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), deleted: z.number().int(),
    result: z.string(), error: z.string().nullable(), last_completed_date: isoDaySchema.nullable(),
    started_at: instantSchema, finished_at: instantSchema.nullable(), duration_ms: z.number().int().nullable(),
    run_id: z.number().int().nullable(), run_attempt: z.number().int().nullable(),
    owner: z.string().nullable().describe('The process that wrote the row (host:pid:random)'),
    lease_expires_at: instantSchema.nullable().describe('A running row is held by its owner until then'),
  })
  .openapi('SyncLogEntry');
export const SyncLogPageSchema = z.object({ items: z.array(SyncLogEntrySchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }).openapi('SyncLogPage');
type SyncLogItem = Awaited<ReturnType<typeof syncLog>>['items'][number];
const parsed = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
export const syncLogEntryJson = (r: SyncLogItem): z.infer<typeof SyncLogEntrySchema> => ({
  id: r.id, source: r.source, endpoint: r.endpoint, dataset: r.dataset, params: (parsed(r.params) as Record<string, unknown> | null) ?? null,
  inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, deleted: r.deleted, result: r.result, error: r.error,
  last_completed_date: isoDay(r.lastCompletedDate), started_at: r.startedAt, finished_at: r.finishedAt, duration_ms: r.durationMs,
  run_id: r.runId, run_attempt: r.runAttempt, owner: r.owner, lease_expires_at: r.leaseExpiresAt,
});
