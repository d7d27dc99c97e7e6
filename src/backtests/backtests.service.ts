/**
 * Backtests: submit (validate → row → queued `backtest` run, answered at once), read (joined with
 * the run's status and progress), results (sliced), cancel, rerun, delete. Ownership: analysts see
 * and change their own, admins all; viewers read only their own (which, as viewers cannot submit,
 * is none: a viewer sees the backtests an admin made while their account was an analyst's — or
 * nothing); others' answer 404.
 */
import type { Kysely } from 'kysely';
import { canChangeOwned, canSeeOwned, type Principal } from '../auth/access.ts';
import { getBuiltinStrategy } from '../engine/builtins/registry.ts';
import type { Database } from '../db/schema.ts';
import { configDefaults, type Config } from '../config.ts';
import { AppError } from '../http/errors.ts';
import { audit, type AuditActor } from '../audit/audit.service.ts';
import { shownRunError } from '../runs/run.mapping.ts';
import type { RunsService } from '../runs/runs.service.ts';
import { isTerminal, type RunProgress, type RunStatus } from '../runs/run.types.ts';
import { visibleStrategy } from '../strategies/strategies.service.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { fromYmd, isoDay, toYmd, ymdOf } from '../market/days.ts';
import type { BacktestSpec, StrategyRef } from './backtest-request.ts';
import type { Backtest, KeyMetrics } from './backtest.types.ts';
import type { SubmitBacktest } from './backtests.contract.ts';
import { answerableSpec, type StrategyCode } from './plan.ts';
import * as repo from './backtests.repository.ts';

/** The stored result's parts and slices of its arrays, for the result pages and the streamed exports (result-data.ts, export-stream.ts). */
export { readResultParts, resultArrayChunkText, sliceResultArray, type ListPart } from './backtests.repository.ts';

type Db = Kysely<Database>;

export interface BacktestsDeps {
  db: Db;
  runs: RunsService;
  /** The market data submissions are checked against (plan.ts answerableSpec). */
  market: MarketStore;
  /** Per-user bounds at submit time (the defaults of the configuration when absent). */
  limits?: BacktestSubmitLimits;
}

/** What the submit side enforces and the form shows (BACKTEST_MAX_QUEUED_PER_USER, …_RUNNING_PER_USER, BACKTEST_TIMEOUT_MS). */
export interface BacktestSubmitLimits {
  maxQueuedPerUser: number;
  maxRunningPerUser: number;
  timeoutMs: number;
}

/** The submit-side limits of the configuration (its defaults when none is given). */
export function backtestSubmitLimitsOf(config: Pick<Config, 'backtestMaxQueuedPerUser' | 'backtestMaxRunningPerUser' | 'backtestTimeoutMs'> = configDefaults()): BacktestSubmitLimits {
  return { maxQueuedPerUser: config.backtestMaxQueuedPerUser, maxRunningPerUser: config.backtestMaxRunningPerUser, timeoutMs: config.backtestTimeoutMs };
}

export const backtestExecutorName = 'backtest';

const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

export function toBacktest(r: repo.BacktestRow): Backtest {
  const done = r.total_return !== null || r.final_value !== null;
  return {
    id: r.id, runId: r.run_id, ownerId: r.owner_id, ownerName: r.owner_name ?? null, name: r.name, spec: parse(r.config) as BacktestSpec,
    status: (r.status ?? 'queued') as RunStatus, control: (r.control ?? null) as Backtest['control'], progress: (parse(r.progress) as RunProgress | null) ?? null,
    error: shownRunError(r.error), eventSeq: r.event_seq ?? 0, rerunOf: r.rerun_of, pinned: r.pinned === true, dataVersion: r.data_version ?? null, createdAt: date(r.created_at)!,
    startedAt: date(r.started_at), finishedAt: date(r.finished_at),
    metrics: done
      ? { totalReturn: r.total_return, annualizedReturn: r.annualized_return, sharpe: r.sharpe, maxDrawdown: r.max_drawdown, volatility: r.volatility, excessReturn: r.excess_return, finalValue: r.final_value, tradeCount: r.trade_count }
      : null,
  };
}


