import { sql, type Kysely } from 'kysely';
import { executionTraceMessage } from '../../src/executors/diagnostic.executors.ts';

/**
 * The independent duplicate-fire detector. A scheduled task whose config is `{ "trace": true }` runs
 * the noop executor, which writes one log line per execution (run, attempt, process). This counts
 * those lines per slot (task × scheduled_for): it does not rely on the unique key of runs, so a
 * slot that two runs rows share, or one run executed twice, shows as a slot executed more than once.
 */
export interface ExecutionCount {
  /** Execution records in the window. */
  executions: number;
  /** Distinct slots executed at least once. */
  executedSlots: number;
  /** Slots executed more than once, with how often. */
  duplicates: Array<{ taskId: number; scheduledFor: string; executions: number }>;
}

/** Counts traced executions of these tasks' runs whose slot is in (after, upTo] (any slot when not given). */
export async function countExecutions(db: Kysely<any>, taskIds: readonly number[], window: { after?: Date; upTo?: Date } = {}): Promise<ExecutionCount> {
  const rows = (
    await sql<{ task_id: number; scheduled_for: Date; n: number }>`
      select r.task_id::int as task_id, r.scheduled_for, count(*)::int as n
      from run_events e join runs r on r.id = e.run_id
      where e.kind = 'log' and e.data->>'message' like ${`${executionTraceMessage}%`}
        and r.task_id = any(${taskIds}::bigint[])
        and (${window.after ?? null}::timestamptz is null or r.scheduled_for > ${window.after ?? null}::timestamptz)
        and (${window.upTo ?? null}::timestamptz is null or r.scheduled_for <= ${window.upTo ?? null}::timestamptz)
      group by 1, 2 order by 2, 1`.execute(db)
  ).rows;
  return {
    executions: rows.reduce((a, r) => a + r.n, 0),
    executedSlots: rows.length,
    duplicates: rows.filter((r) => r.n > 1).map((r) => ({ taskId: r.task_id, scheduledFor: new Date(r.scheduled_for).toISOString(), executions: r.n })),
  };
}

/** Polls `check` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > until) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
