import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/auth/tokens.service.ts';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { backup } from '../../src/backup/backup.service.ts';
import { restore, RestoreRefused } from '../../src/backup/restore.service.ts';
import { loadConfig } from '../../src/config.ts';
import { openPostgres, pgliteDirFor } from '../../src/db/database.ts';
import { migratePostgres } from '../../src/db/migrate.ts';
import { silentLogger } from '../../src/logger.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { marketPathFor, openMarketStore } from '../../src/market/duckdb.ts';
import { startServer } from '../../src/server.ts';
import { testPassword } from '../helpers/accounts.ts';
import { insertBacktestFixture, smallDemo } from '../helpers/backtests.ts';
import { createEmptyDatabase } from '../helpers/pg.ts';
import { pgFingerprints } from './fingerprints.ts';

let scratch: string;
let database: { url: string | null; drop(): Promise<void> };
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'zq-restore-pg-'));
  database = await createEmptyDatabase();
});
afterAll(async () => {
  await database?.drop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a backup of an embedded (PGlite) data directory restored onto a Postgres server', () => {
  it('serves the same backtest through the API, and refuses the now non-empty database', async () => {
    expect(database.url, 'this test needs a Postgres server (TEST_DATABASE_URL)').not.toBeNull();
    // The source: an embedded data directory with a user, a token and a finished backtest.
    const source = join(scratch, 'source');
    const pg = await openPostgres({ databaseUrl: null, pgliteDir: pgliteDirFor(source) });
    const market = await openMarketStore(marketPathFor(source));
    const archive = join(scratch, 'embedded.tar');
    let token: string;
    let backtestId: number;
    let before: unknown;
    let sourceTables: Awaited<ReturnType<typeof pgFingerprints>>;
    try {
      await migratePostgres(pg.db);
      await seedDemoMarket(market, smallDemo);
      const user = await createUser(pg.db, systemActor('test'), { username: 'carol', role: 'analyst', password: testPassword });
      ({ token } = await createToken(pg.db, systemActor('test'), { userId: user.id, name: 'restore test', expiresDays: null, now: new Date() }));
      backtestId = await insertBacktestFixture(pg.db, user.id, 'succeeded');
      before = (await pg.db.selectFrom('backtest_results').select('metrics').where('backtest_id', '=', backtestId).executeTakeFirstOrThrow()).metrics;
      sourceTables = await pgFingerprints(pg.db);
      const result = await backup({ pg, market, dataDir: source, secretKey: null }, archive);
      expect(result.manifest.postgres_kind).toBe('pglite');
    } finally {
      await market.close();
      await pg.close();
    }

    const target = join(scratch, 'target');
    const restored = await restore(archive, { dataDir: target, databaseUrl: database.url });
    expect(restored.postgres).toBe('postgres');
    const check = await openPostgres({ databaseUrl: database.url, pgliteDir: null, maxConnections: 2 });
    try {
      expect(await pgFingerprints(check.db)).toEqual(sourceTables);
    } finally {
      await check.close();
    }

    // A server on the restored stores answers for the backtest with the token made before the backup.
    const server = await startServer(loadConfig({ DATA_DIR: target, DATABASE_URL: database.url!, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'silent' }), { logger: silentLogger });
    try {
      const res = await fetch(`${server.url}/api/v1/backtests/${backtestId}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, await res.clone().text()).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ id: backtestId, status: 'succeeded', name: 'fixture' });
      const result = await fetch(`${server.url}/api/v1/backtests/${backtestId}/result`, { headers: { authorization: `Bearer ${token}` } });
      expect(result.status).toBe(200);
      // The stored metrics (camelCase in the row), as the API answers them (snake_case).
      const m = before as { totalReturn: number; sharpe: number; tradeCount: number };
      expect((await result.json()).metrics).toMatchObject({ total_return: m.totalReturn, sharpe: m.sharpe, trade_count: m.tradeCount });
      // New rows get new ids: a backtest queued now does not collide with the restored one.
      const queued = await fetch(`${server.url}/api/v1/backtests`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ strategy: 'dual_ma', universe: 'all', start_date: '2026-06-01', end_date: '2026-11-27', benchmark: null }),
      });
      expect(queued.status, await queued.clone().text()).toBe(202);
      expect((await queued.json()).id).toBeGreaterThan(backtestId);
    } finally {
      await server.stop();
    }

    const again = await restore(archive, { dataDir: join(scratch, 'other'), databaseUrl: database.url }).then(() => null, (err: Error) => err);
    expect(again).toBeInstanceOf(RestoreRefused);
    expect(again!.message).toMatch(/^the database at DATABASE_URL is not empty \(tables .*\); restore into a fresh, empty database$/);
  }, 120_000);
});
