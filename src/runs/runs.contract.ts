/**
 * The runs API's contract: what it reads and what it answers, including the data of each
 * server-sent event of /runs/{id}/events (conventions in src/http/contract.ts). The domain
 * (src/runs/run.types.ts) stays camelCase; the functions here map it to the API's snake_case.
 */
import { z } from '@hono/zod-openapi';
import { instant, instantSchema } from '../http/contract.ts';
import { boundedDateTime, boundedInt, maxBigintId, pageQuery } from '../http/input.ts';
import { redactSecrets } from '../secrets/secret-box.ts';
import { runStatuses, type Run, type RunErrorInfo, type RunEvent, type RunProgress, type RunStatus } from './run.types.ts';

const statusEnum = z.enum(runStatuses as [RunStatus, ...RunStatus[]]);

/** A run's progress as its executor last reported it. */
export const RunProgressSchema = z
  .object({
    fraction: z.number().nullable().describe('0..1 when known'),
    processed: z.number().nullable(),
    total: z.number().nullable(),
    current: z.string().nullable().describe('What is being worked on now, e.g. a date or a stock code'),
    eta_at: instantSchema.nullable().describe('Estimated finish, from the run’s own pace'),
  })
  .openapi('RunProgress');

/** A stored value whose keys the executor chose (snake_case, like every key of the API). */
const executorJson = (what: string) => z.record(z.string(), z.unknown()).describe(`${what}; executor-defined JSON whose keys are snake_case`);

export const RunErrorSchema = z
  .object({
    code: z.string().describe('Stable machine-readable code, e.g. timeout, exit_code, sync_failed, internal'),
    message: z.string(),
    detail: executorJson('More about the failure').optional(),
    incident: z.string().optional().describe('Set when the failure was the server’s: the id the server log has its cause under'),
  })
  .openapi('RunError');

export const RunSchema = z
  .object({
    id: z.number().int(),
    executor: z.string(),
    params: z.record(z.string(), z.unknown()).describe('The executor’s params as queued (sealed secrets as ••••); null in a task’s run list for viewers').nullable(),
    status: statusEnum,
    attempt: z.number().int().describe('1 for the first attempt'),
    max_attempts: z.number().int(),
    priority: z.number().int(),
    task_id: z.number().int().nullable().describe('The scheduled task that fired it'),
    scheduled_for: instantSchema.nullable().describe('The schedule slot it was fired for'),
    parent_run_id: z.number().int().nullable().describe('The workflow run it is a step of'),
    retry_of_run_id: z.number().int().nullable().describe('The run it retries (POST /runs/{id}/retry)'),
    queued_by: z.number().int().nullable().describe('The user who queued it; null for system runs'),
    queued_at: instantSchema,
    run_after: instantSchema.describe('Not claimed before this instant (a retry’s delay)'),
    started_at: instantSchema.nullable(),
    finished_at: instantSchema.nullable(),
    timeout_ms: z.number().int().nullable(),
    lease_owner: z.string().nullable().describe('The worker holding it while it runs'),
    lease_expires_at: instantSchema.nullable(),
    heartbeat_at: instantSchema.nullable(),
    control: z.enum(['cancel', 'pause']).nullable().describe('A cancel or pause asked of the worker and not yet done'),
    progress: RunProgressSchema.nullable(),
    result: executorJson('What the run produced (a value that is not an object is given as {"value": …})').nullable(),
    error: RunErrorSchema.nullable(),
    last_event_id: z.number().int().describe('The id of its newest event; send it as Last-Event-ID to follow from here'),
    links: z.object({ self: z.string(), events: z.string(), logs: z.string(), page: z.string() }),
  })
  .openapi('Run');
export type RunJson = z.infer<typeof RunSchema>;

