import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { insertTask } from '../../src/scheduler/tasks.repository.ts';
import { countExecutions, waitUntil } from './executions.ts';
import { createTestDatabase } from './pg.ts';
import { startServerProcess, type ServerProcess } from './process.ts';

export interface SoakOptions {
  processes: number;
  tasks: number;
  seconds: number;
  /** Kill one process with SIGKILL this many seconds in (none when absent). */
  killAfterSeconds?: number;
}

export interface SoakResult {
  /** Whole seconds in the measured window. */
  windowSeconds: number;
  /** Slots (task × second) in the measured window. */
  expected: number;
  /** Runs in the window (the runs table: at most one per slot while its unique key holds). */
  fired: number;
  /**
   * Slots executed more than once, counted by the independent detector (helpers/executions.ts):
   * the executor's own execution records, not runs rows.
   */
  duplicates: number;
  /** Slots whose run executed (at least once), by the same records. */
  executedSlots: number;
  /** Runs in the window that never executed and that the killed process held when it died. */
  lostToKill: number;
  /** Runs in the window that never executed for any other reason, by status (none, when all is well). */
  unexecuted: Record<string, number>;
  /** Slots in the window with no run. */
  missed: number;
  /** Fire lateness: run queued_at − scheduled_for, both on the database clock. */
  latenessP50Ms: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
}

/**
 * Real `zquant serve` processes on one fresh database of the local Postgres server, `tasks` noop
 * tasks on a 1-second cron, enabled together for `seconds`; optionally one process is killed -9
 * midway. Counts every slot of the window (start, end] per task against the runs table.
 */
export async function runSchedulerSoak(o: SoakOptions): Promise<SoakResult> {
  const tdb = await createTestDatabase();
  if (!tdb.url) throw new Error('the scheduler soak needs the local Postgres server (several processes share one database)');
  const db = tdb.store.db;
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  try {
    const ids: number[] = [];
    for (let i = 0; i < o.tasks; i++) {
      const row = await insertTask(db, {
        // trace: each execution records itself (the duplicate detector counts those records).
        name: `soak-${i}`, description: '', executor: 'noop', config: '{"trace":true}',
        schedule: JSON.stringify({ kind: 'cron', expression: '* * * * * *', timezone: 'UTC' }), timezone: 'UTC',
        enabled: false, overlap: 'allow', max_concurrent: 1000, misfire: 'each', max_catch_up: 100, grace_seconds: 300,
        max_attempts: 1, retry_delay_ms: 1000, timeout_ms: null, owner_id: null,
      });
      ids.push(Number(row!.id));
    }
    for (let i = 0; i < o.processes; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'zq-soak-'));
      dirs.push(dir);
      servers.push(
        await startServerProcess([], {
          DATABASE_URL: tdb.url, DATA_DIR: dir, SEED_DEMO: 'false', LOG_LEVEL: 'warn', RUN_IO_CONCURRENCY: '16',
          SCHEDULER_SWEEP_MS: '2000', ZQUANT_ADMIN_PASSWORD: 'soak password 1234',
        }),
      );
    }
    // Enable all at once; the window starts at this whole second (database clock).
    const start = (await sql<{ t: Date }>`
      with u as (update scheduled_tasks set enabled = true, last_slot = date_trunc('second', now()) returning id, last_slot)
      select min(last_slot) as t, (select count(pg_notify('zquant_tasks', id::text)) from u) as n from u`.execute(db)).rows[0].t;
    const killAt = o.killAfterSeconds;
    await new Promise<void>((resolve) => {
      if (killAt !== undefined) setTimeout(() => servers[0].child.kill('SIGKILL'), killAt * 1000);
      setTimeout(resolve, o.seconds * 1000);
    });
    // Measure up to two seconds before now: slots that young may still be in flight.
    const end = (await sql<{ t: Date }>`select date_trunc('second', now()) - interval '2 seconds' as t`.execute(db)).rows[0].t;
    await db.updateTable('scheduled_tasks').set({ enabled: false }).execute();
    const seconds = Math.round((new Date(end).getTime() - new Date(start).getTime()) / 1000);
    const stats = (await sql<{ fired: number; distinct_slots: number; p50: number; p99: number; max: number }>`
      select count(*)::int as fired, count(distinct (task_id, scheduled_for))::int as distinct_slots,
        percentile_cont(0.5) within group (order by extract(epoch from queued_at - scheduled_for) * 1000) as p50,
        percentile_cont(0.99) within group (order by extract(epoch from queued_at - scheduled_for) * 1000) as p99,
        max(extract(epoch from queued_at - scheduled_for) * 1000) as max
      from runs where task_id = any(${ids}::bigint[]) and scheduled_for > ${start} and scheduled_for <= ${end}`.execute(db)).rows[0];
    const expected = seconds * o.tasks;
    // Every run of the window leaves the queue (the survivors take them all), then a graceful stop
    // lets the in-flight ones finish and write their execution records before they are counted.
    const killedPid = killAt !== undefined ? servers[0].child.pid : undefined;
    await waitUntil('the surviving processes to execute every queued run of the window', async () => {
      const r = await sql<{ n: number }>`
        select count(*)::int as n from runs where task_id = any(${ids}::bigint[]) and scheduled_for > ${start} and scheduled_for <= ${end}
          and (status = 'queued' or (status = 'running' and lease_owner not like ${`%:${killedPid ?? -1}:%`}))`.execute(db);
      return r.rows[0].n === 0;
    }, 60_000);
    await stopAll(servers);
    const executions = await countExecutions(db, ids, { after: start, upTo: end });
    // A run never executed is lost to the kill when it was abandoned (one attempt: never retried) or
    // is still leased by the dead process; anything else is a fire that never ran.
    const notRun = (
      await sql<{ status: string; killed: boolean; n: number }>`
        select r.status, (r.status = 'abandoned' or (r.status = 'running' and r.lease_owner like ${`%:${killedPid ?? -1}:%`})) as killed,
          count(*)::int as n
        from runs r
        where r.task_id = any(${ids}::bigint[]) and r.scheduled_for > ${start} and r.scheduled_for <= ${end}
          and not exists (select 1 from run_events e where e.run_id = r.id and e.kind = 'log')
        group by 1, 2 order by 1`.execute(db)
    ).rows;
    const lostToKill = notRun.filter((r) => r.killed).reduce((a, r) => a + r.n, 0);
    const unexecuted = Object.fromEntries(notRun.filter((r) => !r.killed).map((r) => [r.status, r.n]));
    return {
      windowSeconds: seconds,
      expected,
      fired: stats.fired,
      duplicates: executions.duplicates.length,
      executedSlots: executions.executedSlots,
      lostToKill,
      unexecuted,
      missed: expected - stats.distinct_slots,
      latenessP50Ms: Math.round(Number(stats.p50)),
      latenessP99Ms: Math.round(Number(stats.p99)),
      latenessMaxMs: Math.round(Number(stats.max)),
    };
  } finally {
    await stopAll(servers);
    await tdb.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** A graceful stop of every server still running; one still alive 30 s after SIGTERM is killed (and said so on stderr). */
async function stopAll(servers: ServerProcess[]): Promise<void> {
  await Promise.all(
    servers.splice(0).map(async (s) => {
      if (s.child.exitCode !== null || s.child.signalCode !== null) return;
      const stopped = s.stop('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([stopped.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 30_000)))]);
      clearTimeout(timer);
      if (!done) {
        process.stderr.write(`scheduler soak: a server did not stop within 30 s of SIGTERM; killed\n`);
        s.child.kill('SIGKILL');
        await stopped;
      }
    }),
  );
}
