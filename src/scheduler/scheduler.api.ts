import { createRoute, z } from '@hono/zod-openapi';
import { z as zod } from 'zod';
import { auditActor } from '../audit/audit.service.ts';
import { principalOf, requireRole, roleAtLeast } from '../auth/access.ts';
import { makeApiRouter } from '../http/api.ts';
import { idParam as strictIdParam, idSchema, pageQuery } from '../http/input.ts';
import { AppError } from '../http/errors.ts';
import type { ExecutorRegistry } from '../runs/executor-registry.ts';
import { runJson } from '../runs/run.mapping.ts';
import { runStatuses, type RunStatus } from '../runs/run.types.ts';
import { cronProblem, describeSchedule, isValidTimezone, nextFireTimes, defaultTimezone } from './schedule.ts';
import * as svc from './tasks.service.ts';

/**
 * /api/v1/scheduler: tasks (CRUD and operations), their runs and stats, the cron preview and the
 * executors' config schemas. Viewers and analysts read; only admins change anything.
 */
export interface SchedulerApiDeps extends svc.TasksDeps {
  trustProxy: boolean;
}

const TaskStatusSchema = z.object({}).passthrough().openapi('ScheduledTaskStatus');
const TaskSchema = z.object({}).passthrough().openapi('ScheduledTask');
const RunSchema = z.object({}).passthrough().openapi('Run');
const idParam = strictIdParam();
const runParam = idParam.extend({ runId: idSchema().openapi({ param: { name: 'runId', in: 'path' }, type: 'integer' }) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const taskBody = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    executor: z.string().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    schedule: z.object({ kind: z.enum(['cron', 'interval', 'manual']), expression: z.string().optional(), everySeconds: z.number().optional(), timezone: z.string().optional() }).strict().optional(),
    enabled: z.boolean().optional(),
    overlap: z.enum(['skip', 'queue_one', 'allow']).optional(),
    maxConcurrent: z.number().int().optional(),
    misfire: z.enum(['once', 'each', 'skip']).optional(),
    maxCatchUp: z.number().int().optional(),
    graceSeconds: z.number().int().optional(),
    maxAttempts: z.number().int().optional(),
    retryDelayMs: z.number().int().optional(),
    timeoutMs: z.number().int().nullable().optional(),
  })
  .strict()
  .openapi('ScheduledTaskInput');

/** Viewers see a task's schedule and history; its config (secrets masked) is for analysts and admins. */
export function taskViewOf(c: Parameters<typeof principalOf>[0]): svc.TaskView {
  return roleAtLeast(principalOf(c).role, 'analyst') ? 'config' : 'schedule';
}

