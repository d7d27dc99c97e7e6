import type { Config } from '../config.ts';
import type { PgStore } from '../db/database.ts';
import type { MarketStore } from '../market/duckdb.ts';
import type { ExecutorDefinition } from '../runs/executor-registry.ts';
import type { RunsService } from '../runs/runs.service.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { makeCommandExecutor } from './command.executor.ts';
import { makeDataSyncExecutor } from './data-sync.executor.ts';
import { makeFactorExecutor } from './factor.executor.ts';
import { makeWorkflowExecutor } from './workflow.executor.ts';

/** What the scheduler's executors are built with (by server.ts, the only place that wires them). */
export interface SchedulerExecutorDeps {
  config: Config;
  pg: PgStore;
  market: MarketStore;
  /** Opens a command's sealed env and arguments; null where no key is configured (sealed values then fail the run). */
  secrets: SecretBox | null;
  /** The process's run machinery, read lazily (it starts after the registry these executors join). */
  runs: () => RunsService;
  /** Told after a sync or a factor computation changed the market store (src/snapshots publishes a version). */
  onMarketChanged?: () => void;
}

/**
 * The executors scheduled tasks use: data_sync, command, factor, workflow. The `backtest`
 * executors come from the backtest feature.
 */
export function schedulerExecutors(d: SchedulerExecutorDeps): ExecutorDefinition[] {
  return [
    makeDataSyncExecutor({ config: d.config, pg: d.pg, market: d.market, onDataChanged: d.onMarketChanged }),
    makeCommandExecutor(d.secrets),
    makeFactorExecutor({ market: d.market, db: d.pg.db, userCodeTimeoutMs: d.config.backtestTimeoutMs, onValuesChanged: d.onMarketChanged }),
    makeWorkflowExecutor({ db: d.pg.db, runs: d.runs }),
  ];
}
