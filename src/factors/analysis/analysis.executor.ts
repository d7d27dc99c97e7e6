/**
 * The `factor-analysis` executor (kind backtest: CPU-bound, one backtest slot, on a worker thread).
 * It gathers the panel, the factor's values and the stocks' facts (analysis-input.ts), runs the
 * daily pass on a thread and stores the summary and series. Progress: factor days done and the
 * current date.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { MarketStore } from '../../market/duckdb.ts';
import { defineExecutor, RunError, type RunContext, type RunSubject } from '../../runs/executor-registry.ts';
import type { PanelCache } from '../../backtests/panel-cache.ts';
import { analysisToRun, getAnalysis, storeAnalysis } from './analyses.service.ts';
import { analysisInput } from './analysis-input.ts';
import { analysisExecutorName } from './analysis.types.ts';
import { analyseOnThreads } from './analysis-threads.ts';
import { storedSeriesOf, storedSummaryOf } from './analysis.types.ts';
import { summarise } from './summary.ts';

export interface AnalysisExecutorDeps {
  db: Kysely<Database>;
  market: MarketStore;
  panels: PanelCache;
  /** Threads the days are split between (default: the cores, at most 4, for analyses of 3 M stock-days or more; else 1). */
  threads?: number;
}

async function runOne(id: number, deps: AnalysisExecutorDeps, ctx: RunContext): Promise<unknown> {
  const a = await analysisToRun(deps.db, id);
  if (!a) throw new RunError('not_found', `factor analysis ${id} no longer exists (deleted)`, { retryable: false });
  const p = a.params;
  const t0 = Date.now();
  const { input, days, stocks } = await analysisInput(deps.market, deps.panels, p, a.factorKey, (m) => ctx.log('info', m));
  ctx.log('info', `panel, factor values, industries: ${stocks} stocks, ${days} factor days, ready in ${Date.now() - t0} ms`);
  ctx.progress({ processed: 0, total: days, current: 'analysing' });
  ctx.signal.throwIfAborted();
  // Starting a thread costs a few hundred ms (more under load): below ~3 M stock-days one does it all.
  const threads = deps.threads ?? (stocks * days >= 3_000_000 ? Math.max(1, Math.min(4, availableParallelism())) : 1);
  const out = await analyseOnThreads(input, threads, { signal: ctx.signal, onProgress: (u) => ctx.progress(u) });
  const summary = storedSummaryOf(summarise(out.series));
  ctx.log('info', `analysed ${days} days × ${stocks} stocks in ${Math.round(out.ms)} ms on ${threads} thread${threads > 1 ? 's' : ''}`);
  await storeAnalysis(deps.db, id, summary, storedSeriesOf(out.series));
  ctx.progress({ fraction: 1, processed: days, total: days, current: 'done' });
  const h = summary.horizons[0];
  return { analysis_id: id, days: summary.days, horizon: h?.horizon ?? null, ic_mean: h?.ic.mean ?? null, rank_ic_mean: h?.rank_ic.mean ?? null, spread_mean: h?.spread.mean ?? null };
}

function subject(a: Awaited<ReturnType<typeof getAnalysis>>): RunSubject | null {
  if (!a) return null;
  return { kind: 'factor_analysis', id: a.id, name: `analysis ${a.id} of ${a.factorId}`, href: `/factors/${encodeURIComponent(a.factorId)}/analyses/${a.id}` };
}

/** The `factor-analysis` executor: runs an analysis the analyses service queued. */
export const makeFactorAnalysisExecutor = (deps: AnalysisExecutorDeps) => defineExecutor({
  name: analysisExecutorName,
  description: 'analyses a factor (IC, Rank IC, quantiles, turnover; see /factors); queued by POST /api/v1/factors/{id}/analyses, not directly',
  params: z.object({ analysis_id: z.number().int().positive() }).strict(),
  kind: 'backtest',
  queueRole: 'admin',
  defaults: { maxAttempts: 2 },
  run: (p, ctx) => runOne(p.analysis_id, deps, ctx),
  subject: async (p) => subject(await getAnalysis(deps.db, p.analysis_id)),
});
