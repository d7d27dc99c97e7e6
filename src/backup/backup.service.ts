import { copyFile, mkdir, mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { phaseTimer } from './phases.ts';
import { dirname, join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Transaction } from 'kysely';
import type { PgStore } from '../db/database.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { secretKeyFile } from '../secrets/secret-key.service.ts';
import { version } from '../version.ts';
import { hashedWriter, hashFile, writeArchive } from './archive.ts';
import { backupFormat, backupFormatVersion, duckStoreFile, manifestName, pgTableFile, secretKeyEntry, type BackupManifest, type ManifestFile } from './backup.manifest.ts';
import { exportMarketFile } from './market-dump.repository.ts';
import { appliedMigrationNames, listDataTables, readTableJson, sequencePositions, withSnapshot } from './pg-dump.repository.ts';

/**
 * `zquant backup`: one archive holding a snapshot of both stores. Postgres is read in one
 * REPEATABLE READ transaction and DuckDB in one read transaction, at the same time, while the
 * server goes on running backtests and syncs; each store's files are that store's one moment.
 */
export interface BackupDeps {
  pg: PgStore;
  market: MarketStore;
  dataDir: string;
  /** ZQUANT_SECRET_KEY when set (then the key stays out of the archive), else null: DATA_DIR/secret.key goes in. */
  secretKey: string | null;
}

export interface BackupProgress {
  processed: number;
  total: number;
  current: string;
}

export interface BackupOptions {
  signal?: AbortSignal;
  progress?: (p: BackupProgress) => void;
  /**
   * Read inside each store's snapshot once its tables are written, seeing exactly what the archive
   * holds while writers go on (the backup test compares a restore with what these read).
   */
  witness?: { postgres?(trx: Transaction<any>): Promise<void>; duckdb?(conn: DuckDBConnection): Promise<void> };
}

export interface BackupResult {
  path: string;
  bytes: number;
  manifest: BackupManifest;
  durationMs: number;
  /** Milliseconds of each step (the two stores' dumps overlap): what a slow backup spent its time on. */
  phasesMs: Record<string, number>;
}

/**
 * Bytes of row text fetched per round trip while dumping a Postgres table. Embedded PGlite runs the
 * fetch on this thread, so its batches stay small (measured with 200 results of 0.8 MB: 8 MB
 * batches held the event loop, so HTTP and timers, up to 1.4 s, 234 ms at the 99th percentile;
 * 1 MB batches up to 54 ms).
 */
const pgBatchBytes = { postgres: 8 * 2 ** 20, pglite: 2 ** 20 };

/** Writes a backup archive to `target` (which must not exist yet). */
export async function backup(d: BackupDeps, target: string, o: BackupOptions = {}): Promise<BackupResult> {
  const started = Date.now();
  const { phasesMs, timed } = phaseTimer();
  const path = resolve(target);
  if (existsSync(path)) throw new Error(`${path} exists already; give a new file name (backups never overwrite)`);
  await mkdir(dirname(path), { recursive: true });
  // Beside the target (same disk, so the final rename is cheap); mkdtemp makes it owner-only.
  const staging = await mkdtemp(join(dirname(path), '.zquant-backup-'));
  try {
    await mkdir(join(staging, 'postgres'));
    await mkdir(join(staging, 'duckdb'));
    // Progress: tables written of both stores' tables (each store's count known once it lists them), then the archive.
    let processed = 0;
    const counts = { postgres: 0, duckdb: 0 };
    const step = (store: keyof typeof counts, table: string, tableCount: number) => {
      counts[store] = tableCount;
      o.progress?.({ processed: processed++, total: counts.postgres + counts.duckdb + 1, current: `${store} ${table}` });
    };
    const [pgPart, duckPart] = await Promise.all([
      timed('postgres dump', () => dumpPostgres(d.pg, staging, { signal: o.signal, witness: o.witness?.postgres, onTable: (t, n) => step('postgres', t, n) })),
      timed('duckdb copy', () => exportMarketFile(d.market, join(staging, duckStoreFile), { signal: o.signal, witness: o.witness?.duckdb, onTable: (t, n) => step('duckdb', t, n) })),
    ]);
    const total = counts.postgres + counts.duckdb + 1;
    const files: ManifestFile[] = [...pgPart.files, { path: duckStoreFile, ...(await timed('duckdb checksum', () => hashFile(join(staging, duckStoreFile)))) }];
    const keyPath = join(d.dataDir, secretKeyFile);
    const keyIncluded = d.secretKey === null && existsSync(keyPath);
    if (keyIncluded) {
      await copyFile(keyPath, join(staging, secretKeyEntry));
      files.push({ path: secretKeyEntry, ...(await hashFile(join(staging, secretKeyEntry))) });
    }
    const manifest: BackupManifest = {
      format: backupFormat,
      format_version: backupFormatVersion,
      zquant_version: version,
      created_at: new Date(started).toISOString(),
      postgres_kind: d.pg.kind,
      schema: { postgres: pgPart.migrations, duckdb: duckPart.migrations },
      tables: { postgres: pgPart.rows, duckdb: duckPart.rows },
      sequences: pgPart.sequences,
      secret_key_included: keyIncluded,
      files,
    };
    await writeFile(join(staging, manifestName), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    o.signal?.throwIfAborted();
    o.progress?.({ processed: total - 1, total, current: 'archive' });
    const bytes = await timed('archive', () => writeArchive(staging, files, path, o.signal));
    o.progress?.({ processed: total, total, current: 'done' });
    return { path, bytes, manifest, durationMs: Date.now() - started, phasesMs };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function dumpPostgres(pg: PgStore, staging: string, o: { signal?: AbortSignal; witness?: (trx: Transaction<any>) => Promise<void>; onTable: (table: string, tableCount: number) => void }) {
  return withSnapshot(pg.db, async (trx) => {
    const migrations = await appliedMigrationNames(trx);
    const tables = await listDataTables(trx);
    const sequences = await sequencePositions(trx);
    const rows: Record<string, number> = {};
    const files: ManifestFile[] = [];
    for (const table of tables) {
      o.signal?.throwIfAborted();
      o.onTable(table, tables.length);
      const out = hashedWriter(join(staging, pgTableFile(table)));
      try {
        rows[table] = await readTableJson(trx, table, pgBatchBytes[pg.kind], (lines) => out.write(`${lines.join('\n')}\n`));
      } finally {
        files.push({ path: pgTableFile(table), ...(await out.end()) });
      }
    }
    await o.witness?.(trx);
    return { migrations, rows, files, sequences };
  });
}

/** Archive names the scheduled executor writes, in time order when sorted by name. */
const scheduledName = /^zquant-backup-\d{8}T\d{6}Z\.tar$/;

/** `zquant-backup-20261206T091500Z.tar` for the moment given. */
export function scheduledBackupName(at: Date): string {
  return `zquant-backup-${at.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(/[-:]/g, '')}.tar`;
}

/** Deletes the oldest scheduled archives in `directory` beyond the newest `keep`; returns the names deleted. */
export async function pruneBackups(directory: string, keep: number): Promise<string[]> {
  const names = (await readdir(directory)).filter((n) => scheduledName.test(n)).sort();
  const gone = names.slice(0, Math.max(0, names.length - keep));
  for (const name of gone) await unlink(join(directory, name));
  return gone;
}

/** One line about a finished backup, for the command line and the run log. */
export function backupSummary(r: BackupResult): string {
  const pgRows = Object.values(r.manifest.tables.postgres).reduce((a, b) => a + b, 0);
  const duckRows = Object.values(r.manifest.tables.duckdb).reduce((a, b) => a + b, 0);
  return (
    `backup: wrote ${r.path} (${(r.bytes / 2 ** 20).toFixed(1)} MiB; postgres ${Object.keys(r.manifest.tables.postgres).length} tables, ${pgRows} rows; ` +
    `duckdb ${Object.keys(r.manifest.tables.duckdb).length} tables, ${duckRows} rows) in ${(r.durationMs / 1000).toFixed(1)} s`
  );
}
