import type { Kysely } from 'kysely';
import { audit, type AuditActor } from '../audit/audit.service.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import type { ExecutorRegistry } from '../runs/executor-registry.ts';
import type { Run } from '../runs/run.types.ts';
import type { RunsService } from '../runs/runs.service.ts';
import { redactSecrets, type SecretBox } from '../secrets/secret-box.ts';
import { checkSecretKey } from '../secrets/secret-key.service.ts';
import { describeSchedule, nextFireTimes, slotsBetween, type Schedule } from './schedule.ts';
import * as repo from './tasks.repository.ts';

/**
 * What the scheduler manager and the first-start seeding read and write (manager.ts, seed.ts):
 * tasks due for firing, their slots and slot notes, the change channel, the one-time seeding claim.
 */
export { advanceSlots, claimSchedulerSeeding, findTask, insertSlotNotes, insertTask, listTasks, loadForFiring, tasksChannel, type SlotNoteValues } from './tasks.repository.ts';
import { findRun } from '../runs/runs.repository.ts';
import { selectUserById } from '../auth/users.repository.ts';
import type { Role } from '../auth/access.ts';
import { sealTaskConfig } from './task-secrets.ts';
import { scheduleJson, scheduleOf, type TaskInput, type TaskPatch, type TaskStats, type TaskView } from './scheduler.contract.ts';
import type { SlotNote, Task, TaskStatus } from './task.types.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { ymdOf } from '../market/days.ts';
import { calendarCoverage, exchangeDay, nextTradingDaySlots, readUpcomingCalendar, type CalendarCoverage, type Exchange, type TradeCalendar } from './trading-days.ts';

export interface TasksDeps {
  db: Kysely<Database>;
  registry: ExecutorRegistry;
  runs: RunsService;
  /** Seals the secret env entries and arguments of command configs; without it, saving one is refused. */
  secrets?: SecretBox | null;
  /** The market store whose trade calendar the trading-day policy reads; without it, that policy's status says the calendar is missing. */
  market?: MarketStore | null;
}

export function toTask(r: repo.TaskRow): Task {
  const schedule = (typeof r.schedule === 'string' ? JSON.parse(r.schedule) : r.schedule) as Schedule;
  return {
    id: Number(r.id),
    name: r.name,
    description: r.description,
    executor: r.executor,
    config: (typeof r.config === 'string' ? JSON.parse(r.config) : r.config) as Record<string, unknown>,
    schedule: { ...schedule, timezone: r.timezone },
    timezone: r.timezone,
    enabled: r.enabled,
    paused: r.paused,
    overlap: r.overlap,
    maxConcurrent: r.max_concurrent,
    misfire: r.misfire,
    maxCatchUp: r.max_catch_up,
    graceSeconds: r.grace_seconds,
    maxAttempts: r.max_attempts,
    retryDelayMs: r.retry_delay_ms,
    timeoutMs: r.timeout_ms,
    ownerId: r.owner_id,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    lastSlot: new Date(r.last_slot),
    tradingDays: r.trading_days ?? null,
  };
}

/** The task as a page may show it to this view: secrets masked, or no config at all. */
export function shownTask(t: Task, view: TaskView): Task {
  return { ...t, config: view === 'config' ? redactSecrets(t.config) : {} };
}

/**
 * Seals the secrets a config carries (task-secrets.ts); when it sealed a new one, the key is
 * checked against the one the database's other secrets use (instances must share one key).
 */
async function sealConfig(deps: TasksDeps, executor: string, config: Record<string, unknown>, stored: Record<string, unknown> | null): Promise<Record<string, unknown>> {
  const secrets = deps.secrets ?? null;
  let sealedNew = false;
  const box: SecretBox | null = secrets && {
    keyId: secrets.keyId,
    open: secrets.open,
    seal: (plain) => {
      sealedNew = true;
      return secrets.seal(plain);
    },
  };
  const out = sealTaskConfig(executor, config, stored, box);
  if (sealedNew) await checkSecretKey(deps.db, secrets!);
  return out;
}

