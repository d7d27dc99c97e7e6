import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { RunStatus } from './run.types.ts';

type Db = Kysely<Database>;

/** How many runs each executor has in each status (the whole table: retention bounds it). */
export async function countRunsByExecutorStatus(db: Db): Promise<Array<{ executor: string; status: RunStatus; count: number }>> {
  const rows = await db.selectFrom('runs').select(['executor', 'status', (e) => e.fn.countAll<string>().as('n')]).groupBy(['executor', 'status']).execute();
  return rows.map((r) => ({ executor: r.executor, status: r.status, count: Number(r.n) }));
}

/** Runs waiting to be claimed, per executor, with how long the longest-waiting due one has waited since it became due (a retry's delay not counted). */
export async function queuedByExecutor(db: Db): Promise<Array<{ executor: string; count: number; oldestSeconds: number }>> {
  const rows = await db
    .selectFrom('runs')
    .select([
      'executor',
      (e) => e.fn.countAll<string>().as('n'),
      sql<string>`extract(epoch from now() - min(run_after) filter (where run_after <= now()))`.as('oldest'),
    ])
    .where('status', '=', 'queued')
    .groupBy('executor')
    .execute();
  return rows.map((r) => ({ executor: r.executor, count: Number(r.n), oldestSeconds: r.oldest === null ? 0 : Math.max(0, Number(r.oldest)) }));
}

/** Per scheduled task, how late its latest fire was queued after the slot it was for. */
export async function latestFireLateness(db: Db): Promise<Array<{ task: string; seconds: number }>> {
  const rows = await db
    .selectFrom('runs as r')
    .innerJoin('scheduled_tasks as t', 't.id', 'r.task_id')
    .distinctOn('r.task_id')
    .select(['t.name as task', sql<string>`extract(epoch from r.queued_at - r.scheduled_for)`.as('late')])
    .where('r.scheduled_for', 'is not', null)
    .orderBy('r.task_id')
    .orderBy('r.scheduled_for', 'desc')
    .execute();
  return rows.map((r) => ({ task: r.task, seconds: Math.max(0, Number(r.late)) }));
}

/** The names a run's page shows: who queued it and the task that fired it (null when none, or gone). */
export async function linkNames(db: Db, queuedBy: number | null, taskId: number | null): Promise<{ owner: string | null; task: string | null }> {
  const [owner, task] = await Promise.all([
    queuedBy === null ? undefined : db.selectFrom('users').select('username').where('id', '=', queuedBy).executeTakeFirst(),
    taskId === null ? undefined : db.selectFrom('scheduled_tasks').select('name').where('id', '=', taskId).executeTakeFirst(),
  ]);
  return { owner: owner?.username ?? null, task: task?.name ?? null };
}
