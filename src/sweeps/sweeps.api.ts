/** The sweeps JSON API (/api/v1): submit (202, or ?wait), count a space, list, read, sets (JSON or CSV), heatmap, cancel, delete, a set as a backtest. */
import { z } from '@hono/zod-openapi';
import { principalOf, requireRole } from '../auth/access.ts';
import { auditActor } from '../audit/audit.service.ts';
import { makeApiRouter } from '../http/api.ts';
import { errors, json, operation } from '../http/contract.ts';
import { AppError } from '../http/errors.ts';
import { idParam as strictIdParam } from '../http/input.ts';
import { BacktestSchema, backtestJson, WaitQuery } from '../backtests/backtests.contract.ts';
import type { BacktestsDeps, BacktestSubmitLimits } from '../backtests/backtests.service.ts';
import { DeletedSchema } from '../strategies/strategies.contract.ts';
import {
  CountSweepSchema, HeatmapQuery, HeatmapSchema, OrdinalParams, ResultsQuery, SetPageSchema, setJson, SubmitSweepSchema, SweepCountSchema, SweepListQuery, SweepListSchema,
  SweepSchema, sweepJson,
} from './sweeps.contract.ts';
import {
  backtestOfSet, cancelSweep, controlSweep, countSweep, deleteSweep, getSweep, listSweeps, submitSweep, sweepSubmitLimitsOf, sweepWithBest, visibleSweep, type SweepsDeps,
} from './sweeps.service.ts';
import { listSweepSets, sweepHeatmap, sweepSetsCsv, type SetListQuery } from './sweep-sets.service.ts';
import { setMetricNames, type SetMetricName, type Sweep } from './sweep.types.ts';

const idParam = strictIdParam();
const tags = ['sweeps'];
const tooManyQueued = 'too many requests, or (code `too_many_queued`) BACKTEST_MAX_QUEUED_PER_USER backtests and sweeps of yours are waiting already';

