/**
 * The factor-analysis API's contract (conventions in src/http/contract.ts): the submission and every
 * answer. The return rule (README, "Factor analysis"): a factor value on day t is traded at the open
 * of t+1 (not when suspended or opening at the up-limit: left out that day) and sold at the open of
 * t+1+h (postponed to the first open that is not suspended or at the down-limit), back-adjusted prices.
 */
import { z } from '@hono/zod-openapi';
import { instant, instantSchema, isoDaySchema } from '../../http/contract.ts';
import { boundedDate, pageQuery } from '../../http/input.ts';
import { isoDay } from '../../market/days.ts';
import { boards } from '../../backtests/backtest-request.ts';
import { progressJson, RunErrorSchema, RunProgressSchema, runErrorJson } from '../../runs/runs.contract.ts';
import { runStatuses, type RunStatus } from '../../runs/run.types.ts';
import type { FactorAnalysis } from './analysis.types.ts';

export const SubmitAnalysisSchema = z
  .object({
    universe: z.enum(['all', 'codes']).optional().describe("'all': every stock listed in the period (optionally of some boards); 'codes': the stocks in `codes` (the default when codes are given)"),
    codes: z.array(z.string().regex(/^\d{6}\.(SH|SZ|BJ)$/i, 'expected ts_codes such as 600000.SH')).min(1).max(6000).optional(),
    boards: z.array(z.enum(boards)).optional().describe('With universe all: only these boards'),
    start_date: boundedDate('start_date').describe('First factor day, YYYY-MM-DD'),
    end_date: boundedDate('end_date').describe('Last factor day, YYYY-MM-DD (forward returns may reach past it)'),
    horizons: z.array(z.number().int().min(1).max(250)).min(1).max(6).default([1, 5, 20]).describe('Forward horizons in trading days (open of t+1 to open of t+1+h)'),
    quantiles: z.number().int().min(2).max(20).default(5).describe('Quantile portfolios, by rank within each day'),
    industry_neutral: z.boolean().default(false).describe('Demean the factor within each industry (stocks table) every day'),
    size_neutral: z.boolean().default(false).describe('Replace the factor by its residual of a daily cross-sectional OLS on log total market cap (stocks without one are left out)'),
    exclude_st: z.boolean().default(false).describe('Leave out stocks on the days they carry an ST/*ST tag'),
    exclude_new_listings: z.boolean().default(false).describe('Leave out stocks listed fewer than new_listing_days trading days'),
    new_listing_days: z.number().int().min(1).max(750).default(60),
    data_version: z
      .string()
      .regex(/^[0-9a-f]{16}$/, { message: 'expected a data version (16 hex digits, as an analysis\'s or backtest\'s data_version shows), or leave it out for the newest data' })
      .optional()
      .describe('The market data version to read, to repeat an earlier analysis exactly (its data_version); absent: the newest data'),
  })
  .strict()
  .openapi('FactorAnalysisSubmit');
export type SubmitAnalysis = z.output<typeof SubmitAnalysisSchema>;

const n = z.number().nullable();
const StatsSchema = z.object({ mean: n, std: n, ir: n.describe('mean / std'), t: n.describe('mean / (std / √days)'), positive: n.describe('Share of days above zero'), days: z.number().int() });

export const AnalysisSummarySchema = z
  .object({
    days: z.number().int(),
    horizons: z.array(
      z.object({
        horizon: z.number().int(),
        ic: StatsSchema.describe('Daily Pearson IC of the factor with the h-day forward return'),
        rank_ic: StatsSchema.describe('Daily Spearman Rank IC (average ranks for ties)'),
        quantile_means: z.array(n).describe('Mean over days of each quantile’s mean h-day return, quantile 1 (lowest factor) first'),
        spread: StatsSchema.describe('Top minus bottom quantile, per day'),
      }),
    ),
    turnover: z.array(n).describe('Mean daily turnover of each quantile: share of its names not in it the previous day'),
    coverage: z.object({ mean_universe: n, mean_names: n, mean_tradable: n, coverage: n.describe('Mean share of the universe with a factor value') }),
  })
  .openapi('FactorAnalysisSummary');

export const AnalysisSchema = z
  .object({
    id: z.number().int(),
    factor: z.object({ id: z.string(), key: z.string() }),
    status: z.enum(runStatuses as [RunStatus, ...RunStatus[]]),
    progress: RunProgressSchema.nullable(),
    owner: z.object({ id: z.number().int(), username: z.string().nullable() }),
    params: z.object({
      universe: z.enum(['all', 'codes']), codes: z.array(z.string()).nullable(), boards: z.array(z.string()).nullable(),
      start_date: isoDaySchema, end_date: isoDaySchema, horizons: z.array(z.number().int()), quantiles: z.number().int(),
      industry_neutral: z.boolean(), size_neutral: z.boolean(), exclude_st: z.boolean(), exclude_new_listings: z.boolean(), new_listing_days: z.number().int(),
    }),
    summary: AnalysisSummarySchema.nullable().describe('Null until the run succeeds'),
    error: RunErrorSchema.nullable(),
    run_id: z.number().int().nullable(),
    data_version: z.string().nullable().describe('The market data snapshot version it read (give it as data_version to repeat the analysis on the same data); null before its run starts'),
    created_at: instantSchema,
    started_at: instantSchema.nullable(),
    finished_at: instantSchema.nullable(),
    links: z.object({ self: z.string(), events: z.string().nullable().describe('SSE of the run: progress until done'), csv: z.string(), page: z.string() }),
  })
  .openapi('FactorAnalysis');

export const AnalysisListSchema = z.object({ analyses: z.array(AnalysisSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }).openapi('FactorAnalysisList');
export const AnalysisListQuery = z.object({ ...pageQuery(200, 50).shape }).strict();
export const AnalysisGetQuery = z.object({ format: z.enum(['json', 'csv']).default('json').describe('csv: the daily series (IC, Rank IC, quantile returns, spread, cumulative returns, turnover, counts)') }).strict();

export const FactorParam = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' }, example: 'momentum_20' }) });
export const AnalysisParam = FactorParam.extend({
  aid: z.string().regex(/^\d{1,15}(\.csv)?$/, 'expected an analysis id (digits), optionally ending in .csv').openapi({ param: { name: 'aid', in: 'path' }, example: '1' }),
});

export function analysisLinks(factorId: string, id: number, runId: number | null) {
  const self = `/api/v1/factors/${encodeURIComponent(factorId)}/analyses/${id}`;
  return { self, events: runId ? `/api/v1/runs/${runId}/events` : null, csv: `${self}.csv`, page: `/factors/${encodeURIComponent(factorId)}/analyses/${id}` };
}

export function analysisJson(a: FactorAnalysis): z.infer<typeof AnalysisSchema> {
  const p = a.params;
  return {
    id: a.id,
    factor: { id: a.factorId, key: a.factorKey },
    status: a.status,
    progress: a.progress ? progressJson(a.progress) : null,
    owner: { id: a.ownerId, username: a.ownerName },
    params: { ...p, start_date: isoDay(p.start_date), end_date: isoDay(p.end_date) },
    summary: a.summary,
    error: a.error ? runErrorJson(a.error) : null,
    run_id: a.runId,
    data_version: a.dataVersion,
    created_at: instant(a.createdAt),
    started_at: instant(a.startedAt),
    finished_at: instant(a.finishedAt),
    links: analysisLinks(a.factorId, a.id, a.runId),
  };
}
