/**
 * Sweeps: submit (validate the spec as a backtest's, build the space from the strategy's schema,
 * plan it without running — refused over SWEEP_MAX_SETS with the count named — then a row and a
 * queued `sweep` run), count a space for the form, read, list, cancel, delete, and turn one set into
 * a normal backtest. Ownership as for backtests: analysts see and change their own, admins all,
 * viewers read only their own (none, as they cannot submit); others' answer 404.
 */
import type { Kysely } from 'kysely';
import { canChangeOwned, canSeeOwned, type Principal } from '../auth/access.ts';
import { audit, type AuditActor } from '../audit/audit.service.ts';
import type { Database } from '../db/schema.ts';
import { configDefaults, type Config } from '../config.ts';
import { AppError } from '../http/errors.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { isoDay } from '../market/days.ts';
import { shownRunError } from '../runs/run.mapping.ts';
import type { RunsService } from '../runs/runs.service.ts';
import { isTerminal, type RunProgress, type RunStatus } from '../runs/run.types.ts';
import type { BacktestSpec } from '../backtests/backtest-request.ts';
import type { Backtest } from '../backtests/backtest.types.ts';
import type { SubmitBacktest } from '../backtests/backtests.contract.ts';
import { backtestExecutorName, specOf, submitBacktestSpec, type BacktestsDeps } from '../backtests/backtests.service.ts';
import { answerableSpec } from '../backtests/plan.ts';
import { sweepStrategy, type SweepStrategy } from './sweep-strategy.service.ts';
import { SweepInputError } from './errors.ts';
import { estimateValid, planSweep, type SweepMode, type SweepPlan } from './sampling.ts';
import { buildSpace, type ParamSpace, type ParamsJsonSchema, type SpaceSpec } from './space.ts';
import type { CountSweep, SubmitSweep } from './sweeps.contract.ts';
import type { Sweep, SweepModeName, SweepObjective, SweepSet, SweepStats, WalkForwardSpec } from './sweep.types.ts';
import * as repo from './sweeps.repository.ts';
import { findSweepSet } from './sweep-sets.service.ts';

type Db = Kysely<Database>;

export const sweepExecutorName = 'sweep';

/** What the submit side enforces: queued backtest-kind runs per user, and sets per sweep. */
export interface SweepSubmitLimits {
  maxQueuedPerUser: number;
  maxSets: number;
}

export function sweepSubmitLimitsOf(config: Pick<Config, 'backtestMaxQueuedPerUser' | 'sweepMaxSets'> = configDefaults()): SweepSubmitLimits {
  return { maxQueuedPerUser: config.backtestMaxQueuedPerUser, maxSets: config.sweepMaxSets };
}

export interface SweepsDeps {
  db: Db;
  runs: RunsService;
  market: MarketStore;
  limits?: SweepSubmitLimits;
}

const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

/** The stored space: [name, axis] pairs, since jsonb does not keep an object's key order (which is the grid's order). */
const spaceOf = (stored: unknown): SpaceSpec => (Array.isArray(stored) ? Object.fromEntries(stored as [string, SpaceSpec[string]][]) : (stored as SpaceSpec));

export function toSweep(r: repo.SweepRow): Sweep {
  const w = parse(r.windows) as WalkForwardSpec | null;
  return {
    id: Number(r.id), runId: r.run_id === null ? null : Number(r.run_id), dataVersion: r.data_version ?? null, ownerId: r.owner_id, ownerName: r.owner_name ?? null, name: r.name, kind: r.kind,
    spec: parse(r.spec) as BacktestSpec, space: spaceOf(parse(r.space)), mode: r.mode, budget: r.budget, seed: r.seed, objective: r.objective as SweepObjective,
    windows: w ?? null, gridCount: r.grid_count, plannedSets: r.planned_sets, setsDone: r.sets_done, setsFailed: r.sets_failed, skipped: r.skipped,
    skipReasons: (parse(r.skip_reasons) as Sweep['skipReasons'] | null) ?? [],
    best: r.best_ordinal !== null && r.best_value !== null ? { ordinal: r.best_ordinal, value: r.best_value } : null,
    dsr: r.dsr, pbo: r.pbo, stats: (parse(r.stats) as SweepStats | null) ?? null,
    status: (r.status ?? 'queued') as RunStatus, control: (r.control ?? null) as Sweep['control'], progress: (parse(r.progress) as RunProgress | null) ?? null,
    error: shownRunError(r.error), createdAt: date(r.created_at)!, startedAt: date(r.started_at), finishedAt: date(r.finished_at ?? r.run_finished_at),
  };
}

