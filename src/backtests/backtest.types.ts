/**
 * A backtest as services, routes and views see it (camelCase). Apart from the service so the
 * contract can map it without importing the service that imports the contract (issue 19: no
 * import cycles), and views can name it without the service behind it.
 */
import type { RunErrorInfo, RunProgress, RunStatus } from '../runs/run.types.ts';
import type { BacktestSpec } from './backtest-request.ts';

export interface KeyMetrics {
  totalReturn: number | null;
  annualizedReturn: number | null;
  sharpe: number | null;
  maxDrawdown: number | null;
  volatility: number | null;
  excessReturn: number | null;
  finalValue: number | null;
  tradeCount: number | null;
}

export interface Backtest {
  id: number;
  runId: number | null;
  ownerId: number;
  ownerName: string | null;
  name: string;
  spec: BacktestSpec;
  status: RunStatus;
  control: 'cancel' | 'pause' | null;
  progress: RunProgress | null;
  error: RunErrorInfo | null;
  eventSeq: number;
  rerunOf: number | null;
  /** Kept by housekeeping whatever its age. */
  pinned: boolean;
  /** The market snapshot version it ran on (src/snapshots), or a rerun's pinned one before it runs; null before its run starts. */
  dataVersion: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  metrics: KeyMetrics | null;
}
