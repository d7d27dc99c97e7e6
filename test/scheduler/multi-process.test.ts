import { describe, expect, it } from 'vitest';
import { testServerUrl } from '../helpers/pg.ts';
import { runSchedulerSoak } from '../helpers/scheduler-soak.ts';

/**
 * Three real `zquant serve` processes on one database, 50 tasks on a 1-second cron: every slot
 * fires exactly once and none is missed, although one process is killed -9 halfway.
 * The full 60 s by default; ZQ_SCHEDULER_SOAK_SECONDS shortens it while iterating.
 */
const seconds = Number(process.env.ZQ_SCHEDULER_SOAK_SECONDS ?? 60);
const hasServer = await testServerUrl();

describe.skipIf(!hasServer)('three instances on one Postgres', () => {
  it(`fire each slot of 50 one-second tasks exactly once for ${seconds} s, through a kill -9`, async () => {
    const r = await runSchedulerSoak({ processes: 3, tasks: 50, seconds, killAfterSeconds: seconds / 2 });
    expect(r.expected).toBeGreaterThanOrEqual(50 * (seconds - 4));
    expect(r.duplicates).toBe(0);
    expect(r.missed).toBe(0);
    expect(r.fired).toBe(r.expected);
  }, (seconds + 90) * 1000);
});
