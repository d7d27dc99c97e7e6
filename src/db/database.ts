import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { PostgresJSDialect } from 'kysely-postgres-js';
import { pgliteFiles } from '../binary/pglite-files.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type PostgresKind = 'pglite' | 'postgres';

/** The relational store: Kysely plus the two things Kysely does not do (LISTEN/NOTIFY) and close. */
export interface PgStore {
  readonly db: Kysely<Database>;
  readonly kind: PostgresKind;
  /** Subscribes to a NOTIFY channel; the returned function unsubscribes. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenPgOptions {
  /** A postgres:// URL; null opens PGlite. */
  databaseUrl: string | null;
  /** Where PGlite keeps its files; null keeps them in memory (tests). */
  pgliteDir: string | null;
  /** postgres.js pool size. */
  maxConnections?: number;
}

/** Opens the relational store: a Postgres server when a URL is given, embedded PGlite otherwise. */
export async function openPostgres(options: OpenPgOptions): Promise<PgStore> {
  if (options.databaseUrl) return openServer(options.databaseUrl, options.maxConnections ?? 10);
  return openPglite(options.pgliteDir);
}

async function openServer(url: string, max: number): Promise<PgStore> {
  const sqlClient = postgres(url, {
    max,
    onnotice: () => {},
    // int8 (count(*), bigserial ids) as JS numbers: our ids and counts stay far below 2^53.
    types: {
      int8: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
    },
  });
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: sqlClient }) });
  await sql`select 1`.execute(db);
  return {
    db,
    kind: 'postgres',
    async listen(channel, onPayload) {
      const sub = await sqlClient.listen(channel, onPayload);
      return async () => {
        await sub.unlisten();
      };
    },
    async notify(channel, payload) {
      await sqlClient.notify(channel, payload);
    },
    async close() {
      await db.destroy();
    },
  };
}

async function openPglite(dir: string | null): Promise<PgStore> {
  if (dir) mkdirSync(dir, { recursive: true });
  // Inside the single executable PGlite's WASM and data files come from the executable (empty under node).
  const files = await pgliteFiles();
  const pg = dir ? await PGlite.create(dir, files) : await PGlite.create(files);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pg) });
  return {
    db,
    kind: 'pglite',
    async listen(channel, onPayload) {
      const unlisten = await pg.listen(channel, onPayload);
      return async () => {
        await unlisten();
      };
    },
    async notify(channel, payload) {
      await pg.query('select pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      await db.destroy();
      await pg.close();
    },
  };
}

/** Where the embedded database lives inside DATA_DIR. */
export function pgliteDirFor(dataDir: string): string {
  return join(dataDir, 'pg');
}

/** Whether Postgres answers a query (the readiness probe); throws the driver's error when it does not. */
export async function pingPostgres(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
