import type { DuckDBConnection } from '@duckdb/node-api';
import type { MarketStore } from '../market/duckdb.ts';

/**
 * The market store's tables as Parquet files, one per table, written from one read transaction on a
 * connection of its own: DuckDB gives a transaction a snapshot, so every file is the same moment
 * while syncs keep writing on the writer connection. Loaded back by column name.
 */

/** DuckDB's migration bookkeeping: written by migrating the target, never loaded. */
const migrationTable = 'schema_migrations';

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

async function rowsOf(conn: DuckDBConnection, text: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(text)).getRowObjectsJS() as Record<string, unknown>[];
}

/** The base tables of the main schema (migration bookkeeping excluded), by name. */
export async function listMarketTables(conn: DuckDBConnection): Promise<string[]> {
  const rows = await rowsOf(conn, `select table_name from information_schema.tables where table_schema = 'main' and table_type = 'BASE TABLE' order by table_name`);
  return rows.map((r) => String(r.table_name)).filter((n) => n !== migrationTable);
}

export interface MarketSnapshot {
  /** The applied migration ids. */
  migrations: string[];
  rows: Record<string, number>;
}

/**
 * Writes every table to `fileFor(table)` as Parquet (zstd) from one snapshot and returns the
 * applied migrations and row counts seen in it. `signal` is checked between tables.
 */
export async function exportMarketTables(market: MarketStore, fileFor: (table: string) => string, o: { signal?: AbortSignal; onTable?: (table: string, tableCount: number) => void; witness?: (conn: DuckDBConnection) => Promise<void> } = {}): Promise<MarketSnapshot> {
  return market.readParallel(1, async ([conn]) => {
    await conn.run('begin transaction');
    try {
      const migrations = (await rowsOf(conn, `select id from ${migrationTable} order by applied_at, id`)).map((r) => String(r.id));
      const rows: Record<string, number> = {};
      const tables = await listMarketTables(conn);
      for (const table of tables) {
        o.signal?.throwIfAborted();
        o.onTable?.(table, tables.length);
        rows[table] = Number((await rowsOf(conn, `select count(*) as n from ${ident(table)}`))[0].n);
        await conn.run(`copy ${ident(table)} to ${quote(fileFor(table))} (format parquet, compression zstd)`);
      }
      await o.witness?.(conn);
      return { migrations, rows };
    } finally {
      await conn.run('rollback').catch(() => {});
    }
  });
}

/** Loads each table from its Parquet file, matching columns by name, in the writer's one transaction. */
export async function importMarketTables(market: MarketStore, tables: readonly string[], fileFor: (table: string) => string): Promise<void> {
  await market.write(async (conn) => {
    const present = new Set(await listMarketTables(conn));
    for (const table of tables) {
      if (!present.has(table)) throw new Error(`duckdb: the archive has table ${table}, which this schema version does not`);
      await conn.run(`delete from ${ident(table)}`);
      await conn.run(`insert into ${ident(table)} by name select * from read_parquet(${quote(fileFor(table))})`);
    }
  });
}

/** Rows per table now in the store (restore checks them against the manifest). */
export async function countMarketRows(market: MarketStore, tables: readonly string[]): Promise<Record<string, number>> {
  return market.read(async (conn) => {
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = Number((await rowsOf(conn, `select count(*) as n from ${ident(t)}`))[0].n);
    return out;
  });
}
