/**
 * Publishing a snapshot of the market store: every table, from one read snapshot (one DuckDB
 * transaction on a connection of its own), fingerprinted for the version id and written as Parquet
 * by DuckDB's COPY … TO (FORMAT parquet) into a staging directory that is renamed into place once
 * complete, so a reader never sees half a version. A version that exists already is not written again.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MarketStore } from '../market/duckdb.ts';
import { fileDigest, manifestFileName, parseManifest, versionOf, type Manifest, type TableFingerprint } from './manifest.ts';

/** Tables that are not market data: the schema's own bookkeeping (the replica's migrations write it). */
const notData = new Set(['schema_migrations', 'market_generation']);

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function rowsOf<T>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS() as T[];
}

/** The market tables of a store, in name order. */
export async function dataTables(conn: DuckDBConnection): Promise<string[]> {
  const rows = await rowsOf<{ name: string }>(conn, `select table_name as name from information_schema.tables where table_schema = 'main' and table_type = 'BASE TABLE' order by 1`);
  return rows.map((r) => r.name).filter((n) => !notData.has(n));
}

/** Every market table's rows and row-hash sum, read on `conn` (inside the caller's transaction for a consistent view). */
export async function fingerprintTables(conn: DuckDBConnection, tables: readonly string[]): Promise<TableFingerprint[]> {
  const out: TableFingerprint[] = [];
  for (const table of tables) {
    const [r] = await rowsOf<{ n: bigint; h: bigint | null }>(conn, `select count(*)::bigint as n, coalesce(sum(hash(t))::hugeint, 0) as h from ${quoteIdent(table)} t`);
    out.push({ table, rows: Number(r.n), hashSum: String(r.h ?? 0) });
  }
  return out;
}

/** The content version of the store as it is now (what a publish of it would be called). */
export async function marketVersion(market: MarketStore): Promise<string> {
  return market.readParallel(1, async ([conn]) => {
    await conn.run('begin transaction');
    try {
      return versionOf(await fingerprintTables(conn, await dataTables(conn)));
    } finally {
      await conn.run('commit').catch(() => {});
    }
  });
}

export interface Published {
  manifest: Manifest;
  /** False when this version was in the store already (nothing written). */
  created: boolean;
  ms: number;
}

/** Writes the store's current content as a version under `dir` (dir/<version>/), unless that version exists. */
export async function publishSnapshot(market: MarketStore, dir: string, now: () => Date = () => new Date()): Promise<Published> {
  const t0 = Date.now();
  await mkdir(dir, { recursive: true });
  const staging = join(dir, `.staging-${process.pid}-${Date.now()}`);
  try {
    const result = await market.readParallel(1, async ([conn]) => {
      await conn.run('begin transaction');
      try {
        const tables = await dataTables(conn);
        const prints = await fingerprintTables(conn, tables);
        const version = versionOf(prints);
        const final = join(dir, version);
        if (await stat(join(final, manifestFileName)).then(() => true, () => false)) return { version, existed: true as const };
        const schema = (await rowsOf<{ id: string }>(conn, 'select id from schema_migrations order by id')).map((r) => r.id);
        await mkdir(staging, { recursive: true });
        // Each file's sha256 is computed on this thread while DuckDB's threads write the next table
        // (the hashing of 1.2 GB no longer waits for the writing, nor the writing for it).
        const digests: Promise<Manifest['files'][number]>[] = [];
        try {
          for (const p of prints) {
            const name = `${p.table}.parquet`;
            const path = join(staging, name);
            // Snappy (DuckDB's default): measured here 35–40% faster to write than zstd, files ~20% larger.
            // Parquet format version 2 (its DELTA and BYTE_STREAM_SPLIT encodings): measured on the full
            // market, quiet, 13–22 % less CPU to write than version 1 (daily_basic 3.6–4.0 s against
            // 4.9–5.2 s), files 3–17 % larger; DuckDB reads both.
            await conn.run(`copy ${quoteIdent(p.table)} to ${quoteLiteral(path)} (format parquet, compression snappy, parquet_version v2)`);
            digests.push(fileDigest(path).then((d) => ({ name, table: p.table, rows: p.rows, bytes: d.bytes, sha256: d.sha256 })));
          }
        } catch (err) {
          await Promise.allSettled(digests);
          throw err;
        }
        const files: Manifest['files'] = await Promise.all(digests);
        return { version, existed: false as const, schema, files };
      } finally {
        await conn.run('commit').catch(() => {});
      }
    });
    const final = join(dir, result.version);
    if (result.existed) return { manifest: await readLocalManifest(dir, result.version), created: false, ms: Date.now() - t0 };
    const manifest: Manifest = { version: result.version, created_at: now().toISOString(), schema: result.schema, files: result.files };
    // The manifest is written last inside the staging directory, and the directory renamed whole.
    await writeFile(join(staging, manifestFileName), JSON.stringify(manifest, null, 1));
    try {
      await rename(staging, final);
    } catch (err) {
      // Another publisher renamed the same content into place first: theirs is as good.
      if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return { manifest: await readLocalManifest(dir, result.version), created: false, ms: Date.now() - t0 };
    }
    return { manifest, created: true, ms: Date.now() - t0 };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function readLocalManifest(dir: string, version: string): Promise<Manifest> {
  return parseManifest(await readFile(join(dir, version, manifestFileName), 'utf8'), `snapshot ${version}`);
}
