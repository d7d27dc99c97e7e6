/**
 * A worker's local market replicas under DATA_DIR/replicas: per snapshot version, its Parquet files
 * (DATA_DIR/replicas/<version>.files/) and a small DuckDB file whose market tables are views over
 * them. A version is fetched from the snapshot source file by file into this process's own directory
 * (copied from a shared directory, downloaded over HTTP), each checked against the manifest's size
 * and sha256 (a corrupted copy is refused and deleted); then the DuckDB file is built (views, so
 * DuckDB reads the verified Parquet in place instead of loading 41 M rows into its own storage: 28
 * CPU-seconds of compression for the full market) and renamed into place once complete, then
 * opened; the newest loaded version becomes current in one assignment. Runs hold the version they
 * read (acquire/release); versions no run holds, that no queued or running run pins and that are
 * older than the newest `keep` are closed and deleted, files and all.
 */
import { existsSync } from 'node:fs';
import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { duckMigrations } from '../../migrations/duckdb/index.ts';
import { makePanelCache, type PanelCache } from '../backtests/panel-cache.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { openMarketStore, type MarketStore } from '../market/duckdb.ts';
import type { DataVersions, MarketData } from './data-versions.ts';
import { manifestFileName, parseManifest, verifyFile, versionPattern, type Manifest } from './manifest.ts';
import { versionsToDelete } from './retention.ts';
import type { SnapshotSource } from './snapshot-source.ts';
import { pinnedVersions } from './snapshots.repository.ts';

export interface ReplicaOptions {
  dataDir: string;
  source: SnapshotSource;
  db: Kysely<Database>;
  /** Versions kept besides those pinned or in use (SNAPSHOT_KEEP). */
  keep: number;
  /** Bound of each version's warm-panel cache. */
  panelCacheMb: number;
  logger: Logger;
}

interface Loaded {
  manifest: Manifest;
  store: MarketStore;
  panels: PanelCache;
  refs: number;
}

export interface Replicas extends DataVersions {
  /** Fetches and loads the source's newest version if this process lacks it; its id (null: the source has none). */
  follow(): Promise<string | null>;
  /** Fetches (verified) and loads one version; resolves once it can be read. */
  load(version: string): Promise<void>;
  /** The newest version loaded here. */
  currentVersion(): string | null;
  /** A market store that reads the current version (read-only: a replica is never written but by a load). */
  readonly market: MarketStore;
  /** Versions loaded here, newest first. */
  versions(): string[];
  prune(): Promise<string[]>;
  close(): Promise<void>;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;
const byNewest = (a: Manifest, b: Manifest) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.version < b.version ? 1 : -1);

/**
 * Builds a new DuckDB file at `path` (which must not exist) whose market tables are views over the
 * verified Parquet files of a manifest (`fileOf` says where each is; they must stay there while the
 * replica lives), with the row counts the manifest states.
 */
export async function buildReplica(path: string, manifest: Manifest, fileOf: (name: string) => string): Promise<void> {
  const unknown = manifest.schema.filter((id) => !duckMigrations.some((m) => m.id === id));
  if (unknown.length) throw new Error(`snapshot ${manifest.version} was written by a newer zquant (market schema ${unknown.join(', ')}); upgrade this worker to the web process's version`);
  const store = await openMarketStore(path);
  try {
    await store.write(async (conn) => {
      for (const f of manifest.files) {
        await conn.run(`drop table if exists ${quoteIdent(f.table)}`);
        await conn.run(`create view ${quoteIdent(f.table)} as select * from read_parquet(${quoteLiteral(fileOf(f.name))})`);
        const got = Number(((await conn.runAndReadAll(`select count(*)::bigint as n from ${quoteIdent(f.table)}`)).getRowObjectsJS()[0] as { n: bigint }).n);
        if (got !== f.rows) throw new Error(`snapshot ${manifest.version}: ${f.table} has ${got} rows, the manifest says ${f.rows}`);
      }
    });
    await store.checkpoint();
  } finally {
    await store.close();
  }
}

