/**
 * Factor analyses: submit (the factor resolved through its access check, the period and universe
 * settled against the market data as a backtest's are, a row and a queued `factor-analysis` run),
 * read, list, the CSV, delete; and what the executor needs (the stored params, the stocks'
 * industries and listing days, storing the result). Access: an analysis is seen by its owner and
 * admins, and only through a factor id its reader may see (resolveFactor); anything else is a 404.
 */
import type { Kysely } from 'kysely';
import { canChangeOwned, canSeeOwned, type Principal } from '../../auth/access.ts';
import { audit, type AuditActor } from '../../audit/audit.service.ts';
import type { Database } from '../../db/schema.ts';
import { configDefaults } from '../../config.ts';
import { AppError } from '../../http/errors.ts';
import type { MarketStore } from '../../market/duckdb.ts';
import { isoDay, ymdOf } from '../../market/days.ts';
import { shownRunError } from '../../runs/run.mapping.ts';
import type { RunsService } from '../../runs/runs.service.ts';
import { isTerminal, type RunProgress, type RunStatus } from '../../runs/run.types.ts';
import { answerableSpec } from '../../backtests/plan.ts';
import type { BacktestSpec } from '../../backtests/backtest-request.ts';
import { toCsv } from '../../backtests/csv.ts';
import type { Board } from '../../market/datasets.ts';
import { factorCoverage, resolveFactor, type FactorRef } from '../factors.service.ts';
import type { AnalysisSeries } from './analyse.ts';
import { analysisExecutorName, seriesCsvRows, seriesOfStored, type AnalysisParams, type FactorAnalysis, type StoredSeries, type StoredSummary } from './analysis.types.ts';
import type { SubmitAnalysis } from './analyses.contract.ts';
import * as repo from './analyses.repository.ts';

type Db = Kysely<Database>;

export interface AnalysesDeps {
  db: Db;
  runs: RunsService;
  market: MarketStore;
  /** Analyses one user may have waiting (BACKTEST_MAX_QUEUED_PER_USER). */
  maxQueuedPerUser?: number;
}

const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

function toAnalysis(r: repo.AnalysisRow): FactorAnalysis {
  return {
    id: Number(r.id), runId: r.run_id === null ? null : Number(r.run_id), ownerId: r.owner_id, ownerName: r.owner_name ?? null,
    factorId: r.factor_id, factorKey: r.factor_key, params: parse(r.params) as AnalysisParams, summary: (parse(r.summary) as StoredSummary | null) ?? null,
    status: (r.status ?? 'queued') as RunStatus, progress: (parse(r.progress) as RunProgress | null) ?? null, error: shownRunError(r.error), dataVersion: r.data_version ?? null,
    createdAt: date(r.created_at)!, startedAt: date(r.started_at), finishedAt: date(r.finished_at ?? r.run_finished_at),
  };
}

const refuse = (field: string, message: string) => new AppError(400, 'invalid_request', `${field}: ${message}`, { field });

/** The submission as stored params: dates and universe settled against the market data (400 naming the field). */
async function settledParams(market: MarketStore, b: SubmitAnalysis): Promise<AnalysisParams> {
  const start = ymdOf(b.start_date);
  const end = ymdOf(b.end_date);
  if (start > end) throw refuse('end_date', `${isoDay(end)} is before start_date ${isoDay(start)}`);
  const universe = b.universe ?? (b.codes ? 'codes' : 'all');
  if (universe === 'codes' && !b.codes?.length) throw refuse('codes', 'universe codes needs the stocks: codes ["600000.SH", …]');
  if (universe === 'all' && b.codes) throw refuse('codes', 'give codes with universe "codes" (or leave universe out), not with "all"');
  const codes = b.codes ? [...new Set(b.codes.map((c) => c.toUpperCase()))].sort() : null;
  // The period and universe are answerable exactly when a backtest of them would be (plan.ts).
  const spec: BacktestSpec = {
    strategy: { kind: 'builtin', name: 'factor-analysis', strategyId: null, versionId: null, version: null }, params: {},
    universe: universe === 'codes' ? { kind: 'codes', codes: codes! } : { kind: 'all', boards: (b.boards as Board[] | undefined) ?? null, excludeSt: false },
    startDate: start, endDate: end, capital: 1, benchmark: null, adjust: 'hfq', fillTiming: 'next_open', costs: {},
  };
  const settled = await answerableSpec(market, spec);
  const horizons = [...new Set(b.horizons)].sort((x, y) => x - y);
  return {
    universe, codes, boards: universe === 'all' && b.boards?.length ? [...b.boards].sort() : null,
    start_date: settled.startDate, end_date: settled.endDate, horizons, quantiles: b.quantiles,
    industry_neutral: b.industry_neutral, size_neutral: b.size_neutral, exclude_st: b.exclude_st,
    exclude_new_listings: b.exclude_new_listings, new_listing_days: b.new_listing_days,
  };
}

