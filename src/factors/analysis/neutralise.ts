/**
 * Neutralising one day's cross-section in place (the analysis options):
 * - industry-neutral: each value minus the mean of its industry that day (industries from the
 *   `stocks` table; a stock without one is its own group "unknown" with the others that lack one);
 * - size-neutral: the residual of the cross-sectional OLS of the value on log market cap with an
 *   intercept, x − a − b·s;
 * - both: the residual of one OLS on industry dummies and log market cap together, computed as
 *   Frisch–Waugh–Lovell gives it: both x and s demeaned within industry, then x̃ − b·s̃ with
 *   b = Σx̃s̃ / Σs̃² (no intercept: the industry means absorb it).
 * When log market cap does not vary (b undefined), b = 0. `x[j]` and `s[j]` belong to `codes[j]`.
 */
export interface Neutraliser {
  /** Neutralises `x[0..m)` in place; `group[j]` is stock j's industry (0…groups−1), `s` its log market cap. */
  apply(x: Float64Array, m: number, group: Int32Array | null, s: Float64Array | null): void;
}

export function makeNeutraliser(capacity: number, groups: number): Neutraliser {
  const sum = new Float64Array(groups);
  const sumS = new Float64Array(groups);
  const count = new Int32Array(groups);
  const sDemeaned = new Float64Array(capacity);

  function apply(x: Float64Array, m: number, group: Int32Array | null, s: Float64Array | null): void {
    if (m === 0) return;
    let sv: Float64Array | null = s;
    if (group) {
      sum.fill(0);
      sumS.fill(0);
      count.fill(0);
      for (let j = 0; j < m; j++) {
        const g = group[j];
        sum[g] += x[j];
        count[g]++;
        if (s) sumS[g] += s[j];
      }
      for (let g = 0; g < groups; g++) {
        if (count[g] > 0) {
          sum[g] /= count[g];
          sumS[g] /= count[g];
        }
      }
      for (let j = 0; j < m; j++) x[j] -= sum[group[j]];
      if (s) {
        for (let j = 0; j < m; j++) sDemeaned[j] = s[j] - sumS[group[j]];
        sv = sDemeaned;
      }
    }
    if (!sv) return;
    // OLS with an intercept on what is left (after industry demeaning both means are 0 already, so
    // centring again changes nothing): b = Σ(x−x̄)(s−s̄) / Σ(s−s̄)².
    let mx = 0;
    let ms = 0;
    for (let j = 0; j < m; j++) {
      mx += x[j];
      ms += sv[j];
    }
    mx /= m;
    ms /= m;
    let sxs = 0;
    let sss = 0;
    for (let j = 0; j < m; j++) {
      const ds = sv[j] - ms;
      sxs += (x[j] - mx) * ds;
      sss += ds * ds;
    }
    const b = sss > 0 ? sxs / sss : 0;
    for (let j = 0; j < m; j++) x[j] = x[j] - mx - b * (sv[j] - ms);
  }

  return { apply };
}
