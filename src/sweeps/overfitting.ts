/**
 * How likely is the best Sharpe ratio of a sweep luck? The Probabilistic and Deflated Sharpe
 * Ratios of Bailey and López de Prado, on per-period returns. (The Probability of Backtest
 * Overfitting, by combinatorially symmetric cross-validation, is in pbo.ts.)
 *
 * Sharpe ratios here are per period (not annualised) unless a name says otherwise: the
 * formulas below are in the units of the T observations. The Sharpe ratio itself is the one of
 * src/engine/metrics/metrics.ts (mean / sample standard deviation, risk-free rate 0, annualised by
 * √252 for display), reused, not rewritten.
 *
 * References:
 * - [BLdP12] D. H. Bailey and M. López de Prado, "The Sharpe Ratio Efficient Frontier", Journal of
 *   Risk 15(2), 2012: the Probabilistic Sharpe Ratio.
 * - [BLdP14] D. H. Bailey and M. López de Prado, "The Deflated Sharpe Ratio: Correcting for
 *   Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management
 *   40(5), 2014, pp. 94–107: the expected maximum Sharpe of N trials and the DSR.
 */
import { mean, sharpe } from '../engine/metrics/metrics.ts';
import { normalCdf, normalQuantile } from './normal.ts';

/** Trading days per year, as in src/engine/metrics/metrics.ts. */
export const PERIODS_PER_YEAR = 252;

/** The Euler–Mascheroni constant γ. */
export const EULER_GAMMA = 0.5772156649015329;

/** Per-period Sharpe ratio mean(r) / std(r) (sample std, rf = 0): metrics.ts's sharpe with P = 1. NaN when std is 0. */
export function periodSharpe(returns: ArrayLike<number>): number {
  return sharpe(returns, 0, 1);
}

/** Annualised Sharpe ratio, exactly metrics.ts's (what a backtest's result reports): per-period × √P. */
export function annualizedSharpe(returns: ArrayLike<number>, periodsPerYear: number = PERIODS_PER_YEAR): number {
  return sharpe(returns, 0, periodsPerYear);
}

/**
 * Skewness γ3 = m3 / m2^{3/2} and kurtosis γ4 = m4 / m2² (not excess: 3 for a normal), with the
 * central moments m_k = Σ (r − r̄)^k / T, the moment estimators [BLdP14] plugs in. NaN when m2 = 0.
 */
export function moments(returns: ArrayLike<number>): { skewness: number; kurtosis: number } {
  const n = returns.length;
  const mu = mean(returns);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i] - mu;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return m2 > 0 ? { skewness: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) } : { skewness: NaN, kurtosis: NaN };
}

export interface SharpeSample {
  /** Observed per-period Sharpe ratio SR^. */
  sharpe: number;
  /** Number of return observations T. */
  observations: number;
  /** Skewness γ3 of the returns. */
  skewness: number;
  /** Kurtosis γ4 of the returns (3 for normal, not excess). */
  kurtosis: number;
}

/**
 * Probabilistic Sharpe Ratio [BLdP12, eq. 9; BLdP14, eq. 2]: the probability that the true Sharpe
 * ratio exceeds a benchmark SR*, given the observed SR^ over T observations with skewness γ3 and
 * kurtosis γ4 (the estimator's standard error under non-normal returns, Mertens 2002):
 *
 *   PSR(SR*) = Φ( (SR^ − SR*) · √(T − 1) / √(1 − γ3·SR^ + (γ4 − 1)/4 · SR^²) )
 */
export function probabilisticSharpe(sample: SharpeSample, benchmarkSharpe: number): number {
  const { sharpe: sr, observations: t, skewness: g3, kurtosis: g4 } = sample;
  const variance = 1 - g3 * sr + ((g4 - 1) / 4) * sr * sr;
  if (!(t > 1) || !(variance > 0)) return NaN;
  return normalCdf(((sr - benchmarkSharpe) * Math.sqrt(t - 1)) / Math.sqrt(variance));
}

/**
 * Expected maximum Sharpe ratio of N independent trials whose true Sharpe is 0 and whose estimates
 * have variance V[SR] across trials [BLdP14, eq. 5; from the False Strategy theorem of Bailey,
 * Borwein, López de Prado and Zhu, 2014]:
 *
 *   SR0 = √V[SR] · ( (1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)) ),   γ = Euler–Mascheroni
 *
 * With one trial there is no selection: 0.
 */
export function expectedMaxSharpe(trials: number, sharpeVariance: number): number {
  if (!(trials >= 1) || !(sharpeVariance >= 0)) return NaN;
  if (trials === 1) return 0;
  const z = (1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E));
  return Math.sqrt(sharpeVariance) * z;
}

export interface DeflatedSharpe {
  /** DSR = PSR(SR0): the probability that the selected strategy's true Sharpe is above what selection alone would give. */
  dsr: number;
  /** The benchmark: expected maximum per-period Sharpe of the trials under the null. */
  expectedMaxSharpe: number;
  sharpe: number;
  trials: number;
  sharpeVariance: number;
  observations: number;
  skewness: number;
  kurtosis: number;
}

/**
 * Deflated Sharpe Ratio [BLdP14, eq. 6]: the PSR of the selected strategy with the benchmark set to
 * the expected maximum Sharpe of `trials` trials of variance `sharpeVariance` (per-period units).
 *
 * Worked example of the paper (its numerical example; daily returns, 250 a year): N = 100 trials,
 * V[SR] = 1/2 annualised (1/500 per day), SR^ = 2.5 annualised over T = 1,250 days with γ3 = −3,
 * γ4 = 10 → SR0 ≈ 0.1132 per day, DSR ≈ 0.9004 (test/sweeps/overfitting.test.ts).
 */
export function deflatedSharpe(sample: SharpeSample & { trials: number; sharpeVariance: number }): DeflatedSharpe {
  const sr0 = expectedMaxSharpe(sample.trials, sample.sharpeVariance);
  return {
    dsr: probabilisticSharpe(sample, sr0),
    expectedMaxSharpe: sr0,
    sharpe: sample.sharpe,
    trials: sample.trials,
    sharpeVariance: sample.sharpeVariance,
    observations: sample.observations,
    skewness: sample.skewness,
    kurtosis: sample.kurtosis,
  };
}

/**
 * The DSR of a sweep's selected set from data: its per-period returns, and the per-period Sharpe
 * ratios of every trial of the sweep (the selected one included; their count is N and their sample
 * variance V[SR]). Non-finite trial Sharpes (a set that never traded) are left out of N and V.
 */
export function deflatedSharpeOf(selectedReturns: ArrayLike<number>, trialSharpes: ArrayLike<number>): DeflatedSharpe {
  const finite: number[] = [];
  for (let i = 0; i < trialSharpes.length; i++) if (Number.isFinite(trialSharpes[i])) finite.push(trialSharpes[i]);
  const mu = mean(finite);
  let ss = 0;
  for (const s of finite) ss += (s - mu) ** 2;
  const variance = finite.length > 1 ? ss / (finite.length - 1) : 0;
  const { skewness, kurtosis } = moments(selectedReturns);
  return deflatedSharpe({
    sharpe: periodSharpe(selectedReturns),
    observations: selectedReturns.length,
    skewness,
    kurtosis,
    trials: finite.length,
    sharpeVariance: variance,
  });
}
