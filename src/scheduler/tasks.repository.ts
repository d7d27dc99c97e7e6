import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database, NewRow, RunsTable, ScheduledTasksTable, TaskSlotLogTable } from '../db/schema.ts';

/** SQL of scheduled tasks. Every change NOTIFYs `zquant_tasks` with the task id so each instance's manager follows. */
export type TaskRow = Selectable<ScheduledTasksTable>;
type Db = Kysely<Database>;

export const tasksChannel = 'zquant_tasks';

/** A task's settings as written (config and schedule as JSON text); trading_days left out is null (every slot fires). */
export type TaskValues = NewRow<
  ScheduledTasksTable,
  | 'name' | 'description' | 'executor' | 'config' | 'schedule' | 'timezone' | 'enabled' | 'overlap' | 'max_concurrent' | 'misfire'
  | 'max_catch_up' | 'grace_seconds' | 'max_attempts' | 'retry_delay_ms' | 'timeout_ms'
> & Pick<Insertable<ScheduledTasksTable>, 'trading_days'>;

export async function notifyTask(db: Db, id: number): Promise<void> {
  await sql`select pg_notify(${tasksChannel}, ${String(id)})`.execute(db);
}

/** Inserts a task; null when the name exists (ON CONFLICT DO NOTHING keeps seeding idempotent across instances). */
export async function insertTask(db: Db, v: TaskValues & { owner_id: number | null; paused?: boolean }): Promise<TaskRow | null> {
  const row = await db
    .insertInto('scheduled_tasks')
    .values({ ...v, last_slot: sql`now()` as never })
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (row) await notifyTask(db, Number(row.id));
  return row ?? null;
}

