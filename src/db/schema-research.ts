/**
 * The research tables of the relational schema (strategies, factors, backtests, sweeps), split from
 * schema.ts (which lists every table in `Database` and re-exports these) to keep files short.
 */
import type { ColumnType, Generated } from 'kysely';

export type Json = ColumnType<unknown, string, string>;

/** A user's strategy (src/strategies); its code lives in versions, `current_version` the latest. */
export interface StrategiesTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  description: Generated<string>;
  category: Generated<string>;
  language: Generated<'js' | 'ts'>;
  current_version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface StrategyVersionsTable {
  id: Generated<number>;
  strategy_id: number;
  version: number;
  code: string;
  params_schema: ColumnType<unknown, string | null, string | null>;
  created_at: Generated<Date>;
}

/** A user's factor (src/factors): code like a strategy's, every version kept; values keyed `u<id>v<version>`. */
export interface FactorsTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  description: Generated<string>;
  language: Generated<'js' | 'ts'>;
  current_version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface FactorVersionsTable {
  id: Generated<number>;
  factor_id: number;
  version: number;
  code: string;
  created_at: Generated<Date>;
}

/** An analysis of a factor (src/factors/analysis): what was asked, and once done its statistics and daily series; status comes from its run. */
export interface FactorAnalysesTable {
  id: Generated<number>;
  run_id: number | null;
  owner_id: number;
  factor_id: string;
  factor_key: string;
  user_factor_id: number | null;
  params: ColumnType<unknown, string, string>;
  summary: ColumnType<unknown, string | null, string | null>;
  series: ColumnType<unknown, string | null, string | null>;
  /** The market snapshot version it read (src/snapshots, migration 901): given at submission, else recorded as its run starts. */
  data_version: Generated<string | null>;
  created_at: Generated<Date>;
  finished_at: Date | null;
}

/** A backtest (src/backtests): config snapshot and key metrics; status and timeline come from its run. */
export interface BacktestsTable {
  id: Generated<number>;
  run_id: number | null;
  owner_id: number;
  name: Generated<string>;
  strategy_kind: 'builtin' | 'user';
  strategy_name: string;
  strategy_id: number | null;
  strategy_version_id: number | null;
  config: Json;
  start_date: number;
  end_date: number;
  rerun_of: number | null;
  /** Kept by housekeeping whatever its age (migration 700). */
  pinned: Generated<boolean>;
  /** The market snapshot version it ran on (src/snapshots, migration 900); null until its run starts. */
  data_version: Generated<string | null>;
  created_at: Generated<Date>;
  total_return: number | null;
  annualized_return: number | null;
  sharpe: number | null;
  max_drawdown: number | null;
  volatility: number | null;
  excess_return: number | null;
  final_value: number | null;
  trade_count: number | null;
}

export interface BacktestResultsTable {
  backtest_id: number;
  metrics: Json;
  series: Json;
  fills: Json;
  orders: Json;
  trades: Json;
  positions: Json;
  extras: Json;
  created_at: Generated<Date>;
}

/** A parameter sweep or walk-forward (src/sweeps): what was asked, counts and statistics; status comes from its run. */
export interface SweepsTable {
  id: Generated<number>;
  run_id: number | null;
  owner_id: number;
  name: Generated<string>;
  kind: 'sweep' | 'walk_forward';
  strategy_kind: 'builtin' | 'user';
  strategy_name: string;
  strategy_id: number | null;
  strategy_version_id: number | null;
  spec: Json;
  space: Json;
  mode: 'grid' | 'random' | 'lhs';
  budget: number | null;
  seed: number;
  objective: string;
  windows: Json | null;
  /** The full grid's point count as decimal text (it may exceed 2^53). */
  grid_count: string;
  planned_sets: number;
  sets_done: Generated<number>;
  sets_failed: Generated<number>;
  skipped: Generated<number>;
  skip_reasons: Json | null;
  best_ordinal: number | null;
  best_value: number | null;
  dsr: number | null;
  pbo: number | null;
  stats: Json | null;
  /** The market snapshot version its sets ran on (src/snapshots, migration 900); null until its run starts. */
  data_version: Generated<string | null>;
  created_at: Generated<Date>;
  finished_at: Date | null;
}

/** Which run and process took a set of a sweep spread over several processes (migration 900). */
export interface SweepSetClaimsTable {
  sweep_id: number;
  ordinal: number;
  run_id: number;
  /** The claiming process's run-machinery instance id (its lease_owner). */
  owner: string;
  claimed_at: Generated<Date>;
  done: Generated<boolean>;
}

/** One parameter set of a sweep that ran: key metrics as columns, daily returns as float64 bytes. */
export interface SweepSetsTable {
  sweep_id: number;
  ordinal: number;
  window_index: number | null;
  grid_index: ColumnType<number, number, number>;
  params: Json;
  status: 'succeeded' | 'failed';
  error: string | null;
  total_return: number | null;
  annualized_return: number | null;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  max_drawdown: number | null;
  volatility: number | null;
  excess_return: number | null;
  win_rate: number | null;
  final_value: number | null;
  trade_count: number | null;
  metrics: Json | null;
  returns: Uint8Array | null;
  created_at: Generated<Date>;
}
