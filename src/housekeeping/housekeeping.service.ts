import { readdir, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Retention } from '../config.ts';
import type { PostgresKind } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { MarketStore } from '../market/duckdb.ts';
import * as repo from './housekeeping.repository.ts';

/** What housekeeping works with: the Postgres handle (and which kind it is), the market store, the retention settings. */
export interface HousekeepingDeps {
  db: Kysely<Database>;
  pgKind: PostgresKind;
  market: MarketStore;
  retention: Retention;
}

/**
 * What goes, per kind: `backtests` (unpinned, past RETAIN_BACKTESTS_DAYS, with their results),
 * `runs` (finished top-level runs past RETAIN_RUNS_DAYS or beyond the newest RETAIN_RUNS_MAX, with
 * their step runs), `run_events` (every event of those runs), `run_logs` (log lines past
 * RETAIN_RUN_LOGS_DAYS of runs that stay), `sync_log` (finished rows past RETAIN_SYNC_LOG_DAYS).
 */
export type PruneKind = 'backtests' | 'runs' | 'run_events' | 'run_logs' | 'sync_log';
export const pruneKinds: readonly PruneKind[] = ['backtests', 'runs', 'run_events', 'run_logs', 'sync_log'];

export interface PruneLine {
  kind: PruneKind;
  rows: number;
  /** Estimated from the table's average row (indexes and TOAST included). */
  bytes: number;
}

export interface PruneReport {
  dryRun: boolean;
  lines: PruneLine[];
  /** What was done to give the space back (nothing on a dry run). */
  reclaimed: string[];
  retention: Retention;
}

/** Rows per delete: each batch is its own short transaction, so a huge prune never holds locks for long. */
export const pruneBatchRows = 500;

type Progress = (done: string) => void;

/** Average bytes of a row of each kind, from the tables' sizes now. */
async function bytesPerRow(db: Kysely<Database>): Promise<Record<PruneKind, number>> {
  const size = async (t: repo.PrunedTable) => repo.tableRowsAndBytes(db, t);
  const [runs, events, backtests, results, sync] = await Promise.all([size('runs'), size('run_events'), size('backtests'), size('backtest_results'), size('sync_log')]);
  const avg = (s: { rows: number; bytes: number }, extra = 0) => (s.rows ? (s.bytes + extra) / s.rows : 0);
  return { backtests: avg(backtests, results.bytes), runs: avg(runs), run_events: avg(events), run_logs: avg(events), sync_log: avg(sync) };
}

const line = (kind: PruneKind, rows: number, per: Record<PruneKind, number>): PruneLine => ({ kind, rows, bytes: Math.round(rows * per[kind]) });

/**
 * Walks the prunable run trees in id order, a batch of roots at a time; `each` gets the ids of
 * each batch's trees (kept trees left out). The same walk serves the dry run and the prune.
 */
async function walkRunTrees(d: HousekeepingDeps, each: (ids: number[]) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const r = d.retention;
  const boundary = await repo.runCountBoundary(d.db, r.runsMax);
  let afterId = 0;
  for (;;) {
    signal?.throwIfAborted();
    const batch = await repo.prunableRunTrees(d.db, { days: r.runsDays, boundary, backtestDays: r.backtestsDays, afterId, limit: pruneBatchRows });
    if (batch.scanned === null) return;
    if (batch.ids.length) await each(batch.ids);
    afterId = batch.scanned;
  }
}

/** What a prune would remove now, per kind, removing nothing. */
export async function planPrune(d: HousekeepingDeps): Promise<PruneReport> {
  const r = d.retention;
  const per = await bytesPerRow(d.db);
  const backtests = await repo.countPrunableBacktests(d.db, r.backtestsDays);
  const pruned: number[] = [];
  let events = 0;
  await walkRunTrees(d, async (ids) => {
    pruned.push(...ids);
    events += await repo.countRunEvents(d.db, ids);
  });
  const logs = await repo.countOldRunLogs(d.db, r.runLogsDays, pruned);
  const sync = await repo.countPrunableSyncLog(d.db, r.syncLogDays);
  return {
    dryRun: true,
    lines: [line('backtests', backtests, per), line('runs', pruned.length, per), line('run_events', events, per), line('run_logs', logs, per), line('sync_log', sync, per)],
    reclaimed: [],
    retention: r,
  };
}

/**
 * Prunes what planPrune names, in batches of pruneBatchRows, then gives the space back: a DuckDB
 * CHECKPOINT through the market store's writer, and VACUUM (not FULL) of the pruned tables when
 * Postgres is embedded; a Postgres server's autovacuum does that on its own schedule.
 * Backtests go first, so the runs only they held go in the same pass.
 */