export async function updateTask(db: Db, id: number, v: Partial<TaskValues> & { paused?: boolean; resetSlot?: boolean }): Promise<TaskRow | null> {
  const { resetSlot, ...values } = v;
  const row = await db
    .updateTable('scheduled_tasks')
    .set({ ...values, updated_at: sql`now()` as never, ...(resetSlot ? { last_slot: sql`now()` as never } : {}) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (row) await notifyTask(db, id);
  return row ?? null;
}

export async function deleteTask(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('scheduled_tasks').where('id', '=', id).executeTakeFirst();
  if (Number(r.numDeletedRows) > 0) {
    await notifyTask(db, id);
    return true;
  }
  return false;
}

export async function findTask(db: Db, id: number): Promise<TaskRow | undefined> {
  return db.selectFrom('scheduled_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findTaskByName(db: Db, name: string): Promise<TaskRow | undefined> {
  return db.selectFrom('scheduled_tasks').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function listTasks(db: Db): Promise<TaskRow[]> {
  return db.selectFrom('scheduled_tasks').selectAll().orderBy('name').execute();
}

export async function taskNames(db: Db): Promise<string[]> {
  return (await db.selectFrom('scheduled_tasks').select('name').execute()).map((r) => r.name);
}

export async function dbNow(db: Db): Promise<Date> {
  const r = await sql<{ now: Date }>`select now() as now`.execute(db);
  return new Date(r.rows[0].now);
}

/** What a fire decision needs, for many tasks in one round trip: rows, active run counts, and the database clock. */
export async function loadForFiring(
  db: Db,
  ids: readonly number[],
): Promise<{ now: Date; tasks: Array<TaskRow & { queued: number; running: number }> }> {
  // Active runs are counted through the partial index runs_task_active (only queued/paused/running rows).
  const r = await sql<TaskRow & { queued: number; running: number; db_now: Date }>`
    with ids as (select (jsonb_array_elements_text(${JSON.stringify(ids)}::text::jsonb))::bigint as id),
    active as (
      select task_id,
        count(*) filter (where status in ('queued','paused'))::int as queued,
        count(*) filter (where status = 'running')::int as running
      from runs
      where task_id in (select id from ids) and status in ('queued','paused','running')
      group by task_id)
    select t.*, now() as db_now, coalesce(a.queued, 0) as queued, coalesce(a.running, 0) as running
    from scheduled_tasks t left join active a on a.task_id = t.id
    where t.id in (select id from ids)`.execute(db);
  const now = r.rows.length ? new Date(r.rows[0].db_now) : await dbNow(db);
  return { now, tasks: r.rows };
}

/** Moves each task's considered slot forward (never back: another instance may be ahead). */
export async function advanceSlots(db: Db, slots: ReadonlyArray<{ id: number; slot: Date }>): Promise<void> {
  if (slots.length === 0) return;
  const payload = JSON.stringify(slots.map((s) => ({ id: s.id, slot: s.slot.toISOString() })));
  await sql`
    update scheduled_tasks t set last_slot = greatest(t.last_slot, x.slot)
    from jsonb_to_recordset(${payload}::text::jsonb) as x(id bigint, slot timestamptz)
    where t.id = x.id`.execute(db);
}

export interface TaskRunSummary {
  task_id: number;
  runs: number;
  succeeded: number;
  failed: number;
  avg_ms: number | null;
  p95_ms: number | null;
  last_failure_at: Date | null;
  last_failure: unknown;
}

/** Per task: how many finished runs, success rate inputs, average and p95 duration, last failure. */
export async function taskStats(db: Db): Promise<TaskRunSummary[]> {
  const r = await sql<TaskRunSummary>`
    select task_id,
      count(*)::int as runs,
      count(*) filter (where status = 'succeeded')::int as succeeded,
      count(*) filter (where status in ('failed','abandoned'))::int as failed,
      avg(extract(epoch from finished_at - started_at) * 1000) filter (where started_at is not null and finished_at is not null) as avg_ms,
      percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at) * 1000) filter (where started_at is not null and finished_at is not null) as p95_ms,
      max(finished_at) filter (where status in ('failed','abandoned')) as last_failure_at,
      (array_agg(error order by finished_at desc) filter (where status in ('failed','abandoned')))[1] as last_failure
    from runs where task_id is not null and status in ('succeeded','failed','cancelled','abandoned')
    group by task_id`.execute(db);
  return r.rows.map((x) => ({ ...x, task_id: Number(x.task_id), avg_ms: x.avg_ms === null ? null : Number(x.avg_ms), p95_ms: x.p95_ms === null ? null : Number(x.p95_ms) }));
}

/** A task's newest run, as much of it as the task list shows. */
export type LastRunRow = Pick<Selectable<RunsTable>, 'id' | 'status' | 'scheduled_for' | 'queued_at' | 'finished_at' | 'error'> & { task_id: number };

/** Each task's newest run, active counts, the oldest overdue queued slot and the newest active run's progress. */
export async function taskRunState(db: Db): Promise<
  Array<{ task_id: number; queued: number; running: number; oldest_queued_slot: Date | null; progress: unknown; last: LastRunRow | null }>
> {
  const r = await sql<{ task_id: number; queued: number; running: number; oldest_queued_slot: Date | null; progress: unknown; last: unknown }>`
    select t.id as task_id,
      (select count(*) from runs r where r.task_id = t.id and r.status in ('queued','paused'))::int as queued,
      (select count(*) from runs r where r.task_id = t.id and r.status = 'running')::int as running,
      (select min(scheduled_for) from runs r where r.task_id = t.id and r.status = 'queued') as oldest_queued_slot,
      (select progress from runs r where r.task_id = t.id and r.status = 'running' order by id desc limit 1) as progress,
      (select to_jsonb(x) from (select id, status, scheduled_for, queued_at, finished_at, error from runs r
         where r.task_id = t.id and r.parent_run_id is null order by id desc limit 1) x) as last
    from scheduled_tasks t`.execute(db);
  return r.rows.map((x) => {
    const l = x.last as Record<string, unknown> | null;
    return {
      task_id: Number(x.task_id),
      queued: x.queued,
      running: x.running,
      oldest_queued_slot: x.oldest_queued_slot ? new Date(x.oldest_queued_slot) : null,
      progress: x.progress,
      last: l
        ? {
            task_id: Number(x.task_id),
            id: Number(l.id),
            status: l.status as LastRunRow['status'],
            scheduled_for: l.scheduled_for ? new Date(String(l.scheduled_for)) : null,
            queued_at: new Date(String(l.queued_at)),
            finished_at: l.finished_at ? new Date(String(l.finished_at)) : null,
            error: l.error,
          }
        : null,
    };
  });
}

/** One slot decision as written; `day` is YYYY-MM-DD. */
export type SlotNoteValues = NewRow<TaskSlotLogTable, 'task_id' | 'scheduled_for' | 'day' | 'outcome' | 'reason' | 'message'>;

/** Records slot decisions once per (task, slot) however many instances make them. */
export async function insertSlotNotes(db: Db, notes: readonly SlotNoteValues[]): Promise<void> {
  if (notes.length === 0) return;
  await db
    .insertInto('task_slot_log')
    .values(notes.map((n) => ({ ...n })))
    .onConflict((oc) => oc.columns(['task_id', 'scheduled_for']).doNothing())
    .execute();
}

export type SlotNoteRow = Omit<Selectable<TaskSlotLogTable>, 'id'>;

/** A task's recorded slot decisions, newest slot first, and how many there are. */
export async function listSlotNotes(db: Db, taskId: number, page: { limit: number; offset: number }): Promise<{ rows: SlotNoteRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('task_slot_log')
      .select(['task_id', 'scheduled_for', sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'outcome', 'reason', 'message', 'recorded_at'])
      .where('task_id', '=', taskId)
      .orderBy('scheduled_for', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db.selectFrom('task_slot_log').select((eb) => eb.fn.countAll<string>().as('n')).where('task_id', '=', taskId).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map((r) => ({ ...r, task_id: Number(r.task_id), scheduled_for: new Date(r.scheduled_for), recorded_at: new Date(r.recorded_at) })), total: Number(count.n) };
}

/** Claims the one-time seeding of the scheduler's tasks (a settings row): true for the first caller per database only. */
export async function claimSchedulerSeeding(db: Db): Promise<boolean> {
  const claimed = await sql<{ key: string }>`
    insert into settings (key, value) values ('scheduler.seeded', ${JSON.stringify({ at: new Date().toISOString() })}::jsonb)
    on conflict (key) do nothing returning key`.execute(db);
  return claimed.rows.length > 0;
}
