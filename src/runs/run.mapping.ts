import type { RunEventRow, RunRow } from './runs.repository.ts';
import { redactSecrets } from '../secrets/secret-box.ts';
import type { Run, RunErrorInfo, RunEvent, RunProgress } from './run.types.ts';

const date = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

/**
 * A stored run error as the API and pages may show it. Errors recorded before incident ids
 * (2026-12) kept an internal failure's stack in `detail.stack`, with the server's file paths; such
 * a row is shown with a generic message instead, the way a new one is stored.
 */
export function shownRunError(stored: unknown): RunErrorInfo | null {
  const e = (typeof stored === 'string' ? JSON.parse(stored) : stored) as RunErrorInfo | null | undefined;
  if (!e) return null;
  const detail = e.detail as { stack?: unknown } | null | undefined;
  if (detail && typeof detail === 'object' && 'stack' in detail) {
    return { code: e.code, message: 'the run failed inside the server, not in its code or data; the server log of that time has the cause' };
  }
  return e;
}

/** A runs row as the domain sees it. */
export function toRun(r: RunRow): Run {
  return {
    id: Number(r.id),
    executor: r.executor,
    params: r.params,
    status: r.status,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    retryDelayMs: r.retry_delay_ms,
    priority: r.priority,
    taskId: r.task_id === null ? null : Number(r.task_id),
    scheduledFor: date(r.scheduled_for),
    parentRunId: r.parent_run_id === null ? null : Number(r.parent_run_id),
    retryOfRunId: r.retry_of_run_id === null ? null : Number(r.retry_of_run_id),
    queuedBy: r.queued_by,
    queuedAt: date(r.queued_at)!,
    runAfter: date(r.run_after)!,
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
    timeoutMs: r.timeout_ms,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: date(r.lease_expires_at),
    heartbeatAt: date(r.heartbeat_at),
    control: r.control,
    progress: (r.progress as RunProgress | null) ?? null,
    result: r.result ?? null,
    error: shownRunError(r.error),
    checkpoint: r.checkpoint ?? null,
    eventSeq: r.event_seq,
  };
}

export function toRunEvent(r: RunEventRow): RunEvent {
  const stored = r.data as { error?: unknown };
  const data = r.kind === 'status' && stored?.error ? { ...stored, error: shownRunError(stored.error) } : r.data;
  return { runId: Number(r.run_id), seq: r.seq, at: date(r.at)!, kind: r.kind, data } as RunEvent;
}

/** The JSON shape of a run in the API (ISO times, no lease internals beyond owner and expiry; sealed secrets in params as ••••). */
export function runJson(run: Run) {
  return {
    id: run.id,
    executor: run.executor,
    params: redactSecrets(run.params),
    status: run.status,
    attempt: run.attempt,
    maxAttempts: run.maxAttempts,
    priority: run.priority,
    taskId: run.taskId,
    scheduledFor: run.scheduledFor?.toISOString() ?? null,
    parentRunId: run.parentRunId,
    retryOfRunId: run.retryOfRunId,
    queuedBy: run.queuedBy,
    queuedAt: run.queuedAt.toISOString(),
    runAfter: run.runAfter.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    timeoutMs: run.timeoutMs,
    leaseOwner: run.leaseOwner,
    leaseExpiresAt: run.leaseExpiresAt?.toISOString() ?? null,
    heartbeatAt: run.heartbeatAt?.toISOString() ?? null,
    control: run.control,
    progress: run.progress,
    result: run.result,
    error: run.error,
    lastEventId: run.eventSeq,
    links: { self: `/api/v1/runs/${run.id}`, events: `/api/v1/runs/${run.id}/events`, logs: `/api/v1/runs/${run.id}/logs`, page: `/runs/${run.id}` },
  };
}
export type RunJson = ReturnType<typeof runJson>;

export function eventJson(e: RunEvent) {
  return { runId: e.runId, seq: e.seq, at: e.at.toISOString(), ...(e.data as object) };
}
