/**
 * Cross-sectional ranking: one day's values across stocks, as strategies rank candidates (ctx.rank).
 * Unlike the indicators (indicators.ts) it keeps no state from day to day.
 */
import { tied } from './compare.ts';

/** Cross-sectional rank of `values`: 1 = smallest (or largest when `descending`), NaN stays NaN;
 * ties — values within the comparison tolerance of the first of their group (compare.ts: float
 * noise is not an order) — get the average of their ranks. Cold path (sorts indices). */
export function rank(values: ArrayLike<number>, descending = false): Float64Array {
  const n = values.length;
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (values[i] === values[i]) idx.push(i);
  idx.sort((a, b) => (descending ? values[b] - values[a] : values[a] - values[b]));
  const out = new Float64Array(n).fill(NaN);
  let r = 0;
  while (r < idx.length) {
    let e = r;
    while (e + 1 < idx.length && tied(values[idx[e + 1]], values[idx[r]])) e++;
    const avg = (r + e) / 2 + 1;
    for (let q = r; q <= e; q++) out[idx[q]] = avg;
    r = e + 1;
  }
  return out;
}
