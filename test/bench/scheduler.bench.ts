// Scheduler numbers with real `zquant serve` processes on the local Postgres server (shared 2-core machine: expect noise).
//   fire_lateness_p99_ms  200 tasks each firing every second on one instance: p99 of (run queued_at − slot), database clock
//   duplicate_fires       three instances, 50 one-second tasks, one killed -9 halfway: slots fired more than once
//   missed_fires          same run: slots in the window never fired
// BENCH_SCHED_SECONDS (default 20) sets the lateness run's length, BENCH_SCHED_SOAK_SECONDS (default 60) the three-process run's.
import { testServerUrl } from '../helpers/pg.ts';
import { runSchedulerSoak } from '../helpers/scheduler-soak.ts';

async function main() {
  if (!(await testServerUrl())) throw new Error('scheduler bench needs the local Postgres server (127.0.0.1:5432 or TEST_DATABASE_URL)');
  const lateSeconds = Number(process.env.BENCH_SCHED_SECONDS ?? 20);
  const soakSeconds = Number(process.env.BENCH_SCHED_SOAK_SECONDS ?? 60);
  const tasks = Number(process.env.BENCH_SCHED_TASKS ?? 200);

  const late = await runSchedulerSoak({ processes: 1, tasks, seconds: lateSeconds });
  const lw = `${tasks} one-second tasks, one process, ${lateSeconds} s`;
  console.log(`fire_lateness_p50_ms: ${late.latenessP50Ms} ms (${lw})`);
  console.log(`fire_lateness_p99_ms: ${late.latenessP99Ms} ms (${lw})`);
  console.log(`fire_lateness_max_ms: ${late.latenessMaxMs} ms (${lw})`);
  console.log(`fires_per_s: ${Math.round(late.fired / Math.max(1, late.expected / tasks))} fires/s (${lw})`);
  console.log(`lateness_run_missed_fires: ${late.missed} slots (${lw})`);

  const soak = await runSchedulerSoak({ processes: 3, tasks: 50, seconds: soakSeconds, killAfterSeconds: soakSeconds / 2 });
  const sw = `three processes, 50 one-second tasks, ${soakSeconds} s, one killed -9 halfway; duplicates counted from the executor's own execution records`;
  console.log(`duplicate_fires: ${soak.duplicates} slots (${sw})`);
  console.log(`missed_fires: ${soak.missed} slots (${sw})`);
  console.log(`three_process_slots: ${soak.expected} slots (${sw})`);
  console.log(`three_process_lateness_p99_ms: ${soak.latenessP99Ms} ms (${sw})`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
