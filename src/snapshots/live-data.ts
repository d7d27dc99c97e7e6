/**
 * The single process's data versions (role all, no snapshot store): every run reads the live
 * market store, as before versions existed, and records the version of what the store holds: the
 * store's write generation (market_generation, a fresh random id each committed write transaction,
 * src/market/duckdb.ts), as 16 hex digits of its sha256. Reading it is one row, so a run never waits
 * and nothing scans the market (a content fingerprint, as the snapshot publisher computes, reads
 * every row of every table: seconds and a gigabyte of DuckDB buffers on a full market). Unlike a
 * content version it changes on every write, also one that wrote the same values again; a single
 * process keeps no old versions anyway, so a version names "the data as of this write".
 */
import { createHash } from 'node:crypto';
import type { PanelCache } from '../backtests/panel-cache.ts';
import { marketGeneration, type MarketStore } from '../market/duckdb.ts';
import type { DataVersions } from './data-versions.ts';
import { marketVersion } from './publish.ts';

/** A write needs no telling: the transaction that changed the data made a new generation. */
export interface LiveData extends DataVersions {
  current(): Promise<string>;
}

export function makeLiveData(market: MarketStore, panels: PanelCache): LiveData {
  const current = async (): Promise<string> => {
    const generation = await marketGeneration(market);
    // A store without the table (opened with older migrations): the content version, as before.
    if (generation === null) return marketVersion(market);
    return createHash('sha256').update(`market-generation:${generation}`).digest('hex').slice(0, 16);
  };
  return {
    current,
    async acquire(pinned, note) {
      const version = await current();
      if (pinned && pinned !== version) note?.(`data version ${pinned} is not kept by a single process (no snapshot store configured: SNAPSHOT_DIR); ran on the current data, version ${version}`);
      return { version, market, panels, release() {} };
    },
  };
}
