/**
 * The single process's data versions (role all, no snapshot store): every run reads the live
 * market store, as before versions existed, and records the content version of what the store
 * holds. That version is computed in the background at once and again after a sync changed the
 * data (the fingerprint reads every row: seconds on a full market), so a run rarely waits for it.
 */
import type { PanelCache } from '../backtests/panel-cache.ts';
import type { MarketStore } from '../market/duckdb.ts';
import type { DataVersions } from './data-versions.ts';
import { marketVersion } from './publish.ts';

export interface LiveData extends DataVersions {
  /** The store changed (a sync wrote rows): the next run computes the version again. */
  changed(): void;
  current(): Promise<string>;
}

export function makeLiveData(market: MarketStore, panels: PanelCache): LiveData {
  let cached: Promise<string> | null = null;
  let generation = 0;
  const current = () => {
    if (!cached) {
      const g = generation;
      const p = marketVersion(market);
      cached = p;
      p.catch(() => {
        if (generation === g) cached = null;
      });
    }
    return cached;
  };
  // Started at once, and again after each change, so a run rarely waits for it.
  const warm = () => void current().catch(() => {});
  warm();
  return {
    current,
    changed() {
      generation++;
      cached = null;
      warm();
    },
    async acquire(pinned, note) {
      const version = await current();
      if (pinned && pinned !== version) note?.(`data version ${pinned} is not kept by a single process (no snapshot store configured: SNAPSHOT_DIR); ran on the current data, version ${version}`);
      return { version, market, panels, release() {} };
    },
  };
}