export const RunListSchema = z
  .object({ runs: z.array(RunSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('RunList');

export const RunListQuery = z.object({
  executor: z.string().min(1).max(64).optional(),
  status: statusEnum.optional(),
  task: boundedInt(1, maxBigintId).optional().describe('Only runs of this scheduled task'),
  from: boundedDateTime().optional().describe('Queued at or after this instant'),
  to: boundedDateTime().optional().describe('Queued before this instant'),
  ...pageQuery(500, 50).shape,
});

/** A run to queue (POST /runs). */
export const QueueRunSchema = z
  .object({
    executor: z.string().min(1).max(64),
    params: z.record(z.string(), z.unknown()).default({}).describe('The executor’s params (GET /scheduler/executors has their JSON Schemas)'),
    priority: z.number().int().min(-1000).max(1000).optional(),
    max_attempts: z.number().int().min(1).max(20).optional(),
    timeout_ms: z.number().int().min(1).max(7 * 24 * 3600 * 1000).optional(),
    retry_delay_ms: z.number().int().min(1).max(3_600_000).optional().describe('First retry delay; doubles per attempt'),
  })
  .strict()
  .openapi('QueueRun');
export type QueueRunBody = z.output<typeof QueueRunSchema>;

export const RunLogsQuery = z.object({ limit: boundedInt(1, 1000).default(200) });

export const RunEventsQuery = z.object({
  last_event_id: z.string().max(20).optional().describe('Resume after this event id (for clients that cannot send the Last-Event-ID header)'),
});

const eventBase = {
  run_id: z.number().int(),
  seq: z.number().int().describe('The event’s id (SSE `id`)'),
  at: instantSchema,
};

export const RunLogEventSchema = z
  .object({ ...eventBase, level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string() })
  .openapi('RunLogEvent', { description: 'A log line (SSE event `log`; also a line of GET /runs/{id}/logs)' });

export const RunProgressEventSchema = z
  .object({ ...eventBase, ...RunProgressSchema.shape })
  .openapi('RunProgressEvent', { description: 'SSE event `progress`' });

export const RunStatusEventSchema = z
  .object({
    ...eventBase,
    status: statusEnum,
    attempt: z.number().int(),
    reason: z.string().optional().describe('Why, in words: "lease expired", "retry 2 of 3 at …"'),
    error: RunErrorSchema.optional(),
    run_after: instantSchema.optional().describe('When a queued retry may start'),
  })
  .openapi('RunStatusEvent', { description: 'SSE event `status`' });

export const AccessEndedEventSchema = z
  .object({ reason: z.enum(['token_revoked', 'user_disabled', 'role_changed', 'session_ended', 'expired']) })
  .openapi('AccessEndedEvent', { description: 'SSE event `access_ended`: the caller’s access ended while the stream was open; it is the last message' });

/** The data of each event of /runs/{id}/events, by event name. */
export const runEventDataSchemas = {
  progress: RunProgressEventSchema,
  log: RunLogEventSchema,
  status: RunStatusEventSchema,
  done: RunSchema,
  access_ended: AccessEndedEventSchema,
} as const;

export const RunEventDataSchema = z
  .union([RunProgressEventSchema, RunLogEventSchema, RunStatusEventSchema, RunSchema, AccessEndedEventSchema])
  .openapi('RunEventData', {
    description:
      'The `data` of each server-sent event, JSON, by its `event` name: `progress` RunProgressEvent, `log` RunLogEvent, `status` RunStatusEvent, ' +
      '`done` the finished Run (the last event), `access_ended` AccessEndedEvent (instead of `done` when the caller’s access ended).',
  });

export const RunLogsSchema = z
  .object({ run_id: z.number().int(), lines: z.array(RunLogEventSchema).describe('Oldest first') })
  .openapi('RunLogs');

export const progressJson = (p: RunProgress): z.infer<typeof RunProgressSchema> => ({
  fraction: p.fraction ?? null, processed: p.processed ?? null, total: p.total ?? null, current: p.current ?? null, eta_at: p.etaAt ?? null,
});

/** Executor-defined JSON as an object: a value that is not one is given as {value}. */
const detailJson = (d: unknown): Record<string, unknown> | undefined => (d === undefined || d === null ? undefined : typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : { value: d });

export const runErrorJson = (e: RunErrorInfo): z.infer<typeof RunErrorSchema> => {
  const detail = detailJson(e.detail);
  return { code: e.code, message: e.message, ...(detail ? { detail } : {}), ...(e.incident ? { incident: e.incident } : {}) };
};

/** A run as the API shows it (ISO times, no lease internals beyond owner and expiry; sealed secrets in params as ••••). */
export function runJson(run: Run): RunJson {
  return {
    id: run.id,
    executor: run.executor,
    params: redactSecrets(run.params ?? {}) as Record<string, unknown>,
    status: run.status,
    attempt: run.attempt,
    max_attempts: run.maxAttempts,
    priority: run.priority,
    task_id: run.taskId,
    scheduled_for: instant(run.scheduledFor),
    parent_run_id: run.parentRunId,
    retry_of_run_id: run.retryOfRunId,
    queued_by: run.queuedBy,
    queued_at: instant(run.queuedAt),
    run_after: instant(run.runAfter),
    started_at: instant(run.startedAt),
    finished_at: instant(run.finishedAt),
    timeout_ms: run.timeoutMs,
    lease_owner: run.leaseOwner,
    lease_expires_at: instant(run.leaseExpiresAt),
    heartbeat_at: instant(run.heartbeatAt),
    control: run.control,
    progress: run.progress ? progressJson(run.progress) : null,
    result: detailJson(run.result) ?? null,
    error: run.error ? runErrorJson(run.error) : null,
    last_event_id: run.eventSeq,
    links: { self: `/api/v1/runs/${run.id}`, events: `/api/v1/runs/${run.id}/events`, logs: `/api/v1/runs/${run.id}/logs`, page: `/runs/${run.id}` },
  };
}

export const logEventJson = (e: Extract<RunEvent, { kind: 'log' }>): z.infer<typeof RunLogEventSchema> => ({
  run_id: e.runId, seq: e.seq, at: instant(e.at), level: e.data.level, message: e.data.message,
});

/** An event's data as the SSE stream sends it. */
export function eventJson(e: RunEvent): z.infer<typeof RunLogEventSchema> | z.infer<typeof RunProgressEventSchema> | z.infer<typeof RunStatusEventSchema> {
  const base = { run_id: e.runId, seq: e.seq, at: instant(e.at) };
  switch (e.kind) {
    case 'log':
      return logEventJson(e);
    case 'progress':
      return { ...base, ...progressJson(e.data) };
    case 'status': {
      const d = e.data;
      return {
        ...base,
        status: d.status,
        attempt: d.attempt,
        ...(d.reason !== undefined ? { reason: d.reason } : {}),
        ...(d.error ? { error: runErrorJson(d.error) } : {}),
        ...(d.runAfter !== undefined && d.runAfter !== null ? { run_after: instant(d.runAfter) } : {}),
      };
    }
  }
}
