import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import type { BacktestSpec } from '../../src/backtests/backtest-request.ts';
import * as repo from '../../src/backtests/backtests.repository.ts';
import { toStored } from '../../src/backtests/results.ts';
import { runBacktest } from '../../src/engine/run-backtest.ts';
import type { Database } from '../../src/db/schema.ts';
import { tinyPanel } from '../../src/strategies/dry-run.ts';
import { insertStrategy } from '../../src/strategies/strategies.repository.ts';
import { strategyTemplate } from '../../src/strategies/template.ts';
import type { Principal, Role } from '../../src/auth/access.ts';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import type { MarketStore } from '../../src/market/duckdb.ts';
import type { ExecutorRegistry } from '../../src/runs/executor-registry.ts';
import type { RunsRuntime } from '../../src/runs/runs.runtime.ts';
import type { PanelCache } from '../../src/backtests/panel-cache.ts';
import { testPassword } from './accounts.ts';
import { makeTestApp, type App } from './app.ts';
import type { TestDatabase } from './pg.ts';

/** The demo market used by backtest tests: 30 stocks, 2 years to 2026-11-27 (generator in src/market/demo). */
export const smallDemo = { seed: 7, stocks: 30, years: 2, end: 20261127 };

export interface BacktestEnv {
  db: TestDatabase;
  market: MarketStore;
  rt: RunsRuntime;
  /** The server's executors as the workers run them. */
  registry: ExecutorRegistry;
  /** The warm-panel cache the backtest executors share. */
  panels: PanelCache;
  app: App;
  users: Record<'viewer' | 'analyst' | 'analyst2' | 'admin', Principal>;
  /** Who the next requests come from. */
  as(p: Principal | null): void;
  /** Serves the app over real HTTP on a free port of 127.0.0.1; its base URL (stopped by close()). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real app with a real worker pool (backtest slots on worker threads) over a seeded in-memory
 * DuckDB. `logger` receives the run machinery's log (silent by default). `env` is configuration as
 * the server reads it (limits, …): with it the executors and the pool's per-user cap are the
 * server's own for that configuration. `backtestSlots` defaults to 2.
 */
export async function makeBacktestEnv(options: { logger?: Logger; env?: Record<string, string>; backtestSlots?: number } = {}): Promise<BacktestEnv> {
  const env = { API_RATE_LIMIT_PER_MINUTE: '100000', ...options.env };
  // The pool's per-user cap is the server's own for this configuration.
  const { backtestMaxRunningPerUser } = loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'false', ...env });
  let current: Principal | null = null;
  const t = await makeTestApp(env, {
    authenticate: async () => current,
    serverExecutors: true,
    prepareMarket: (market) => seedDemoMarket(market, smallDemo),
    workers: {
      logger: options.logger ?? silentLogger,
      settings: {
        concurrency: { backtest: options.backtestSlots ?? 2, io: 2 }, perOwnerRunning: { backtest: backtestMaxRunningPerUser },
        leaseMs: 10_000, heartbeatMs: 500, pollMs: 200, reaperMs: 1000, maxRetryDelayMs: 2000, abortGraceMs: 2000, flushIntervalMs: 50,
      },
    },
  });
  const mk = async (username: string, role: Role): Promise<Principal> => {
    const u = await createUser(t.db.store.db, systemActor('test'), { username, role, password: testPassword });
    return { userId: u.id, username, role, via: 'token' };
  };
  const users = { viewer: await mk('bt-viewer', 'viewer'), analyst: await mk('bt-analyst', 'analyst'), analyst2: await mk('bt-analyst2', 'analyst'), admin: await mk('bt-admin', 'admin') };
  current = users.analyst;
  return {
    db: t.db, market: t.market, rt: t.runtime!, registry: t.deps.executors!, panels: t.panels!, app: t.app, users,
    as: (p) => void (current = p),
    listen: () => t.listen(),
    close: () => t.close(),
  };
}

/**
 * For the file (or describe block) it is called in: makeBacktestEnv before its tests, closed after
 * them. The handle reads through to the environment once that beforeAll has made it.
 */
export function useBacktestEnv(options: Parameters<typeof makeBacktestEnv>[0] = {}): BacktestEnv {
  let env: BacktestEnv | null = null;
  beforeAll(async () => {
    env = await makeBacktestEnv(options);
  }, 60_000);
  afterAll(() => env?.close());
  return new Proxy({} as BacktestEnv, {
    get(_, key) {
      if (!env) throw new Error('the backtest environment is made in beforeAll: use it inside a test or a hook');
      return env[key as keyof BacktestEnv];
    },
  });
}

export const postJson = (app: BacktestEnv['app'], path: string, body: unknown) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * A backtest row owned by `ownerId` without a worker: 'succeeded' ones get real results (dual MA on
 * the dry-run panel, computed in-process), 'queued' ones a queued run (cancel and delete act on it).
 */
/**
 * A backtest row with a result computed on the dry run's tiny panel, without the run machinery.
 * Its stored spec names that panel's stocks and days unless `spec` says otherwise (e.g. codes and
 * days of the test's market, so a rerun of it is answerable).
 */
export async function insertBacktestFixture(db: Kysely<Database>, ownerId: number, status: 'succeeded' | 'queued', specOverride: Partial<BacktestSpec> = {}): Promise<number> {
  const now = new Date();
  const run = await db
    .insertInto('runs')
    .values({ executor: 'backtest', params: sql`'{}'::jsonb` as never, status, queued_by: ownerId, started_at: status === 'succeeded' ? now : null, finished_at: status === 'succeeded' ? now : null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const panel = tinyPanel();
  const spec: BacktestSpec = {
    strategy: { kind: 'builtin', name: 'dual_ma', strategyId: null, versionId: null, version: null }, params: { short_window: 3, long_window: 10 },
    universe: { kind: 'codes', codes: [...panel.codes] }, startDate: panel.dates[0], endDate: panel.dates[panel.dates.length - 1], capital: 1_000_000,
    benchmark: null, adjust: 'hfq', fillTiming: 'next_open', costs: {},
    ...specOverride,
  };
  const id = await repo.insertBacktest(db, {
    owner_id: ownerId, name: 'fixture', strategy_kind: 'builtin', strategy_name: 'dual_ma', strategy_id: null, strategy_version_id: null,
    config: JSON.stringify(spec), start_date: spec.startDate, end_date: spec.endDate, rerun_of: null,
  });
  await repo.setBacktestRun(db, id, run.id);
  if (status === 'succeeded') {
    const out = await runBacktest({ panel, strategy: { kind: 'builtin', name: 'dual_ma', params: spec.params }, config: { initialCash: spec.capital } });
    if (!out.ok) throw new Error(out.error.message);
    const { row, columns } = toStored(out.result, out.metrics, spec.capital);
    await repo.saveResult(db, id, row, columns);
  }
  return id;
}

export async function insertStrategyFixture(db: Kysely<Database>, ownerId: number, name: string): Promise<number> {
  return insertStrategy(db, { owner_id: ownerId, name, description: '', category: 'custom', language: 'js', code: strategyTemplate, params_schema: null });
}
