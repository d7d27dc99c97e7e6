import { createReadStream, existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { phaseTimer } from './phases.ts';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Migrator } from 'kysely';
import { duckMigrations } from '../../migrations/duckdb/index.ts';
import { pgMigrations } from '../../migrations/pg/index.ts';
import { openPostgres, pgliteDirFor, type PgStore } from '../db/database.ts';
import { migratePostgres } from '../db/migrate.ts';
import { marketPathFor, openMarketStore } from '../market/duckdb.ts';
import { secretKeyFile } from '../secrets/secret-key.service.ts';
import { version } from '../version.ts';
import { extractArchive } from './archive.ts';
import { duckStoreFile, duckTableFile, pgTableFile, schemaProblem, secretKeyEntry, type BackupManifest } from './backup.manifest.ts';
import { appliedMarketMigrations, countMarketRows, importMarketTables } from './market-dump.repository.ts';
import {
  addForeignKey, countRows, dropForeignKey, foreignKeys, hasJsonColumn, insertJsonRows, listAllTables, listDataTables, preferLz4Toast, restoreSequences, truncateTables,
} from './pg-dump.repository.ts';

/**
 * `zquant restore FILE`: an archive into an empty data directory (and an empty DATABASE_URL when
 * one is set). The target is migrated to exactly the archive's schema versions, loaded, checked
 * row for row against the manifest's counts, then migrated to this code's latest, so a backup
 * from an older zquant restores into a newer one. Embedded and server Postgres restore either way.
 */
export interface RestoreTarget {
  dataDir: string;
  databaseUrl: string | null;
}

export interface RestoreResult {
  manifest: BackupManifest;
  postgres: 'pglite' | 'postgres';
  durationMs: number;
  /** Milliseconds of each step (the two stores' steps overlap): what a slow restore spent its time on. */
  phasesMs: Record<string, number>;
}

/** A refusal: the target or the archive is not one restore may use; nothing was changed. */
export class RestoreRefused extends Error {
  override name = 'RestoreRefused';
}

/** Store files of a data directory; any of them there means it is not empty. */
const storeEntries = ['market.duckdb', 'market.duckdb.wal', 'pg', secretKeyFile];

/** Rows inserted per statement while loading a Postgres table (bounded by bytes too). */
const loadBatchRows = 2000;
const loadBatchBytes = 8 * 2 ** 20;

/** What in `dataDir` would be overwritten: the names of store files already there. */
export async function occupiedEntries(dataDir: string): Promise<string[]> {
  if (!existsSync(dataDir)) return [];
  const present = new Set(await readdir(dataDir));
  const taken: string[] = [];
  for (const name of storeEntries) {
    if (!present.has(name)) continue;
    if (name === 'pg' && (await readdir(join(dataDir, name))).length === 0) continue;
    taken.push(name);
  }
  return taken;
}

