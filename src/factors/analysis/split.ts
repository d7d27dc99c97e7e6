/**
 * Splitting an analysis's days between threads and joining their series: the daily pass depends on
 * one day at a time, except turnover, which compares a day's quantiles with the previous day's. So
 * every part but the first starts one day early, and that day — which the part before it covers —
 * is dropped when the parts are joined; the joined series equal one pass over all the days.
 */
import type { AnalysisSeries } from './analyse.ts';

/** `parts` ranges [from, to] covering from…to in order; each range but the first starts one day early (its `skip` day). */
export function splitDays(from: number, to: number, parts: number): Array<{ from: number; to: number; skip: number }> {
  const T = to - from + 1;
  const n = Math.max(1, Math.min(parts, Math.floor(T / 100) || 1));
  const out: Array<{ from: number; to: number; skip: number }> = [];
  for (let k = 0; k < n; k++) {
    const a = from + Math.floor((k * T) / n);
    const b = from + Math.floor(((k + 1) * T) / n) - 1;
    out.push(k === 0 ? { from: a, to: b, skip: 0 } : { from: a - 1, to: b, skip: 1 });
  }
  return out;
}

function join<A extends Float64Array | Int32Array>(arrays: A[], skips: number[]): A {
  const C = arrays[0].constructor as { new (n: number): A };
  const out = new C(arrays.reduce((n, a, k) => n + a.length - skips[k], 0));
  let at = 0;
  arrays.forEach((a, k) => {
    out.set(a.subarray(skips[k]) as never, at);
    at += a.length - skips[k];
  });
  return out;
}

/** The parts' series joined, each part's `skip` leading days dropped. */
export function joinSeries(parts: AnalysisSeries[], skips: number[]): AnalysisSeries {
  const first = parts[0];
  const H = first.horizons.length;
  const Q = first.quantiles;
  const each = <A extends Float64Array | Int32Array>(get: (s: AnalysisSeries) => A) => join(parts.map(get), skips);
  return {
    dates: each((s) => s.dates), horizons: first.horizons, quantiles: Q,
    universe: each((s) => s.universe), names: each((s) => s.names), tradable: each((s) => s.tradable),
    ic: Array.from({ length: H }, (_, h) => each((s) => s.ic[h])),
    rankIc: Array.from({ length: H }, (_, h) => each((s) => s.rankIc[h])),
    pairs: Array.from({ length: H }, (_, h) => each((s) => s.pairs[h])),
    quantileReturns: Array.from({ length: H }, (_, h) => Array.from({ length: Q }, (_, q) => each((s) => s.quantileReturns[h][q]))),
    quantileCounts: Array.from({ length: Q }, (_, q) => each((s) => s.quantileCounts[q])),
    turnover: Array.from({ length: Q }, (_, q) => each((s) => s.turnover[q])),
  };
}