/**
 * A submission as the params an analysis runs with: 409 when the factor has no stored values, 400
 * naming the field when the period or universe cannot be answered or the values miss the period.
 */
export async function settleAnalysis(market: MarketStore, ref: FactorRef, b: SubmitAnalysis): Promise<AnalysisParams> {
  const stored = await factorCoverage(market, ref.key);
  const compute = ref.kind === 'builtin' ? `compute it first (POST /api/v1/factors/${ref.id}/computations, or zquant factor compute ${ref.id})` : 'compute this version first';
  if (!stored) throw new AppError(409, 'factor_not_computed', `factor: ${ref.id} has no stored values; ${compute}`, { field: 'factor' });
  const params = await settledParams(market, b);
  if (stored.last < params.start_date || stored.first > params.end_date) {
    throw refuse('start_date', `${ref.id} has values from ${isoDay(stored.first)} to ${isoDay(stored.last)}, none between ${isoDay(params.start_date)} and ${isoDay(params.end_date)}: pick a period inside it, or ${compute} over this period`);
  }
  return params;
}

/** Validates and queues an analysis of factor `factorId` (404 when the caller may not see it). */
export async function submitAnalysis(deps: AnalysesDeps, p: Principal, factorId: string, b: SubmitAnalysis): Promise<FactorAnalysis> {
  const ref = await resolveFactor(deps.db, p, factorId);
  const params = await settleAnalysis(deps.market, ref, b);
  const max = deps.maxQueuedPerUser ?? configDefaults().backtestMaxQueuedPerUser;
  const waiting = await deps.runs.countWaiting(p.userId, [analysisExecutorName]);
  if (waiting >= max) throw new AppError(429, 'too_many_queued', `you have ${waiting} factor analyses waiting to run, the most one user may queue (BACKTEST_MAX_QUEUED_PER_USER = ${max}); wait for some to finish, then submit again`, { limit: max, waiting });
  const id = await repo.insertAnalysis(deps.db, { owner_id: p.userId, factor_id: ref.id, factor_key: ref.key, user_factor_id: ref.factorId, params: JSON.stringify(params), ...(b.data_version ? { data_version: b.data_version } : {}) });
  try {
    const run = await deps.runs.queueRun({ executor: analysisExecutorName, params: { analysis_id: id }, queuedBy: p.userId, maxAttempts: 2 });
    await repo.setAnalysisRun(deps.db, id, run.id);
  } catch (err) {
    await repo.deleteAnalysisRow(deps.db, id);
    throw err;
  }
  return (await getAnalysis(deps.db, id))!;
}

export async function getAnalysis(db: Db, id: number): Promise<FactorAnalysis | null> {
  const r = await repo.findAnalysis(db, id);
  return r ? toAnalysis(r) : null;
}

/** Analysis `id` of factor `factorId` as the caller may see it, with the factor; 404 otherwise. */
export async function visibleAnalysis(db: Db, p: Principal, factorId: string, id: number): Promise<{ ref: FactorRef; analysis: FactorAnalysis }> {
  const ref = await resolveFactor(db, p, factorId);
  const a = await getAnalysis(db, id);
  if (!a || !canSeeOwned(p, a.ownerId) || (a.factorId !== ref.id && a.factorKey !== ref.key)) {
    throw new AppError(404, 'not_found', `analysis ${id} of factor ${ref.id} was not found; see /factors/${ref.id}/analyses/new for yours`);
  }
  return { ref, analysis: a };
}

