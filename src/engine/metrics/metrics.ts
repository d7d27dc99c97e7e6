/**
 * Performance metrics as pure functions over a value series. Every formula is written here once.
 *
 * Series: points 0..m with values V_0..V_m (V_0 the starting value) and period returns
 * r_j = V_j / V_{j−1} − 1, j = 1..m. P = periods per year (default 252 trading days); R = annual
 * risk-free rate (default 0), per period rf = R / P. Means are arithmetic; standard deviations are
 * sample (m − 1 divisor). Undefined values (a zero denominator, too few points) are null.
 *
 * - total return            V_m / V_0 − 1
 * - annualized return       (1 + total)^(P/m) − 1  (geometric, m periods)
 * - volatility              std(r) · √P
 * - Sharpe                  (mean(r) − rf) / std(r) · √P
 * - Sortino                 (mean(r) − rf) / DD · √P, DD = √( Σ min(0, r_j − rf)² / m )  (downside
 *                           deviation with the risk-free rate as target, over all m periods)
 * - max drawdown            min_j (V_j / max_{i≤j} V_i − 1), with the peak, trough and recovery
 *                           (first point after the trough back at the peak value) dates; duration in
 *                           periods from peak to recovery (to the end when not recovered); the
 *                           longest underwater stretch separately
 * - Calmar                  annualized return / |max drawdown|
 * With a benchmark B (its returns b_j):
 * - beta                    cov(r, b) / var(b)  (sample)
 * - alpha                   (mean(r) − rf − β(mean(b) − rf)) · P  (Jensen's alpha, annualized arithmetically)
 * - tracking error          std(r − b) · √P
 * - information ratio       mean(r − b) · P / tracking error
 * - benchmark return        total and annualized as above; excess = strategy − benchmark (both)
 * With trades (round trips): win rate = wins / trades (pnl > 0 wins); profit/loss ratio = mean win /
 * |mean loss|; profit factor = Σ wins / |Σ losses|; average holding days = mean of trading days held.
 * - turnover (annualized)   (traded value / 2) / mean(V) · P / m
 * - exposure                mean over days of market value / total value
 * Monthly and yearly returns compound r_j within each calendar month / year of the point's date.
 */

export interface MetricsOptions {
  periodsPerYear?: number;
  riskFreeRate?: number;
}

export interface SeriesInput extends MetricsOptions {
  /** YYYYMMDD per point; 0 for an undated starting point. */
  dates: ArrayLike<number>;
  /** Values per point (NAV, equity, or a cumulated index); point 0 is the start. */
  values: ArrayLike<number>;
  /** Benchmark level per point, same length (NaN-free). */
  benchmark?: ArrayLike<number> | null;
  trades?: readonly { pnl: number; holdingDays: number }[];
  /** Sum of the absolute value of all fills. */
  tradedValue?: number;
  /** Market value / total per point. */
  exposure?: ArrayLike<number>;
}

export interface Drawdown {
  maxDrawdown: number;
  peakDate: number | null;
  troughDate: number | null;
  recoveryDate: number | null;
  durationPeriods: number;
  longestUnderwaterPeriods: number;
}

export interface Metrics {
  periods: number;
  periodsPerYear: number;
  riskFreeRate: number;
  startDate: number | null;
  endDate: number | null;
  totalReturn: number | null;
  annualizedReturn: number | null;
  volatility: number | null;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  drawdown: Drawdown;
  benchmarkReturn: number | null;
  benchmarkAnnualizedReturn: number | null;
  excessReturn: number | null;
  annualizedExcessReturn: number | null;
  alpha: number | null;
  beta: number | null;
  trackingError: number | null;
  informationRatio: number | null;
  tradeCount: number;
  winRate: number | null;
  profitLossRatio: number | null;
  profitFactor: number | null;
  avgHoldingDays: number | null;
  turnover: number | null;
  exposure: number | null;
  monthly: { year: number; month: number; return: number }[];
  yearly: { year: number; return: number }[];
}