export function schedulerApi(deps: SchedulerApiDeps) {
  const api = makeApiRouter();
  const actor = (c: Parameters<typeof principalOf>[0]) => auditActor(c, deps.trustProxy);

  api.openapi(
    createRoute({ method: 'get', path: '/scheduler/tasks', middleware: [requireRole('viewer')] as const, responses: { 200: json(z.object({ tasks: z.array(TaskStatusSchema) }), 'every task with its status') } }),
    async (c) => {
      const view = taskViewOf(c);
      return c.json({ tasks: (await svc.taskStatuses(deps)).map((s) => svc.statusJson(s, view)) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/scheduler/tasks',
      middleware: [requireRole('admin')] as const,
      request: { body: { content: { 'application/json': { schema: taskBody } }, required: true } },
      responses: { 201: json(TaskSchema, 'created') },
    }),
    async (c) => c.json(svc.taskJson(await svc.createTask(deps, actor(c), c.req.valid('json'))), 201),
  );

  api.openapi(
    createRoute({ method: 'get', path: '/scheduler/tasks/{id}', middleware: [requireRole('viewer')] as const, request: { params: idParam }, responses: { 200: json(TaskStatusSchema, 'the task and its status') } }),
    async (c) => c.json(svc.statusJson(await svc.taskStatus(deps, c.req.valid('param').id), taskViewOf(c)), 200),
  );

  api.openapi(
    createRoute({
      method: 'patch',
      path: '/scheduler/tasks/{id}',
      middleware: [requireRole('admin')] as const,
      request: { params: idParam, body: { content: { 'application/json': { schema: taskBody } }, required: true } },
      responses: { 200: json(TaskSchema, 'updated') },
    }),
    async (c) => c.json(svc.taskJson(await svc.updateTask(deps, actor(c), c.req.valid('param').id, c.req.valid('json') as svc.TaskPatchLoose)), 200),
  );

  api.openapi(
    createRoute({ method: 'delete', path: '/scheduler/tasks/{id}', middleware: [requireRole('admin')] as const, request: { params: idParam }, responses: { 200: json(z.object({ deleted: z.number() }), 'deleted (its runs stay)') } }),
    async (c) => {
      const id = c.req.valid('param').id;
      await svc.deleteTask(deps, actor(c), id);
      return c.json({ deleted: id }, 200);
    },
  );

  for (const op of ['enable', 'disable', 'pause', 'resume'] as const) {
    api.openapi(
      createRoute({ method: 'post', path: `/scheduler/tasks/{id}/${op}`, middleware: [requireRole('admin')] as const, request: { params: idParam }, responses: { 200: json(TaskSchema, `${op}d`) } }),
      async (c) => c.json(svc.taskJson(await svc.switchTask(deps, actor(c), c.req.valid('param').id, op)), 200),
    );
  }

  api.openapi(
    createRoute({
      method: 'post',
      path: '/scheduler/tasks/{id}/trigger',
      middleware: [requireRole('admin')] as const,
      request: { params: idParam, body: { content: { 'application/json': { schema: z.object({ overrides: z.record(z.string(), z.unknown()).default({}) }).strict() } }, required: false } },
      responses: { 202: json(RunSchema, 'queued now; the task keeps its enabled/paused state') },
    }),
    async (c) => {
      const body = (c.req.valid('json') ?? { overrides: {} }) as { overrides?: Record<string, unknown> };
      return c.json(runJson(await svc.triggerTask(deps, actor(c), c.req.valid('param').id, body.overrides ?? {})), 202);
    },
  );

  for (const op of ['cancel', 'pause', 'resume', 'retry'] as const) {
    api.openapi(
      createRoute({
        method: 'post',
        path: `/scheduler/tasks/{id}/runs/{runId}/${op}`,
        middleware: [requireRole('admin')] as const,
        request: { params: runParam },
        responses: { 202: json(RunSchema, op === 'retry' ? 'a new run (resumes from the checkpoint unless it had succeeded)' : `${op} done or asked of the worker`) },
      }),
      async (c) => {
        const { id, runId } = c.req.valid('param');
        return c.json(runJson(await svc.runOperation(deps, actor(c), id, runId, op)), 202);
      },
    );
  }

  api.openapi(
    createRoute({
      method: 'get',
      path: '/scheduler/tasks/{id}/runs',
      middleware: [requireRole('viewer')] as const,
      request: {
        params: idParam,
        query: z.object({
          status: z.enum(runStatuses as [RunStatus, ...RunStatus[]]).optional(),
          ...pageQuery(500, 50).shape,
        }),
      },
      responses: { 200: json(z.object({ runs: z.array(RunSchema), total: z.number(), limit: z.number(), offset: z.number() }), "the task's runs, newest first") },
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
    createRoute({ method: 'get', path: '/scheduler/stats', middleware: [requireRole('viewer')] as const, responses: { 200: json(z.object({ tasks: z.array(z.object({}).passthrough()) }), 'per task: runs, success rate, average and p95 duration (ms), last failure') } }),
    async (c) => c.json({ tasks: await svc.schedulerStats(deps) }, 200),
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/scheduler/cron/preview',
      middleware: [requireRole('viewer')] as const,
      request: { body: { content: { 'application/json': { schema: z.object({ expression: z.string().max(200), timezone: z.string().max(64).default(defaultTimezone), count: z.number().int().min(1).max(20).default(5) }).strict() } }, required: true } },
      responses: { 200: json(z.object({ ok: z.boolean(), next: z.array(z.string()), describe: z.string().nullable(), error: z.string().nullable() }), 'the next fire times, or why the expression cannot be used') },
    }),
    async (c) => c.json(cronPreview(c.req.valid('json')), 200),
  );

  api.openapi(
    createRoute({ method: 'get', path: '/scheduler/executors', middleware: [requireRole('viewer')] as const, responses: { 200: json(z.object({ executors: z.array(z.object({}).passthrough()) }), 'executors a task may use, with the JSON Schema of their config') } }),
    async (c) => c.json({ executors: executorSchemas(deps.registry) }, 200),
  );

  return api;
}

export function cronPreview(b: { expression: string; timezone?: string; count?: number }) {
  const timezone = b.timezone || defaultTimezone;
  if (!isValidTimezone(timezone)) return { ok: false, next: [], describe: null, error: `timezone: "${timezone}" is not an IANA time zone such as Asia/Shanghai` };
  const problem = cronProblem(b.expression, timezone);
  if (problem) return { ok: false, next: [], describe: null, error: problem };
  const s = { kind: 'cron' as const, expression: b.expression.trim(), timezone };
  return { ok: true, next: nextFireTimes(s, new Date(), b.count ?? 5).map((d) => d.toISOString()), describe: describeSchedule(s), error: null };
}

export function executorSchemas(registry: ExecutorRegistry) {
  return registry.names().map((name) => {
    const def = registry.get(name)!;
    let schema: unknown = null;
    try {
      schema = zod.toJSONSchema(def.params as zod.ZodType, { io: 'input', unrepresentable: 'any' });
    } catch {
      schema = null;
    }
    return { name, description: def.description, kind: def.kind, schema };
  });
}

export { AppError };
