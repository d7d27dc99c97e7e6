/** The backtests JSON API (/api/v1): submit (202 at once, or ?wait), list, read, results, trades (JSON or CSV), cancel, rerun, delete. */
import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireRole } from '../auth/access.ts';
import { auditActor } from '../audit/audit.service.ts';
import { makeApiRouter } from '../http/api.ts';
import { idParam as strictIdParam, boundedInt, boundedDate, pageQuery } from '../http/input.ts';
import { AppError } from '../http/errors.ts';
import { runStatuses, type RunStatus } from '../runs/run.types.ts';
import { submitBacktestSchema } from './backtest-request.ts';
import * as repo from './backtests.repository.ts';
import {
  backtestJson, cancelBacktest, deleteBacktest, getBacktest, listBacktests, rerunBacktest, submitBacktest, visibleBacktest, type Backtest, type BacktestsDeps,
} from './backtests.service.ts';
import { fillColumns } from './csv.ts';
import { csvChunks, streamedBody } from './export-stream.ts';

const BacktestSchema = z.object({}).passthrough().openapi('Backtest');
const tooManyQueued = z.object({ error: z.object({ code: z.literal('too_many_queued'), message: z.string(), details: z.object({ limit: z.number(), waiting: z.number() }) }) });
const idParam = strictIdParam();
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const waitQuery = z.object({ wait: boundedInt(0, 600).optional().describe('Block up to this many seconds; answers 200 with the result when the backtest ends in time') });

const listQuery = z.object({
  status: z.enum(runStatuses as [RunStatus, ...RunStatus[]]).optional(),
  strategy: z.string().max(100).optional(),
  q: z.string().max(100).optional().describe('Search in names and strategies'),
  from: boundedDate('from').optional().describe('Created on or after'),
  to: boundedDate('to').optional().describe('Created before the end of this day'),
  sort: z.enum(['created', 'total_return', 'annualized_return', 'sharpe', 'max_drawdown', 'finished']).default('created'),
  dir: z.enum(['asc', 'desc']).default('desc'),
  ...pageQuery(500, 50).shape,
});

const slicePage = pageQuery(5000, 100);