export async function prune(d: HousekeepingDeps, o: { signal?: AbortSignal; progress?: Progress } = {}): Promise<PruneReport> {
  const r = d.retention;
  const per = await bytesPerRow(d.db);
  const until = async (del: () => Promise<number>) => {
    let total = 0;
    for (;;) {
      o.signal?.throwIfAborted();
      const n = await del();
      total += n;
      if (n < pruneBatchRows) return total;
    }
  };
  const backtests = await until(() => repo.deletePrunableBacktests(d.db, r.backtestsDays, pruneBatchRows));
  o.progress?.(`backtests: ${backtests}`);
  let runs = 0;
  let events = 0;
  await walkRunTrees(d, async (ids) => {
    const gone = await repo.deleteRuns(d.db, ids);
    runs += gone.runs;
    events += gone.events;
  }, o.signal);
  o.progress?.(`runs: ${runs}`);
  const logs = await until(() => repo.deleteOldRunLogs(d.db, r.runLogsDays, pruneBatchRows));
  o.progress?.(`run logs: ${logs}`);
  const sync = await until(() => repo.deletePrunableSyncLog(d.db, r.syncLogDays, pruneBatchRows));
  o.progress?.(`sync log: ${sync}`);
  const reclaimed: string[] = [];
  // A refused checkpoint must not fail a prune that has happened: say so (DuckDB checkpoints on its
  // own once its WAL passes checkpoint_threshold). Tried here: this DuckDB checkpoints with another
  // connection's transaction open, reading or writing, so this is a guard, not an expected path.
  const busy = await d.market.checkpoint().then(() => null, (err: unknown) => (err as Error).message);
  reclaimed.push(busy === null ? 'duckdb: checkpoint' : `duckdb: checkpoint skipped (${busy.split('\n')[0].slice(0, 200)}); DuckDB checkpoints on its own as its WAL grows`);
  if (d.pgKind === 'pglite') {
    await repo.vacuumPrunedTables(d.db);
    reclaimed.push(`postgres (embedded): vacuum (analyze) ${repo.prunedTables.join(', ')}`);
  } else {
    reclaimed.push('postgres (server): left to autovacuum');
  }
  return {
    dryRun: false,
    lines: [line('backtests', backtests, per), line('runs', runs, per), line('run_events', events, per), line('run_logs', logs, per), line('sync_log', sync, per)],
    reclaimed,
    retention: r,
  };
}

/** A byte count as people read it (1.5 MB). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** The report as the CLI prints it: one line per kind, then what reclaimed space. */
export function pruneReportText(rep: PruneReport): string {
  const head = rep.dryRun ? 'would prune' : 'pruned';
  const width = Math.max(...rep.lines.map((l) => l.kind.length));
  const lines = rep.lines.map((l) => `${head} ${l.kind.padEnd(width)}  ${String(l.rows).padStart(8)} rows  ~${formatBytes(l.bytes)}\n`);
  const r = rep.retention;
  const kept = `retention: runs ${r.runsDays} days / newest ${r.runsMax}, run logs ${r.runLogsDays} days, backtests ${r.backtestsDays} days (pinned kept), sync log ${r.syncLogDays} days\n`;
  return kept + lines.join('') + rep.reclaimed.map((x) => `reclaimed: ${x}\n`).join('');
}

export interface StorageReport {
  dataDir: string;
  dataDirBytes: number | null;
  postgres: { kind: PostgresKind; databaseBytes: number | null; tables: Array<{ name: string; bytes: number; rows: number }> };
  duckdb: { path: string; fileBytes: number | null; walBytes: number | null; tables: Array<{ name: string; rows: number; bytes: number | null }> };
}

async function fileBytes(path: string): Promise<number | null> {
  return lstat(path).then((s) => s.size, () => null);
}

/** Bytes of every file under a directory (sockets and links counted as nothing); null when it does not exist. */
export async function directoryBytes(dir: string): Promise<number | null> {
  const top = await lstat(dir).catch(() => null);
  if (!top?.isDirectory()) return null;
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) total += (await lstat(p).catch(() => ({ size: 0 }))).size;
    }
  };
  await walk(dir);
  return total;
}

/** Disk use per store and table, and the data directory's total. */
export async function storageReport(d: HousekeepingDeps, dataDir: string): Promise<StorageReport> {
  const [tables, databaseBytes, duckTables, dataDirBytes] = await Promise.all([
    repo.postgresTableSizes(d.db),
    repo.postgresDatabaseBytes(d.db).catch(() => null),
    repo.marketTableSizes(d.market),
    directoryBytes(dataDir),
  ]);
  const path = d.market.path;
  const onDisk = path !== ':memory:';
  return {
    dataDir,
    dataDirBytes,
    postgres: { kind: d.pgKind, databaseBytes, tables },
    duckdb: { path, fileBytes: onDisk ? await fileBytes(path) : null, walBytes: onDisk ? await fileBytes(`${path}.wal`) : null, tables: duckTables },
  };
}
