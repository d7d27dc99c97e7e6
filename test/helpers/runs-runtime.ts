import { loadConfig, type Config } from '../../src/config.ts';
import type { PgStore } from '../../src/db/database.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import type { MarketStore } from '../../src/market/duckdb.ts';
import type { ExecutorRegistry } from '../../src/runs/executor-registry.ts';
import { makeExecutorRegistry } from '../../src/runs/executor-registry.ts';
import { makeRunsCore, startRuns, type ReaperHooks, type RunsRuntime, type RunsSettings } from '../../src/runs/runs.runtime.ts';
import type { RunsService } from '../../src/runs/runs.service.ts';
import type { SecretBox } from '../../src/secrets/secret-box.ts';
import { serverExecutors, serverPanelCache, startServerRuns } from '../../src/server.ts';
import type { PanelCache } from '../../src/backtests/panel-cache.ts';

/** Quick run-machinery timings for tests (workers poll and heartbeat often, retries wait little). */
export const testRunsSettings: RunsSettings = {
  concurrency: { backtest: 1, io: 8 }, leaseMs: 10_000, heartbeatMs: 200, pollMs: 200, reaperMs: 2000, maxRetryDelayMs: 100, abortGraceMs: 3000, flushIntervalMs: 20,
};

/**
 * The run machinery with workers and every server executor (scheduler ones included), wired as
 * server.ts wires them, for executor tests.
 */
export async function startTestRuns(
  pg: PgStore,
  market: MarketStore,
  env: Record<string, string> = {},
  o: { settings?: Partial<RunsSettings>; logger?: Logger; secrets?: SecretBox | null } = {},
): Promise<{ runtime: RunsRuntime; registry: ExecutorRegistry; config: Config; panels: PanelCache }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'false', ...env });
  const { runtime, registry, panels } = await startServerRuns({
    config, pg, market, logger: o.logger ?? silentLogger, secrets: o.secrets ?? null, settings: { ...testRunsSettings, ...o.settings },
  });
  return { runtime, registry, config, panels };
}

/**
 * The server's executors without workers (for suites that only queue and validate runs): `runs` is
 * the service workflows queue their steps through.
 */
export function testServerExecutors(pg: PgStore, market: MarketStore, runs: () => RunsService, env: Record<string, string> = {}): ExecutorRegistry {
  const config = loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'false', ...env });
  return makeExecutorRegistry(serverExecutors({ config, pg, market, panels: serverPanelCache(config, market), secrets: null, runs }));
}

/**
 * The run machinery over `registry` with workers, as a test gives it (no server executors, no
 * reaper hooks unless given). Settings go over testRunsSettings.
 */
export function startTestWorkers(
  pg: PgStore,
  registry: ExecutorRegistry,
  o: { settings?: Partial<RunsSettings>; logger?: Logger; reaperHooks?: ReaperHooks } = {},
): Promise<RunsRuntime> {
  return startRuns({ pg, registry, logger: o.logger ?? silentLogger, settings: { ...testRunsSettings, ...o.settings }, reaperHooks: o.reaperHooks });
}

/** The runs service over `registry` without workers: runs it queues stay queued. */
export function testRunsService(pg: PgStore, registry: ExecutorRegistry, logger: Logger = silentLogger): RunsService {
  return makeRunsCore(pg, registry, logger).service;
}
