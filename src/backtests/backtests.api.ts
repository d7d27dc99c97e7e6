/** The backtests JSON API (/api/v1): submit (202 at once, or ?wait), list, read, results, trades (JSON or CSV), cancel, rerun, delete. */
import { z } from '@hono/zod-openapi';
import { principalOf, requireRole } from '../auth/access.ts';
import { auditActor } from '../audit/audit.service.ts';
import type { Fill, Order, RoundTrip } from '../engine/types.ts';
import type { Metrics } from '../engine/metrics/metrics.ts';
import { makeApiRouter } from '../http/api.ts';
import { errors, json, operation } from '../http/contract.ts';
import { idParam as strictIdParam } from '../http/input.ts';
import { addDays, fromYmd, ymdOf } from '../market/days.ts';
import { DeletedSchema } from '../strategies/strategies.contract.ts';
import {
  BacktestListQuery, BacktestListSchema, BacktestResultSchema, BacktestSchema, BacktestWithResultSchema, backtestJson, fillJson, FillPageSchema, metricsJson,
  OrderPageSchema, OrdersQuery, orderJson, PerformanceSchema, positionJson, RerunBacktestSchema, roundTripJson, seriesJson, SliceQuery, SubmitBacktestSchema, WaitQuery,
} from './backtests.contract.ts';
import {
  cancelBacktest, deleteBacktest, getBacktest, pinBacktest, listBacktests, rerunBacktest, resultParts, resultSlice, roundTripsOf, submitBacktest, visibleBacktest, type BacktestsDeps,
} from './backtests.service.ts';
import { fillColumns } from './csv.ts';
import { csvChunks, streamedBody } from './export-stream.ts';
import type { StoredExtras, StoredPosition, StoredSeries } from './results.ts';

const idParam = strictIdParam();
const tags = ['backtests'];
const tooManyQueued = 'too many requests, or (code `too_many_queued`, details `{limit, waiting}`) BACKTEST_MAX_QUEUED_PER_USER backtests of yours are waiting already';

/** The instant a filter day (YYYY-MM-DD, or a date-time whose day counts) starts, in UTC. */
export const startOfDay = (s: string): Date => fromYmd(ymdOf(s.slice(0, 10)));
/** The instant after a filter day (an inclusive `to`): the next day's start. */
export const endOfDay = (s: string): Date => fromYmd(addDays(ymdOf(s.slice(0, 10)), 1));