export async function restore(archive: string, target: RestoreTarget, o: { log?: (line: string) => void } = {}): Promise<RestoreResult> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const { phasesMs, timed } = phaseTimer();
  const file = resolve(archive);
  if (!existsSync(file)) throw new RestoreRefused(`${file} does not exist`);
  const taken = await occupiedEntries(target.dataDir);
  if (taken.length) throw new RestoreRefused(`DATA_DIR ${target.dataDir} is not empty (${taken.join(', ')}); restore into an empty directory`);
  await mkdir(target.dataDir, { recursive: true });
  const work = await mkdtemp(join(target.dataDir, '.restore-'));
  let pg: PgStore | null = null;
  let created = false;
  try {
    let manifest: BackupManifest;
    try {
      manifest = await timed('archive (extract, verify)', () => extractArchive(file, work));
    } catch (err) {
      throw new RestoreRefused((err as Error).message);
    }
    const problem =
      schemaProblem('postgres', manifest.schema.postgres, Object.keys(pgMigrations).sort(), version) ??
      schemaProblem('duckdb', manifest.schema.duckdb, duckMigrations.map((m) => m.id), version);
    if (problem) throw new RestoreRefused(problem);
    const listed = new Set(manifest.files.map((f) => f.path));
    const marketFiles = manifest.format_version >= 2 ? [duckStoreFile] : Object.keys(manifest.tables.duckdb).map(duckTableFile);
    const unlisted = [...Object.keys(manifest.tables.postgres).map(pgTableFile), ...marketFiles].filter((f) => !listed.has(f));
    if (unlisted.length) throw new RestoreRefused(`the manifest counts rows of ${unlisted[0]} but lists no such file (archive incomplete?); nothing was restored`);
    if (manifest.secret_key_included && !listed.has(secretKeyEntry)) throw new RestoreRefused(`the manifest says the secret key is included but lists no ${secretKeyEntry}`);

    pg = await openPostgres({ databaseUrl: target.databaseUrl, pgliteDir: pgliteDirFor(target.dataDir), maxConnections: 2 });
    if (target.databaseUrl) {
      const existing = await listAllTables(pg.db);
      if (existing.length) throw new RestoreRefused(`the database at DATABASE_URL is not empty (tables ${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', …' : ''}); restore into a fresh, empty database`);
    }
    created = true;
    log(`restore: ${file} (zquant ${manifest.zquant_version}, taken ${manifest.created_at} from ${manifest.postgres_kind}) into ${target.databaseUrl ? 'the Postgres server at DATABASE_URL' : 'embedded Postgres'} and ${marketPathFor(target.dataDir)}`);
    // The two stores load at once: Postgres parses on its one connection while DuckDB opens (format 2) or loads (format 1) its file.
    const store = pg;
    const loaded = await Promise.allSettled([
      (async () => {
        await timed('postgres load', () => loadPostgres(store, manifest, work));
        log(`restore: postgres: ${Object.keys(manifest.tables.postgres).length} tables loaded`);
        await timed('postgres migrate', () => migratePostgres(store.db));
      })(),
      (async () => {
        await timed('duckdb', () => loadMarket(target.dataDir, manifest, work));
        log(`restore: duckdb: ${Object.keys(manifest.tables.duckdb).length} tables loaded`);
      })(),
    ]);
    for (const r of loaded) if (r.status === 'rejected') throw r.reason;
    await pg.close();
    pg = null;
    if (manifest.secret_key_included) {
      await copyFile(join(work, secretKeyEntry), join(target.dataDir, secretKeyFile));
      await chmod(join(target.dataDir, secretKeyFile), 0o600);
    }
    else log('restore: the archive holds no secret key (it was ZQUANT_SECRET_KEY): start the server with the same ZQUANT_SECRET_KEY to open stored secrets');
    return { manifest, postgres: target.databaseUrl ? 'postgres' : 'pglite', durationMs: Date.now() - started, phasesMs };
  } catch (err) {
    await pg?.close().catch(() => {});
    // The directory was empty of stores: take back what this attempt made there, so a retry finds it empty again.
    if (created) {
      for (const name of storeEntries) await rm(join(target.dataDir, name), { recursive: true, force: true });
      if (target.databaseUrl && !(err instanceof RestoreRefused)) {
        throw new Error(`${(err as Error).message}; the database at DATABASE_URL may hold part of the schema now: drop and create it again before retrying`);
      }
    }
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Migrates an empty database to the archive's versions and loads every table in one transaction. */
async function loadPostgres(pg: PgStore, manifest: BackupManifest, work: string): Promise<void> {
  const last = manifest.schema.postgres.at(-1);
  if (!last) throw new RestoreRefused('the archive has no postgres schema versions; it is not a zquant backup');
  const migrator = new Migrator({ db: pg.db, provider: { getMigrations: async () => pgMigrations } });
  const migrated = await migrator.migrateTo(last);
  if (migrated.error) throw new Error(`postgres: migrating to the archive's schema (${last}) failed: ${(migrated.error as Error).message ?? String(migrated.error)}`);
  const tables = Object.keys(manifest.tables.postgres);
  await pg.db.transaction().execute(async (trx) => {
    const present = await listDataTables(trx);
    const missing = tables.filter((t) => !present.includes(t));
    if (missing.length) throw new Error(`postgres: the archive has tables this schema does not (${missing.join(', ')})`);
    await preferLz4Toast(trx);
    // Keys are dropped while loading (rows arrive table by table, self-references in any order) and added back after: Postgres checks them all then.
    const fks = await foreignKeys(trx);
    for (const fk of fks) await dropForeignKey(trx, fk);
    await truncateTables(trx, present);
    for (const table of tables) {
      const viaJson = await hasJsonColumn(trx, table);
      await loadTable(join(work, pgTableFile(table)), (lines) => insertJsonRows(trx, table, lines, viaJson)).catch((err: Error) => {
        throw new Error(`postgres: loading ${table}: ${err.message}`);
      });
      const n = await countRows(trx, table);
      if (n !== manifest.tables.postgres[table]) throw new Error(`postgres: ${table} has ${n} rows after loading, the manifest says ${manifest.tables.postgres[table]}`);
    }
    for (const fk of fks) await addForeignKey(trx, fk);
    await restoreSequences(trx, manifest.sequences);
  });
}

/**
 * Feeds a table's lines to `insert` in batches. The next batch is read while the server works on
 * the one sent (reading and decoding is this process's CPU, parsing the server's), one in flight.
 */
async function loadTable(path: string, insert: (lines: string[]) => Promise<void>): Promise<void> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let inFlight: Promise<void> | null = null;
  const send = async (batch: string[]) => {
    if (inFlight) await inFlight;
    inFlight = insert(batch);
    // Awaited before the next send or at the end; marked handled so a failure while reading is not "unhandled".
    inFlight.catch(() => {});
  };
  let batch: string[] = [];
  let bytes = 0;
  for await (const line of lines) {
    if (!line) continue;
    batch.push(line);
    bytes += line.length;
    if (batch.length >= loadBatchRows || bytes >= loadBatchBytes) {
      await send(batch);
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length) await send(batch);
  await inFlight;
}

/**
 * Puts the market file in place at the archive's versions (format 2: the archive's copy itself;
 * format 1: created and loaded from Parquet), checks the counts, then migrates it to the latest.
 */
async function loadMarket(dataDir: string, manifest: BackupManifest, work: string): Promise<void> {
  const path = marketPathFor(dataDir);
  const archived = manifest.schema.duckdb;
  const tables = Object.keys(manifest.tables.duckdb);
  const copied = manifest.format_version >= 2;
  // The work folder is inside dataDir: a rename, not a copy of the file.
  if (copied) await rename(join(work, duckStoreFile), path);
  const market = await openMarketStore(path, duckMigrations.filter((m) => archived.includes(m.id)));
  try {
    if (copied) {
      const applied = await appliedMarketMigrations(market);
      if (applied.join() !== [...archived].sort().join()) throw new Error(`duckdb: the archive's market file has migrations ${applied.join(', ')}, the manifest says ${archived.join(', ')}`);
    } else {
      await importMarketTables(market, tables, (t) => join(work, duckTableFile(t)));
    }
    const counts = await countMarketRows(market, tables);
    for (const t of tables) if (counts[t] !== manifest.tables.duckdb[t]) throw new Error(`duckdb: ${t} has ${counts[t]} rows after loading, the manifest says ${manifest.tables.duckdb[t]}`);
    if (!copied) await market.checkpoint();
  } finally {
    await market.close();
  }
  await (await openMarketStore(path)).close();
}
