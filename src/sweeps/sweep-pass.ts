/**
 * One pass of a sweep over parameter sets, shared by sweeps and walk-forwards: the plan's candidates,
 * running sets on the thread pool while storing them in batches, and the progress they report.
 */
import type { Kysely } from 'kysely';
import type { MarketStore } from '../market/duckdb.ts';
import type { Database } from '../db/schema.ts';
import type { PanelCache } from '../backtests/panel-cache.ts';
import type { BacktestRunLimits } from '../backtests/backtest.executor.ts';
import type { RunContext } from '../runs/executor-registry.ts';
import type { Panel } from '../engine/panel.ts';
import { modeOf, planOf } from './sweeps.service.ts';
import type { SweepStrategy } from './sweep-strategy.service.ts';
import { storeSets, type SetOutcome } from './sweep-sets.service.ts';
import { LOCKSTEP_MAX, runSetsOnThreads, startFedPool, type PoolOptions } from './sweep-pool.ts';
import type { SweepThreadInput, SweepThreadSet, SweepThreadSetResult } from './sweep.thread.ts';
import type { Sweep } from './sweep.types.ts';
import type { Candidate } from './sampling.ts';
import type { SetSpread } from './set-spread.ts';

export interface SweepExecutorDeps {
  db: Kysely<Database>;
  panels: PanelCache;
  limits?: BacktestRunLimits;
  /** Threads per sweep; default every core (the main thread mostly waits while they run). */
  threads?: number;
  /** The market store the panel came from: stored factors a strategy reads (factor_rank, ctx.factor) load from here beside the panel. */
  market?: MarketStore;
  /** Set when the sweep is spread over several processes (sweep-spread.service.ts): sets run in the batches this run claims. */
  spread?: SetSpread;
}

/** What one pass over sets needs: the panel, the shared input of the threads, and reporting. */
export interface SweepPass {
  deps: SweepExecutorDeps;
  ctx: RunContext;
  sweep: Sweep;
  panel: Panel;
  input: Omit<SweepThreadInput, 'sets' | 'counter'>;
  threads: number;
  /** The strategy's schema and check (the plan's). */
  strategy: SweepStrategy;
  /** Sets per lockstep batch, when not the pool's default (a walk-forward's: one window's sets). */
  batch?: number;
}

/** The plan's valid candidates, all of them (at most SWEEP_MAX_SETS), with the final tally. */
export function candidatesOf(s: Sweep, strategy: Pick<SweepStrategy, 'schema' | 'check'>) {
  // The maximum was enforced at submit; a retry must plan the same sets whatever planned_sets says now (the valid count, once a run started).
  const { plan } = planOf(strategy, s.space, modeOf(s.mode, s.budget, s.seed), s.spec.params, Number.MAX_SAFE_INTEGER);
  const list: Candidate[] = [];
  const it = plan.candidates();
  for (let r = it.next(); ; r = it.next()) {
    if (r.done) return { list, tally: r.value, planned: plan.maxCandidates };
    list.push(r.value);
  }
}

/**
 * Runs sets on the pool, storing each batch as it completes (at most every 250 ms, or 64 sets);
 * `onResult` sees every result first (for progress, or a walk-forward's out-of-sample curves).
 */
export async function runAndStore(pass: SweepPass, sets: SweepThreadSet[], onResult: (r: SweepThreadSetResult) => void, store = true): Promise<void> {
  const spread = pass.deps.spread;
  if (spread && store) return runAndStoreAll(pass, sets, onResult, store, spread);
  return runAndStoreAll(pass, sets, onResult, store);
}

async function runAndStoreAll(pass: SweepPass, sets: SweepThreadSet[], onResult: (r: SweepThreadSetResult) => void, store: boolean, spread?: SetSpread): Promise<void> {
  const { deps, ctx, sweep } = pass;
  const byOrdinal = new Map(sets.map((s) => [s.ordinal, s]));
  let pending: SetOutcome[] = [];
  let writing: Promise<void> = Promise.resolve();
  let lastFlush = Date.now();
  const flush = () => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    lastFlush = Date.now();
    writing = writing.then(() => storeSets(deps.db, sweep.id, batch));
  };
  const pool: PoolOptions = {
    threads: pass.threads,
    batch: pass.batch,
    signal: ctx.signal,
    onLog: (level, message) => ctx.log(level, message),
    onSet: (r) => {
      onResult(r);
      if (!store) return;
      const s = byOrdinal.get(r.ordinal)!;
      pending.push({ ordinal: r.ordinal, windowIndex: s.windowIndex, gridIndex: s.gridIndex, params: s.params, metrics: r.metrics, metricsJson: r.metricsJson, error: r.error, returns: r.returns });
      if (pending.length >= 64 || Date.now() - lastFlush >= 250) flush();
    },
  };
  try {
    if (spread) {
      // Spread over processes: the threads stay up for the whole pass and take each claim as it comes,
      // a full lockstep batch per thread (built-ins) or a set per thread (user code, one at a time anyway).
      const batch = pass.batch ?? (pass.input.strategy.kind === 'builtin' ? LOCKSTEP_MAX : 1);
      const threads = Math.max(1, Math.min(pass.threads, sets.length));
      const fed = startFedPool(pass.input, sets, { ...pool, batch, threads });
      let failed = false;
      try {
        // A claim's results are written while the threads run the next claim; it is marked done once they are stored
        // (another process counts stored sets).
        await spread.run(sets, { claimSize: batch * threads, run: async (b) => { await fed.run(b); flush(); return { stored: writing }; } }, ctx.signal);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        await fed.close().catch((err) => {
          if (!failed && !ctx.signal.aborted) throw err;
        });
      }
    } else {
      await runSetsOnThreads(pass.input, sets, pool);
    }
  } finally {
    // Whatever finished is kept, also when the run was cancelled or paused: written before the run ends.
    flush();
    await writing;
  }
}

/** Progress reporting of a pass: sets done of total, the best so far, pace. */
export function makeProgress(ctx: RunContext, sweep: Sweep, total: number, doneBefore: number, bestBefore: { value: number; ordinal: number } | null) {
  let done = doneBefore;
  let best = bestBefore;
  const objective = sweep.objective;
  const report = () => {
    const b = best ? `best ${objective} ${best.value.toFixed(4)} (set ${best.ordinal})` : 'no result yet';
    ctx.progress({ processed: done, total, current: `${done}/${total} sets; ${b}` });
  };
  return {
    report,
    add(r: SweepThreadSetResult) {
      done++;
      const v = r.metrics?.[objective];
      if (v !== null && v !== undefined && Number.isFinite(v) && (!best || v > best.value || (v === best.value && r.ordinal < best.ordinal))) best = { value: v, ordinal: r.ordinal };
      report();
    },
    get done() {
      return done;
    },
  };
}

