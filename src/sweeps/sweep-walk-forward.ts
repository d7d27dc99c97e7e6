/**
 * A walk-forward run (walk-forward.ts windows over the trading days of the spec's period): every
 * window's in-sample optimisation runs the sweep's sets on its in-sample range (all windows' sets in
 * one pass over the thread pool, stored with their window; ordinal = window × sets + the set's
 * ordinal, so a resumed attempt skips what it stored), then each window's winner by the objective
 * runs on its out-of-sample range, and those segments are chained (chainSegments) into one curve
 * with its metrics, stored beside the in-sample metrics and the chosen params per window. The
 * out-of-sample runs (one per window) are not stored as sets: a resumed attempt runs them again.
 */
import { computeMetrics } from '../engine/metrics/metrics.ts';
import { RunError } from '../runs/executor-registry.ts';
import { SweepInputError } from './errors.ts';
import { chainSegments, walkForwardWindows } from './walk-forward.ts';
import { bestOfWindow, finishSweep, findSweepSet, refreshCounts, storedOrdinals } from './sweep-sets.service.ts';
import { candidatesOf, makeProgress, runAndStore, type SweepPass } from './sweep-pass.ts';
import { setMetricsOf } from './set-metrics.ts';
import type { SweepThreadSet, SweepThreadSetResult } from './sweep.thread.ts';
import type { WalkForwardResult, WalkForwardWindowResult } from './sweep.types.ts';

export async function runWalkForward(pass: SweepPass): Promise<unknown> {
  const { deps, ctx, sweep, panel } = pass;
  const spec = sweep.spec;
  const w = sweep.windows!;
  const days: number[] = [];
  for (let d = 0; d < panel.dates.length; d++) if (panel.dates[d] >= spec.startDate && panel.dates[d] <= spec.endDate) days.push(panel.dates[d]);
  let plan: ReturnType<typeof walkForwardWindows>;
  try {
    plan = walkForwardWindows(days.length, { kind: w.kind, inSampleDays: w.inSampleDays, outOfSampleDays: w.outOfSampleDays, stepDays: w.stepDays });
  } catch (err) {
    if (err instanceof SweepInputError) throw new RunError('invalid_windows', `windows: ${err.message}`, { retryable: false });
    throw err;
  }
  const windows = plan.windows;
  const { list, tally } = candidatesOf(sweep, pass.strategy);
  const m = list.length;
  const stored = new Set(await storedOrdinals(deps.db, sweep.id));
  await refreshCounts(deps.db, sweep.id, sweep.objective, { skipped: tally.skipped + tally.duplicates, skipReasons: tally.skipReasons, plannedSets: m, allWindows: true });
  const inSample: SweepThreadSet[] = [];
  for (const win of windows) {
    for (const c of list) {
      const ordinal = win.index * m + c.ordinal;
      if (!stored.has(ordinal)) inSample.push({ ordinal, windowIndex: win.index, gridIndex: c.gridIndex, params: c.params, startDate: days[win.isStart], endDate: days[win.isEnd] });
    }
  }
  const total = m * windows.length + windows.length;
  ctx.log('info', `${windows.length} ${w.kind} windows (${w.inSampleDays} in-sample, ${w.outOfSampleDays} out-of-sample, step ${w.stepDays} trading days) × ${m} sets; ${stored.size} stored already`);
  const progress = makeProgress(ctx, sweep, total, stored.size, null);
  progress.report();
  // One window's sets share a simulated range and, in lockstep, the indicator feed from day 0 to its end:
  // a batch per window (at most 64 sets) feeds each window's days once instead of once per 16 sets.
  await runAndStore({ ...pass, batch: Math.max(1, Math.min(64, m)) }, inSample, (r) => progress.add(r));
  ctx.signal.throwIfAborted();

  // Each window's winner, then its out-of-sample run.
  const winners = await Promise.all(windows.map((win) => bestOfWindow(deps.db, sweep.id, sweep.objective, win.index)));
  const outOfSample: SweepThreadSet[] = [];
  windows.forEach((win, i) => {
    const best = winners[i];
    if (best) {
      const params = (typeof best.params === 'string' ? JSON.parse(best.params) : best.params) as Record<string, unknown>;
      outOfSample.push({ ordinal: -(win.index + 1), windowIndex: win.index, gridIndex: -1, params, startDate: days[win.oosStart], endDate: days[win.oosEnd], keepNav: true });
    }
  });
  const oos = new Map<number, SweepThreadSetResult>();
  await runAndStore(pass, outOfSample, (r) => {
    oos.set(-r.ordinal - 1, r);
    progress.add({ ...r, metrics: null });
  }, false);
  ctx.signal.throwIfAborted();

  const results: WalkForwardWindowResult[] = [];
  const segments: { dates: Int32Array; values: Float64Array }[] = [];
  for (const [i, win] of windows.entries()) {
    const best = winners[i];
    const isSet = best ? await findSweepSet(deps.db, sweep.id, best.ordinal) : null;
    const o = oos.get(win.index);
    if (o?.nav) segments.push(o.nav);
    results.push({
      index: win.index, isStart: days[win.isStart], isEnd: days[win.isEnd], oosStart: days[win.oosStart], oosEnd: days[win.oosEnd],
      params: isSet?.params ?? null, inSample: isSet?.metrics ?? null, outOfSample: o?.metrics ?? null,
    });
  }
  const curve = chainSegments(segments);
  const metrics = segments.length ? computeMetrics({ dates: curve.dates, values: curve.values }) : null;
  const walkForward: WalkForwardResult = {
    windows: results,
    curve: { dates: curve.dates, values: Array.from(curve.values) },
    metrics: metrics ? setMetricsOf(metrics, spec.capital * curve.values[curve.values.length - 1]) : null,
  };
  const notes = [
    ...(plan.contiguous ? [] : [`step ${w.stepDays} > out-of-sample ${w.outOfSampleDays} days: the chained curve skips the days between segments`]),
    ...(plan.unusedTailDays ? [`${plan.unusedTailDays} trading days after the last window are not used`] : []),
  ];
  await refreshCounts(deps.db, sweep.id, sweep.objective, { allWindows: true });
  await finishSweep(deps.db, sweep.id, { walkForward, notes, dsr: null, pbo: null });
  return { sweep_id: sweep.id, windows: windows.length, sets_per_window: m, oos_total_return: walkForward.metrics?.total_return ?? null, oos_sharpe: walkForward.metrics?.sharpe ?? null };
}