function fieldError(field: string, message: string, code = 'invalid_request'): AppError {
  return new AppError(400, code, `${field}: ${message}`, { field });
}

function checkDay(s: string, field: string): number {
  const n = ymdOf(s);
  if (toYmd(fromYmd(n)) !== n) throw fieldError(field, `${s} is not a calendar date`);
  return n;
}

/** A built-in strategy by name with its params parsed (defaults filled): 400 naming `strategy` or `params.…`. */
export function builtinStrategyRef(name: string | undefined, params: Record<string, unknown>): { strategy: StrategyRef; params: Record<string, unknown> } {
  if (!name) throw fieldError('strategy', 'name a built-in strategy (e.g. dual_ma) or give strategy_id');
  const def = getBuiltinStrategy(name);
  if (!def) throw fieldError('strategy', `no built-in strategy "${name}"; see GET /api/v1/strategies`);
  const pp = (def.params as unknown as { safeParse(x: unknown): { success: boolean; data?: unknown; error?: { issues: { path: PropertyKey[]; message: string }[] } } }).safeParse(params);
  if (!pp.success) {
    const i = pp.error!.issues[0];
    throw fieldError(['params', ...i.path.map(String)].join('.'), i.message);
  }
  return { strategy: { kind: 'builtin', name, strategyId: null, versionId: null, version: null }, params: pp.data as Record<string, unknown> };
}

/**
 * The spec of a checked submission run by `strategy` (its params already parsed), before the market
 * data is asked (answerableSpec): dates, universe and costs; 400 naming the field.
 */
export function specOf(b: SubmitBacktest, strategy: StrategyRef, params: Record<string, unknown>): BacktestSpec {
  const start = checkDay(b.start_date, 'start_date');
  const end = checkDay(b.end_date, 'end_date');
  if (end < start) throw fieldError('end_date', `${b.end_date} is before start_date ${b.start_date}`);
  const useCodes = b.universe === 'codes' || (b.universe === undefined && b.codes !== undefined);
  if (useCodes && !b.codes?.length) throw fieldError('codes', 'list at least one stock (ts_code such as 600000.SH), or use universe "all"');
  return {
    strategy,
    params,
    universe: useCodes ? { kind: 'codes', codes: [...new Set(b.codes!.map((c) => c.toUpperCase()))] } : { kind: 'all', boards: b.boards?.length ? [...b.boards] : null, excludeSt: b.exclude_st },
    startDate: start,
    endDate: end,
    capital: b.capital,
    benchmark: b.benchmark && b.benchmark.trim() ? b.benchmark.trim().toUpperCase() : null,
    adjust: b.adjust,
    fillTiming: b.fill_timing,
    onError: b.on_error,
    costs: {
      ...(b.commission_rate !== undefined ? { commissionRate: b.commission_rate } : {}),
      ...(b.min_commission !== undefined ? { minCommission: b.min_commission } : {}),
      ...(b.stamp_duty !== undefined ? { stampDuty: b.stamp_duty } : {}),
      ...(b.transfer_fee !== undefined ? { transferFee: b.transfer_fee } : {}),
      ...(b.slippage_bps !== undefined ? { slippageBps: b.slippage_bps } : {}),
    },
  };
}

/** The name shown for a spec when the submission gives none. */
export const defaultName = (spec: BacktestSpec) => `${spec.strategy.name} ${isoDay(spec.startDate)} → ${isoDay(spec.endDate)}`;

/**
 * Validates a submission into the stored spec: 400 naming the field, including what the market
 * data cannot answer (plan.ts answerableSpec); the spec's period is the trading days simulated.
 */
export async function specFromSubmit(deps: Pick<BacktestsDeps, 'db' | 'market'>, p: Principal, b: SubmitBacktest): Promise<{ spec: BacktestSpec; name: string }> {
  const ref = await strategyOfSubmit(deps.db, p, b);
  const spec = await answerableSpec(deps.market, specOf(b, ref.strategy, ref.params));
  return { spec, name: b.name?.trim() || defaultName(spec) };
}

