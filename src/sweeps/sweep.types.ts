/**
 * A sweep as services, routes, the executor and views see it (camelCase). Apart from the service so
 * the contract and views can name it without importing the service (no import cycles).
 */
import type { BacktestSpec } from '../backtests/backtest-request.ts';
import type { RunErrorInfo, RunProgress, RunStatus } from '../runs/run.types.ts';
import type { SpaceSpec } from './space.ts';

export type SweepKind = 'sweep' | 'walk_forward';
export type SweepModeName = 'grid' | 'random' | 'lhs';

/** Metrics a sweep can optimise; every one is "higher is better" (max_drawdown is ≤ 0). */
export const sweepObjectives = ['sharpe', 'total_return', 'annualized_return', 'sortino', 'calmar', 'max_drawdown', 'excess_return'] as const;
export type SweepObjective = (typeof sweepObjectives)[number];

/** Metrics stored per set (columns of sweep_sets): sortable, filterable, drawable. */
export const setMetricNames = [
  'total_return', 'annualized_return', 'sharpe', 'sortino', 'calmar', 'max_drawdown', 'volatility', 'excess_return', 'win_rate', 'final_value', 'trade_count',
] as const;
export type SetMetricName = (typeof setMetricNames)[number];

/** Walk-forward windows in trading days (walk-forward.ts). */
export interface WalkForwardSpec {
  kind: 'rolling' | 'anchored';
  inSampleDays: number;
  outOfSampleDays: number;
  stepDays: number;
}

export type SetMetrics = Record<SetMetricName, number | null>;

export interface SweepSet {
  ordinal: number;
  windowIndex: number | null;
  gridIndex: number;
  params: Record<string, unknown>;
  status: 'succeeded' | 'failed';
  error: string | null;
  metrics: SetMetrics;
}

/** The Deflated Sharpe Ratio of the best set (overfitting.ts), annualised Sharpes as stored. */
export interface SweepDsr {
  dsr: number;
  trials: number;
  expectedMaxSharpe: number;
  observedSharpe: number;
  skewness: number;
  kurtosis: number;
  periods: number;
}

/** The Probability of Backtest Overfitting by CSCV (pbo.ts). */
export interface SweepPbo {
  pbo: number;
  partitions: number;
  combinations: number;
  configurations: number;
  periods: number;
}

/** One walk-forward window's outcome. */
export interface WalkForwardWindowResult {
  index: number;
  isStart: number;
  isEnd: number;
  oosStart: number;
  oosEnd: number;
  params: Record<string, unknown> | null;
  inSample: SetMetrics | null;
  outOfSample: SetMetrics | null;
}

export interface WalkForwardResult {
  windows: WalkForwardWindowResult[];
  /** The out-of-sample segments chained (walk-forward.ts chainSegments): dates YYYYMMDD and values from 1. */
  curve: { dates: number[]; values: number[] };
  metrics: SetMetrics | null;
}

/** What is stored in `stats` once the sweep is done. */
export interface SweepStats {
  dsr?: SweepDsr | null;
  pbo?: SweepPbo | null;
  notes?: string[];
  walkForward?: WalkForwardResult;
}

export interface Sweep {
  id: number;
  runId: number | null;
  /** The market snapshot version its sets ran on (src/snapshots); null before its run starts. */
  dataVersion: string | null;
  ownerId: number;
  ownerName: string | null;
  name: string;
  kind: SweepKind;
  /** The backtest spec every set runs with; `params` are the base values of the parameters not swept. */
  spec: BacktestSpec;
  space: SpaceSpec;
  mode: SweepModeName;
  budget: number | null;
  seed: number;
  objective: SweepObjective;
  windows: WalkForwardSpec | null;
  /** The full grid's point count (decimal text: it may exceed 2^53). */
  gridCount: string;
  plannedSets: number;
  setsDone: number;
  setsFailed: number;
  skipped: number;
  skipReasons: { message: string; count: number }[];
  best: { ordinal: number; value: number } | null;
  dsr: number | null;
  pbo: number | null;
  stats: SweepStats | null;
  status: RunStatus;
  control: 'cancel' | 'pause' | null;
  progress: RunProgress | null;
  error: RunErrorInfo | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}