export function endOfDay(s: string): Date {
  const d = new Date(`${s.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

/** The result parts a finished backtest has; 409 while it is not finished. */
export async function resultParts(deps: BacktestsDeps, b: Backtest, parts: readonly repo.ResultPart[]) {
  const r = b.status === 'succeeded' ? await repo.readResultParts(deps.db, b.id, parts) : null;
  if (!r) {
    throw new AppError(409, 'not_finished', `backtest ${b.id} is ${b.status}${b.error ? ` (${b.error.code}: ${b.error.message})` : ''}; results exist once it succeeds: follow links.events or submit with ?wait=60`);
  }
  const out: Record<string, unknown> = {};
  for (const k of parts) out[k] = typeof r[k] === 'string' ? JSON.parse(r[k] as string) : r[k];
  return out;
}

export function backtestsApi(deps: BacktestsDeps & { trustProxy: boolean }) {
  const api = makeApiRouter();
  const { db, runs } = deps;

  for (const path of ['/backtest/run', '/backtests'] as const) {
    api.openapi(
      createRoute({
        method: 'post',
        path,
        middleware: [requireRole('analyst')] as const,
        request: { query: waitQuery, body: { content: { 'application/json': { schema: submitBacktestSchema } }, required: true } },
        responses: {
          202: json(BacktestSchema, 'queued: the backtest with its id and links (events: SSE progress until done; result)'),
          429: json(tooManyQueued, 'too_many_queued: you have BACKTEST_MAX_QUEUED_PER_USER backtests waiting already'),
          200: json(BacktestSchema, 'with ?wait: finished in time; `result` holds metrics and series'),
        },
      }),
      async (c) => {
        const p = principalOf(c);
        const b = await submitBacktest(deps, p, c.req.valid('json'));
        const wait = c.req.valid('query').wait;
        if (wait && b.runId) {
          const ac = new AbortController();
          c.req.raw.signal?.addEventListener('abort', () => ac.abort(), { once: true });
          await runs.waitForRun(b.runId, { timeoutMs: wait * 1000, signal: ac.signal });
          const done = (await getBacktest(db, b.id))!;
          if (done.status === 'succeeded') {
            const result = await resultParts(deps, done, ['metrics', 'series']);
            return c.json({ ...backtestJson(done), result }, 200);
          }
          return c.json(backtestJson(done), done.status === 'failed' || done.status === 'cancelled' ? 200 : 202);
        }
        return c.json(backtestJson(b), 202);
      },
    );
  }

  api.openapi(
    createRoute({
      method: 'get',
      path: '/backtests',
      middleware: [requireRole('viewer')] as const,
      request: { query: listQuery },
      responses: { 200: json(z.object({ backtests: z.array(BacktestSchema), total: z.number(), limit: z.number(), offset: z.number() }), 'your backtests (admins: all), newest first unless sorted') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { backtests, total } = await listBacktests(db, principalOf(c), {
        status: q.status, strategy: q.strategy, q: q.q, from: q.from ? new Date(`${q.from.slice(0, 10)}T00:00:00Z`) : undefined, to: q.to ? endOfDay(q.to) : undefined,
        sort: q.sort, dir: q.dir, limit: q.limit, offset: q.offset,
      });
      return c.json({ backtests: backtests.map(backtestJson), total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    createRoute({ method: 'get', path: '/backtests/{id}', middleware: [requireRole('viewer')] as const, request: { params: idParam }, responses: { 200: json(BacktestSchema, 'the backtest: config, status, progress, key metrics') } }),
    async (c) => c.json(backtestJson(await visibleBacktest(db, principalOf(c), c.req.valid('param').id)), 200),
  );

  api.openapi(
    createRoute({
      method: 'get', path: '/backtests/{id}/result', middleware: [requireRole('viewer')] as const, request: { params: idParam },
      responses: { 200: json(z.object({}).passthrough(), 'metrics (all, with monthly and yearly returns) and series: dates, nav, total, cash, marketValue, benchmark, drawdown'), 409: json(z.object({}).passthrough(), 'not finished') },
    }),
    async (c) => {
      const b = await visibleBacktest(db, principalOf(c), c.req.valid('param').id);
      const r = await resultParts(deps, b, ['metrics', 'series', 'extras']);
      return c.json({ id: b.id, status: b.status, metrics: r.metrics, series: r.series, fillTiming: (r.extras as { fillTimingLabel: string }).fillTimingLabel, benchmark: (r.extras as { benchmarkCode: string | null }).benchmarkCode }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get', path: '/backtests/{id}/performance', middleware: [requireRole('viewer')] as const, request: { params: idParam },
      responses: { 200: json(z.object({}).passthrough(), 'metrics, round-trip trades and final positions') },
    }),
    async (c) => {
      const b = await visibleBacktest(db, principalOf(c), c.req.valid('param').id);
      const r = await resultParts(deps, b, ['metrics', 'positions', 'extras']);
      const trades = await repo.readResultArray(db, b.id, 'trades');
      return c.json({ id: b.id, metrics: r.metrics, trades, positions: r.positions, notFilled: (r.extras as { notFilled: unknown }).notFilled }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get', path: '/backtests/{id}/trades', middleware: [requireRole('viewer')] as const, request: { params: idParam, query: slicePage },
      responses: { 200: { description: 'fills (executions), paginated; all of them as CSV with Accept: text/csv', content: { 'application/json': { schema: z.object({}).passthrough() }, 'text/csv': { schema: z.string() } } } },
    }),
    async (c) => {
      const b = await visibleBacktest(db, principalOf(c), c.req.valid('param').id);
      await resultParts(deps, b, []);
      if ((c.req.header('accept') ?? '').includes('text/csv')) {
        // Streamed a slice at a time (export-stream.ts): a run's fills can number hundreds of thousands.
        c.header('content-disposition', `attachment; filename="backtest-${b.id}-trades.csv"`);
        return c.body(streamedBody(csvChunks(db, b.id, 'fills', fillColumns, ['date'])), 200, { 'content-type': 'text/csv; charset=utf-8' }) as never;
      }
      const q = c.req.valid('query');
      const page = (await repo.sliceResultArray(db, b.id, 'fills', q.offset, q.limit))!;
      return c.json({ id: b.id, trades: page.items, total: page.total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get', path: '/backtests/{id}/orders', middleware: [requireRole('viewer')] as const,
      request: { params: idParam, query: slicePage.extend({ rejected: z.enum(['true', 'false']).optional().describe('Only orders that did not fill completely') }) },
      responses: { 200: json(z.object({}).passthrough(), 'orders with their outcome (status, reason), paginated') },
    }),
    async (c) => {
      const b = await visibleBacktest(db, principalOf(c), c.req.valid('param').id);
      await resultParts(deps, b, []);
      const q = c.req.valid('query');
      const page = (await repo.sliceResultArray(db, b.id, 'orders', q.offset, q.limit, q.rejected === 'true'))!;
      return c.json({ id: b.id, orders: page.items, total: page.total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    createRoute({ method: 'post', path: '/backtests/{id}/cancel', middleware: [requireRole('analyst')] as const, request: { params: idParam }, responses: { 202: json(BacktestSchema, 'cancel asked; the run stops within a slice (50 ms) and ends cancelled') } }),
    async (c) => {
      const p = principalOf(c);
      const id = c.req.valid('param').id;
      const b = await cancelBacktest(deps, p, auditActor(c, deps.trustProxy), id);
      return c.json(backtestJson(b), 202);
    },
  );

  api.openapi(
    createRoute({ method: 'post', path: '/backtests/{id}/rerun', middleware: [requireRole('analyst')] as const, request: { params: idParam }, responses: { 202: json(BacktestSchema, 'a new backtest with the same config (and code version); rerunOf points back'), 429: json(tooManyQueued, 'too_many_queued: you have BACKTEST_MAX_QUEUED_PER_USER backtests waiting already') } }),
    async (c) => c.json(backtestJson(await rerunBacktest(deps, principalOf(c), c.req.valid('param').id)), 202),
  );

  api.openapi(
    createRoute({ method: 'delete', path: '/backtests/{id}', middleware: [requireRole('analyst')] as const, request: { params: idParam }, responses: { 200: json(z.object({ deleted: z.number() }), 'deleted with its results (a running one is cancelled first)') } }),
    async (c) => {
      const p = principalOf(c);
      const id = c.req.valid('param').id;
      await deleteBacktest(deps, p, id, auditActor(c, deps.trustProxy));
      return c.json({ deleted: id }, 200);
    },
  );

  return api;
}
