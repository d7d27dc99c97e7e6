/**
 * The `factor-analysis` executor (kind backtest: CPU-bound, one backtest slot, on a worker thread).
 * It loads the universe's panel from the shared cache — from the first factor day (with the
 * new-listing window before it when new listings are left out) to far enough past the last one for
 * the longest horizon and postponed exits — reads the factor's stored values aligned to it, the
 * stocks' industries and listing days, runs the daily pass on a thread and stores the summary and
 * series. Progress: factor days done and the current date.
 */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { MarketStore } from '../../market/duckdb.ts';
import { addDays, isoDay } from '../../market/days.ts';
import { barRange } from '../../market/market.service.ts';
import { defineExecutor, RunError, type RunContext, type RunSubject } from '../../runs/executor-registry.ts';
import { runInThread } from '../../runs/thread-host.ts';
import type { PanelCache, PanelKey } from '../../backtests/panel-cache.ts';
import type { Board } from '../../market/datasets.ts';
import { readFactorMatrix } from '../factors.service.ts';
import { analysisToRun, getAnalysis, stockFacts, storeAnalysis } from './analyses.service.ts';
import { analysisExecutorName, type AnalysisParams } from './analysis.types.ts';
import type { AnalysisThreadInput, AnalysisThreadOutput } from './analysis.thread.ts';

export interface AnalysisExecutorDeps {
  db: Kysely<Database>;
  market: MarketStore;
  panels: PanelCache;
}

/** Trading days loaded past the longest horizon for exits postponed by suspensions and limit-down opens. */
const exitSlackDays = 40;

/** The panel an analysis needs (see the header); `last` is the market data's last day. */
export function analysisPanelKey(p: AnalysisParams, last: number): PanelKey {
  const maxH = p.horizons[p.horizons.length - 1];
  // Calendar days covering maxH + 1 + slack trading days (5 of 7 days trade, plus holidays).
  const end = Math.min(last, Math.max(p.end_date, addDays(p.end_date, Math.ceil(((maxH + 1 + exitSlackDays) * 7) / 5) + 20)));
  return {
    codes: p.universe === 'codes' ? p.codes : null,
    boards: p.universe === 'all' ? ((p.boards as Board[] | null) ?? null) : null,
    excludeSt: false,
    start: p.start_date,
    end,
    warmupDays: p.exclude_new_listings ? p.new_listing_days : 0,
    fields: p.size_neutral ? ['total_mv'] : [],
    adjust: 'hfq',
  };
}

function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

async function runOne(id: number, deps: AnalysisExecutorDeps, ctx: RunContext): Promise<unknown> {
  const a = await analysisToRun(deps.db, id);
  if (!a) throw new RunError('not_found', `factor analysis ${id} no longer exists (deleted)`, { retryable: false });
  const p = a.params;
  const range = await barRange(deps.market);
  if (!range) throw new RunError('no_data', 'the market data has no daily bars; sync data first', { retryable: false });
  const t0 = Date.now();
  const { panel } = await deps.panels.get(analysisPanelKey(p, range.last));
  const N = panel.codes.length;
  const dates = panel.dates;
  const from = lowerBound(dates, p.start_date);
  const to = lowerBound(dates, p.end_date + 1) - 1;
  if (N === 0 || from > to) throw new RunError('no_data', `no market data for this universe between ${isoDay(p.start_date)} and ${isoDay(p.end_date)}`, { retryable: false });
  ctx.log('info', `panel: ${N} stocks × ${dates.length} days in ${Date.now() - t0} ms; ${to - from + 1} factor days`);
  ctx.progress({ processed: 0, total: to - from + 1, current: 'reading factor values' });
  const t1 = Date.now();
  const values = await readFactorMatrix(deps.market, a.factorKey, { codes: panel.codes, dates });
  // On shared memory, so the thread reads it without a copy.
  const factor = new Float64Array(new SharedArrayBuffer(values.byteLength));
  factor.set(values);
  const facts = await stockFacts(deps.market, panel.codes);
  // A listing before the panel's first day counts as long ago: the panel starts new_listing_days before the first factor day.
  const listedDay = new Int32Array(N);
  for (let i = 0; i < N; i++) listedDay[i] = facts.listDate[i] > 0 && facts.listDate[i] >= dates[0] ? lowerBound(dates, facts.listDate[i]) : -1_000_000;
  ctx.log('info', `factor ${a.factorKey}: values read in ${Date.now() - t1} ms`);
  ctx.signal.throwIfAborted();
  const input: AnalysisThreadInput = {
    market: panel, factor, from, to, industry: facts.industry, industries: facts.industries, listedDay,
    marketCap: p.size_neutral ? (panel.fields.total_mv ?? null) : null,
    options: {
      horizons: p.horizons, quantiles: p.quantiles, industryNeutral: p.industry_neutral, sizeNeutral: p.size_neutral,
      excludeSt: p.exclude_st, minListedDays: p.exclude_new_listings ? p.new_listing_days : 0,
    },
  };
  const out = await runInThread<AnalysisThreadInput, AnalysisThreadOutput>(analysisExecutorName, input, {
    signal: ctx.signal,
    onProgress: (u) => ctx.progress(u),
    onLog: (level, message) => ctx.log(level, message),
    graceMs: 1000,
  });
  ctx.log('info', `analysed ${to - from + 1} days × ${N} stocks in ${Math.round(out.ms)} ms`);
  await storeAnalysis(deps.db, id, out.summary, out.series);
  ctx.progress({ fraction: 1, processed: to - from + 1, total: to - from + 1, current: 'done' });
  const h = out.summary.horizons[0];
  return { analysis_id: id, days: out.summary.days, horizon: h?.horizon ?? null, ic_mean: h?.ic.mean ?? null, rank_ic_mean: h?.rank_ic.mean ?? null, spread_mean: h?.spread.mean ?? null };
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
