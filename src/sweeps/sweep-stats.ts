/**
 * The statistics stored with a finished sweep, from its sets' daily returns: the Deflated Sharpe
 * Ratio of the best set (overfitting.ts: its per-period returns against the per-period Sharpes of
 * every set that ran, N = their count) and the Probability of Backtest Overfitting (pbo.ts: CSCV over
 * the T × N returns matrix, S = 16 partitions, fewer — the largest even S with blocks of at least 2
 * days — when the period is short).
 */
import { deflatedSharpeOf, periodSharpe } from './overfitting.ts';
import { probabilityOfBacktestOverfitting } from './pbo.ts';
import type { SweepDsr, SweepPbo } from './sweep.types.ts';

/** Partitions S for T periods: 16, or the largest even S ≤ 16 with T ≥ 2S; null below S = 2. */
export function partitionsFor(periods: number): number | null {
  const s = Math.min(16, Math.floor(periods / 4) * 2);
  return s >= 2 ? s : null;
}

export function sweepStatistics(sets: readonly { ordinal: number; returns: Float64Array }[], bestOrdinal: number | null): { dsr: SweepDsr | null; pbo: SweepPbo | null; notes: string[] } {
  const notes: string[] = [];
  let dsr: SweepDsr | null = null;
  let pbo: SweepPbo | null = null;
  const best = bestOrdinal === null ? undefined : sets.find((s) => s.ordinal === bestOrdinal);
  if (best && best.returns.length > 2) {
    const d = deflatedSharpeOf(best.returns, sets.map((s) => periodSharpe(s.returns)));
    if (Number.isFinite(d.dsr)) {
      dsr = { dsr: d.dsr, trials: d.trials, expectedMaxSharpe: d.expectedMaxSharpe, observedSharpe: d.sharpe, skewness: d.skewness, kurtosis: d.kurtosis, periods: d.observations };
    } else notes.push('DSR: undefined for this sweep (the best set’s returns have no variance, or fewer than two sets have a Sharpe ratio)');
  } else notes.push('DSR: no best set with returns to deflate');
  const t = sets.length ? sets[0].returns.length : 0;
  const same = sets.filter((s) => s.returns.length === t && s.returns.every(Number.isFinite));
  const s = partitionsFor(t);
  if (same.length < 2) notes.push(`PBO: needs at least 2 sets with returns, got ${same.length}`);
  else if (s === null) notes.push(`PBO: ${t} days are too few to partition`);
  else {
    const r = probabilityOfBacktestOverfitting(same.map((x) => x.returns), { partitions: s });
    pbo = { pbo: r.pbo, partitions: r.partitions, combinations: r.combinations, configurations: same.length, periods: t };
    if (s < 16) notes.push(`PBO: ${s} partitions instead of 16 (only ${t} days)`);
  }
  return { dsr, pbo, notes };
}
