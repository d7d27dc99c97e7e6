/** The run machinery's domain: what a run is, as services and routes see it (camelCase). */

export type RunStatus = 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled' | 'abandoned';
export const runStatuses: readonly RunStatus[] = ['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'abandoned'];

/** Statuses a run never leaves on its own (a manual retry makes a new run). */
export const terminalStatuses: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'abandoned'];
export function isTerminal(status: RunStatus): boolean {
  return terminalStatuses.includes(status);
}

export interface RunProgress {
  /** 0..1 when known. */
  fraction: number | null;
  processed: number | null;
  total: number | null;
  /** What is being worked on now, e.g. a date or a stock code. */
  current: string | null;
  /** Estimated finish, computed from the run's own pace. */
  etaAt: string | null;
}

export interface RunErrorInfo {
  code: string;
  message: string;
  detail?: unknown;
  /** Set when the failure was the server's, not the run's: the id its stack is logged under. */
  incident?: string;
}

export interface Run {
  id: number;
  executor: string;
  params: unknown;
  status: RunStatus;
  attempt: number;
  maxAttempts: number;
  retryDelayMs: number;
  priority: number;
  taskId: number | null;
  scheduledFor: Date | null;
  parentRunId: number | null;
  retryOfRunId: number | null;
  queuedBy: number | null;
  queuedAt: Date;
  runAfter: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  timeoutMs: number | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  heartbeatAt: Date | null;
  control: 'cancel' | 'pause' | null;
  progress: RunProgress | null;
  result: unknown;
  error: RunErrorInfo | null;
  checkpoint: unknown;
  eventSeq: number;
}

export type RunEventKind = 'status' | 'progress' | 'log';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface StatusEventData {
  status: RunStatus;
  attempt: number;
  /** Why, in words: "lease expired", "retry 2 of 3 at …", "cancelled by the API". */
  reason?: string;
  error?: RunErrorInfo;
  runAfter?: string;
}
export interface LogEventData {
  level: LogLevel;
  message: string;
}

/** One persisted event; `seq` increases by one per event of a run, and is the SSE id. */
export type RunEvent =
  | { runId: number; seq: number; at: Date; kind: 'status'; data: StatusEventData }
  | { runId: number; seq: number; at: Date; kind: 'progress'; data: RunProgress }
  | { runId: number; seq: number; at: Date; kind: 'log'; data: LogEventData };

/** How many log lines a run keeps (older ones are trimmed as new ones arrive). */
export const runLogLinesKept = 1000;
/** How many progress events a run keeps for replay; the run row always has the latest. */
export const runProgressEventsKept = 200;