export function backtestsApi(deps: BacktestsDeps & { trustProxy: boolean }) {
  const api = makeApiRouter();
  const { db, runs } = deps;

  for (const [path, operationId] of [['/backtests', 'submitBacktest'], ['/backtest/run', 'runBacktest']] as const) {
    api.openapi(
      operation({
        method: 'post', path, operationId, tags, middleware: [requireRole('analyst')] as const,
        summary: path === '/backtests' ? 'Submit a backtest' : 'Submit a backtest (the same as POST /backtests)',
        description: 'Answers 202 at once with the backtest and its links (events: SSE progress until done). With ?wait=N it blocks up to N seconds and answers 200 with the result when the backtest ends in time. A question the market data cannot answer (unknown codes, dates outside the data, an empty universe, a benchmark without index data) is a 400 naming the field.',
        request: { query: WaitQuery, body: { content: { 'application/json': { schema: SubmitBacktestSchema } }, required: true } },
        responses: {
          202: json(BacktestSchema, 'queued: the backtest with its id and links'),
          200: json(z.union([BacktestWithResultSchema, BacktestSchema]), 'with ?wait: it ended in time; `result` holds metrics and series when it succeeded'),
          429: { description: tooManyQueued, content: errors(429)[429].content },
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
            const r = await resultParts(db, done, ['metrics', 'series']);
            return c.json({ ...backtestJson(done), result: { metrics: metricsJson(r.metrics as Metrics), series: seriesJson(r.series as StoredSeries) } }, 200);
          }
          return c.json(backtestJson(done), done.status === 'failed' || done.status === 'cancelled' ? 200 : 202);
        }
        return c.json(backtestJson(b), 202);
      },
    );
  }

  api.openapi(
    operation({
      method: 'get', path: '/backtests', operationId: 'listBacktests', summary: 'List backtests', tags, middleware: [requireRole('viewer')] as const,
      request: { query: BacktestListQuery },
      responses: { 200: json(BacktestListSchema, 'your backtests (admins: all), newest first unless sorted') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { backtests, total } = await listBacktests(db, principalOf(c), {
        status: q.status, strategy: q.strategy, q: q.q, from: q.from ? startOfDay(q.from) : undefined, to: q.to ? endOfDay(q.to) : undefined,
        sort: q.sort, dir: q.dir, limit: q.limit, offset: q.offset,
      });
      return c.json({ backtests: backtests.map(backtestJson), total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/backtests/{id}', operationId: 'getBacktest', summary: 'One backtest: config, status, progress, key metrics', tags, middleware: [requireRole('viewer')] as const,
      request: { params: idParam }, responses: { 200: json(BacktestSchema, 'the backtest') },
    }),
    async (c) => c.json(backtestJson(await visibleBacktest(db, principalOf(c), c.req.valid('param').id)), 200),
  );

  api.openapi(
    operation({
      method: 'get', path: '/backtests/{id}/result', operationId: 'getBacktestResult', summary: 'Metrics and daily series of a finished backtest', tags, middleware: [requireRole('viewer')] as const,
      request: { params: idParam },
      responses: { 200: json(BacktestResultSchema, 'every metric (with monthly and yearly returns) and the series; point 0 of the series is the starting capital'), ...errors(409) },
    }),
    async (c) => {
      const b = await visibleBacktest(db, principalOf(c), c.req.valid('param').id);
      const r = await resultParts(db, b, ['metrics', 'series', 'extras']);
      const extras = r.extras as StoredExtras;
      return c.json({ id: b.id, status: b.status, metrics: metricsJson(r.metrics as Metrics), series: seriesJson(r.series as StoredSeries), fill_timing: extras.fillTimingLabel, benchmark: extras.benchmarkCode }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/backtests/{id}/performance', operationId: 'getBacktestPerformance', summary: 'Metrics, round-trip trades and final positions', tags, middleware: [requireRole('viewer')] as const,
      request: { params: idParam },
      responses: { 200: json(PerformanceSchema, 'metrics, round trips, positions at the end and the orders that did not fill, by reason'), ...errors(409) },
    }),
    async (c) => {
      const b = await visibleBacktest(db, principalOf(c), c.req.valid('param').id);
      const r = await resultParts(db, b, ['metrics', 'positions', 'extras']);
      const trades = (await roundTripsOf(db, b)) as RoundTrip[];
      return c.json({
        id: b.id, metrics: metricsJson(r.metrics as Metrics), trades: trades.map(roundTripJson), positions: (r.positions as StoredPosition[]).map(positionJson), not_filled: (r.extras as StoredExtras).notFilled,
      }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/backtests/{id}/trades', operationId: 'listBacktestFills', summary: 'Fills (executions), paginated; all of them as CSV with Accept: text/csv', tags, middleware: [requireRole('viewer')] as const,
      request: { params: idParam, query: SliceQuery },
      responses: {
        200: { description: 'a page of fills as JSON; with Accept: text/csv every fill, streamed (money to the fen, shares whole)', content: { 'application/json': { schema: FillPageSchema }, 'text/csv': { schema: z.string() } } },
        ...errors(409),
      },
    }),
    async (c) => {
      const b = await visibleBacktest(db, principalOf(c), c.req.valid('param').id);
      await resultParts(db, b, []);
      if ((c.req.header('accept') ?? '').includes('text/csv')) {
        // Streamed a slice at a time (export-stream.ts): a run's fills can number hundreds of thousands.
        c.header('content-disposition', `attachment; filename="backtest-${b.id}-trades.csv"`);
        return c.body(streamedBody(csvChunks(db, b.id, 'fills', fillColumns, ['date'])), 200, { 'content-type': 'text/csv; charset=utf-8' }) as never;
      }
      const q = c.req.valid('query');
      const page = await resultSlice(db, b, 'fills', q.offset, q.limit);
      return c.json({ id: b.id, trades: (page.items as Fill[]).map(fillJson), total: page.total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/backtests/{id}/orders', operationId: 'listBacktestOrders', summary: 'Orders with their outcome, paginated', tags, middleware: [requireRole('viewer')] as const,
      request: { params: idParam, query: OrdersQuery },
      responses: { 200: json(OrderPageSchema, 'orders with their outcome (status, reason)'), ...errors(409) },
    }),
    async (c) => {
      const b = await visibleBacktest(db, principalOf(c), c.req.valid('param').id);
      await resultParts(db, b, []);
      const q = c.req.valid('query');
      const page = await resultSlice(db, b, 'orders', q.offset, q.limit, q.rejected === 'true');
      return c.json({ id: b.id, orders: (page.items as Order[]).map(orderJson), total: page.total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'post', path: '/backtests/{id}/cancel', operationId: 'cancelBacktest', summary: 'Cancel a queued or running backtest', tags, middleware: [requireRole('analyst')] as const,
      request: { params: idParam }, responses: { 202: json(BacktestSchema, 'cancel asked; the run stops within a slice (50 ms) and ends cancelled'), ...errors(409) },
    }),
    async (c) => {
      const p = principalOf(c);
      const id = c.req.valid('param').id;
      const b = await cancelBacktest(deps, p, auditActor(c, deps.trustProxy), id);
      return c.json(backtestJson(b), 202);
    },
  );

  api.openapi(
    operation({
      method: 'post', path: '/backtests/{id}/rerun', operationId: 'rerunBacktest', summary: 'Run a backtest again with the same config', tags, middleware: [requireRole('analyst')] as const,
      request: { params: idParam, body: { required: false, content: { 'application/json': { schema: RerunBacktestSchema } } } },
      responses: { 202: json(BacktestSchema, 'a new backtest with the same config (and code version) on the same market data version unless data_version says otherwise; rerun_of points back'), 429: { description: tooManyQueued, content: errors(429)[429].content } },
    }),
    async (c) => {
      // The body is optional: a bare POST (no JSON) reruns on the same data version.
      const body = (c.req.valid('json') ?? {}) as { data_version?: string };
      return c.json(backtestJson(await rerunBacktest(deps, principalOf(c), c.req.valid('param').id, body.data_version)), 202);
    },
  );

  for (const [method, pinned] of [['post', true], ['delete', false]] as const) {
    api.openapi(
      operation({
        method, path: '/backtests/{id}/pin', operationId: pinned ? 'pinBacktest' : 'unpinBacktest',
        summary: pinned ? 'Pin a backtest: housekeeping keeps it and its run whatever their age' : 'Unpin a backtest: its results go after RETAIN_BACKTESTS_DAYS',
        tags, middleware: [requireRole('analyst')] as const,
        request: { params: idParam }, responses: { 200: json(BacktestSchema, pinned ? 'pinned' : 'unpinned') },
      }),
      async (c) => c.json(backtestJson(await pinBacktest(deps.db, principalOf(c), c.req.valid('param').id, pinned, auditActor(c, deps.trustProxy))), 200),
    );
  }

  api.openapi(
    operation({
      method: 'delete', path: '/backtests/{id}', operationId: 'deleteBacktest', summary: 'Delete a backtest with its results', tags, middleware: [requireRole('analyst')] as const,
      request: { params: idParam }, responses: { 200: json(DeletedSchema, 'deleted with its results (a running one is cancelled first)') },
    }),
    async (c) => {
      const p = principalOf(c);
      const id = c.req.valid('param').id;
      await deleteBacktest(deps, p, id, auditActor(c, deps.trustProxy));
      return c.json({ deleted: id }, 200);
    },
  );

  return api;
}