function fieldError(field: string, message: string, code = 'invalid_request'): AppError {
  return new AppError(400, code, `${field}: ${message}`, { field });
}

/** A SweepInputError as the API's 400, naming the field (space.<param>, budget, windows). */
export function sweepInputAppError(err: SweepInputError): AppError {
  const field = err.param ? `space.${err.param}` : err.code === 'invalid_budget' ? 'budget' : err.code === 'invalid_windows' ? 'windows' : 'space';
  const message = err.message.startsWith(`${err.param}:`) ? err.message.slice(String(err.param).length + 1).trim() : err.message;
  return new AppError(400, err.code, `${field}: ${message}`, { field });
}

/** The search mode of a submission; 400 naming budget when random or lhs lacks one. */
export function modeOf(mode: SweepModeName, budget: number | undefined | null, seed: number): SweepMode {
  if (mode === 'grid') return { kind: 'grid' };
  if (budget === undefined || budget === null) throw fieldError('budget', `${mode} mode needs a budget: the number of parameter sets to run`);
  return { kind: mode, budget, seed };
}

/** The space and plan of a sweep (submit, count and the executor all plan through here); SweepInputError for a bad space. */
export function planOf(s: Pick<SweepStrategy, 'schema' | 'check'>, space: SpaceSpec, mode: SweepMode, base: Record<string, unknown>, maxSets: number): { space: ParamSpace; plan: SweepPlan } {
  const built = buildSpace(space, s.schema);
  return { space: built, plan: planSweep(built, mode, { check: s.check, base, maxSets }) };
}

const rethrowInput = (err: unknown): never => {
  throw err instanceof SweepInputError ? sweepInputAppError(err) : err;
};

/** The count of a space for the form: total, estimated valid, and why it would be refused (none, or over the maximum with the count). */
export async function countSweep(db: Db, p: Principal, limits: SweepSubmitLimits, b: CountSweep) {
  const s = await sweepStrategy(db, p, b);
  let space: ParamSpace;
  try {
    space = buildSpace(b.space, s.schema);
  } catch (err) {
    return rethrowInput(err);
  }
  let refused: string | null = null;
  let planned: number | null = null;
  try {
    planned = planSweep(space, modeOf(b.mode, b.budget, b.seed), { check: s.check, base: b.params, maxSets: limits.maxSets }).maxCandidates;
  } catch (err) {
    if (err instanceof SweepInputError) refused = sweepInputAppError(err).message;
    else if (err instanceof AppError) refused = err.message;
    else throw err;
  }
  let estimate: ReturnType<typeof estimateValid> | null = null;
  try {
    estimate = estimateValid(space, { check: s.check, base: b.params });
  } catch (err) {
    if (!(err instanceof SweepInputError)) throw err;
  }
  return {
    total: space.count.toString(),
    estimated_valid: (estimate?.estimatedValid ?? space.count).toString(),
    exact: estimate?.exact ?? false,
    planned_sets: planned,
    max_sets: limits.maxSets,
    refused,
  };
}

/** 429 when the user has as many backtest-kind runs waiting as one user may (a sweep counts as one). */
async function checkQueueRoom(deps: SweepsDeps, ownerId: number): Promise<void> {
  const max = (deps.limits ?? sweepSubmitLimitsOf()).maxQueuedPerUser;
  const waiting = await deps.runs.countWaiting(ownerId, [backtestExecutorName, sweepExecutorName]);
  if (waiting >= max) {
    throw new AppError(429, 'too_many_queued', `you have ${waiting} backtests and sweeps waiting to run, the most one user may queue (BACKTEST_MAX_QUEUED_PER_USER = ${max}); wait for some to start or cancel some, then submit again`, { limit: max, waiting });
  }
}