/**
 * Checks the executor exists, the config fits its schema and passes the executor's own `validate`
 * (a workflow's graph, say): a 400 naming `config.<field>`.
 */
export async function validateTaskConfig(deps: TasksDeps, executor: string, config: unknown): Promise<Record<string, unknown>> {
  try {
    const { def, params } = deps.registry.validate(executor, config);
    await def.validate?.(params, { registry: deps.registry, taskNames: () => repo.taskNames(deps.db) });
    return params as Record<string, unknown>;
  } catch (err) {
    if (err instanceof AppError && typeof err.details?.field === 'string') {
      const field = err.details.field.replace(/^params/, 'config');
      throw new AppError(400, err.code, err.message.replace(/^params/, 'config'), { field });
    }
    throw err;
  }
}

function values(input: TaskInput, config: Record<string, unknown>): repo.TaskValues {
  return {
    name: input.name,
    description: input.description,
    executor: input.executor,
    config: JSON.stringify(config),
    schedule: JSON.stringify(scheduleOf(input.schedule)),
    timezone: input.schedule.timezone,
    enabled: input.enabled,
    overlap: input.overlap,
    max_concurrent: input.max_concurrent,
    misfire: input.misfire,
    max_catch_up: input.max_catch_up,
    grace_seconds: input.grace_seconds,
    max_attempts: input.max_attempts,
    retry_delay_ms: input.retry_delay_ms,
    timeout_ms: input.timeout_ms,
    trading_days: input.trading_days,
  };
}

export async function mustGetTask(db: Kysely<Database>, id: number): Promise<Task> {
  const row = await repo.findTask(db, id);
  if (!row) throw new AppError(404, 'not_found', `task ${id} was not found; see /scheduler`);
  return toTask(row);
}

/** Creates a task from a validated request (the route's schema, or parseInput(TaskInputSchema, …) elsewhere). */
export async function createTask(deps: TasksDeps, actor: AuditActor, input: TaskInput): Promise<Task> {
  const config = await validateTaskConfig(deps, input.executor, await sealConfig(deps, input.executor, input.config, null));
  // The task and its audit entry in one transaction (the scheduler's NOTIFY is sent at commit).
  const task = await deps.db.transaction().execute(async (trx) => {
    const row = await repo.insertTask(trx, { ...values(input, config), owner_id: actor.userId });
    if (!row) return null;
    const t = toTask(row);
    await audit(trx, actor, { action: 'task.create', outcome: 'success', objectType: 'task', objectId: t.id, details: { name: t.name, executor: t.executor, schedule: scheduleJson(t.schedule) } });
    return t;
  });
  if (!task) {
    await audit(deps.db, actor, { action: 'task.create', outcome: 'failure', objectType: 'task', details: { name: input.name, reason: 'name taken' } });
    throw new AppError(409, 'name_taken', `name: a task named "${input.name}" exists already; choose another name`, { field: 'name' });
  }
  return task;
}

function inputOf(t: Task): TaskInput {
  return {
    name: t.name,
    description: t.description,
    executor: t.executor,
    config: t.config,
    schedule: scheduleJson(t.schedule),
    enabled: t.enabled,
    overlap: t.overlap,
    max_concurrent: t.maxConcurrent,
    misfire: t.misfire,
    max_catch_up: t.maxCatchUp,
    grace_seconds: t.graceSeconds,
    max_attempts: t.maxAttempts,
    retry_delay_ms: t.retryDelayMs,
    timeout_ms: t.timeoutMs,
    trading_days: t.tradingDays,
  };
}

