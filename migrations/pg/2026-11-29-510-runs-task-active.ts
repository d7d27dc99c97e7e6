import { sql, type Kysely } from 'kysely';

/**
 * Active runs per task, for the scheduler's overlap decision at every fire: counting through
 * runs_task walked every run a task ever had (a 1-second cron adds 86,400 a day); this partial
 * index holds only the queued, paused and running ones.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index runs_task_active on runs (task_id, status) where task_id is not null and status in ('queued', 'paused', 'running')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists runs_task_active`.execute(db);
}