/**
 * The strategy a checked submission names: a built-in (params parsed) or one of the caller's own
 * (strategy_id: its current version, with its code); 400 naming `strategy` or `strategy_id`.
 */
export async function strategyOfSubmit(db: Db, p: Principal, b: SubmitBacktest): Promise<{ strategy: StrategyRef; params: Record<string, unknown>; code?: StrategyCode }> {
  if (b.strategy && b.strategy_id) throw fieldError('strategy', 'give either strategy (a built-in) or strategy_id (your own), not both');
  if (!b.strategy_id) return builtinStrategyRef(b.strategy, b.params);
  const s = await visibleStrategy(db, p, b.strategy_id).catch(() => {
    throw fieldError('strategy_id', `you have no strategy ${b.strategy_id}; see /strategies`);
  });
  return { strategy: { kind: 'user', name: s.name, strategyId: s.id, versionId: s.versionId, version: s.version }, params: b.params, code: { source: s.code, language: s.language } };
}

/**
 * 429 when the user already has as many backtests waiting as one user may. Checked before the row is
 * written; two submissions of the same user at the same instant may both pass (one over the bound),
 * which the running cap at claim time makes harmless.
 */
async function checkQueueRoom(deps: BacktestsDeps, ownerId: number): Promise<void> {
  const max = (deps.limits ?? backtestSubmitLimitsOf()).maxQueuedPerUser;
  const waiting = await deps.runs.countWaiting(ownerId, [backtestExecutorName]);
  if (waiting >= max) {
    throw new AppError(429, 'too_many_queued', `you have ${waiting} backtests waiting to run, the most one user may queue (BACKTEST_MAX_QUEUED_PER_USER = ${max}); wait for some to start or cancel some on /backtests, then submit again`, { limit: max, waiting });
  }
}

/** The backtest's row: its spec as the config snapshot, the strategy and period in columns for lists. */
const insertBacktestRow = (db: Db, ownerId: number, name: string, spec: BacktestSpec, rerunOf: number | null) =>
  repo.insertBacktest(db, {
    owner_id: ownerId, name, strategy_kind: spec.strategy.kind, strategy_name: spec.strategy.name, strategy_id: spec.strategy.strategyId,
    strategy_version_id: spec.strategy.versionId, config: JSON.stringify(spec), start_date: spec.startDate, end_date: spec.endDate, rerun_of: rerunOf,
  });

async function queue(deps: BacktestsDeps, ownerId: number, name: string, spec: BacktestSpec, rerunOf: number | null, dataVersion: string | null = null): Promise<Backtest> {
  await checkQueueRoom(deps, ownerId);
  // A rerun asks the market data again: it may have changed since (and older configs kept the period as typed).
  // Not one pinned to a data version: that version's data is what it reads, as the first run did.
  if (rerunOf !== null && dataVersion === null) spec = await answerableSpec(deps.market, spec);
  const id = await insertBacktestRow(deps.db, ownerId, name, spec, rerunOf);
  try {
    if (dataVersion !== null) await repo.setBacktestDataVersion(deps.db, id, dataVersion);
    const run = await deps.runs.queueRun({ executor: backtestExecutorName, params: { backtest_id: id }, queuedBy: ownerId, maxAttempts: 1 });
    await repo.setBacktestRun(deps.db, id, run.id);
  } catch (err) {
    await repo.deleteBacktest(deps.db, id);
    throw err;
  }
  return (await getBacktest(deps.db, id))!;
}

/**
 * Queues a spec checked elsewhere, as it is: a sweep's set (the sweep's spec with the set's params,
 * and for a user strategy the code version the sweep ran, not the current one), on `dataVersion`
 * when given (the market data version the sweep read).
 */
export async function submitBacktestSpec(deps: BacktestsDeps, p: Principal, name: string, spec: BacktestSpec, dataVersion: string | null = null): Promise<Backtest> {
  return queue(deps, p.userId, name, spec, null, dataVersion);
}

