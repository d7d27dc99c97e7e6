import { z } from 'zod';
import { planPrune, prune, pruneReportText, type HousekeepingDeps } from '../housekeeping/housekeeping.service.ts';
import { defineExecutor, type ExecutorDefinition } from '../runs/executor-registry.ts';

/**
 * `housekeeping`: prunes what retention lets go (RETAIN_* settings) in bounded batches and gives the
 * space back; the seeded `housekeeping` task runs it nightly, the storage page on demand. With
 * `dry_run` it only counts. The result is the report: rows and estimated bytes per kind.
 */
export function makeHousekeepingExecutor(d: HousekeepingDeps): ExecutorDefinition {
  return defineExecutor({
    name: 'housekeeping',
    description: 'prunes run history, run logs, unpinned backtests and sync-log rows past their retention, then reclaims space',
    params: z.object({ dry_run: z.boolean().default(false).describe('Only count what would go') }).strict(),
    kind: 'io',
    queueRole: 'admin',
    defaults: { maxAttempts: 2, retryDelayMs: 60_000 },
    async run(p, ctx) {
      ctx.log('info', p.dry_run ? 'counting what retention would prune' : 'pruning what retention lets go');
      const report = p.dry_run ? await planPrune(d) : await prune(d, { signal: ctx.signal, progress: (done) => ctx.progress({ current: done }) });
      for (const l of pruneReportText(report).trimEnd().split('\n')) ctx.log('info', l);
      return {
        dry_run: report.dryRun,
        pruned: Object.fromEntries(report.lines.map((l) => [l.kind, { rows: l.rows, bytes: l.bytes }])),
        reclaimed: report.reclaimed,
      };
    },
  });
}
