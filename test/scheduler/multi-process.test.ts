import { describe, expect, it } from 'vitest';
import { testServerUrl } from '../helpers/pg.ts';
import { runSchedulerSoak } from '../helpers/scheduler-soak.ts';

/**
 * Three real `zquant serve` processes on one database, 50 tasks on a 1-second cron: every slot
 * fires and executes exactly once and none is missed, although one process is killed -9 halfway.
 * Duplicates are counted from the executor's own execution records (helpers/executions.ts), which
 * the runs table's unique key does not constrain. The full 60 s by default;
 * ZQ_SCHEDULER_SOAK_SECONDS shortens it while iterating.
 */
const seconds = Number(process.env.ZQ_SCHEDULER_SOAK_SECONDS ?? 60);
const hasServer = await testServerUrl();
// Several processes need one shared database: PGlite lives inside one process.
if (!hasServer) console.warn('SKIPPED scheduler/multi-process.test.ts: no Postgres server answers (TEST_DATABASE_URL or 127.0.0.1:5432); several processes cannot share embedded PGlite');

describe.skipIf(!hasServer)('three instances on one Postgres', () => {
  it(`fire and execute each slot of 50 one-second tasks exactly once for ${seconds} s, through a kill -9`, async () => {
    const r = await runSchedulerSoak({ processes: 3, tasks: 50, seconds, killAfterSeconds: seconds / 2 });
    expect(r.windowSeconds).toBeGreaterThan(0);
    expect(r.expected).toBe(50 * r.windowSeconds);
    expect(r.duplicates).toBe(0);
    expect(r.missed).toBe(0);
    expect(r.fired).toBe(r.expected);
    // Every run executed, except those the killed process held when it died (one attempt: never retried).
    expect(r.unexecuted).toEqual({});
    expect(r.executedSlots + r.lostToKill).toBe(r.expected);
  }, (seconds + 150) * 1000);
});
