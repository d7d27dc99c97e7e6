import { z as zod } from 'zod';
import type { z } from '@hono/zod-openapi';
import { auditActor } from '../audit/audit.service.ts';
import { principalOf, requireRole, roleAtLeast } from '../auth/access.ts';
import { makeApiRouter } from '../http/api.ts';
import { errors, json, operation } from '../http/contract.ts';
import { idParam as strictIdParam } from '../http/input.ts';
import { AppError } from '../http/errors.ts';
import type { ExecutorRegistry } from '../runs/executor-registry.ts';
import { RunListSchema, RunSchema, runJson } from '../runs/runs.contract.ts';
import { cronProblem, describeSchedule, isValidTimezone, nextFireTimes, defaultTimezone } from './schedule.ts';
import {
  CronPreviewInputSchema, CronPreviewSchema, DeletedTaskSchema, ExecutorListSchema, SchedulerStatsSchema, SlotNoteListSchema, slotNoteJson, SlotNotesQuery, statusJson, TaskInputSchema,
  TaskPatchSchema, TaskRunParams, TaskRunsQuery, TaskSchema, TaskStatusListSchema, TaskStatusSchema, taskJson, taskStatsJson, TriggerInputSchema, type ExecutorInfoSchema, type TaskView,
} from './scheduler.contract.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { nextTradingDaySlots, readUpcomingCalendar, type Exchange } from './trading-days.ts';
import * as svc from './tasks.service.ts';

/**
 * /api/v1/scheduler: tasks (CRUD and operations), their runs and stats, the cron preview and the
 * executors' config schemas. Viewers and analysts read; only admins change anything.
 */
export interface SchedulerApiDeps extends svc.TasksDeps {
  trustProxy: boolean;
}

const idParam = strictIdParam();
const tags = ['scheduler'];

/** Viewers see a task's schedule and history; its config (secrets masked) is for analysts and admins. */
export function taskViewOf(c: Parameters<typeof principalOf>[0]): TaskView {
  return roleAtLeast(principalOf(c).role, 'analyst') ? 'config' : 'schedule';
}