export function makeReplicas(o: ReplicaOptions): Replicas {
  const dir = join(o.dataDir, 'replicas');
  const log = o.logger.child({ component: 'replicas' });
  const loaded = new Map<string, Loaded>();
  const loading = new Map<string, Promise<Loaded>>();
  let current: Loaded | null = null;
  let closed = false;

  const pathOf = (v: string) => join(dir, `${v}.duckdb`);
  const manifestPathOf = (v: string) => join(dir, `${v}.${manifestFileName}`);
  /** The version's verified Parquet files, which its DuckDB file's views read. */
  const filesOf = (v: string) => join(dir, `${v}.files`);

  const open = async (manifest: Manifest): Promise<Loaded> => {
    const store = await openMarketStore(pathOf(manifest.version));
    const entry: Loaded = { manifest, store, panels: makePanelCache(store, { maxBytes: o.panelCacheMb * 2 ** 20 }), refs: 0 };
    loaded.set(manifest.version, entry);
    // The newest loaded version is current: one assignment, so a reader sees the old or the new, never between.
    if (!current || byNewest(manifest, current.manifest) < 0) current = entry;
    return entry;
  };

  const fetchAndBuild = async (version: string): Promise<Loaded> => {
    await mkdir(dir, { recursive: true });
    // Built and fetched before (a restart): open what is complete.
    if (existsSync(pathOf(version)) && existsSync(manifestPathOf(version)) && existsSync(filesOf(version))) {
      return open(parseManifest(await readFile(manifestPathOf(version), 'utf8'), `replica ${version}`));
    }
    const t0 = Date.now();
    const manifest = await o.source.manifest(version);
    const fetchDir = join(dir, `.fetch-${version}-${process.pid}`);
    const building = join(dir, `.build-${version}-${process.pid}.duckdb`);
    await rm(fetchDir, { recursive: true, force: true });
    await mkdir(fetchDir, { recursive: true });
    try {
      // Every file comes into this process's directory (a copy from a shared directory — a clone where
      // the filesystem can — or a download) and is checked there, so what the replica reads is what
      // was checked, whatever later happens to the source's copy.
      for (const f of manifest.files) {
        const dest = join(fetchDir, f.name);
        const local = o.source.localPath?.(version, f.name);
        if (local) await copyFile(local, dest, constants.COPYFILE_FICLONE);
        else await o.source.copyFile(version, f.name, dest);
        await verifyFile(dest, f, version);
      }
      await rm(filesOf(version), { recursive: true, force: true });
      await rename(fetchDir, filesOf(version));
      await rm(building, { force: true });
      await rm(`${building}.wal`, { force: true });
      try {
        await buildReplica(building, manifest, (name) => join(filesOf(version), name));
        await writeFile(manifestPathOf(version), JSON.stringify(manifest));
        await rename(building, pathOf(version));
      } catch (err) {
        await rm(filesOf(version), { recursive: true, force: true });
        throw err;
      }
      log.info('loaded a market snapshot', { version, from: o.source.describe, ms: Date.now() - t0 });
    } finally {
      await rm(fetchDir, { recursive: true, force: true });
      await rm(building, { force: true });
      await rm(`${building}.wal`, { force: true });
    }
    return open(manifest);
  };

  const ensure = (version: string): Promise<Loaded> => {
    if (closed) return Promise.reject(new Error('the replicas are closed'));
    if (!versionPattern.test(version)) return Promise.reject(new Error(`data version "${version}": expected 16 hex digits, or "latest"`));
    const have = loaded.get(version);
    if (have) return Promise.resolve(have);
    let p = loading.get(version);
    if (!p) {
      p = fetchAndBuild(version).finally(() => loading.delete(version));
      loading.set(version, p);
    }
    return p;
  };

  const newestAtSource = async (): Promise<string | null> => (await o.source.list())[0]?.version ?? null;

  const prune = async (): Promise<string[]> => {
    const pinned = new Set(await pinnedVersions(o.db));
    const inUse = new Set([...loaded.values()].filter((l) => l.refs > 0).map((l) => l.manifest.version));
    if (current) inUse.add(current.manifest.version);
    for (const v of loading.keys()) inUse.add(v);
    const manifests: Manifest[] = [];
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const m = /^([0-9a-f]{16})\.manifest\.json$/.exec(name);
      if (m) manifests.push(loaded.get(m[1])?.manifest ?? parseManifest(await readFile(join(dir, name), 'utf8'), `replica ${m[1]}`));
    }
    const gone = versionsToDelete(manifests.sort(byNewest).map((m) => m.version), o.keep, pinned, inUse);
    for (const v of gone) {
      const l = loaded.get(v);
      loaded.delete(v);
      if (l) {
        l.panels.clear();
        await l.store.close();
      }
      await rm(manifestPathOf(v), { force: true });
      await rm(pathOf(v), { force: true });
      await rm(`${pathOf(v)}.wal`, { force: true });
      await rm(filesOf(v), { recursive: true, force: true });
    }
    if (gone.length) log.info('deleted old market replicas', { versions: gone });
    return gone;
  };

  const needCurrent = (): MarketStore => {
    if (!current) throw new Error('no market snapshot is loaded yet on this worker (the web process publishes one after its first sync)');
    return current.store;
  };
  const readOnly = () => Promise.reject(new Error('a worker reads market snapshots; it never writes market data (syncs run on the web process)'));
  const market: MarketStore = {
    get path() {
      return current?.store.path ?? join(dir, '(none yet)');
    },
    read: (work) => needCurrent().read(work),
    readParallel: (n, work) => needCurrent().readParallel(n, work),
    write: readOnly,
    checkpoint: readOnly,
    query: (sql, params) => needCurrent().query(sql, params),
    close: async () => {},
  };

  return {
    market,
    currentVersion: () => current?.manifest.version ?? null,
    versions: () => [...loaded.values()].map((l) => l.manifest).sort(byNewest).map((m) => m.version),
    async load(version) {
      await ensure(version);
    },
    async follow() {
      const v = await newestAtSource();
      if (v) await ensure(v);
      await prune().catch((err) => log.warn('replica retention failed', { err: err as Error }));
      return v;
    },
    async acquire(pinned, note) {
      let version = pinned;
      if (!version) {
        version = await newestAtSource().catch((err: Error) => {
          if (!current) throw err;
          note?.(`the snapshot source did not answer (${err.message}); ran on the newest version here, ${current.manifest.version}`);
          return current.manifest.version;
        });
        if (!version) throw new Error(`no market snapshot at ${o.source.describe} yet: the web process publishes one after its first sync`);
      }
      const l = await ensure(version).catch((err: Error) => {
        throw new Error(`data version ${version}: ${err.message}`);
      });
      l.refs++;
      let released = false;
      return {
        version: l.manifest.version,
        market: l.store,
        panels: l.panels,
        release() {
          if (released) return;
          released = true;
          l.refs--;
        },
      } satisfies MarketData;
    },
    prune,
    async close() {
      closed = true;
      await Promise.allSettled([...loading.values()]);
      for (const l of loaded.values()) await l.store.close();
      loaded.clear();
      current = null;
    },
  };
}