/** Edits a task with a validated patch (the route's schema, or parseInput(TaskPatchSchema, …)); fields it leaves out keep their values. */
export async function updateTask(deps: TasksDeps, actor: AuditActor, id: number, patch: TaskPatch): Promise<Task> {
  const before = await mustGetTask(deps.db, id);
  const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as TaskPatch;
  const input: TaskInput = { ...inputOf(before), ...given };
  // Secrets the edit sends as •••• (or leaves out) keep their stored sealed values.
  const sealed = given.config !== undefined ? await sealConfig(deps, input.executor, input.config, input.executor === before.executor ? before.config : null) : input.config;
  const config = await validateTaskConfig(deps, input.executor, sealed);
  const scheduleChanged = JSON.stringify(input.schedule) !== JSON.stringify(before.schedule);
  const changed = Object.keys(given).filter((k) => JSON.stringify((given as Record<string, unknown>)[k]) !== JSON.stringify((inputOf(before) as Record<string, unknown>)[k]));
  let row: repo.TaskRow | null;
  try {
    row = await deps.db.transaction().execute(async (trx) => {
      // A new schedule starts counting from now: slots of the old one are not "missed".
      const r = await repo.updateTask(trx, id, { ...values(input, config), resetSlot: scheduleChanged || (input.enabled && !before.enabled) });
      if (r) await audit(trx, actor, { action: 'task.update', outcome: 'success', objectType: 'task', objectId: id, details: { name: input.name, changed } });
      return r;
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new AppError(409, 'name_taken', `name: a task named "${input.name}" exists already; choose another name`, { field: 'name' });
    throw err;
  }
  if (!row) throw new AppError(404, 'not_found', `task ${id} was not found`);
  return toTask(row);
}

export async function deleteTask(deps: TasksDeps, actor: AuditActor, id: number): Promise<void> {
  const t = await mustGetTask(deps.db, id);
  const deleted = await deps.db.transaction().execute(async (trx) => {
    const gone = await repo.deleteTask(trx, id);
    if (gone) await audit(trx, actor, { action: 'task.delete', outcome: 'success', objectType: 'task', objectId: id, details: { name: t.name } });
    return gone;
  });
  // Deleted by someone else meanwhile: the race is lost, the answer is what a later request would get.
  if (!deleted) throw new AppError(404, 'not_found', `task ${id} was not found`);
}

export type TaskSwitch = 'enable' | 'disable' | 'pause' | 'resume';

export async function switchTask(deps: TasksDeps, actor: AuditActor, id: number, op: TaskSwitch): Promise<Task> {
  const t = await mustGetTask(deps.db, id);
  const set =
    op === 'enable'
      ? { enabled: true, resetSlot: !t.enabled }
      : op === 'disable'
        ? { enabled: false }
        : op === 'pause'
          ? { paused: true }
          : { paused: false };
  const row = await deps.db.transaction().execute(async (trx) => {
    const r = await repo.updateTask(trx, id, set);
    if (r) await audit(trx, actor, { action: `task.${op}`, outcome: 'success', objectType: 'task', objectId: id, details: { name: t.name } });
    return r;
  });
  if (!row) throw new AppError(404, 'not_found', `task ${id} was not found`);
  return toTask(row);
}

/**
 * Runs the task once now, whatever its enabled/paused state (which it keeps). Overrides are merged
 * over the task's config and validated like it.
 */
export async function triggerTask(deps: TasksDeps, actor: AuditActor, id: number, overrides: Record<string, unknown> = {}): Promise<Run> {
  const t = await mustGetTask(deps.db, id);
  const config = await validateTaskConfig(deps, t.executor, await sealConfig(deps, t.executor, { ...t.config, ...overrides }, t.config));
  // The run and its audit entry in one transaction.
  return deps.db.transaction().execute(async (trx) => {
    const run = await deps.runs.queueRun(
      { executor: t.executor, params: config, queuedBy: actor.userId, taskId: t.id, scheduledFor: null, maxAttempts: t.maxAttempts, retryDelayMs: t.retryDelayMs, timeoutMs: t.timeoutMs },
      trx,
    );
    await audit(trx, actor, { action: 'task.trigger', outcome: 'success', objectType: 'task', objectId: id, details: { name: t.name, run_id: run.id, overrides: Object.keys(overrides) } });
    return run;
  });
}

export type RunOp = 'cancel' | 'pause' | 'resume' | 'retry';

export async function runOperation(deps: TasksDeps, actor: AuditActor, taskId: number, runId: number, op: RunOp): Promise<Run> {
  const t = await mustGetTask(deps.db, taskId);
  const run = await deps.runs.getRun(runId);
  if (!run || (run.taskId !== t.id && run.parentRunId === null)) throw new AppError(404, 'not_found', `run ${runId} is not a run of task ${t.name}`);
  // The control and its audit entry in one transaction.
  const record = (trx: Kysely<Database>, after: Run) =>
    audit(trx, actor, { action: `task.run.${op}`, outcome: 'success', objectType: 'run', objectId: runId, details: { task: t.name, result_run_id: after.id } });
  return op === 'retry' ? deps.runs.retry(runId, actor.userId, record) : deps.runs[op](runId, record);
}

/** Every task with its status at the database's now. */
export async function taskStatuses(deps: TasksDeps): Promise<TaskStatus[]> {
  const [rows, state, now] = await Promise.all([repo.listTasks(deps.db), repo.taskRunState(deps.db), repo.dbNow(deps.db)]);
  const byTask = new Map(state.map((s) => [s.task_id, s]));
  const tasks = rows.map(toTask);
  const calendars = await upcomingCalendars(deps, tasks, now);
  return tasks.map((t) => {
    const status = statusOf(t, byTask.get(t.id), now);
    if (!t.tradingDays) return status;
    const { cal, coverage } = calendars.get(t.tradingDays)!;
    if (!t.enabled || !cal) return { ...status, calendar: { ...coverage, skippedNext: [] } };
    const upcoming = nextTradingDaySlots(cal, t.schedule, now, 5);
    return {
      ...status,
      next: upcoming.slots.filter((x) => x.state !== 'closed').map((x) => x.at),
      calendar: { ...coverage, skippedNext: upcoming.slots.filter((x) => x.state === 'closed').map((x) => x.at) },
    };
  });
}

/** The upcoming calendar and its coverage of each exchange some task's policy names (read once per exchange: the live list asks every second). */
async function upcomingCalendars(deps: TasksDeps, tasks: readonly Task[], now: Date): Promise<Map<Exchange, { cal: TradeCalendar | null; coverage: CalendarCoverage }>> {
  const out = new Map<Exchange, { cal: TradeCalendar | null; coverage: CalendarCoverage }>();
  for (const t of tasks) {
    const ex = t.tradingDays;
    if (!ex || out.has(ex)) continue;
    const read = deps.market ? await readUpcomingCalendar(deps.market, ex, now).catch((err: Error) => err) : new Error('no market store');
    out.set(
      ex,
      read instanceof Error
        ? { cal: null, coverage: { exchange: ex, coveredThrough: null, warning: `The ${ex} trade calendar could not be read (${read.message}): slots fire unchecked.` } }
        : { cal: read, coverage: calendarCoverage(ex, exchangeDay(now), read) },
    );
  }
  return out;
}

/** A task's recorded slot decisions (skipped on closed days, fired without a calendar row), newest first. */
export async function slotNotes(deps: TasksDeps, id: number, page: { limit: number; offset: number }): Promise<{ notes: SlotNote[]; total: number }> {
  await mustGetTask(deps.db, id);
  const { rows, total } = await repo.listSlotNotes(deps.db, id, page);
  return {
    notes: rows.map((r) => ({ taskId: r.task_id, scheduledFor: r.scheduled_for, day: ymdOf(r.day), outcome: r.outcome, reason: r.reason, message: r.message, recordedAt: r.recorded_at })),
    total,
  };
}

export async function taskStatus(deps: TasksDeps, id: number): Promise<TaskStatus> {
  const all = await taskStatuses(deps);
  const s = all.find((x) => x.task.id === id);
  if (!s) throw new AppError(404, 'not_found', `task ${id} was not found; see /scheduler`);
  return s;
}

export function statusOf(task: Task, st: Awaited<ReturnType<typeof repo.taskRunState>>[number] | undefined, now: Date): TaskStatus {
  const graceStart = now.getTime() - task.graceSeconds * 1000;
  // Late: a queued fire older than the grace period, or an owed slot no instance has fired.
  const queuedLate = st?.oldest_queued_slot ? st.oldest_queued_slot.getTime() < graceStart : false;
  let owedLate = false;
  if (task.enabled && !task.paused) {
    const owed = slotsBetween(task.schedule, task.lastSlot, new Date(graceStart), 1);
    owedLate = owed.slots.length > 0;
  }
  const late = queuedLate || owedLate;
  const running = st?.running ?? 0;
  const progress = (st?.progress as { fraction?: number | null } | null)?.fraction ?? null;
  const last = st?.last ?? null;
  return {
    task,
    describe: describeSchedule(task.schedule),
    next: task.enabled ? nextFireTimes(task.schedule, now, 5) : [],
    lastRun: last
      ? {
          id: last.id,
          status: last.status,
          scheduledFor: last.scheduled_for,
          queuedAt: last.queued_at,
          finishedAt: last.finished_at,
          error: (last.error as { message?: string } | null)?.message ?? null,
        }
      : null,
    running,
    queued: st?.queued ?? 0,
    late,
    state: !task.enabled ? 'disabled' : task.paused ? 'paused' : running > 0 ? 'running' : late ? 'late' : 'idle',
    progress,
    calendar: null,
  };
}

export async function schedulerStats(deps: TasksDeps): Promise<TaskStats[]> {
  const [rows, stats] = await Promise.all([repo.listTasks(deps.db), repo.taskStats(deps.db)]);
  const byTask = new Map(stats.map((s) => [s.task_id, s]));
  return rows.map((r) => {
    const s = byTask.get(Number(r.id));
    return {
      taskId: Number(r.id),
      name: r.name,
      runs: s?.runs ?? 0,
      succeeded: s?.succeeded ?? 0,
      failed: s?.failed ?? 0,
      successRate: s && s.runs ? s.succeeded / s.runs : null,
      avgMs: s?.avg_ms === null || s?.avg_ms === undefined ? null : Math.round(s.avg_ms),
      p95Ms: s?.p95_ms === null || s?.p95_ms === undefined ? null : Math.round(s.p95_ms),
      lastFailureAt: s?.last_failure_at ? new Date(s.last_failure_at).toISOString() : null,
      lastFailure: ((s?.last_failure as { message?: string } | null)?.message ?? null) as string | null,
    };
  });
}


/**
 * Whom a run acts for: whoever queued it, else the owner of the scheduled task that fired it
 * (`owner` null when there is neither, or that user is gone); `taskName` names that task, when one fired it.
 * Scheduled backtests run as this user.
 */
export async function runOwnerOf(db: Kysely<Database>, runId: number): Promise<{ taskName: string | null; owner: { id: number; username: string; role: Role; disabled: boolean } | null }> {
  const run = await findRun(db, runId);
  if (!run) throw new Error(`run ${runId} was not found`);
  const task = run.task_id === null ? undefined : await repo.findTask(db, run.task_id);
  const ownerId = run.queued_by ?? task?.owner_id ?? null;
  const owner = ownerId === null ? undefined : await selectUserById(db, ownerId);
  return { taskName: task?.name ?? null, owner: owner ? { id: owner.id, username: owner.username, role: owner.role, disabled: owner.disabled } : null };
}

/** The saved task of this name, as stored (a workflow step that names a task runs its executor and config). */
export async function taskNamed(db: Kysely<Database>, name: string): Promise<repo.TaskRow | undefined> {
  return repo.findTaskByName(db, name);
}
