import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openPostgres, type PgStore } from '../../src/db/database.ts';
import { migratePostgres } from '../../src/db/migrate.ts';

/**
 * Where tests find Postgres: TEST_DATABASE_URL, else the machine's local server. Set
 * TEST_DATABASE_URL=pglite to force the embedded fallback (what a machine without a server gets).
 */
const defaultServerUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

let serverUrlPromise: Promise<string | null> | null = null;

/** The admin URL of a reachable Postgres server, or null when none answers. */
export function testServerUrl(): Promise<string | null> {
  serverUrlPromise ??= (async () => {
    const configured = process.env.TEST_DATABASE_URL;
    if (configured === 'pglite') {
      console.warn('tests use embedded PGlite: TEST_DATABASE_URL=pglite (tests that need several processes on one database skip)');
      return null;
    }
    const url = configured || defaultServerUrl;
    const probe = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await probe`select 1`;
      return url;
    } catch (err) {
      if (configured) throw new Error(`TEST_DATABASE_URL is set but does not answer: ${(err as Error).message}`);
      // Said once per test file, never silently: a run on PGlite checks less (one process, no server).
      console.warn(`tests fall back to embedded PGlite: no Postgres server answers at ${url} (${(err as Error).message}); set TEST_DATABASE_URL to use one`);
      return null;
    } finally {
      await probe.end({ timeout: 1 });
    }
  })();
  return serverUrlPromise;
}

export interface TestDatabase {
  store: PgStore;
  /** The database's URL, or null under PGlite. */
  url: string | null;
  kind: 'pglite' | 'postgres';
  /** Closes the store and drops the database. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh, empty database (one per test file): a new database on the server, or in-memory PGlite. */
export async function createEmptyDatabase(): Promise<{ url: string | null; drop: () => Promise<void> }> {
  const server = await testServerUrl();
  if (!server) return { url: null, drop: async () => {} };
  const name = `zq_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  return {
    url: withDatabase(server, name),
    drop: async () => {
      const a = postgres(server, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** A migrated database for one test file. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const empty = await createEmptyDatabase();
  const store = await openPostgres({ databaseUrl: empty.url, pgliteDir: null, maxConnections: 5 });
  if (options.migrate ?? true) await migratePostgres(store.db);
  return {
    store,
    url: empty.url,
    kind: store.kind,
    drop: async () => {
      await store.close();
      await empty.drop();
    },
  };
}
