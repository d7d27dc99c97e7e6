import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { duckMigrations, type DuckMigration } from '../../migrations/duckdb/index.ts';
import { migrationStatus, newerSchemaMessage, type MigrationStatus } from '../db/migration-status.ts';
import { version } from '../version.ts';

/**
 * The analytical store. One DuckDB instance per process; `read` hands out a connection for
 * queries, `write` serialises writers (DuckDB allows one writer transaction at a time without
 * conflicts, and batches must never interleave).
 */
export interface MarketStore {
  readonly path: string;
  /** Runs read work on the shared read connection. */
  read<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  /**
   * Runs read work on `n` fresh connections at once (closed afterwards): DuckDB executes each
   * connection's query on its own thread, so one job split in slices (the panel loader's date
   * ranges) uses every core instead of waiting on one result stream.
   */
  readParallel<T>(n: number, work: (conns: DuckDBConnection[]) => Promise<T>): Promise<T>;
  /** Runs write work alone, on the writer connection, inside a transaction. */
  write<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  /**
   * Writes the WAL into the file and lets DuckDB reuse the blocks deleted rows freed (housekeeping);
   * taken in turn with writes on the writer connection, outside a transaction (CHECKPOINT refuses one).
   */
  checkpoint(): Promise<void>;
  /** Rows of a query as plain objects (cold paths only: pages, health). */
  query(sql: string, params?: DuckDBValue[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** The store's write generation (a fresh random id per committed write transaction), or null for a store without one (older migrations). */
export async function marketGeneration(market: MarketStore): Promise<string | null> {
  const [row] = await market.query(`select generation from market_generation where id = 1`).catch(() => []);
  return row ? String(row.generation) : null;
}

/** Opens (creating if needed) the DuckDB file and brings its schema to the latest version. */
export async function openMarketStore(path: string, migrations: readonly DuckMigration[] = duckMigrations): Promise<MarketStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(path);
  const reader = await instance.connect();
  const writer = await instance.connect();
  try {
    await migrateDuck(writer, migrations);
  } catch (err) {
    reader.closeSync();
    writer.closeSync();
    instance.closeSync();
    throw err;
  }

  let writeChain: Promise<unknown> = Promise.resolve();
  let closed = false;
  // A store opened with fewer migrations (tests of upgrades) may lack the generation table.
  const generation = (await (await writer.runAndReadAll(`select 1 from information_schema.tables where table_name = 'market_generation'`)).getRows()).length > 0;

  const store: MarketStore = {
    path,
    async read(work) {
      if (closed) throw new Error('market store is closed');
      return work(reader);
    },
    async readParallel(n, work) {
      if (closed) throw new Error('market store is closed');
      const conns: DuckDBConnection[] = [];
      try {
        for (let i = 0; i < Math.max(1, n); i++) conns.push(await instance.connect());
        return await work(conns);
      } finally {
        for (const c of conns) c.closeSync();
      }
    },
    write<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(new Error('market store is closed'));
      const next = writeChain.then(async () => {
        await writer.run('begin transaction');
        try {
          const result = await work(writer);
          // Every committed write makes a new generation (the single process's data version).
          if (generation) await writer.run(`update market_generation set generation = uuid()::varchar, updated_at = now() where id = 1`);
          await writer.run('commit');
          return result;
        } catch (err) {
          await writer.run('rollback').catch(() => {});
          throw err;
        }
      });
      writeChain = next.catch(() => {});
      return next;
    },
    checkpoint() {
      if (closed) return Promise.reject(new Error('market store is closed'));
      const next = writeChain.then(async () => {
        await writer.run('checkpoint');
      });
      writeChain = next.catch(() => {});
      return next;
    },
    async query(sql, params) {
      if (closed) throw new Error('market store is closed');
      const reader2 = await reader.runAndReadAll(sql, params);
      return reader2.getRowObjectsJS() as Record<string, unknown>[];
    },
    async close() {
      if (closed) return;
      closed = true;
      await writeChain;
      reader.closeSync();
      writer.closeSync();
      instance.closeSync();
    },
  };
  return store;
}

/** The ids of the DuckDB migrations applied (none before the first). */
async function appliedDuckMigrations(conn: DuckDBConnection): Promise<string[]> {
  const table = await conn.runAndReadAll(`select 1 from information_schema.tables where table_name = 'schema_migrations'`);
  if (table.getRowObjectsJS().length === 0) return [];
  return (await conn.runAndReadAll('select id from schema_migrations')).getRowObjectsJS().map((r) => String(r.id));
}

/** Which market-store migrations this open store has applied, pending, or newer than this code. */
export async function marketMigrationStatus(store: MarketStore, migrations: readonly DuckMigration[] = duckMigrations): Promise<MigrationStatus> {
  return store.read(async (conn) => migrationStatus(migrations.map((m) => m.id), await appliedDuckMigrations(conn)));
}

/**
 * The same for a market file nobody has open, read without changing it (read-only; a missing file
 * has everything pending). For `zquant migrate --dry-run` outside a server.
 */
export async function readMarketMigrationStatus(path: string, migrations: readonly DuckMigration[] = duckMigrations): Promise<MigrationStatus> {
  const known = migrations.map((m) => m.id);
  if (path !== ':memory:' && !existsSync(path)) return migrationStatus(known, []);
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  try {
    const conn = await instance.connect();
    try {
      return migrationStatus(known, await appliedDuckMigrations(conn));
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

async function migrateDuck(conn: DuckDBConnection, migrations: readonly DuckMigration[]): Promise<void> {
  const status = migrationStatus(migrations.map((m) => m.id), await appliedDuckMigrations(conn));
  if (status.newer.length) throw new Error(newerSchemaMessage('duckdb', status.newer, version));
  await conn.run(
    `create table if not exists schema_migrations (id varchar primary key, applied_at timestamptz not null default now())`,
  );
  const done = new Set(status.applied);
  for (const m of migrations) {
    if (done.has(m.id)) continue;
    await conn.run('begin transaction');
    try {
      for (const statement of m.statements) await conn.run(statement);
      await conn.run('insert into schema_migrations (id) values ($1)', [m.id]);
      await conn.run('commit');
    } catch (err) {
      await conn.run('rollback').catch(() => {});
      throw new Error(`duckdb migration ${m.id} failed: ${(err as Error).message}`);
    }
  }
}

/** Where the market file lives inside DATA_DIR. */
export function marketPathFor(dataDir: string): string {
  return join(dataDir, 'market.duckdb');
}

/** Whether the market store answers a query (the readiness probe); throws DuckDB's error when it does not. */
export async function pingMarket(market: MarketStore): Promise<void> {
  await market.query('select 1');
}
