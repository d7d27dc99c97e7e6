/**
 * The `sweep` executor (kind backtest: it takes one backtest slot and counts against the owner's
 * running backtests). It loads the sweep's panel once from the shared cache, plans the sets again
 * (the same seeded plan as at submit, so ordinals are stable), leaves out the sets already stored —
 * a resumed attempt, after a pause or a kill -9, continues with the rest — and runs the others on a
 * pool of threads sharing that panel. Sets are stored as they finish (in batches), progress says
 * sets done, the best so far and an ETA; at the end the DSR and PBO are stored (sweeps), or the
 * out-of-sample runs and the chained curve (walk-forwards, sweep-walk-forward.ts).
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { backtestRunLimitsOf } from '../backtests/backtest.executor.ts';
import { defineExecutor, RunError, type RunContext } from '../runs/executor-registry.ts';
import { isoDay } from '../market/days.ts';
import type { BenchmarkSeries, Panel } from '../engine/panel.ts';
import { factorsOf, planBacktest } from '../backtests/plan.ts';
import { withFactorFields } from '../factors/factors.service.ts';
import { runOwnerOf } from '../scheduler/tasks.service.ts';
import type { Principal } from '../auth/access.ts';
import { AppError } from '../http/errors.ts';
import type { Sweep } from './sweep.types.ts';
import type { SweepStrategy } from './sweep-strategy.service.ts';
import { getSweep, sweepExecutorName } from './sweeps.service.ts';
import { strategyOfSweep } from './sweep-strategy.service.ts';
import { strategyVersionOf } from '../strategies/strategies.service.ts';
import type { SweepStrategyCode } from './sweep.thread.ts';
import { finishSweep, refreshCounts, setReturnsOf, storedOrdinals } from './sweep-sets.service.ts';
import { sweepStatistics } from './sweep-stats.ts';
import { runWalkForward } from './sweep-walk-forward.ts';
import { candidatesOf, makeProgress, runAndStore, type SweepExecutorDeps, type SweepPass } from './sweep-pass.ts';

export type { SweepExecutorDeps } from './sweep-pass.ts';

async function runSweep(pass: SweepPass): Promise<unknown> {
  const { deps, ctx, sweep } = pass;
  const { list, tally, planned } = candidatesOf(sweep, pass.strategy);
  const stored = new Set(await storedOrdinals(deps.db, sweep.id));
  const before = await refreshCounts(deps.db, sweep.id, sweep.objective, { skipped: tally.skipped + tally.duplicates, skipReasons: tally.skipReasons, plannedSets: list.length });
  const todo = list.filter((c) => !stored.has(c.ordinal)).map((c) => ({ ordinal: c.ordinal, windowIndex: null, gridIndex: c.gridIndex, params: c.params }));
  ctx.log('info', `${list.length} parameter sets (${tally.skipped} combinations skipped by the strategy's check${tally.duplicates ? `, ${tally.duplicates} duplicates` : ''}; at most ${planned} planned); ${stored.size} stored already, ${todo.length} to run on ${Math.min(pass.threads, Math.max(1, todo.length))} threads`);
  const progress = makeProgress(ctx, sweep, list.length, stored.size, before.best?.value != null ? { value: before.best.value, ordinal: before.best.ordinal } : null);
  progress.report();
  const t0 = Date.now();
  await runAndStore(pass, todo, (r) => progress.add(r));
  ctx.signal.throwIfAborted();
  if (deps.spread && sweep.runId !== ctx.runId) {
    // A helper of a spread sweep: the sweep's own run computes the statistics once every set is stored (it ends only then).
    ctx.log('info', `ran its part in ${((Date.now() - t0) / 1000).toFixed(2)} s; the sweep's run computes the statistics`);
    return { sweep_id: sweep.id, helper: true };
  }
  const sum = await refreshCounts(deps.db, sweep.id, sweep.objective);
  ctx.log('info', `ran ${todo.length} sets in ${((Date.now() - t0) / 1000).toFixed(2)} s; ${sum.done} succeeded, ${sum.failed} failed`);
  const rows = await setReturnsOf(deps.db, sweep.id, sweep.objective);
  const stats = sweepStatistics(rows, sum.best?.ordinal ?? null);
  await finishSweep(deps.db, sweep.id, stats);
  for (const n of stats.notes) ctx.log('info', n);
  return {
    sweep_id: sweep.id, sets: sum.done, failed: sum.failed, skipped: tally.skipped, best_ordinal: sum.best?.ordinal ?? null, best_value: sum.best?.value ?? null,
    dsr: stats.dsr?.dsr ?? null, pbo: stats.pbo?.pbo ?? null,
  };
}

/**
 * The panel with the stored factors the sets read (factor_rank's `factor`, ctx.factor('…') in user
 * code: the union over every planned set), aligned to it, as the sweep's owner may see them — as a
 * backtest's executor loads them. The panel itself when none.
 */
