import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { insertTask } from '../../src/scheduler/tasks.repository.ts';
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
  /** Slots (task × second) in the measured window. */
  expected: number;
  fired: number;
  /** Slots with more than one run. */
  duplicates: number;
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
        name: `soak-${i}`, description: '', executor: 'noop', config: '{}',
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
    return {
      expected,
      fired: stats.fired,
      duplicates: stats.fired - stats.distinct_slots,
      missed: expected - stats.distinct_slots,
      latenessP50Ms: Math.round(Number(stats.p50)),
      latenessP99Ms: Math.round(Number(stats.p99)),
      latenessMaxMs: Math.round(Number(stats.max)),
    };
  } finally {
    // A graceful stop first; a process still alive after 30 s is killed (and said so on stderr).
    await Promise.all(
      servers.map(async (s) => {
        const stopped = s.stop('SIGTERM');
        const done = await Promise.race([stopped.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000))]);
        if (!done) {
          process.stderr.write(`scheduler soak: a server did not stop within 30 s of SIGTERM; killed\n`);
          s.child.kill('SIGKILL');
          await stopped;
        }
      }),
    );
    await tdb.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
