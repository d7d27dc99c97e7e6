import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/database.ts';
import { migratePostgres } from '../../src/db/migrate.ts';
import { pgMigrations } from '../../migrations/pg/index.ts';
import { createEmptyDatabase, testServerUrl } from '../helpers/pg.ts';
import { runCli } from '../helpers/process.ts';

const serverUrl = await testServerUrl();
if (!serverUrl) console.warn('SKIPPED db/migrate.test.ts "two processes migrating at once": no Postgres server answers; two processes cannot share embedded PGlite');

async function tableNames(db: Parameters<typeof migratePostgres>[0]): Promise<string[]> {
  const r = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public' order by 1`.execute(db);
  return r.rows.map((x) => x.table_name);
}

describe('postgres migrations on embedded PGlite', () => {
  it('apply every migration, then nothing the second time', async () => {
    const store = await openPostgres({ databaseUrl: null, pgliteDir: null });
    try {
      expect(await migratePostgres(store.db)).toEqual(Object.keys(pgMigrations));
      expect(await migratePostgres(store.db)).toEqual([]);
      expect(await tableNames(store.db)).toContain('settings');
    } finally {
      await store.close();
    }
  });

  it('carry LISTEN/NOTIFY', async () => {
    const store = await openPostgres({ databaseUrl: null, pgliteDir: null });
    try {
      const got: string[] = [];
      let heard!: () => void;
      const first = new Promise<void>((resolve) => (heard = resolve));
      const unlisten = await store.listen('zq_test', (p) => {
        got.push(p);
        heard();
      });
      await store.notify('zq_test', 'hello');
      // Waits for the notification itself (the test's timeout is the deadline).
      await first;
      await unlisten();
      expect(got).toEqual(['hello']);
    } finally {
      await store.close();
    }
  });
});

describe('postgres migrations on the test database (server when reachable)', () => {
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
  beforeAll(async () => {
    empty = await createEmptyDatabase();
  });
  afterAll(async () => {
    await empty.drop();
  });

  it.skipIf(!serverUrl)('two processes migrating at once both succeed and apply each migration once', async () => {
    // Two `zquant migrate` processes on one empty database (each with its own data directory for DuckDB).
    const dirs = [mkdtempSync(join(tmpdir(), 'zq-migrate-')), mkdtempSync(join(tmpdir(), 'zq-migrate-'))];
    try {
      const results = await Promise.all(dirs.map((dir) => runCli(['migrate'], { DATABASE_URL: empty.url!, DATA_DIR: dir })));
      for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      const s = await openPostgres({ databaseUrl: empty.url, pgliteDir: null, maxConnections: 1 });
      try {
        const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(s.db);
        expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(pgMigrations).sort());
      } finally {
        await s.close();
      }
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  it('returns int8 columns as numbers', async () => {
    const s = await openPostgres({ databaseUrl: empty.url, pgliteDir: null, maxConnections: 1 });
    try {
      const r = await sql<{ n: unknown }>`select count(*) as n from generate_series(1, 3)`.execute(s.db);
      expect(r.rows[0].n).toBe(3);
    } finally {
      await s.close();
    }
  });
});
