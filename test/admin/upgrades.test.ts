// Upgrades (issue 22): `zquant migrate --dry-run` lists what migrating would apply to each store and
// changes nothing; a store a newer zquant has migrated stops the server (and the CLI) with one line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migratePostgres, postgresMigrationStatus } from '../../src/db/migrate.ts';
import { marketMigrationStatus, marketPathFor, openMarketStore } from '../../src/market/duckdb.ts';
import { pgMigrations } from '../../migrations/pg/index.ts';
import { duckMigrations } from '../../migrations/duckdb/index.ts';
import { createTestDatabase } from '../helpers/pg.ts';
import { runCli, startServerProcess } from '../helpers/process.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'zq-upgrade-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
// Embedded Postgres in the data directory, so each test's stores are its own.
const env = { DATABASE_URL: '', SEED_DEMO: 'false', ZQUANT_ADMIN_PASSWORD: 'first admin password' };
const pgCount = Object.keys(pgMigrations).length;
const duckCount = duckMigrations.length;

describe('zquant migrate --dry-run', () => {
  it('lists every pending migration of a fresh data directory, applies none, and says up to date once migrated', async () => {
    const dir = tempDir();
    const first = await runCli(['migrate', '--dry-run', '--data-dir', dir], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`postgres: ${pgCount} pending: ${Object.keys(pgMigrations)[0]}, `);
    expect(first.stdout).toContain(`duckdb: ${duckCount} pending: ${duckMigrations[0].id}, `);
    // Nothing was applied: asking again lists the same.
    expect((await runCli(['migrate', '--dry-run', '--data-dir', dir], env)).stdout).toBe(first.stdout);
    expect((await runCli(['migrate', '--data-dir', dir], env)).code).toBe(0);
    const after = await runCli(['migrate', '--dry-run', '--data-dir', dir], env);
    expect(after.stdout).toBe(`postgres: up to date (${pgCount} applied)\nduckdb: up to date (${duckCount} applied)\n`);
  }, 120_000);

  it('answers through a running server (its stores, migrated at start)', async () => {
    const dir = tempDir();
    const server = await startServerProcess(['--data-dir', dir], env);
    try {
      const r = await runCli(['migrate', '--dry-run', '--data-dir', dir], env);
      expect(r).toMatchObject({ code: 0, stdout: `postgres: up to date (${pgCount} applied)\nduckdb: up to date (${duckCount} applied)\n` });
    } finally {
      await server.stop('SIGTERM');
    }
  }, 120_000);
});

describe('a schema newer than the code', () => {
  it('Postgres: migrating refuses before touching anything, naming the unknown migration', async () => {
    const db = await createTestDatabase();
    try {
      await sql`insert into kysely_migration (name, timestamp) values ('2099-01-01-999-from-the-future', now()::text)`.execute(db.store.db);
      const status = await postgresMigrationStatus(db.store.db);
      expect(status).toMatchObject({ pending: [], newer: ['2099-01-01-999-from-the-future'] });
      expect(status.applied.length).toBe(pgCount);
      await expect(migratePostgres(db.store.db)).rejects.toThrow(/^postgres: the schema is newer than this zquant \(.+\) knows: migration 2099-01-01-999-from-the-future came from a later version; run that version \(or newer\), or restore a backup taken before the upgrade$/);
    } finally {
      await db.drop();
    }
  });

  it('DuckDB: opening the market store refuses, and a server on that data directory stops with one line', async () => {
    const dir = tempDir();
    expect((await runCli(['migrate', '--data-dir', dir], env)).code).toBe(0);
    const market = await openMarketStore(marketPathFor(dir));
    await market.write((conn) => conn.run(`insert into schema_migrations (id) values ('2099-01-01-999-from-the-future')`));
    expect((await marketMigrationStatus(market)).newer).toEqual(['2099-01-01-999-from-the-future']);
    await market.close();
    await expect(openMarketStore(marketPathFor(dir))).rejects.toThrow(/^duckdb: the schema is newer than this zquant/);

    const serve = await runCli(['serve', '--data-dir', dir], { ...env, PORT: '0' }, 60_000);
    expect(serve.code).not.toBe(0);
    const lines = serve.stderr.trim().split('\n').filter((l) => l.includes('newer than this zquant'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(serve.stderr).toContain('2099-01-01-999-from-the-future');
    // The dry run says so too, and fails.
    const dry = await runCli(['migrate', '--dry-run', '--data-dir', dir], env);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('duckdb: newer than this zquant: 2099-01-01-999-from-the-future');
  }, 120_000);
});
