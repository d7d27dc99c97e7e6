import { randomUUID } from 'node:crypto';
import { RunError, type StopReason } from './executor-registry.ts';
import type { RunErrorInfo } from './run.types.ts';

export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(`thrown: ${String(e)}`);
}

/**
 * What a failed run stores as its error, which the API and pages show. A RunError is meant for the
 * user (a strategy's line and date, a command's exit code) and is kept whole. Anything else went
 * wrong inside the server: its message and stack may name files, SQL or hosts, so the run keeps
 * a generic message and an incident id, and the stack goes to the log under that id.
 */
export function describeRunError(error: unknown, reason: StopReason | null, timeoutMs: number | null): RunErrorInfo {
  if (reason === 'timeout') return { code: 'timeout', message: `the run took longer than its timeout of ${timeoutMs} ms and was stopped` };
  if (error instanceof RunError) return { code: error.code, message: error.message, ...(error.options.detail === undefined ? {} : { detail: error.options.detail }) };
  const incident = randomUUID();
  if (isOutOfMemory(error)) {
    return { code: 'out_of_memory', message: `the run ran out of memory; narrow the universe or the date range, or ask an operator to raise the limit (incident ${incident})`, incident };
  }
  return { code: 'executor_error', message: `the run failed inside the server, not in its code or data; an operator finds the cause in the log under incident ${incident}`, incident };
}

/** A worker thread over its heap limit, or an allocation V8 refused. */
function isOutOfMemory(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory|allocation failed/i.test(error.message);
}