/** Validates and queues a sweep (or, with `windows`, a walk-forward). */
export async function submitSweep(deps: SweepsDeps, p: Principal, b: SubmitSweep): Promise<Sweep> {
  const limits = deps.limits ?? sweepSubmitLimitsOf();
  const s = await sweepStrategy(deps.db, p, b);
  const mode = modeOf(b.mode, b.budget, b.seed);
  // The spec as a backtest's (dates, universe, costs), then what the market data can answer.
  const spec = await answerableSpec(deps.market, specOf(b as SubmitBacktest, s.ref, b.params));
  let planned: { space: ParamSpace; plan: SweepPlan };
  try {
    planned = planOf(s, b.space, mode, b.params, limits.maxSets);
  } catch (err) {
    return rethrowInput(err);
  }
  const windows: WalkForwardSpec | null = b.windows
    ? { kind: b.windows.kind, inSampleDays: b.windows.in_sample_days, outOfSampleDays: b.windows.out_of_sample_days, stepDays: b.windows.step_days ?? b.windows.out_of_sample_days }
    : null;
  if (windows && windows.stepDays < windows.outOfSampleDays) {
    throw fieldError('windows.step_days', `a step of ${windows.stepDays} is shorter than the ${windows.outOfSampleDays}-day out-of-sample window, so segments would overlap; use at least ${windows.outOfSampleDays}`);
  }
  await checkQueueRoom(deps, p.userId);
  const kind = windows ? 'walk_forward' : 'sweep';
  const name = b.name?.trim() || `${kind === 'sweep' ? 'sweep' : 'walk-forward'} ${s.ref.name} ${isoDay(spec.startDate)} → ${isoDay(spec.endDate)}`;
  const id = await repo.insertSweep(deps.db, {
    owner_id: p.userId, name, kind, strategy_kind: s.ref.kind, strategy_name: s.ref.name, strategy_id: s.ref.strategyId, strategy_version_id: s.ref.versionId,
    spec: JSON.stringify(spec), space: JSON.stringify(Object.entries(b.space)), mode: b.mode, budget: mode.kind === 'grid' ? null : mode.budget, seed: b.seed,
    objective: b.objective, windows: windows ? JSON.stringify(windows) : null, grid_count: planned.space.count.toString(), planned_sets: planned.plan.maxCandidates,
  });
  try {
    const run = await deps.runs.queueRun({ executor: sweepExecutorName, params: { sweep_id: id }, queuedBy: p.userId, maxAttempts: 3 });
    await repo.setSweepRun(deps.db, id, run.id);
  } catch (err) {
    await repo.deleteSweep(deps.db, id);
    throw err;
  }
  return (await getSweep(deps.db, id))!;
}

export async function getSweep(db: Db, id: number): Promise<Sweep | null> {
  const r = await repo.findSweep(db, id);
  return r ? toSweep(r) : null;
}

export async function visibleSweep(db: Db, p: Principal, id: number): Promise<Sweep> {
  const s = await getSweep(db, id);
  if (!s || !canSeeOwned(p, s.ownerId)) throw new AppError(404, 'not_found', `sweep ${id} was not found; see /sweeps`);
  return s;
}

export async function changeableSweep(db: Db, p: Principal, id: number): Promise<Sweep> {
  const s = await visibleSweep(db, p, id);
  if (!canChangeOwned(p, s.ownerId)) throw new AppError(403, 'forbidden', `sweep ${id} belongs to someone else; only they or an admin can change it`);
  return s;
}

/** The sweep with its best set's row (for the detail answer). */
export async function sweepWithBest(db: Db, s: Sweep): Promise<{ sweep: Sweep; best: SweepSet | null }> {
  return { sweep: s, best: s.best ? await findSweepSet(db, s.id, s.best.ordinal) : null };
}

