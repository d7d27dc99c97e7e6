import { loadConfig, type Config } from '../../src/config.ts';
import type { PgStore } from '../../src/db/database.ts';
import { silentLogger } from '../../src/logger.ts';
import type { MarketStore } from '../../src/market/duckdb.ts';
import { makeExecutorRegistry, type ExecutorRegistry } from '../../src/runs/executor-registry.ts';
import { startRuns, type RunsRuntime } from '../../src/runs/runs.runtime.ts';
import { serverExecutors, serverReaperHooks } from '../../src/server.ts';

/** The run machinery with workers and every server executor (scheduler ones included), for executor tests. */
export async function startTestRuns(pg: PgStore, market: MarketStore, env: Record<string, string> = {}): Promise<{ runtime: RunsRuntime; registry: ExecutorRegistry; config: Config }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'false', ...env });
  const registry = makeExecutorRegistry(serverExecutors(config));
  const runtime = await startRuns({
    pg,
    market,
    registry,
    logger: silentLogger,
    settings: { concurrency: { backtest: 1, io: 8 }, leaseMs: 10_000, heartbeatMs: 200, pollMs: 200, reaperMs: 2000, maxRetryDelayMs: 100, abortGraceMs: 3000, flushIntervalMs: 20 },
    reaperHooks: serverReaperHooks(pg, silentLogger),
  });
  return { runtime, registry, config };
}