export function schedulerApi(deps: SchedulerApiDeps) {
  const api = makeApiRouter();
  const actor = (c: Parameters<typeof principalOf>[0]) => auditActor(c, deps.trustProxy);

  api.openapi(
    operation({
      method: 'get', path: '/scheduler/tasks', operationId: 'listTasks', summary: 'Every scheduled task with its status', tags, middleware: [requireRole('viewer')] as const,
      responses: { 200: json(TaskStatusListSchema, 'every task with its status (config for analysts and admins only)') },
    }),
    async (c) => {
      const view = taskViewOf(c);
      return c.json({ tasks: (await svc.taskStatuses(deps)).map((s) => statusJson(s, view)) }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'post', path: '/scheduler/tasks', operationId: 'createTask', summary: 'Create a scheduled task', tags, middleware: [requireRole('admin')] as const,
      description: 'The config is checked against the executor’s schema (400 naming `config.<field>`); secrets in a command’s env and args are stored sealed.',
      request: { body: { content: { 'application/json': { schema: TaskInputSchema } }, required: true } },
      responses: { 201: json(TaskSchema, 'created'), ...errors(409, 503) },
    }),
    async (c) => c.json(taskJson(await svc.createTask(deps, actor(c), c.req.valid('json'))), 201),
  );

  api.openapi(
    operation({
      method: 'get', path: '/scheduler/tasks/{id}', operationId: 'getTask', summary: 'A scheduled task and its status', tags, middleware: [requireRole('viewer')] as const,
      request: { params: idParam }, responses: { 200: json(TaskStatusSchema, 'the task and its status') },
    }),
    async (c) => c.json(statusJson(await svc.taskStatus(deps, c.req.valid('param').id), taskViewOf(c)), 200),
  );

  api.openapi(
    operation({
      method: 'patch', path: '/scheduler/tasks/{id}', operationId: 'updateTask', summary: 'Edit a scheduled task', tags, middleware: [requireRole('admin')] as const,
      description: 'Fields left out keep their values; a secret sent as •••• (or left out) keeps its stored value.',
      request: { params: idParam, body: { content: { 'application/json': { schema: TaskPatchSchema } }, required: true } },
      responses: { 200: json(TaskSchema, 'updated'), ...errors(409, 503) },
    }),
    async (c) => c.json(taskJson(await svc.updateTask(deps, actor(c), c.req.valid('param').id, c.req.valid('json'))), 200),
  );

  api.openapi(
    operation({
      method: 'delete', path: '/scheduler/tasks/{id}', operationId: 'deleteTask', summary: 'Delete a scheduled task', tags, middleware: [requireRole('admin')] as const,
      request: { params: idParam }, responses: { 200: json(DeletedTaskSchema, 'deleted (its runs stay)') },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await svc.deleteTask(deps, actor(c), id);
      return c.json({ deleted: id }, 200);
    },
  );

  const switches = [
    { op: 'enable', operationId: 'enableTask', summary: 'Enable a task (its schedule counts from now)' },
    { op: 'disable', operationId: 'disableTask', summary: 'Disable a task' },
    { op: 'pause', operationId: 'pauseTask', summary: 'Pause a task’s schedule' },
    { op: 'resume', operationId: 'resumeTask', summary: 'Resume a paused task’s schedule' },
  ] as const;
  for (const { op, operationId, summary } of switches) {
    api.openapi(
      operation({
        method: 'post', path: `/scheduler/tasks/{id}/${op}`, operationId, summary, tags, middleware: [requireRole('admin')] as const,
        request: { params: idParam }, responses: { 200: json(TaskSchema, `${op}d`) },
      }),
      async (c) => c.json(taskJson(await svc.switchTask(deps, actor(c), c.req.valid('param').id, op)), 200),
    );
  }

  api.openapi(
    operation({
      method: 'post', path: '/scheduler/tasks/{id}/trigger', operationId: 'triggerTask', summary: 'Run a task once now', tags, middleware: [requireRole('admin')] as const,
      request: { params: idParam, body: { content: { 'application/json': { schema: TriggerInputSchema } }, required: false } },
      responses: { 202: json(RunSchema, 'queued now; the task keeps its enabled/paused state'), ...errors(409, 503) },
    }),
    async (c) => {
      const body = c.req.valid('json') as z.output<typeof TriggerInputSchema> | undefined;
      return c.json(runJson(await svc.triggerTask(deps, actor(c), c.req.valid('param').id, body?.overrides ?? {})), 202);
    },
  );

  const runOps = [
    { op: 'cancel', operationId: 'cancelTaskRun', summary: 'Cancel a run of a task' },
    { op: 'pause', operationId: 'pauseTaskRun', summary: 'Pause a run of a task at its next checkpoint' },
    { op: 'resume', operationId: 'resumeTaskRun', summary: 'Resume a paused run of a task' },
    { op: 'retry', operationId: 'retryTaskRun', summary: 'Retry a run of a task' },
  ] as const;
  for (const { op, operationId, summary } of runOps) {
    api.openapi(
      operation({
        method: 'post', path: `/scheduler/tasks/{id}/runs/{run_id}/${op}`, operationId, summary, tags, middleware: [requireRole('admin')] as const,
        request: { params: TaskRunParams },
        responses: { 202: json(RunSchema, op === 'retry' ? 'a new run (resumes from the checkpoint unless it had succeeded)' : `${op} done or asked of the worker`), ...errors(409) },
      }),
      async (c) => {
        const { id, run_id } = c.req.valid('param');
        return c.json(runJson(await svc.runOperation(deps, actor(c), id, run_id, op)), 202);
      },
    );
  }

  api.openapi(
    operation({
      method: 'get', path: '/scheduler/tasks/{id}/runs', operationId: 'listTaskRuns', summary: 'A task’s runs', tags, middleware: [requireRole('viewer')] as const,
      request: { params: idParam, query: TaskRunsQuery },
      responses: { 200: json(RunListSchema, "the task's runs, newest first (params null for viewers: they are the task's config)") },
    }),
    async (c) => {
      const t = await svc.mustGetTask(deps.db, c.req.valid('param').id);
      const q = c.req.valid('query');
      const { runs, total } = await deps.runs.listRuns({ taskId: t.id, status: q.status }, { limit: q.limit, offset: q.offset });
      // A task run's params are the task's config: not for viewers either.
      const shown = taskViewOf(c) === 'config' ? runs.map(runJson) : runs.map((r) => ({ ...runJson(r), params: null }));
      return c.json({ runs: shown, total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/scheduler/tasks/{id}/slots', operationId: 'listTaskSlotNotes', summary: 'A task’s slots skipped on closed days or fired without a calendar row', tags, middleware: [requireRole('viewer')] as const,
      description: 'Under the trading-day policy, a slot on a day the trade calendar marks closed is not run but recorded here (`skipped`, `market_closed`); a slot on a day the calendar has no row for runs and is recorded too (`fired`, `calendar_missing`).',
      request: { params: idParam, query: SlotNotesQuery },
      responses: { 200: json(SlotNoteListSchema, 'the recorded slot decisions, newest slot first') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { notes, total } = await svc.slotNotes(deps, c.req.valid('param').id, q);
      return c.json({ slots: notes.map(slotNoteJson), total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/scheduler/stats', operationId: 'getSchedulerStats', summary: 'Run statistics per task', tags, middleware: [requireRole('viewer')] as const,
      responses: { 200: json(SchedulerStatsSchema, 'per task: runs, success rate, average and p95 duration (ms), last failure') },
    }),
    async (c) => c.json({ tasks: (await svc.schedulerStats(deps)).map(taskStatsJson) }, 200),
  );

  api.openapi(
    operation({
      method: 'post', path: '/scheduler/cron/preview', operationId: 'previewCron', summary: 'The next fire times of a cron expression', tags, middleware: [requireRole('viewer')] as const,
      request: { body: { content: { 'application/json': { schema: CronPreviewInputSchema } }, required: true } },
      responses: { 200: json(CronPreviewSchema, 'the next fire times, or why the expression cannot be used') },
    }),
    async (c) => c.json(await cronPreview(deps.market ?? null, c.req.valid('json')), 200),
  );

  api.openapi(
    operation({
      method: 'get', path: '/scheduler/executors', operationId: 'listExecutors', summary: 'Executors a task may use', tags, middleware: [requireRole('viewer')] as const,
      responses: { 200: json(ExecutorListSchema, 'executors a task may use, with the JSON Schema of their config') },
    }),
    async (c) => c.json({ executors: executorSchemas(deps.registry) }, 200),
  );

  return api;
}

/**
 * The next fires of a cron expression; with `trading_days`, the next fires on that exchange's
 * trading days, the closed-day slots passed over on the way (`skipped`) and the fires on days the
 * calendar does not know (`unchecked`).
 */
export async function cronPreview(
  market: MarketStore | null,
  b: { expression: string; timezone?: string; count?: number; trading_days?: Exchange | null },
): Promise<z.infer<typeof CronPreviewSchema>> {
  const timezone = b.timezone || defaultTimezone;
  const none = { ok: false, next: [], describe: null, skipped: [], unchecked: [] };
  if (!isValidTimezone(timezone)) return { ...none, error: `timezone: "${timezone}" is not an IANA time zone such as Asia/Shanghai` };
  const problem = cronProblem(b.expression, timezone);
  if (problem) return { ...none, error: problem };
  const s = { kind: 'cron' as const, expression: b.expression.trim(), timezone };
  const count = b.count ?? 5;
  const describe = describeSchedule(s);
  if (!b.trading_days) return { ok: true, next: nextFireTimes(s, new Date(), count).map((d) => d.toISOString()), describe, error: null, skipped: [], unchecked: [] };
  const now = new Date();
  const cal = market ? await readUpcomingCalendar(market, b.trading_days, now) : new Map<number, boolean>();
  const { slots } = nextTradingDaySlots(cal, s, now, count);
  const iso = (state: string) => slots.filter((x) => x.state === state).map((x) => x.at.toISOString());
  return {
    ok: true,
    next: slots.filter((x) => x.state !== 'closed').map((x) => x.at.toISOString()),
    describe: `${describe}, on ${b.trading_days} trading days`,
    error: null,
    skipped: iso('closed'),
    unchecked: iso('unknown'),
  };
}

export function executorSchemas(registry: ExecutorRegistry): Array<z.infer<typeof ExecutorInfoSchema>> {
  return registry.names().map((name) => {
    const def = registry.get(name)!;
    let schema: Record<string, unknown> | null = null;
    try {
      schema = zod.toJSONSchema(def.params as zod.ZodType, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    } catch {
      schema = null;
    }
    return { name, description: def.description, kind: def.kind, schema };
  });
}

export { AppError };