export function sweepsApi(o: SweepsDeps & { trustProxy: boolean; backtestLimits?: BacktestSubmitLimits }) {
  const api = makeApiRouter();
  const { db, runs } = o;
  const limits = o.limits ?? sweepSubmitLimitsOf();
  const deps: SweepsDeps = { db, runs, market: o.market, limits };
  const backtests: BacktestsDeps = { db, runs, market: o.market, limits: o.backtestLimits };
  const answer = async (s: Sweep) => {
    const { best } = await sweepWithBest(db, s);
    return sweepJson(s, best);
  };

  for (const [path, operationId, walk] of [['/sweeps', 'submitSweep', false], ['/walk-forwards', 'submitWalkForward', true]] as const) {
    api.openapi(
      operation({
        method: 'post', path, operationId, tags, middleware: [requireRole('analyst')] as const,
        summary: walk ? 'Submit a walk-forward (a sweep with windows)' : 'Submit a parameter sweep',
        description: 'A backtest submission plus `space` (swept parameters: lists or ranges within the strategy’s schema), `mode` (grid, random, lhs with `budget`), `objective`' +
          (walk ? ' and `windows` (required here).' : ', and optionally `windows` for a walk-forward.') +
          ' Answers 202 with the sweep and its links (events: the run’s SSE); ?wait=N blocks up to N seconds. Over SWEEP_MAX_SETS sets: 400 naming the count. Built-in strategies only for now.',
        request: { query: WaitQuery, body: { content: { 'application/json': { schema: SubmitSweepSchema } }, required: true } },
        responses: {
          202: json(SweepSchema, 'queued: the sweep with its id and links'),
          200: json(SweepSchema, 'with ?wait: it ended in time'),
          429: { description: tooManyQueued, content: errors(429)[429].content },
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        if (walk && !body.windows) throw new AppError(400, 'invalid_request', 'windows: a walk-forward needs windows {"kind","in_sample_days","out_of_sample_days"}', { field: 'windows' });
        const s = await submitSweep(deps, principalOf(c), body);
        const wait = c.req.valid('query').wait;
        if (wait && s.runId) {
          const ac = new AbortController();
          c.req.raw.signal?.addEventListener('abort', () => ac.abort(), { once: true });
          await runs.waitForRun(s.runId, { timeoutMs: wait * 1000, signal: ac.signal });
          const done = (await getSweep(db, s.id))!;
          const ended = done.status === 'succeeded' || done.status === 'failed' || done.status === 'cancelled';
          return c.json(await answer(done), ended ? 200 : 202);
        }
        return c.json(await answer(s), 202);
      },
    );
  }

  api.openapi(
    operation({
      method: 'post', path: '/sweeps/count', operationId: 'countSweep', tags, middleware: [requireRole('analyst')] as const,
      summary: 'Count a parameter space without running it',
      description: 'The grid’s size (exact, never materialised), how many points the strategy accepts (exact up to 2,000 points, else estimated from a seeded sample), the sets a sweep would run, and why it would be refused (over SWEEP_MAX_SETS, a bad budget), for a live count on a form. A malformed space is a 400 naming the parameter.',
      request: { body: { content: { 'application/json': { schema: CountSweepSchema } }, required: true } },
      responses: { 200: json(SweepCountSchema, 'the count') },
    }),
    async (c) => c.json(await countSweep(db, principalOf(c), limits, c.req.valid('json')), 200),
  );

  api.openapi(
    operation({
      method: 'get', path: '/sweeps', operationId: 'listSweeps', summary: 'List sweeps and walk-forwards', tags, middleware: [requireRole('viewer')] as const,
      request: { query: SweepListQuery }, responses: { 200: json(SweepListSchema, 'your sweeps (admins: all), newest first') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { sweeps, total } = await listSweeps(db, principalOf(c), q);
      return c.json({ sweeps: sweeps.map((s) => sweepJson(s)), total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/sweeps/{id}', operationId: 'getSweep', summary: 'One sweep: status, counts, best set, DSR, PBO (walk-forward: windows and the chained curve)', tags,
      middleware: [requireRole('viewer')] as const, request: { params: idParam }, responses: { 200: json(SweepSchema, 'the sweep') },
    }),
    async (c) => c.json(await answer(await visibleSweep(db, principalOf(c), c.req.valid('param').id)), 200),
  );

  api.openapi(
    operation({
      method: 'get', path: '/sweeps/{id}/results', operationId: 'listSweepSets', tags, middleware: [requireRole('viewer')] as const,
      summary: 'Every set with its metrics: sorted, filtered (min_<metric>, max_<metric>, status), paged; ?format=csv for all of them as CSV',
      request: { params: idParam, query: ResultsQuery },
      responses: { 200: { description: 'a page of sets as JSON; with format=csv every matching set', content: { 'application/json': { schema: SetPageSchema }, 'text/csv': { schema: z.string() } } } },
    }),
    async (c) => {
      const s = await visibleSweep(db, principalOf(c), c.req.valid('param').id);
      const q = c.req.valid('query') as z.output<typeof ResultsQuery> & Record<string, number | undefined>;
      const min: Partial<Record<SetMetricName, number>> = {};
      const max: Partial<Record<SetMetricName, number>> = {};
      for (const m of setMetricNames) {
        if (q[`min_${m}`] !== undefined) min[m] = q[`min_${m}`]!;
        if (q[`max_${m}`] !== undefined) max[m] = q[`max_${m}`]!;
      }
      const query: SetListQuery = { sort: q.sort, dir: q.dir, limit: q.limit, offset: q.offset, status: q.status, window: q.window, min, max };
      if (q.format === 'csv') {
        c.header('content-disposition', `attachment; filename="sweep-${s.id}-sets.csv"`);
        return c.body(await sweepSetsCsv(db, s, query), 200, { 'content-type': 'text/csv; charset=utf-8' }) as never;
      }
      const page = await listSweepSets(db, s, query);
      return c.json({ id: s.id, sets: page.sets.map(setJson), total: page.total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/sweeps/{id}/heatmap', operationId: 'getSweepHeatmap', tags, middleware: [requireRole('viewer')] as const,
      summary: 'A metric over two swept parameters (others aggregated by max, mean or min, or fixed at given values)',
      request: { params: idParam, query: HeatmapQuery }, responses: { 200: json(HeatmapSchema, 'the grid of cells') },
    }),
    async (c) => {
      const s = await visibleSweep(db, principalOf(c), c.req.valid('param').id);
      const q = c.req.valid('query');
      let fixed: Record<string, unknown> | undefined;
      if (q.fixed !== undefined) {
        try {
          fixed = JSON.parse(q.fixed) as Record<string, unknown>;
        } catch {
          fixed = undefined;
        }
        if (!fixed || typeof fixed !== 'object' || Array.isArray(fixed)) throw new AppError(400, 'invalid_request', 'fixed: expected a JSON object of parameter values, e.g. {"stop":0.05}', { field: 'fixed' });
      }
      return c.json(await sweepHeatmap(db, s, { x: q.x, y: q.y, metric: q.metric, agg: q.agg, fixed }), 200);
    },
  );

  api.openapi(
    operation({
      method: 'post', path: '/sweeps/{id}/cancel', operationId: 'cancelSweep', summary: 'Cancel a queued, running or paused sweep (stored sets are kept)', tags,
      middleware: [requireRole('analyst')] as const, request: { params: idParam }, responses: { 202: json(SweepSchema, 'cancel asked'), ...errors(409) },
    }),
    async (c) => c.json(sweepJson(await cancelSweep(deps, principalOf(c), auditActor(c, o.trustProxy), c.req.valid('param').id)), 202),
  );

  for (const [action, summary] of [['pause', 'Pause a queued or running sweep: it stops after the sets in hand (stored sets are kept)'], ['resume', 'Resume a paused sweep: the sets not stored run']] as const) {
    api.openapi(
      operation({
        method: 'post', path: `/sweeps/{id}/${action}`, operationId: `${action}Sweep`, summary, tags,
        middleware: [requireRole('analyst')] as const, request: { params: idParam }, responses: { 202: json(SweepSchema, `${action} asked`), ...errors(409) },
      }),
      async (c) => c.json(sweepJson(await controlSweep(deps, principalOf(c), auditActor(c, o.trustProxy), c.req.valid('param').id, action)), 202),
    );
  }

  api.openapi(
    operation({
      method: 'delete', path: '/sweeps/{id}', operationId: 'deleteSweep', summary: 'Delete a sweep with its sets', tags, middleware: [requireRole('analyst')] as const,
      request: { params: idParam }, responses: { 200: json(DeletedSchema, 'deleted (a running one is cancelled first)') },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await deleteSweep(deps, principalOf(c), auditActor(c, o.trustProxy), id);
      return c.json({ deleted: id }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'post', path: '/sweeps/{id}/sets/{ordinal}/backtest', operationId: 'backtestSweepSet', tags, middleware: [requireRole('analyst')] as const,
      summary: 'Run one set of a sweep as a normal backtest (its full result page)',
      request: { params: OrdinalParams },
      responses: { 202: json(BacktestSchema, 'the queued backtest, as POST /backtests answers'), 429: { description: tooManyQueued, content: errors(429)[429].content } },
    }),
    async (c) => {
      const { id, ordinal } = c.req.valid('param');
      return c.json(backtestJson(await backtestOfSet(backtests, principalOf(c), id, ordinal)), 202);
    },
  );

  return api;
}
