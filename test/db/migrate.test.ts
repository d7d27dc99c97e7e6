import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/database.ts';
import { migratePostgres } from '../../src/db/migrate.ts';
import { pgMigrations } from '../../migrations/pg/index.ts';
import { createEmptyDatabase } from '../helpers/pg.ts';

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
      const unlisten = await store.listen('zq_test', (p) => got.push(p));
      await store.notify('zq_test', 'hello');
      await new Promise((r) => setTimeout(r, 50));
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

  it('two processes migrating at once both succeed and apply each migration once', async () => {
    const a = await openPostgres({ databaseUrl: empty.url, pgliteDir: null, maxConnections: 2 });
    const b = empty.url ? await openPostgres({ databaseUrl: empty.url, pgliteDir: null, maxConnections: 2 }) : a;
    try {
      const [ra, rb] = await Promise.all([migratePostgres(a.db), migratePostgres(b.db)]);
      expect([...ra, ...rb].sort()).toEqual(Object.keys(pgMigrations).sort());
      const rows = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(a.db);
      expect(rows.rows[0].n).toBe(Object.keys(pgMigrations).length);
    } finally {
      if (b !== a) await b.close();
      await a.close();
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
