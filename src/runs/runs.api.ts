import { canSeeOwned, principalOf, requireRole, roleAtLeast, type Principal } from '../auth/access.ts';
import { makeApiRouter } from '../http/api.ts';
import { errors, json, operation } from '../http/contract.ts';
import { idParam as strictIdParam } from '../http/input.ts';
import { AppError } from '../http/errors.ts';
import type { ExecutorRegistry } from './executor-registry.ts';
import { streamRunEvents } from './run-sse.ts';
import type { Run } from './run.types.ts';
import {
  eventJson, logEventJson, QueueRunSchema, RunEventDataSchema, RunEventsQuery, RunListQuery, RunListSchema, RunLogsQuery, RunLogsSchema, RunSchema, runJson,
} from './runs.contract.ts';
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

const idParam = strictIdParam();

export function runsApi(deps: { runs: RunsService; registry: ExecutorRegistry }) {
  const { runs, registry } = deps;
  const api = makeApiRouter();

  api.openapi(
    operation({
      method: 'get', path: '/runs', operationId: 'listRuns', summary: 'List runs', tags: ['runs'], middleware: [requireRole('viewer')] as const,
      description: 'Newest first. Admins see every run; others their own and system runs (scheduler fires).',
      request: { query: RunListQuery },
      responses: { 200: json(RunListSchema, 'runs, newest first, with the total for paging') },
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
    operation({
      method: 'post', path: '/runs', operationId: 'queueRun', summary: 'Queue a run of an executor', tags: ['runs'], middleware: [requireRole('analyst')] as const,
      description: 'The params are checked against the executor’s schema (400 naming `params.<field>`); some executors need a higher role to queue (403).',
      request: { body: { content: { 'application/json': { schema: QueueRunSchema } }, required: true } },
      responses: { 202: json(RunSchema, 'queued') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const p = principalOf(c);
      const def = registry.get(body.executor);
      if (def && !roleAtLeast(p.role, def.queueRole)) {
        throw new AppError(403, 'forbidden', `executor ${def.name} needs the ${def.queueRole} role to queue; you are ${p.role}`);
      }
      const run = await runs.queueRun({
        executor: body.executor, params: body.params, priority: body.priority, maxAttempts: body.max_attempts, timeoutMs: body.timeout_ms, retryDelayMs: body.retry_delay_ms, queuedBy: p.userId,
      });
      return c.json(runJson(run), 202);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/runs/{id}', operationId: 'getRun', summary: 'One run', tags: ['runs'], middleware: [requireRole('viewer')] as const,
      request: { params: idParam },
      responses: { 200: json(RunSchema, 'the run') },
    }),
    async (c) => c.json(runJson(await visibleRun(runs, principalOf(c), c.req.valid('param').id)), 200),
  );

  api.openapi(
    operation({
      method: 'get', path: '/runs/{id}/logs', operationId: 'getRunLogs', summary: 'A run’s last log lines', tags: ['runs'], middleware: [requireRole('viewer')] as const,
      request: { params: idParam, query: RunLogsQuery },
      responses: { 200: json(RunLogsSchema, 'the last log lines, oldest first') },
    }),
    async (c) => {
      const run = await visibleRun(runs, principalOf(c), c.req.valid('param').id);
      const lines = await runs.logs(run.id, c.req.valid('query').limit);
      return c.json({ run_id: run.id, lines: lines.flatMap((e) => (e.kind === 'log' ? [logEventJson(e)] : [])) }, 200);
    },
  );

  const controls = [
    { action: 'cancel', operationId: 'cancelRun', summary: 'Cancel a run' },
    { action: 'pause', operationId: 'pauseRun', summary: 'Pause a run at its next checkpoint' },
    { action: 'resume', operationId: 'resumeRun', summary: 'Resume a paused run' },
  ] as const;
  for (const { action, operationId, summary } of controls) {
    api.openapi(
      operation({
        method: 'post', path: `/runs/{id}/${action}`, operationId, summary, tags: ['runs'], middleware: [requireRole('analyst')] as const,
        description: 'Analysts control the runs they queued; admins every run.',
        request: { params: idParam },
        responses: { 202: json(RunSchema, `${action} done or asked of the worker (it stops at its next checkpoint, within a second)`), ...errors(409) },
      }),
      async (c) => {
        const run = await controllableRun(runs, principalOf(c), c.req.valid('param').id);
        return c.json(runJson(await runs[action](run.id)), 202);
      },
    );
  }

  api.openapi(
    operation({
      method: 'post', path: '/runs/{id}/retry', operationId: 'retryRun', summary: 'Run a finished run again', tags: ['runs'], middleware: [requireRole('analyst')] as const,
      request: { params: idParam },
      responses: { 202: json(RunSchema, 'a new run with the same executor and params; retry_of_run_id points back'), ...errors(409) },
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
    operation({
      method: 'get', path: '/runs/{id}/events', operationId: 'followRun', summary: 'Follow a run live (server-sent events)', tags: ['runs'], middleware: [requireRole('viewer')] as const,
      description:
        'Events `progress`, `log` and `status` carry an `id`; send it back as `Last-Event-ID` (or `?last_event_id=`) to resume without gap or duplicate. ' +
        'Comment lines keep the connection alive; the stream ends after the `done` event, whose data is the finished run. Use `curl -N`. ' +
        'Each event\'s data is JSON, snake_case (RunEventData). When the caller\'s access ends while it is open (token revoked or expired, user disabled, role changed, session ended), it ends within a second with ' +
        '`event: access_ended` instead, data `{"reason": "token_revoked" | "user_disabled" | "role_changed" | "session_ended" | "expired"}`.',
      request: { params: idParam, query: RunEventsQuery },
      responses: { 200: { description: 'the event stream; each message\'s data is one of RunEventData, by its event name', content: { 'text/event-stream': { schema: RunEventDataSchema } } } },
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
