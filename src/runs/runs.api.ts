import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { canSeeOwned, principalOf, requireRole, roleAtLeast, type Principal } from '../auth/access.ts';
import { makeApiRouter } from '../http/api.ts';
import { idParam as strictIdParam, boundedInt, maxBigintId, boundedDateTime, pageQuery } from '../http/input.ts';
import type { AppEnv } from '../http/env.ts';
import { AppError } from '../http/errors.ts';
import type { ExecutorRegistry } from './executor-registry.ts';
import { eventJson, runJson } from './run.mapping.ts';
import { streamRunEvents } from './run-sse.ts';
import { runStatuses, type Run, type RunStatus } from './run.types.ts';
import type { RunsService } from './runs.service.ts';

/** System runs (no owner: scheduler fires) are readable by every viewer; a user's runs by that user and admins. */
export function canSeeRun(p: Principal, run: Run): boolean {
  return run.queuedBy === null || canSeeOwned(p, run.queuedBy);
}
/** Analysts control the runs they queued; admins all. */
export function canControlRun(p: Principal, run: Run): boolean {
  return p.role === 'admin' || (p.role === 'analyst' && run.queuedBy === p.userId);
}

/** The run, or a 404 when it does not exist or the caller may not see it. */
export async function visibleRun(runs: RunsService, p: Principal, id: number): Promise<Run> {
  const run = await runs.getRun(id);
  if (!run || !canSeeRun(p, run)) throw new AppError(404, 'not_found', `run ${id} was not found`);
  return run;
}

export async function controllableRun(runs: RunsService, p: Principal, id: number): Promise<Run> {
  const run = await visibleRun(runs, p, id);
  if (!canControlRun(p, run)) throw new AppError(403, 'forbidden', `run ${id} was queued by someone else; only they or an admin can change it`);
  return run;
}

const RunSchema = z.object({}).passthrough().openapi('Run');
const idParam = strictIdParam();
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

const listQuery = z.object({
  executor: z.string().min(1).max(64).optional(),
  status: z.enum(runStatuses as [RunStatus, ...RunStatus[]]).optional(),
  task: boundedInt(1, maxBigintId).optional(),
  from: boundedDateTime().optional(),
  to: boundedDateTime().optional(),
  ...pageQuery(500, 50).shape,
});

const queueBody = z.object({
  executor: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).default({}),
  priority: z.number().int().min(-1000).max(1000).optional(),
  maxAttempts: z.number().int().min(1).max(20).optional(),
  timeoutMs: z.number().int().min(1).max(7 * 24 * 3600 * 1000).optional(),
  retryDelayMs: z.number().int().min(1).max(3_600_000).optional(),
}).strict();

export function runsApi(deps: { runs: RunsService; registry: ExecutorRegistry }) {
  const { runs, registry } = deps;
  const api = makeApiRouter();

  api.openapi(
    createRoute({
      method: 'get',
      path: '/runs',
      middleware: [requireRole('viewer')] as const,
      request: { query: listQuery },
      responses: { 200: json(z.object({ runs: z.array(RunSchema), total: z.number(), limit: z.number(), offset: z.number() }), 'runs, newest first') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const p = principalOf(c);
      const { runs: list, total } = await runs.listRuns(
        {
          executor: q.executor,
          status: q.status,
          taskId: q.task,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
          visibleTo: p.role === 'admin' ? undefined : p.userId,
        },
        { limit: q.limit, offset: q.offset },
      );
      return c.json({ runs: list.map(runJson), total, limit: q.limit, offset: q.offset }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/runs',
      middleware: [requireRole('analyst')] as const,
      request: { body: { content: { 'application/json': { schema: queueBody } }, required: true } },
      responses: { 202: json(RunSchema, 'queued') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const p = principalOf(c);
      const def = registry.get(body.executor);
      if (def && !roleAtLeast(p.role, def.queueRole)) {
        throw new AppError(403, 'forbidden', `executor ${def.name} needs the ${def.queueRole} role to queue; you are ${p.role}`);
      }
      const run = await runs.queueRun({ ...body, queuedBy: p.userId });
      return c.json(runJson(run), 202);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/runs/{id}',
      middleware: [requireRole('viewer')] as const,
      request: { params: idParam },
      responses: { 200: json(RunSchema, 'the run') },
    }),
    async (c) => c.json(runJson(await visibleRun(runs, principalOf(c), c.req.valid('param').id)), 200),
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/runs/{id}/logs',
      middleware: [requireRole('viewer')] as const,
      request: { params: idParam, query: z.object({ limit: boundedInt(1, 1000).default(200) }) },
      responses: { 200: json(z.object({ runId: z.number(), lines: z.array(z.object({}).passthrough()) }), 'the last log lines, oldest first') },
    }),
    async (c) => {
      const run = await visibleRun(runs, principalOf(c), c.req.valid('param').id);
      const lines = await runs.logs(run.id, c.req.valid('query').limit);
      return c.json({ runId: run.id, lines: lines.map(eventJson) }, 200);
    },
  );

  for (const action of ['cancel', 'pause', 'resume'] as const) {
    api.openapi(
      createRoute({
        method: 'post',
        path: `/runs/{id}/${action}`,
        middleware: [requireRole('analyst')] as const,
        request: { params: idParam },
        responses: { 202: json(RunSchema, `${action} done or asked of the worker (it stops at its next checkpoint, within a second)`) },
      }),
      async (c) => {
        const run = await controllableRun(runs, principalOf(c), c.req.valid('param').id);
        return c.json(runJson(await runs[action](run.id)), 202);
      },
    );
  }

  api.openapi(
    createRoute({
      method: 'post',
      path: '/runs/{id}/retry',
      middleware: [requireRole('analyst')] as const,
      request: { params: idParam },
      responses: { 202: json(RunSchema, 'a new run with the same executor and params; retryOfRunId points back') },
    }),
    async (c) => {
      const p = principalOf(c);
      const run = await controllableRun(runs, p, c.req.valid('param').id);
      return c.json(runJson(await runs.retry(run.id, p.userId)), 202);
    },
  );

  // Server-sent events: progress, log, status, then done. Declared like every route so the
  // document lists it; the answer is a stream, described as text/event-stream.
  api.openapi(
    createRoute({
      method: 'get',
      path: '/runs/{id}/events',
      middleware: [requireRole('viewer')] as const,
      summary: 'Follow a run live (server-sent events)',
      description:
        'Events `progress`, `log` and `status` carry an `id`; send it back as `Last-Event-ID` to resume without gap or duplicate. ' +
        'Comment lines keep the connection alive; the stream ends after the `done` event, whose data is the finished run. Use `curl -N`. ' +
        'When the caller\'s access ends while it is open (token revoked or expired, user disabled, role changed, session ended), it ends within a second with ' +
        '`event: access_ended` instead, data `{"reason": "token_revoked" | "user_disabled" | "role_changed" | "session_ended" | "expired"}`.',
      request: { params: idParam },
      responses: { 200: { description: 'the event stream', content: { 'text/event-stream': { schema: z.string() } } } },
    }),
    async (c) => {
      const run = await visibleRun(runs, principalOf(c), c.req.valid('param').id);
      return streamRunEvents(c, runs, run.id, {
        event: (e) => [{ id: String(e.seq), event: e.kind, data: JSON.stringify(eventJson(e)) }],
        done: (r) => [{ event: 'done', data: JSON.stringify(runJson(r)) }],
      }) as any;
    },
  );

  return api;
}
