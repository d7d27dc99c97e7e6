/**
 * A backtest's normalised snapshot (the spec), which is stored with the backtest and is all the
 * executor needs. What a submission says is in backtests.contract.ts (SubmitBacktestSchema); the
 * service turns the one into the other.
 */
import type { FillTiming } from '../engine/types.ts';
import type { Board } from '../market/datasets.ts';

/** A day as requests write it: YYYY-MM-DD (or YYYYMMDD); `ymd` turns it into the stored number. */
export const dayPattern = /^\d{4}-?\d{2}-?\d{2}$/;

export const boards = ['main', 'chinext', 'star', 'bse'] as const;

export type UniverseSpec = { kind: 'all'; boards: Board[] | null; excludeSt: boolean } | { kind: 'codes'; codes: string[] };

export interface StrategyRef {
  kind: 'builtin' | 'user';
  /** Built-in name, or the user strategy's name when it ran. */
  name: string;
  strategyId: number | null;
  versionId: number | null;
  version: number | null;
}

/** The stored config snapshot: everything a run (or a rerun) needs, camelCase. */
export interface BacktestSpec {
  strategy: StrategyRef;
  params: Record<string, unknown>;
  universe: UniverseSpec;
  startDate: number;
  endDate: number;
  capital: number;
  benchmark: string | null;
  adjust: 'hfq' | 'qfq' | 'none';
  fillTiming: FillTiming;
  /** Absent in configs stored before it existed: 'fail'. */
  onError?: 'fail' | 'skip_day';
  costs: { commissionRate?: number; minCommission?: number; stampDuty?: 'schedule' | number; transferFee?: 'schedule' | number; slippageBps?: number };
}