/** The caller's analyses of a factor (admins: everyone's), newest first. */
export async function listFactorAnalyses(db: Db, p: Principal, factorId: string, q: { limit: number; offset: number }) {
  const ref = await resolveFactor(db, p, factorId);
  const { rows, total } = await repo.listAnalyses(db, { factorId: ref.id, factorKey: ref.key, ownerId: p.role === 'admin' ? undefined : p.userId }, q.limit, q.offset);
  return { ref, analyses: rows.map(toAnalysis), total };
}

/** The stored daily series as typed arrays, or null before the run succeeded. */
export async function analysisSeries(db: Db, a: FactorAnalysis): Promise<AnalysisSeries | null> {
  const s = parse(await repo.findAnalysisSeries(db, a.id)) as StoredSeries | null;
  return s ? seriesOfStored(s) : null;
}

/** The daily series as CSV (seriesCsvRows' columns), or a 409 before the run succeeded. */
export async function analysisCsv(db: Db, a: FactorAnalysis): Promise<string> {
  const s = await analysisSeries(db, a);
  if (!s) throw new AppError(409, 'analysis_not_done', `analysis ${a.id} is ${a.status}: its series exist once it has succeeded`);
  const { columns, rows } = seriesCsvRows(s);
  return toCsv(columns, rows, ['date']);
}

/** Deletes an analysis (cancelling its run first): its owner or an admin. */
export async function deleteAnalysis(deps: AnalysesDeps, p: Principal, actor: AuditActor, factorId: string, id: number): Promise<void> {
  const { analysis: a } = await visibleAnalysis(deps.db, p, factorId, id);
  if (!canChangeOwned(p, a.ownerId)) throw new AppError(403, 'forbidden', `analysis ${id} belongs to someone else; only they or an admin can delete it`);
  if (a.runId && !isTerminal(a.status)) await deps.runs.cancel(a.runId).catch(() => {});
  await deps.db.transaction().execute(async (trx) => {
    if (await repo.deleteAnalysisRow(trx, id)) await audit(trx, actor, { action: 'factor_analysis.delete', outcome: 'success', objectType: 'factor_analysis', objectId: id, details: { owner_id: a.ownerId, factor: a.factorId } });
  });
}

/** What the executor reads of an analysis: its params and its factor's stored key. */
export async function analysisToRun(db: Db, id: number): Promise<{ params: AnalysisParams; factorKey: string; factorId: string } | null> {
  const a = await getAnalysis(db, id);
  return a ? { params: a.params, factorKey: a.factorKey, factorId: a.factorId } : null;
}

/** Stores a finished analysis's summary and series. */
export async function storeAnalysis(db: Db, id: number, summary: StoredSummary, series: StoredSeries): Promise<void> {
  await repo.storeAnalysisResult(db, id, JSON.stringify(summary), JSON.stringify(series));
}

/** Each code's industry (as a group number, those without one sharing a group) and listing date. */
export async function stockFacts(market: MarketStore, codes: readonly string[]): Promise<{ industry: Int32Array; industries: number; listDate: Int32Array }> {
  const facts = await repo.selectStockFacts(market, codes);
  const groups = new Map<string, number>();
  const industry = new Int32Array(codes.length);
  const listDate = new Int32Array(codes.length);
  codes.forEach((c, i) => {
    const f = facts.get(c);
    const name = f?.industry ?? '';
    if (!groups.has(name)) groups.set(name, groups.size);
    industry[i] = groups.get(name)!;
    listDate[i] = f?.listDate ?? 0;
  });
  return { industry, industries: Math.max(1, groups.size), listDate };
}

/** What the new-analysis form shows of a factor: its reference, what is stored of it, the caller's earlier analyses. */
export async function analysisFormContext(db: Db, market: MarketStore, p: Principal, factorId: string) {
  const { ref, analyses } = await listFactorAnalyses(db, p, factorId, { limit: 20, offset: 0 });
  const stored = await factorCoverage(market, ref.key);
  return { ref, stored: stored ? { first: stored.first, last: stored.last } : null, earlier: analyses };
}
