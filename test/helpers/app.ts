import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp, type AppDeps } from '../../src/app.tsx';
import type { Principal } from '../../src/auth/access.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openPostgres, type PgStore } from '../../src/db/database.ts';
import { diagnosticExecutors } from '../../src/executors/diagnostic.executors.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { makeExecutorRegistry } from '../../src/runs/executor-registry.ts';
import type { RunsRuntime, RunsSettings } from '../../src/runs/runs.runtime.ts';
import type { RunsService } from '../../src/runs/runs.service.ts';
import type { PanelCache } from '../../src/backtests/panel-cache.ts';
import { makeMetrics } from '../../src/metrics/metrics.service.ts';
import { syncRowTotals } from '../../src/market/sync/sync-log.service.ts';
import { defaultAssets } from '../../src/server.ts';
import { insertPrincipals } from './accounts.ts';
import { createTestDatabase, type TestDatabase } from './pg.ts';
import { startTestRuns, startTestWorkers, testRunsService, testServerExecutors } from './runs-runtime.ts';

export type App = ReturnType<typeof createApp>;

export interface TestApp {
  app: App;
  deps: AppDeps;
  config: Config;
  db: TestDatabase;
  market: MarketStore;
  /** The run machinery executing runs, when `workers` was asked for; else null (queued runs stay queued). */
  runtime: RunsRuntime | null;
  /** The warm-panel cache the backtest executors share, when the server's executors run here (workers and serverExecutors). */
  panels: PanelCache | null;
  /** The same app over other dependencies (another principal, an access watch of its own…); shares this one's stores. */
  appWith(overrides: Partial<AppDeps>): App;
  /**
   * A second instance on the same database: its own connections (under PGlite, which is one process,
   * the same store) and its own run service. `close()` closes its store; this app's close() does too.
   */
  secondInstance(overrides?: Partial<AppDeps>): Promise<{ app: App; pg: PgStore; close(): Promise<void> }>;
  /** Serves `app` (this one by default) over real HTTP on a free port of 127.0.0.1; its base URL. Stopped by close(). */
  listen(app?: App): Promise<string>;
  /** Stops whatever it started (servers, workers, second instances) and drops the database. */
  close(): Promise<void>;
}

export interface TestAppOptions extends Partial<AppDeps> {
  /** The server's own executors as server.ts builds them, instead of the harmless diagnostic ones. */
  serverExecutors?: boolean;
  /**
   * Workers: the run machinery started over the executors (settings over testRunsSettings), as
   * server.ts starts it when `serverExecutors`. `logger` is the machinery's (default: the app's).
   */
  workers?: { settings?: Partial<RunsSettings>; logger?: Logger };
  /** Users behind these hand-made principals (runs.queued_by references users), inserted first. */
  principals?: readonly Principal[];
  /** Fills the market store before executors and workers see it (a seeded demo market). */
  prepareMarket?: (market: MarketStore) => Promise<unknown>;
}

/**
 * The real app over a fresh test database and an in-memory DuckDB; requests go through
 * app.request(), or through a real socket after listen(). The one place tests build the app and its
 * run machinery, so wiring changes in server.ts are followed here.
 */
export async function makeTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const { serverExecutors, workers, principals, prepareMarket, ...overrides } = options;
  const config: Config = loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'false', DEFAULT_LOCALE: 'en', ...env });
  const db = await createTestDatabase();
  const market = await openMarketStore(':memory:');
  if (principals?.length) await insertPrincipals(db.store.db, principals);
  await prepareMarket?.(market);
  const logger = overrides.logger ?? silentLogger;
  let runtime: RunsRuntime | null = null;
  let panels: PanelCache | null = null;
  let executors = overrides.executors;
  let runs: RunsService | undefined = overrides.runs;
  if (workers && serverExecutors) {
    const started = await startTestRuns(db.store, market, env, { settings: workers.settings, logger: workers.logger ?? logger, secrets: overrides.secrets ?? null });
    ({ runtime, panels } = started);
    executors ??= started.registry;
  } else if (workers) {
    executors ??= makeExecutorRegistry([...diagnosticExecutors]);
    runtime = await startTestWorkers(db.store, executors, { settings: workers.settings, logger: workers.logger ?? logger });
  } else {
    executors ??= serverExecutors ? testServerExecutors(db.store, market, () => runs!, env) : makeExecutorRegistry([...diagnosticExecutors]);
  }
  runs ??= runtime?.service ?? testRunsService(db.store, executors);
  const deps: AppDeps = {
    config,
    logger,
    pg: db.store,
    market,
    assets: defaultAssets(),
    version: 'test',
    startedAt: new Date(),
    // /metrics as server.ts wires it (the panel cache's series only when the server's executors run here).
    metrics: makeMetrics({ runStats: () => runs.stats(), syncRows: () => syncRowTotals(db.store.db), panelCache: panels ? () => panels.stats() : undefined }),
    ...overrides,
    executors,
    runs,
  };
  const app = createApp(deps);
  const servers: ServerType[] = [];
  const secondClosers: Array<() => Promise<void>> = [];
  let closed: Promise<void> | null = null;
  return {
    app,
    deps,
    config,
    db,
    market,
    runtime,
    panels,
    appWith: (more) => createApp({ ...deps, ...more }),
    async secondInstance(more = {}) {
      const pg = db.url ? await openPostgres({ databaseUrl: db.url, pgliteDir: null, maxConnections: 3 }) : db.store;
      let done: Promise<void> | null = null;
      const close = () => (done ??= pg === db.store ? Promise.resolve() : pg.close());
      secondClosers.push(close);
      return { app: createApp({ ...deps, pg, runs: testRunsService(pg, executors), ...more }), pg, close };
    },
    async listen(served = app) {
      const server = await new Promise<ServerType>((resolve) => {
        const s = serve({ fetch: served.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
      });
      servers.push(server);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close() {
      closed ??= (async () => {
        // Open event streams end first, so closing the servers does not wait on them.
        runtime?.bus.closeAll();
        for (const s of servers) {
          if ('closeAllConnections' in s) s.closeAllConnections();
          s.close();
        }
        await runtime?.stop(3000);
        for (const close of secondClosers) await close();
        await market.close();
        await db.drop();
      })();
      return closed;
    },
  };
}
