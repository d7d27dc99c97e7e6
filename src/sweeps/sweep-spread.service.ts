/**
 * A sweep spread over several worker processes (issue 23). With SWEEP_HELPER_RUNS > 0 the sweep's
 * run queues that many `sweep_part` runs beside it; any process with a free backtest slot takes
 * one. Every participant runs the same code: it loads the sweep's pinned market data version, then
 * claims a few sets at a time in Postgres (sweep-claims.repository.ts), runs and stores them, and
 * claims again until every set is stored — by it or by another. A participant whose process dies
 * loses its claims with its lease, and the others take its sets over. The sweep's own run ends last
 * (it waits until every set is stored) and computes the statistics from the stored sets; helpers stop
 * once nothing is left to claim (a lost sweep run is retried, and computes them then).
 *
 * Both executors read their data through data versions: the sweep's recorded version, else the
 * latest (recorded as it starts), so every set of a sweep reads the same data wherever it runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { defineExecutor, RunError, type ExecutorDefinition, type RunContext } from '../runs/executor-registry.ts';
import type { RunsService } from '../runs/runs.service.ts';
import type { DataVersions } from '../snapshots/data-versions.ts';
import { makeSweepExecutor } from './sweep.executor.ts';
import type { SweepExecutorDeps } from './sweep-pass.ts';
import type { SetSpread } from './set-spread.ts';
import { getSweep } from './sweeps.service.ts';
import * as claims from './sweep-claims.repository.ts';

export const sweepPartExecutorName = 'sweep_part';

export type { SetSpread } from './set-spread.ts';

/**
 * Polling for sets others hold while they finish them (or lose them): short against a set's run time,
 * since the sweep ends only once its own run sees the last set stored.
 */
const waitMs = 25;

/**
 * Claims are one lockstep batch per thread of this process (the runner's claimSize: LOCKSTEP_MAX sets a
 * thread for a built-in): the sets a thread runs together share their indicators, so a claim never
 * splits a batch; the last ones are split between the participants by the work each has left
 * (claimSets, with this process's pace on its last claim), so they end together. The threads stay
 * up across claims (sweep-pool.ts startFedPool), so a claim costs a Postgres round trip, not a
 * thread start, and a claim's sets are stored while the next one runs; what a lost participant
 * leaves is claimed again by the others.
 */
export function makeSetSpread(db: Kysely<Database>, o: { sweepId: number; runId: number; sweepRunId: number | null; log: RunContext['log'] }): SetSpread {
  const helper = o.sweepRunId !== null && o.sweepRunId !== o.runId;
  return {
    async run(sets, runner, signal) {
      const byOrdinal = new Map(sets.map((s) => [s.ordinal, s]));
      const ordinals = sets.map((s) => s.ordinal);
      let ran = 0;
      // Storing a claim's sets and then marking it done go alongside the next claim and its run: the
      // threads wait for the claim's round trip only. A failed store or mark stops the loop at its next turn.
      let marking: Promise<void> = Promise.resolve();
      let failed: unknown = null;
      // This process's pace on its last claim: what it expects of the others' running claims when it claims toward the end.
      let secondsPerSet: number | null = null;
      try {
        for (;;) {
          signal.throwIfAborted();
          if (failed) throw failed;
          // A helper claims nothing once the sweep's own run stopped (cancelled, failed): what it stored is kept.
          const mine = await claims.claimSets(db, o.sweepId, o.runId, ordinals, runner.claimSize, helper ? o.sweepRunId : null, secondsPerSet);
          if (mine.length) {
            const t0 = performance.now();
            const { stored } = await runner.run(mine.map((n) => byOrdinal.get(n)!));
            secondsPerSet = (performance.now() - t0) / 1000 / mine.length;
            const done = mine;
            marking = Promise.all([marking, stored]).then(() => claims.markSetsDone(db, o.sweepId, o.runId, done));
            marking.catch((err: unknown) => (failed ??= err)); // also awaited below, where a failure is thrown
            ran += mine.length;
            continue;
          }
          // Nothing to claim: this run's own sets are stored and marked before it counts what is stored.
          await marking;
          if (helper) {
            const status = await claims.runStatusOf(db, o.sweepRunId!);
            if (status !== 'running' && status !== 'queued') {
              o.log('info', `the sweep's run is ${status ?? 'gone'}: this helper stops after ${ran} sets`);
              return;
            }
          }
          if (ordinals.length - (await claims.countStoredOf(db, o.sweepId, ordinals)) <= 0) {
            o.log('info', `${ran} of ${ordinals.length} sets ran in this process; the others in other processes`);
            return;
          }
          // Every set left is held by another participant: wait for it to store them, or to lose them.
          await sleep(waitMs, undefined, { signal });
        }
      } finally {
        await marking;
      }
    },
  };
}

