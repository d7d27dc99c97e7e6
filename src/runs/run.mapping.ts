import type { RunEventRow, RunRow } from './runs.repository.ts';
import type { Run, RunErrorInfo, RunEvent, RunProgress } from './run.types.ts';

const date = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

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
    error: (r.error as RunErrorInfo | null) ?? null,
    checkpoint: r.checkpoint ?? null,
    eventSeq: r.event_seq,
  };
}

export function toRunEvent(r: RunEventRow): RunEvent {
  return { runId: Number(r.run_id), seq: r.seq, at: date(r.at)!, kind: r.kind, data: r.data } as RunEvent;
}

/** The JSON shape of a run in the API (ISO times, no lease internals beyond owner and expiry). */
export function runJson(run: Run) {
  return {
    id: run.id,
    executor: run.executor,
    params: run.params,
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
