import type { RunEventRow, RunRow } from './runs.repository.ts';
import type { Run, RunErrorInfo, RunEvent, RunProgress } from './run.types.ts';

const date = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));
/** A JSON column as stored; a driver or a hand-written row may give it back as text. */
const stored = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

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
    params: stored(r.params),
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
    result: stored(r.result) ?? null,
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
