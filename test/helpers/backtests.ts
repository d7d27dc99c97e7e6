import { createApp } from '../../src/app.tsx';
import type { Principal, Role } from '../../src/auth/access.ts';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { makeExecutorRegistry } from '../../src/runs/executor-registry.ts';
import { startRuns, type RunsRuntime } from '../../src/runs/runs.runtime.ts';
import { defaultAssets, serverExecutors } from '../../src/server.ts';
import { testPassword } from './accounts.ts';
import { createTestDatabase, type TestDatabase } from './pg.ts';

/** The demo market used by backtest tests: 30 stocks, 2 years to 2026-11-27 (generator in src/market/demo). */
export const smallDemo = { seed: 7, stocks: 30, years: 2, end: 20261127 };

export interface BacktestEnv {
  db: TestDatabase;
  market: MarketStore;
  rt: RunsRuntime;
  app: ReturnType<typeof createApp>;
  users: Record<'viewer' | 'analyst' | 'analyst2' | 'admin', Principal>;
  /** Who the next requests come from. */
  as(p: Principal | null): void;
  close(): Promise<void>;
}

/** The real app with a real worker pool (backtest slots on worker threads) over a seeded in-memory DuckDB. */
export async function makeBacktestEnv(): Promise<BacktestEnv> {
  const db = await createTestDatabase();
  const market = await openMarketStore(':memory:');
  await seedDemoMarket(market, smallDemo);
  const registry = makeExecutorRegistry(serverExecutors());
  const rt = await startRuns({
    pg: db.store, market, registry, logger: silentLogger,
    settings: { concurrency: { backtest: 2, io: 2 }, leaseMs: 10_000, heartbeatMs: 500, pollMs: 200, reaperMs: 1000, maxRetryDelayMs: 2000, abortGraceMs: 2000, flushIntervalMs: 50 },
  });
  const mk = async (username: string, role: Role): Promise<Principal> => {
    const u = await createUser(db.store.db, systemActor('test'), { username, role, password: testPassword });
    return { userId: u.id, username, role, via: 'token' };
  };
  const users = { viewer: await mk('bt-viewer', 'viewer'), analyst: await mk('bt-analyst', 'analyst'), analyst2: await mk('bt-analyst2', 'analyst'), admin: await mk('bt-admin', 'admin') };
  let current: Principal | null = users.analyst;
  const app = createApp({
    config: loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'false', API_RATE_LIMIT_PER_MINUTE: '100000' }),
    logger: silentLogger, pg: db.store, market, assets: defaultAssets(), version: 'test', startedAt: new Date(), runs: rt.service, executors: registry,
    authenticate: async () => current,
  });
  return {
    db, market, rt, app, users,
    as: (p) => void (current = p),
    async close() {
      await rt.stop(3000);
      await market.close();
      await db.drop();
    },
  };
}

export const postJson = (app: BacktestEnv['app'], path: string, body: unknown) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