async function withSweepFactors(deps: SweepExecutorDeps, ctx: RunContext, sweep: Sweep, strategy: SweepStrategy, code: SweepStrategyCode, panel: Panel): Promise<Panel> {
  const names = new Set<string>();
  for (const c of candidatesOf(sweep, strategy).list) for (const n of factorsOf({ ...sweep.spec, params: c.params }, code.kind === 'user' ? code : undefined)) names.add(n);
  if (!names.size) return panel;
  if (!deps.market) throw new RunError('factor_missing', 'this process has no market store to read stored factors from', { retryable: false });
  const { owner } = await runOwnerOf(deps.db, ctx.runId);
  if (!owner) throw new RunError('no_owner', 'a sweep reading factors runs as a user: the run has no owner', { retryable: false });
  const list = [...names].sort();
  const out = await withFactorFields(deps.db, deps.market, { userId: owner.id, username: owner.username, role: owner.role, via: 'token' } as Principal, panel, list).catch((err: unknown) => {
    if (err instanceof AppError) throw new RunError(err.code === 'not_found' ? 'factor_not_found' : 'factor_missing', err.message, { retryable: false });
    throw err;
  });
  ctx.log('info', `factors: ${list.join(', ')} loaded beside the panel`);
  return out;
}

async function runOne(sweepId: number, deps: SweepExecutorDeps, ctx: RunContext): Promise<unknown> {
  const sweep = await getSweep(deps.db, sweepId);
  if (!sweep) throw new RunError('not_found', `sweep ${sweepId} no longer exists (deleted)`, { retryable: false });
  const limits = deps.limits ?? backtestRunLimitsOf();
  const strategy = await strategyOfSweep(deps.db, sweep).catch((err) => {
    throw new RunError('strategy_missing', err instanceof Error ? err.message : String(err), { retryable: false });
  });
  let code: SweepStrategyCode = { kind: 'builtin', name: sweep.spec.strategy.name };
  if (strategy.ref.kind === 'user') {
    // The version the sweep recorded at submit, run in the sandbox with a backtest's bounds per set.
    const v = (await strategyVersionOf(deps.db, strategy.ref.versionId!))!;
    code = { kind: 'user', source: v.source, language: v.language, timeoutMs: limits.timeoutMs };
  }
  const plan = planBacktest(sweep.spec, code.kind === 'user' ? code : undefined);
  const t0 = Date.now();
  const before = deps.panels.stats().hits;
  const { panel } = await deps.panels.get(plan.panelKey);
  const warm = deps.panels.stats().hits > before;
  ctx.log('info', `panel: ${panel.codes.length} stocks × ${panel.dates.length} days (${warm ? 'warm, from memory' : 'loaded from DuckDB'} in ${Date.now() - t0} ms)`);
  if (panel.codes.length === 0 || panel.dates.length === 0) {
    throw new RunError('no_data', `no market data for this universe between ${isoDay(sweep.spec.startDate)} and ${isoDay(sweep.spec.endDate)}; sync data first or widen the range`, { retryable: false });
  }
  ctx.signal.throwIfAborted();
  // First progress as soon as the panel is in memory (0 sets of those planned); planning and the threads' start follow.
  ctx.progress({ processed: 0, total: sweep.plannedSets, current: `0/${sweep.plannedSets} sets; panel ready` });
  const benchmark: BenchmarkSeries | null = plan.benchmark ? await deps.panels.benchmark(plan.benchmark, panel) : null;
  const runPanel = await withSweepFactors(deps, ctx, sweep, strategy, code, panel);
  const pass: SweepPass = {
    deps, ctx, sweep, panel: runPanel, strategy,
    threads: deps.threads ?? Math.max(1, availableParallelism()),
    input: {
      panel: runPanel, benchmark, strategy: code, capital: sweep.spec.capital,
      config: { ...plan.config, maxOrders: limits.maxOrders, maxOrdersPerDay: limits.maxOrdersPerDay },
    },
  };
  if (code.kind === 'builtin') return sweep.kind === 'walk_forward' ? runWalkForward(pass) : runSweep(pass);
  // Defence in depth behind the sealed realm, as for a backtest: user code must leave the shared panel as it found it.
  deps.panels.seal(panel);
  const outcome = await (sweep.kind === 'walk_forward' ? runWalkForward(pass) : runSweep(pass)).then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
  if (!deps.panels.verify(panel)) {
    ctx.log('error', 'the cached panel changed during a user-code sweep: evicted; the sandbox let a write through (report this)');
    throw new RunError('panel_altered', 'the market data changed while the strategy ran, which the sandbox must prevent; the data was reloaded for later runs and this sweep failed', { retryable: false });
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** The `sweep` executor: runs a sweep or walk-forward the sweeps service queued. */
export const makeSweepExecutor = (deps: SweepExecutorDeps) => defineExecutor({
  name: sweepExecutorName,
  description: 'runs a parameter sweep or walk-forward (see /sweeps); queued by POST /api/v1/sweeps, not directly',
  params: z.object({ sweep_id: z.number().int().positive() }).strict(),
  kind: 'backtest',
  queueRole: 'admin',
  // A killed or lost attempt is retried: the sets it stored are kept and the rest run.
  defaults: { maxAttempts: 3 },
  run: (p, ctx) => runOne(p.sweep_id, deps, ctx),
});