const nz = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function periodReturns(values: ArrayLike<number>): Float64Array {
  const m = Math.max(0, values.length - 1);
  const r = new Float64Array(m);
  for (let j = 1; j <= m; j++) r[j - 1] = values[j] / values[j - 1] - 1;
  return r;
}

export function mean(x: ArrayLike<number>): number {
  if (x.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample standard deviation (n − 1). */
export function sampleStd(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  const mu = mean(x);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mu) ** 2;
  return Math.sqrt(ss / (n - 1));
}

export function sampleCov(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  const mx = mean(x);
  const my = mean(y);
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - mx) * (y[i] - my);
  return s / (n - 1);
}

export function totalReturn(values: ArrayLike<number>): number {
  return values.length < 2 ? NaN : values[values.length - 1] / values[0] - 1;
}

export function annualize(total: number, periods: number, periodsPerYear: number): number {
  return periods > 0 ? (1 + total) ** (periodsPerYear / periods) - 1 : NaN;
}

export function sharpe(r: ArrayLike<number>, rfPerPeriod: number, periodsPerYear: number): number {
  const s = sampleStd(r);
  return s > 0 ? ((mean(r) - rfPerPeriod) / s) * Math.sqrt(periodsPerYear) : NaN;
}

export function sortino(r: ArrayLike<number>, rfPerPeriod: number, periodsPerYear: number): number {
  let ss = 0;
  for (let i = 0; i < r.length; i++) {
    const d = Math.min(0, r[i] - rfPerPeriod);
    ss += d * d;
  }
  const dd = Math.sqrt(ss / r.length);
  return dd > 0 ? ((mean(r) - rfPerPeriod) / dd) * Math.sqrt(periodsPerYear) : NaN;
}

export function drawdown(dates: ArrayLike<number>, values: ArrayLike<number>): Drawdown {
  let peakIdx = 0;
  let maxDd = 0;
  let ddPeak = -1;
  let ddTrough = -1;
  let underwaterStart = -1;
  let longest = 0;
  for (let j = 0; j < values.length; j++) {
    if (values[j] >= values[peakIdx]) {
      if (underwaterStart >= 0) longest = Math.max(longest, j - underwaterStart);
      underwaterStart = -1;
      peakIdx = j;
      continue;
    }
    if (underwaterStart < 0) underwaterStart = peakIdx;
    const dd = values[j] / values[peakIdx] - 1;
    if (dd < maxDd) {
      maxDd = dd;
      ddPeak = peakIdx;
      ddTrough = j;
    }
  }
  if (underwaterStart >= 0) longest = Math.max(longest, values.length - 1 - underwaterStart);
  let recovery = -1;
  if (ddTrough >= 0) {
    for (let j = ddTrough + 1; j < values.length; j++) {
      if (values[j] >= values[ddPeak]) {
        recovery = j;
        break;
      }
    }
  }
  const date = (j: number) => (j >= 0 && dates[j] ? dates[j] : null);
  return {
    maxDrawdown: maxDd,
    peakDate: date(ddPeak),
    troughDate: date(ddTrough),
    recoveryDate: date(recovery),
    durationPeriods: ddPeak < 0 ? 0 : (recovery >= 0 ? recovery : values.length - 1) - ddPeak,
    longestUnderwaterPeriods: longest,
  };
}

/** Compounded returns per calendar month and year (by the date of each period's end point). */
export function returnTables(dates: ArrayLike<number>, values: ArrayLike<number>) {
  const monthly: { year: number; month: number; return: number }[] = [];
  const yearly: { year: number; return: number }[] = [];
  for (let j = 1; j < values.length; j++) {
    const r = values[j] / values[j - 1] - 1;
    const year = Math.floor(dates[j] / 10000);
    const month = Math.floor(dates[j] / 100) % 100;
    const lm = monthly[monthly.length - 1];
    if (lm && lm.year === year && lm.month === month) lm.return = (1 + lm.return) * (1 + r) - 1;
    else monthly.push({ year, month, return: r });
    const ly = yearly[yearly.length - 1];
    if (ly && ly.year === year) ly.return = (1 + ly.return) * (1 + r) - 1;
    else yearly.push({ year, return: r });
  }
  return { monthly, yearly };
}