export async function listSweeps(db: Db, p: Principal, q: { status?: RunStatus; kind?: 'sweep' | 'walk_forward'; limit: number; offset: number }) {
  const { rows, total } = await repo.listSweeps(db, { ownerId: p.role === 'admin' ? undefined : p.userId, status: q.status, kind: q.kind }, q.limit, q.offset);
  return { sweeps: rows.map(toSweep), total };
}

/** Cancels the sweep's run (sets stored so far are kept) with its audit entry in the same transaction. */
export async function cancelSweep(deps: SweepsDeps, p: Principal, actor: AuditActor, id: number): Promise<Sweep> {
  const s = await changeableSweep(deps.db, p, id);
  if (!s.runId || isTerminal(s.status)) throw new AppError(409, 'sweep_state', `sweep ${id} is ${s.status}; only queued, running or paused sweeps can be cancelled`);
  await deps.runs.cancel(s.runId, (trx) => audit(trx, actor, { action: 'sweep.cancel', outcome: 'success', objectType: 'sweep', objectId: id, details: { owner_id: s.ownerId } }));
  return (await getSweep(deps.db, id))!;
}

/**
 * Pauses a queued or running sweep (a running one stops after the sets in hand; what finished is
 * kept), or resumes a paused one (its run is queued again and runs the sets not stored). 409 otherwise.
 */
export async function controlSweep(deps: SweepsDeps, p: Principal, actor: AuditActor, id: number, action: 'pause' | 'resume'): Promise<Sweep> {
  const s = await changeableSweep(deps.db, p, id);
  const can = action === 'pause' ? s.status === 'queued' || s.status === 'running' : s.status === 'paused' || (s.status === 'running' && s.control === 'pause');
  if (!s.runId || !can) {
    throw new AppError(409, 'sweep_state', `sweep ${id} is ${s.status}${s.control ? ` (${s.control} asked)` : ''}; only ${action === 'pause' ? 'queued or running sweeps can be paused' : 'paused sweeps can be resumed'}`);
  }
  const andThen = (trx: Parameters<typeof audit>[0]) => audit(trx, actor, { action: `sweep.${action}`, outcome: 'success', objectType: 'sweep', objectId: id, details: { owner_id: s.ownerId } });
  await (action === 'pause' ? deps.runs.pause(s.runId, andThen) : deps.runs.resume(s.runId, andThen));
  return (await getSweep(deps.db, id))!;
}

/** Deletes the sweep and its sets (cancelling its run first). */
export async function deleteSweep(deps: SweepsDeps, p: Principal, actor: AuditActor, id: number): Promise<void> {
  const s = await changeableSweep(deps.db, p, id);
  if (s.runId && !isTerminal(s.status)) await deps.runs.cancel(s.runId).catch(() => {});
  const gone = await deps.db.transaction().execute(async (trx) => {
    const deleted = await repo.deleteSweep(trx, id);
    if (deleted) await audit(trx, actor, { action: 'sweep.delete', outcome: 'success', objectType: 'sweep', objectId: id, details: { owner_id: s.ownerId, name: s.name } });
    return deleted;
  });
  if (!gone) throw new AppError(404, 'not_found', `sweep ${id} was not found (deleted meanwhile)`);
}

/** Queues set `ordinal` of sweep `id` as a normal backtest (the caller's, through the backtests service). */
export async function backtestOfSet(deps: BacktestsDeps, p: Principal, id: number, ordinal: number): Promise<Backtest> {
  const s = await visibleSweep(deps.db, p, id);
  const set = await findSweepSet(deps.db, s.id, ordinal);
  if (!set) throw new AppError(404, 'not_found', `sweep ${id} has no stored set ${ordinal}; see /api/v1/sweeps/${id}/results`);
  if (set.windowIndex !== null) throw fieldError('ordinal', `set ${ordinal} ran on walk-forward window ${set.windowIndex}'s in-sample range; submit a backtest with its params and that range instead`);
  // The sweep's spec with the set's params: the same period, universe and costs, and for a user strategy
  // the code version the sweep ran (a later edit of the strategy does not change what the set was).
  return submitBacktestSpec(deps, p, `${s.name} · set ${set.ordinal}`, { ...s.spec, params: set.params }, s.dataVersion ?? null);
}
