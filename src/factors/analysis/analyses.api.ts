/** The factor-analysis JSON API (/api/v1): submit (202, or ?wait), list a factor's analyses, read one (JSON, or CSV by `.csv` or ?format=csv), delete. */
import { z } from '@hono/zod-openapi';
import { principalOf, requireRole } from '../../auth/access.ts';
import { auditActor } from '../../audit/audit.service.ts';
import { makeApiRouter } from '../../http/api.ts';
import { errors, json, operation } from '../../http/contract.ts';
import { AppError } from '../../http/errors.ts';
import { WaitQuery } from '../../backtests/backtests.contract.ts';
import { DeletedSchema } from '../../strategies/strategies.contract.ts';
import { AnalysisGetQuery, AnalysisListQuery, AnalysisListSchema, AnalysisParam, AnalysisSchema, FactorParam, SubmitAnalysisSchema, analysisJson } from './analyses.contract.ts';
import { analysisCsv, deleteAnalysis, getAnalysis, listFactorAnalyses, submitAnalysis, visibleAnalysis, type AnalysesDeps } from './analyses.service.ts';

const tags = ['factors'];
const rule =
  'Forward returns are tradable: a value on day t is bought at the open of t+1 (a stock suspended then, or opening at its up-limit, is left out of that day) and sold at the open of t+1+h ' +
  '(postponed to the first later open that is not suspended or at the down-limit; none before the data ends: no return at that horizon), on back-adjusted prices, without costs.';

/** `12` or `12.csv` → the id and whether CSV was asked for by the suffix; 404 past the bigint range. */
function analysisId(raw: string): { id: number; csv: boolean } {
  const csv = raw.endsWith('.csv');
  const id = Number(csv ? raw.slice(0, -4) : raw);
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError(404, 'not_found', `analysis ${raw} was not found`);
  return { id, csv };
}

export function analysesApi(o: AnalysesDeps & { trustProxy: boolean }) {
  const api = makeApiRouter();
  const deps: AnalysesDeps = { db: o.db, runs: o.runs, market: o.market, maxQueuedPerUser: o.maxQueuedPerUser };

  api.openapi(
    operation({
      method: 'post', path: '/factors/{id}/analyses', operationId: 'submitFactorAnalysis', tags, middleware: [requireRole('analyst')] as const,
      summary: 'Analyse a factor: IC, Rank IC, quantile portfolios, turnover, coverage',
      description:
        'Analyses the stored values of factor `id` (compute them first) over a universe and period, against forward returns at `horizons` (trading days; default 1, 5, 20). ' + rule +
        ' Quantiles by rank within each day (ties share a quantile). Options: industry_neutral, size_neutral, exclude_st, exclude_new_listings. Answers 202 with the analysis and its links (events: the run’s SSE); ?wait=N blocks up to N seconds.',
      request: { params: FactorParam, query: WaitQuery, body: { content: { 'application/json': { schema: SubmitAnalysisSchema } }, required: true } },
      responses: {
        202: json(AnalysisSchema, 'queued: the analysis with its id and links'),
        200: json(AnalysisSchema, 'with ?wait: it ended in time'),
        ...errors(409),
        429: { description: 'too many requests, or (code `too_many_queued`) as many analyses of yours wait as BACKTEST_MAX_QUEUED_PER_USER', content: errors(429)[429].content },
      },
    }),
    async (c) => {
      const a = await submitAnalysis(deps, principalOf(c), c.req.valid('param').id, c.req.valid('json'));
      const wait = c.req.valid('query').wait;
      if (wait && a.runId) {
        const ac = new AbortController();
        c.req.raw.signal?.addEventListener('abort', () => ac.abort(), { once: true });
        await o.runs.waitForRun(a.runId, { timeoutMs: wait * 1000, signal: ac.signal });
        const done = (await getAnalysis(o.db, a.id))!;
        const ended = done.status === 'succeeded' || done.status === 'failed' || done.status === 'cancelled';
        return c.json(analysisJson(done), ended ? 200 : 202);
      }
      return c.json(analysisJson(a), 202);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/factors/{id}/analyses', operationId: 'listFactorAnalyses', summary: 'Analyses of a factor (yours; admins: all), newest first', tags,
      middleware: [requireRole('viewer')] as const, request: { params: FactorParam, query: AnalysisListQuery }, responses: { 200: json(AnalysisListSchema, 'a page of analyses') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { analyses, total } = await listFactorAnalyses(o.db, principalOf(c), c.req.valid('param').id, q);
      return c.json({ analyses: analyses.map(analysisJson), total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/factors/{id}/analyses/{aid}', operationId: 'getFactorAnalysis', tags, middleware: [requireRole('viewer')] as const,
      summary: 'One analysis: status, parameters, statistics; `…/{aid}.csv` or ?format=csv: the daily series as CSV',
      description:
        'The CSV has one row per factor day: date, universe, names, tradable; per horizon h ic_<h>d, rank_ic_<h>d, pairs_<h>d, q1_<h>d … qQ_<h>d (each quantile’s mean h-day return), spread_<h>d (top minus bottom); ' +
        'the cumulative return of each quantile and of the spread at the shortest horizon (rebalanced every h days); per quantile its turnover and its number of names. Empty cells: no value that day. ' + rule,
      request: { params: AnalysisParam, query: AnalysisGetQuery },
      responses: { 200: { description: 'the analysis as JSON, or its series as CSV', content: { 'application/json': { schema: AnalysisSchema }, 'text/csv': { schema: z.string() } } }, ...errors(409) },
    }),
    async (c) => {
      const { id: factorId, aid } = c.req.valid('param');
      const { id, csv } = analysisId(aid);
      const { analysis } = await visibleAnalysis(o.db, principalOf(c), factorId, id);
      if (csv || c.req.valid('query').format === 'csv') {
        const body = await analysisCsv(o.db, analysis);
        c.header('content-disposition', `attachment; filename="factor-${analysis.factorId}-analysis-${analysis.id}.csv"`);
        return c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8' }) as never;
      }
      return c.json(analysisJson(analysis), 200);
    },
  );

  api.openapi(
    operation({
      method: 'delete', path: '/factors/{id}/analyses/{aid}', operationId: 'deleteFactorAnalysis', summary: 'Delete an analysis (a running one is cancelled first)', tags,
      middleware: [requireRole('analyst')] as const, request: { params: AnalysisParam }, responses: { 200: json(DeletedSchema, 'deleted') },
    }),
    async (c) => {
      const { id: factorId, aid } = c.req.valid('param');
      const { id } = analysisId(aid);
      await deleteAnalysis(deps, principalOf(c), auditActor(c, o.trustProxy), factorId, id);
      return c.json({ deleted: id }, 200);
    },
  );

  return api;
}