/** Queues a submission already read with SubmitBacktestSchema (by the API route, or parseInput elsewhere). */
export async function submitBacktest(deps: BacktestsDeps, p: Principal, b: SubmitBacktest): Promise<Backtest> {
  const { spec, name } = await specFromSubmit(deps, p, b);
  return queue(deps, p.userId, name, spec, null);
}

/**
 * A backtest made by a run that simulates it itself (a scheduled task's `scheduled_backtest`):
 * the row, tied to that run from the start.
 */
export async function createRunBacktest(db: Db, ownerId: number, name: string, spec: BacktestSpec, runId: number): Promise<number> {
  const id = await insertBacktestRow(db, ownerId, name, spec, null);
  await repo.setBacktestRun(db, id, runId);
  return id;
}

/** Stores a finished simulation's result and key metrics (the executor's one write). */
export const storeResult = (db: Db, id: number, row: repo.ResultRow, columns: repo.MetricColumns): Promise<void> => repo.saveResult(db, id, row, columns);

/** The backtest a run simulates (a scheduled task's run creates its own), or null. */
export async function backtestOfRun(db: Db, runId: number): Promise<Backtest | null> {
  const r = await repo.findBacktestByRun(db, runId);
  return r ? toBacktest(r) : null;
}

export async function getBacktest(db: Db, id: number): Promise<Backtest | null> {
  const r = await repo.findBacktest(db, id);
  return r ? toBacktest(r) : null;
}

export async function visibleBacktest(db: Db, p: Principal, id: number): Promise<Backtest> {
  const b = await getBacktest(db, id);
  if (!b || !canSeeOwned(p, b.ownerId)) throw new AppError(404, 'not_found', `backtest ${id} was not found; see /backtests`);
  return b;
}

export async function changeableBacktest(db: Db, p: Principal, id: number): Promise<Backtest> {
  const b = await visibleBacktest(db, p, id);
  if (!canChangeOwned(p, b.ownerId)) throw new AppError(403, 'forbidden', `backtest ${id} belongs to someone else; only they or an admin can change it`);
  return b;
}

