import { createApp, type AppDeps } from '../../src/app.tsx';
import { loadConfig, type Config } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { defaultAssets } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from './pg.ts';
import { diagnosticExecutors } from '../../src/executors/diagnostic.executors.ts';
import { makeExecutorRegistry } from '../../src/runs/executor-registry.ts';
import { makeRunsCore } from '../../src/runs/runs.runtime.ts';
import type { RunsService } from '../../src/runs/runs.service.ts';
import { testServerExecutors } from './runs-runtime.ts';

export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  db: TestDatabase;
  market: MarketStore;
  close(): Promise<void>;
}

/** The real app over a fresh test database and an in-memory DuckDB; requests go through app.request(). */
export async function makeTestApp(env: Record<string, string> = {}, options: Partial<AppDeps> & { serverExecutors?: boolean } = {}): Promise<TestApp> {
  const { serverExecutors, ...overrides } = options;
  const config: Config = loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'false', ...env });
  const db = await createTestDatabase();
  const market = await openMarketStore(':memory:');
  // The run machinery without workers (queued runs stay queued) and the harmless diagnostic executors.
  // `serverExecutors`: the server's own executors as server.ts builds them (still without workers).
  const executors = overrides.executors ?? (serverExecutors ? testServerExecutors(db.store, market, () => runs, env) : makeExecutorRegistry([...diagnosticExecutors]));
  const runs: RunsService = overrides.runs ?? makeRunsCore(db.store, executors, silentLogger).service;
  const deps: AppDeps = {
    config,
    logger: silentLogger,
    pg: db.store,
    market,
    assets: defaultAssets(),
    version: 'test',
    startedAt: new Date(),
    executors,
    runs,
    ...overrides,
  };
  return {
    app: createApp(deps),
    deps,
    db,
    market,
    async close() {
      await market.close();
      await db.drop();
    },
  };
}
