import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MarketStore } from '../market/duckdb.ts';

/**
 * The market store copied into a DuckDB file of its own from one transaction on a connection of
 * its own: DuckDB gives a transaction a snapshot, so the copy is one moment while syncs keep writing
 * on the writer connection. Restore puts that file in place as it is: loading 41 M rows into
 * DuckDB's storage (compressing every column again) was most of a restore's time, and writing the
 * copy costs the backup what writing Parquet did (measured: 26 CPU-s each for the full market).
 * Archives of format 1 hold one Parquet file per table instead, loaded back by column name.
 */

/** DuckDB's migration bookkeeping: written by migrating the target, never loaded. */
const migrationTable = 'schema_migrations';

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

async function rowsOf(conn: DuckDBConnection, text: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(text)).getRowObjectsJS() as Record<string, unknown>[];
}

/** The base tables of the store's main schema (migration bookkeeping and attached databases excluded), by name. */
export async function listMarketTables(conn: DuckDBConnection): Promise<string[]> {
  const rows = await rowsOf(
    conn,
    `select table_name from information_schema.tables where table_catalog = current_database() and table_schema = 'main' and table_type = 'BASE TABLE' order by table_name`,
  );
  return rows.map((r) => String(r.table_name)).filter((n) => n !== migrationTable);
}

export interface MarketSnapshot {
  /** The applied migration ids. */
  migrations: string[];
  rows: Record<string, number>;
}

/**
 * Copies the store into a new DuckDB file at `file` (schema, constraints, the migration bookkeeping
 * and every row) from one snapshot, and returns the applied migrations and row counts seen in it.
 * `signal` is checked between tables.
 */
export async function exportMarketFile(market: MarketStore, file: string, o: { signal?: AbortSignal; onTable?: (table: string, tableCount: number) => void; witness?: (conn: DuckDBConnection) => Promise<void> } = {}): Promise<MarketSnapshot> {
  return market.readParallel(1, async ([conn]) => {
    // Attached before the transaction begins: ATTACH inside one ends it, and the tables read after would be no snapshot.
    const copy = `zq_backup_${randomBytes(6).toString('hex')}`;
    await conn.run(`attach ${quote(file)} as ${copy}`);
    let attached = true;
    try {
      await conn.run('begin transaction');
      try {
        const [{ db }] = await rowsOf(conn, 'select current_database() as db');
        const source = ident(String(db));
        const migrations = (await rowsOf(conn, `select id from ${migrationTable} order by applied_at, id`)).map((r) => String(r.id));
        const rows: Record<string, number> = {};
        const tables = await listMarketTables(conn);
        await conn.run(`copy from database ${source} to ${copy} (schema)`);
        for (const table of [...tables, migrationTable]) {
          o.signal?.throwIfAborted();
          if (table !== migrationTable) {
            o.onTable?.(table, tables.length);
            rows[table] = Number((await rowsOf(conn, `select count(*) as n from ${source}.main.${ident(table)}`))[0].n);
          }
          await conn.run(`insert into ${copy}.main.${ident(table)} select * from ${source}.main.${ident(table)}`);
        }
        await o.witness?.(conn);
        await conn.run('commit');
        // The whole copy in the file itself, no WAL beside it: the archive holds the one file.
        await conn.run(`checkpoint ${copy}`);
        await conn.run(`detach ${copy}`);
        attached = false;
        return { migrations, rows };
      } catch (err) {
        await conn.run('rollback').catch(() => {});
        throw err;
      }
    } finally {
      if (attached) await conn.run(`detach ${copy}`).catch(() => {});
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

/** The DuckDB migrations a market file has applied, by id (restore checks an archived file's against the manifest). */
export async function appliedMarketMigrations(market: MarketStore): Promise<string[]> {
  return (await market.query('select id from schema_migrations order by id')).map((r) => String(r.id));
}

/** Rows per table now in the store (restore checks them against the manifest). */
export async function countMarketRows(market: MarketStore, tables: readonly string[]): Promise<Record<string, number>> {
  return market.read(async (conn) => {
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = Number((await rowsOf(conn, `select count(*) as n from ${ident(t)}`))[0].n);
    return out;
  });
}