export interface ListQuery {
  status?: RunStatus;
  strategy?: string;
  from?: Date;
  to?: Date;
  q?: string;
  sort: repo.BacktestSort;
  dir: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export async function listBacktests(db: Db, p: Principal, q: ListQuery) {
  const { rows, total } = await repo.listBacktests(
    db,
    { ownerId: p.role === 'admin' ? undefined : p.userId, status: q.status, strategy: q.strategy, from: q.from, to: q.to, q: q.q },
    q.sort, q.dir, q.limit, q.offset,
  );
  return { backtests: rows.map(toBacktest), total };
}

/** Cancels the backtest's run and writes its audit entry in the same transaction. */
export async function cancelBacktest(deps: BacktestsDeps, p: Principal, actor: AuditActor, id: number): Promise<Backtest> {
  const b = await changeableBacktest(deps.db, p, id);
  if (!b.runId || isTerminal(b.status)) throw new AppError(409, 'backtest_state', `backtest ${id} is ${b.status}; only queued or running backtests can be cancelled`);
  await deps.runs.cancel(b.runId, (trx) =>
    audit(trx, actor, { action: 'backtest.cancel', outcome: 'success', objectType: 'backtest', objectId: id, details: { owner_id: b.ownerId } }),
  );
  const after = await getBacktest(deps.db, id);
  if (!after) throw new AppError(404, 'not_found', `backtest ${id} was not found (deleted meanwhile)`);
  return after;
}

/**
 * A new backtest with the same config (and the same code version for user strategies), on the same
 * market data version by default, so its numbers are the first run's; `dataVersion` "latest" runs
 * it on the newest data instead (or names another version).
 */
export async function rerunBacktest(deps: BacktestsDeps, p: Principal, id: number, dataVersion?: string): Promise<Backtest> {
  const b = await changeableBacktest(deps.db, p, id);
  const pinned = dataVersion === undefined ? b.dataVersion : dataVersion === 'latest' ? null : dataVersion;
  return queue(deps, p.userId, b.name, b.spec, b.id, pinned);
}

/** Records the market data version a backtest's run reads (the executor, as it starts). */
export async function recordBacktestDataVersion(db: Db, id: number, version: string): Promise<void> {
  await repo.setBacktestDataVersion(db, id, version);
}

/** Pins (kept by housekeeping whatever its age) or unpins a backtest, owner or admin, audited in the same transaction. */
export async function pinBacktest(db: Db, p: Principal, id: number, pinned: boolean, actor: AuditActor): Promise<Backtest> {
  const b = await changeableBacktest(db, p, id);
  const done = await db.transaction().execute(async (trx) => {
    const found = await repo.setBacktestPinned(trx, id, pinned);
    if (found) await audit(trx, actor, { action: pinned ? 'backtest.pin' : 'backtest.unpin', outcome: 'success', objectType: 'backtest', objectId: id, details: { owner_id: b.ownerId } });
    return found;
  });
  if (!done) throw new AppError(404, 'not_found', `backtest ${id} was not found (deleted meanwhile)`);
  return { ...b, pinned };
}

/** Deletes the backtest (cancelling its run) and writes the audit entry in one transaction; 404 when it is gone meanwhile. */
export async function deleteBacktest(deps: BacktestsDeps, p: Principal, id: number, actor: AuditActor): Promise<Backtest> {
  const b = await changeableBacktest(deps.db, p, id);
  if (b.runId && !isTerminal(b.status)) await deps.runs.cancel(b.runId).catch(() => {});
  const deleted = await deps.db.transaction().execute(async (trx) => {
    const gone = await repo.deleteBacktest(trx, id);
    if (gone) await audit(trx, actor, { action: 'backtest.delete', outcome: 'success', objectType: 'backtest', objectId: id, details: { owner_id: b.ownerId, name: b.name } });
    return gone;
  });
  if (!deleted) throw new AppError(404, 'not_found', `backtest ${id} was not found (deleted meanwhile)`);
  return b;
}

/** The result parts a finished backtest has; 409 while it is not finished. */
export async function resultParts(db: Db, b: Backtest, parts: readonly repo.ResultPart[]): Promise<Record<string, unknown>> {
  const r = b.status === 'succeeded' ? await repo.readResultParts(db, b.id, parts) : null;
  if (!r) {
    throw new AppError(409, 'not_finished', `backtest ${b.id} is ${b.status}${b.error ? ` (${b.error.code}: ${b.error.message})` : ''}; results exist once it succeeds: follow links.events or submit with ?wait=60`);
  }
  const out: Record<string, unknown> = {};
  for (const k of parts) out[k] = typeof r[k] === 'string' ? JSON.parse(r[k] as string) : r[k];
  return out;
}

/** A finished backtest's round-trip trades, all of them (none when the result row holds no list). */
export async function roundTripsOf(db: Db, b: Backtest): Promise<unknown[]> {
  return (await repo.readResultArray(db, b.id, 'trades')) ?? [];
}

/** A page of a finished backtest's fills or orders (orders: only those not filled when `notFilledOnly`). */
export async function resultSlice(db: Db, b: Backtest, part: 'fills' | 'orders', offset: number, limit: number, notFilledOnly = false): Promise<{ items: unknown[]; total: number }> {
  return (await repo.sliceResultArray(db, b.id, part, offset, limit, notFilledOnly))!;
}

/** The strategy names of the backtests `p` can see (admins: everyone's), for the list page's filter. */
export async function backtestStrategyNames(db: Db, p: Principal): Promise<string[]> {
  return repo.distinctStrategyNames(db, p.role === 'admin' ? undefined : p.userId);
}

/** A finished backtest's whole list of fills, orders or round trips (none when the result row holds no list): exports. */
export async function resultArrayOf(db: Db, b: Backtest, part: 'fills' | 'orders' | 'trades'): Promise<unknown[]> {
  return (await repo.readResultArray(db, b.id, part)) ?? [];
}