export interface SpreadSweepDeps extends SweepExecutorDeps {
  data: DataVersions;
  /** SWEEP_HELPER_RUNS: helper runs a sweep queues (0: its own run runs every set). */
  helperRuns: number;
  runs: () => RunsService;
}

/** The `sweep` executor reading pinned data (and spreading its sets when asked), and the `sweep_part` helper. */
export function makeSpreadSweepExecutors(d: SpreadSweepDeps): ExecutorDefinition[] {
  const base = makeSweepExecutor(d);

  const runWith = async (sweepId: number, ctx: RunContext, helper: boolean): Promise<unknown> => {
    const sweep = await getSweep(d.db, sweepId);
    if (!sweep) throw new RunError('not_found', `sweep ${sweepId} no longer exists (deleted)`, { retryable: false });
    const data = await d.data.acquire(sweep.dataVersion, (m) => ctx.log('warn', m));
    try {
      if (sweep.dataVersion !== data.version) await claims.setSweepDataVersion(d.db, sweepId, data.version);
      ctx.log('info', `market data version ${data.version}${sweep.dataVersion === data.version ? ' (pinned)' : ''}`);
      // Walk-forwards run in one process (their windows chain); sweeps spread when helpers are asked for.
      const spreading = sweep.kind === 'sweep' && (helper || d.helperRuns > 0);
      let spread: SetSpread | undefined;
      if (spreading) {
        spread = makeSetSpread(d.db, { sweepId, runId: ctx.runId, sweepRunId: sweep.runId, log: (l, m) => ctx.log(l, m) });
        if (!helper && (await claims.countChildRuns(d.db, ctx.runId, sweepPartExecutorName)) === 0) {
          await d.runs().queueRuns(Array.from({ length: d.helperRuns }, () => ({
            executor: sweepPartExecutorName, params: { sweep_id: sweepId }, parentRunId: ctx.runId, queuedBy: sweep.ownerId, maxAttempts: 1,
          })));
          ctx.log('info', `queued ${d.helperRuns} helper run(s): sets are claimed a lockstep batch per thread at a time by whichever process has a free slot`);
        }
      }
      return await makeSweepExecutor({ ...d, panels: data.panels, market: data.market, spread }).run({ sweep_id: sweepId }, ctx);
    } finally {
      data.release();
    }
  };

  return [
    { ...base, run: (p: { sweep_id: number }, ctx: RunContext) => runWith(p.sweep_id, ctx, false) } as ExecutorDefinition,
    defineExecutor({
      name: sweepPartExecutorName,
      description: 'takes parameter sets of a sweep spread over worker processes (SWEEP_HELPER_RUNS); queued by the sweep’s run, not directly',
      params: z.object({ sweep_id: z.number().int().positive() }).strict(),
      kind: 'backtest',
      queueRole: 'admin',
      // A lost helper is not retried: the sweep's other participants take its sets over.
      defaults: { maxAttempts: 1 },
      run: (p, ctx) => runWith(p.sweep_id, ctx, true),
    }),
  ];
}

