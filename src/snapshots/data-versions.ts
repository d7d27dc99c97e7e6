/**
 * The market data a run reads, by version: what the backtest and sweep executors ask for instead
 * of using the process's one market store. A worker process answers from its local replicas
 * (replicas.ts); the single process without a snapshot store answers with its live store and the
 * content version of what is in it now (live-data.ts).
 */
import type { PanelCache } from '../backtests/panel-cache.ts';
import type { MarketStore } from '../market/duckdb.ts';

/** One version's data, held until released (a worker keeps a version while a run reads it). */
export interface MarketData {
  readonly version: string;
  readonly market: MarketStore;
  readonly panels: PanelCache;
  release(): void;
}

export interface DataVersions {
  /**
   * The data of `pinned` (fetched first when this process lacks it), or of the latest version when
   * null. `note` is told when the answer is not the version asked for (the single process keeps no
   * old versions).
   */
  acquire(pinned: string | null, note?: (message: string) => void): Promise<MarketData>;
}

/** The value a submission's data_version field takes: a version id to pin, or "latest". */
export const latestVersion = 'latest';