export function computeMetrics(input: SeriesInput): Metrics {
  const P = input.periodsPerYear ?? 252;
  const R = input.riskFreeRate ?? 0;
  const rf = R / P;
  const v = input.values;
  const m = Math.max(0, v.length - 1);
  const r = periodReturns(v);
  const total = totalReturn(v);
  const ann = annualize(total, m, P);
  const dd = drawdown(input.dates, v);
  const out: Metrics = {
    periods: m,
    periodsPerYear: P,
    riskFreeRate: R,
    startDate: input.dates.length ? input.dates[0] || (input.dates.length > 1 ? input.dates[1] : null) : null,
    endDate: input.dates.length ? input.dates[input.dates.length - 1] : null,
    totalReturn: nz(total),
    annualizedReturn: nz(ann),
    volatility: nz(sampleStd(r) * Math.sqrt(P)),
    sharpe: nz(sharpe(r, rf, P)),
    sortino: nz(sortino(r, rf, P)),
    calmar: dd.maxDrawdown < 0 ? nz(ann / -dd.maxDrawdown) : null,
    drawdown: dd,
    benchmarkReturn: null,
    benchmarkAnnualizedReturn: null,
    excessReturn: null,
    annualizedExcessReturn: null,
    alpha: null,
    beta: null,
    trackingError: null,
    informationRatio: null,
    tradeCount: input.trades?.length ?? 0,
    winRate: null,
    profitLossRatio: null,
    profitFactor: null,
    avgHoldingDays: null,
    turnover: null,
    exposure: null,
    ...returnTables(input.dates, v),
  };
  const b = input.benchmark;
  if (b && b.length === v.length && m > 0) {
    const br = periodReturns(b);
    const bt = totalReturn(b);
    const bAnn = annualize(bt, m, P);
    const beta = sampleCov(r, br) / sampleCov(br, br);
    const diff = new Float64Array(m);
    for (let j = 0; j < m; j++) diff[j] = r[j] - br[j];
    const te = sampleStd(diff) * Math.sqrt(P);
    out.benchmarkReturn = nz(bt);
    out.benchmarkAnnualizedReturn = nz(bAnn);
    out.excessReturn = nz(total - bt);
    out.annualizedExcessReturn = nz(ann - bAnn);
    out.beta = nz(beta);
    out.alpha = nz((mean(r) - rf - beta * (mean(br) - rf)) * P);
    out.trackingError = nz(te);
    out.informationRatio = te > 0 ? nz((mean(diff) * P) / te) : null;
  }
  const trades = input.trades;
  if (trades && trades.length) {
    let wins = 0;
    let winSum = 0;
    let lossSum = 0;
    let losses = 0;
    let hold = 0;
    for (const t of trades) {
      if (t.pnl > 0) {
        wins++;
        winSum += t.pnl;
      } else if (t.pnl < 0) {
        losses++;
        lossSum += t.pnl;
      }
      hold += t.holdingDays;
    }
    out.winRate = wins / trades.length;
    out.profitLossRatio = wins && losses ? nz(winSum / wins / (-lossSum / losses)) : null;
    out.profitFactor = losses ? nz(winSum / -lossSum) : null;
    out.avgHoldingDays = hold / trades.length;
  }
  if (input.tradedValue !== undefined && m > 0) out.turnover = nz((input.tradedValue / 2 / mean(v)) * (P / m));
  if (input.exposure && input.exposure.length) out.exposure = nz(mean(input.exposure));
  return out;
}
