import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.tsx';
import type { Config } from './config.ts';
import { openPostgres, pgliteDirFor, type PgStore } from './db/database.ts';
import { migratePostgres, postgresMigrationStatus } from './db/migrate.ts';
import { makeAssets, type Assets } from './http/assets.ts';
import { answerClientError } from './http/client-error.ts';
import { makeLogger, type Logger } from './logger.ts';
import { marketMigrationStatus, marketPathFor, openMarketStore, type MarketStore } from './market/duckdb.ts';
import { publicFiles } from './binary/public-files.ts';
import { version } from './version.ts';
import { ensureFirstAdmin } from './auth/users.service.ts';
import { passwordProblem } from './auth/password.ts';
import { seedDemoOnFirstStart } from './market/demo/first-start.ts';
import { availableParallelism } from 'node:os';
import type { Authenticate } from './auth/access.ts';
import { diagnosticExecutors } from './executors/diagnostic.executors.ts';
import { backtestRunLimitsOf, makeBacktestExecutor, makeScheduledBacktestExecutor } from './backtests/backtest.executor.ts';
import { makeSpreadSweepExecutors } from './sweeps/sweep-spread.service.ts';
import { join } from 'node:path';
import type { DataVersions } from './snapshots/data-versions.ts';
import { makeLiveData, type LiveData } from './snapshots/live-data.ts';
import { makeReplicas, type Replicas } from './snapshots/replicas.service.ts';
import { dirSource } from './snapshots/snapshot-source.ts';
import { makeSnapshotPublisher, type SnapshotPublisher } from './snapshots/snapshots.service.ts';
import { makePinnedAnalysisExecutor } from './snapshots/pinned-analysis.service.ts';
import { makeExecutorRegistry, type ExecutorDefinition, type ExecutorRegistry } from './runs/executor-registry.ts';
import { makePanelCache, type PanelCache } from './backtests/panel-cache.ts';
import { startRuns, type ReaperHooks, type RunsRuntime, type RunsSettings } from './runs/runs.runtime.ts';
import type { RunsService } from './runs/runs.service.ts';
import { schedulerExecutors } from './executors/scheduler.executors.ts';
import { makeAlertDeliveryExecutor } from './alerts/alert-delivery.executor.ts';
import { startAlertScanner } from './alerts/alert-scanner.ts';
import { makeHousekeepingExecutor } from './executors/housekeeping.executor.ts';
import { makeBackupExecutor } from './backup/backup.executor.ts';
import { makeSchedulerManager, type SchedulerManager } from './scheduler/manager.ts';
import { seedSchedulerTasks } from './scheduler/seed.ts';
import { makeStoreAccessWatch } from './auth/access-check.service.ts';
import { closeOrphanedSyncLogs, closeRunAttemptSyncLogs, syncRowTotals } from './market/sync/sync-log.service.ts';
import { makeMetrics } from './metrics/metrics.service.ts';
import type { AttemptEnded } from './runs/worker-pool.ts';
import type { SecretBox } from './secrets/secret-box.ts';
import { openSecretBox } from './secrets/secret-key.service.ts';
import { heldMessage, lockDataDir } from './admin/data-dir-lock.ts';
import { startAdminServer } from './admin/admin.server.ts';
import { runStoreCommand } from './admin/commands.ts';

export interface StartOptions {
  logger?: Logger;
  /** The public/ folder's files; read from the source tree when not given (the binary embeds them). */
  assets?: Assets;
  /** Who is calling (tests of pages drive a real server as a given user); anonymous when absent. */
  authenticate?: Authenticate;
}

/** What every executor of this server is built with: the stores, the shared panel cache, the secrets and the run machinery. */
export interface ServerExecutorDeps {
  config: Config;
  pg: PgStore;
  market: MarketStore;
  /** The warm-panel cache every backtest run shares; one per process (serverPanelCache). */
  panels: PanelCache;
  secrets: SecretBox | null;
  /** The run machinery's service, read lazily: it starts after the registry these executors form. */
  runs: () => RunsService;
  /** The market data by version backtests and sweeps read (src/snapshots); the live store's when absent. */
  data?: DataVersions;
  /** Told after a sync or a factor computation changed market data (the snapshot publisher). */
  onMarketChanged?: () => void;
}

/** The process's warm-panel cache, bounded by PANEL_CACHE_MB. */
export const serverPanelCache = (config: Config, market: MarketStore): PanelCache => makePanelCache(market, { maxBytes: config.panelCacheMb * 2 ** 20 });

/**
 * Every executor this server can run, each given the services it needs here (the run machinery
 * hands executors nothing but their run). Features add theirs here; the run machinery never imports them.
 */
export function serverExecutors(d: ServerExecutorDeps): ExecutorDefinition[] {
  const data = d.data ?? makeLiveData(d.market, d.panels);
  const backtests = { db: d.pg.db, market: d.market, panels: d.panels, limits: backtestRunLimitsOf(d.config), data };
  return [
    ...diagnosticExecutors,
    makeBacktestExecutor(backtests),
    makeScheduledBacktestExecutor(backtests),
    ...makeSpreadSweepExecutors({ db: d.pg.db, panels: d.panels, limits: backtests.limits, data, helperRuns: d.config.sweepHelperRuns, runs: d.runs, threads: d.config.sweepThreads ?? undefined }),
    makePinnedAnalysisExecutor({ db: d.pg.db, market: d.market, panels: d.panels, data }),
    ...schedulerExecutors({ config: d.config, pg: d.pg, market: d.market, secrets: d.secrets, runs: d.runs, onMarketChanged: d.onMarketChanged }),
    makeAlertDeliveryExecutor({ db: d.pg.db, secrets: d.secrets }),
    makeHousekeepingExecutor({ db: d.pg.db, pgKind: d.pg.kind, market: d.market, retention: d.config.retention }),
    makeBackupExecutor({ pg: d.pg, market: d.market, dataDir: d.config.dataDir, secretKey: d.config.secretKey }),
  ];
}

/**
 * The registry of serverExecutors and the run machinery over it, started (the reaper's first pass,
 * then workers): what startServer runs, and tests that want the server's own executors with workers.
 */
export async function startServerRuns(o: {
  config: Config;
  pg: PgStore;
  market: MarketStore;
  logger: Logger;
  secrets?: SecretBox | null;
  panels?: PanelCache;
  settings?: RunsSettings;
  reaperHooks?: ReaperHooks;
  onAttemptEnded?: (ended: AttemptEnded) => void;
  data?: DataVersions;
  onMarketChanged?: () => void;
}): Promise<{ runtime: RunsRuntime; registry: ExecutorRegistry; panels: PanelCache }> {
  const panels = o.panels ?? serverPanelCache(o.config, o.market);
  let service: RunsService | null = null;
  const runs = () => {
    if (!service) throw new Error('the run machinery has not started yet');
    return service;
  };
  const registry = makeExecutorRegistry(serverExecutors({ config: o.config, pg: o.pg, market: o.market, panels, secrets: o.secrets ?? null, runs, data: o.data, onMarketChanged: o.onMarketChanged }));
  const runtime = await startRuns({
    pg: o.pg, registry, logger: o.logger, settings: o.settings ?? runsSettingsFrom(o.config), reaperHooks: o.reaperHooks ?? serverReaperHooks(o.pg, o.logger),
    onAttemptEnded: o.onAttemptEnded,
  });
  service = runtime.service;
  return { runtime, registry, panels };
}

/** The run machinery's settings from the configuration: backtest slots default to cores − 1 (at least 1). */
export function runsSettingsFrom(config: Config): RunsSettings {
  return {
    concurrency: { backtest: config.workers ?? Math.max(1, availableParallelism() - 1), io: config.runIoConcurrency },
    // One user's backtests take at most this many slots; the rest of theirs wait while others' run.
    perOwnerRunning: { backtest: config.backtestMaxRunningPerUser },
    leaseMs: config.runLeaseMs,
    heartbeatMs: config.runHeartbeatMs,
    pollMs: config.runPollMs,
    reaperMs: Math.max(100, Math.floor(config.runLeaseMs / 2)),
    maxRetryDelayMs: config.runMaxRetryDelayMs,
    abortGraceMs: config.runAbortGraceMs,
    flushIntervalMs: 100,
  };
}

/**
 * What the reaper releases besides runs: the operation-log rows of a data_sync attempt whose lease
 * expired, and (after every pass, start-up included) any running row whose owner stopped renewing
 * it, such as a killed CLI sync's.
 */
export function serverReaperHooks(pg: PgStore, logger: Logger): ReaperHooks {
  return {
    onAttemptLost: async (attempt) => {
      const closed = await closeRunAttemptSyncLogs(pg.db, attempt);
      if (closed.length) logger.warn('closed the operation-log rows of a lost run attempt as abandoned', { runId: attempt.id, attempt: attempt.attempt, logIds: closed });
    },
    afterPass: async () => {
      const closed = await closeOrphanedSyncLogs(pg.db);
      if (closed.length) logger.warn('closed operation-log rows whose process stopped renewing them as abandoned', { logIds: closed.map((r) => r.id), owners: [...new Set(closed.map((r) => r.owner))] });
    },
  };
}

export interface RunningServer {
  readonly url: string;
  readonly pg: PgStore;
  readonly market: MarketStore;
  /** The run machinery: queueRun, waitForRun, follow (backtests and the scheduler call these). */
  readonly runs: RunsService;
  /** Stops accepting, finishes or aborts in-flight work, closes stores. Runs once. */
  stop(): Promise<void>;
}

/** Opens both stores and brings their schemas to the latest version. */
export async function openStores(config: Config, logger: Logger): Promise<{ pg: PgStore; market: MarketStore }> {
  const pg = await openPostgres({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirFor(config.dataDir) });
  try {
    const applied = await migratePostgres(pg.db);
    if (applied.length) logger.info('postgres migrated', { applied });
    const market = await openMarketStore(marketPathFor(config.dataDir));
    return { pg, market };
  } catch (err) {
    await pg.close().catch(() => {});
    throw err;
  }
}

/** public/: from the source tree under node, from the executable when running as the binary. */
export function defaultAssets(): Assets {
  return makeAssets(publicFiles());
}

/** config → stores → migrate → HTTP. Later stages (workers, scheduler) hang in between. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? makeLogger({ level: config.logLevel });
  const startedAt = new Date();
  // Checked before anything opens: several processes share one Postgres server, never an embedded one.
  if (config.role !== 'all' && !config.databaseUrl) {
    throw new Error(`--role ${config.role} needs a Postgres server every process shares: set DATABASE_URL (the embedded database serves one process: --role all)`);
  }
  if (config.role === 'worker') throw new Error('--role worker: start it with startWorker (src/worker.ts), which serves no HTTP');
  const assets = options.assets ?? defaultAssets();
  // Checked before anything opens, so a bad admin password stops start-up at once.
  const adminPasswordProblem = config.adminPassword === null ? null : passwordProblem(config.adminPassword);
  if (adminPasswordProblem) throw new Error(`ZQUANT_ADMIN_PASSWORD: ${adminPasswordProblem}; set a longer one or unset it to have a password generated`);
  // One owner per data directory, taken before any store opens: a second server or a CLI command
  // touches nothing here while this one runs (the CLI's commands come over the admin socket instead).
  const attempt = await lockDataDir(config.dataDir);
  if (!attempt.acquired) throw new Error(heldMessage(config.dataDir, attempt));
  const lock = attempt.lock;
  const admin = startAdminServer(lock, { pid: process.pid, role: 'serve', version }, { dataDir: config.dataDir, onError: (err) => logger.error('admin command failed', { err: err as Error }) });
  const { pg, market } = await openStores(config, logger).catch(async (err: unknown) => {
    await admin.stop();
    await lock.release();
    throw err;
  });
  // What start-up has opened, undone in reverse when a later step fails, and by stop(). The lock goes last.
  const undo: Array<() => Promise<void>> = [() => lock.release(), () => pg.close(), () => market.close(), () => admin.stop()];
  const unwind = async () => {
    while (undo.length) await undo.pop()!();
  };
  let runsRuntime!: RunsRuntime;
  let scheduler!: SchedulerManager;
  let server!: ServerType;
  let executors!: ExecutorRegistry;
  let secrets!: SecretBox;
  let publisher: SnapshotPublisher | null = null;
  let publishNow: (reason: string) => void = () => {};
  try {
    // The key that seals task secrets; one that differs from the key the database knows stops start-up.
    secrets = await openSecretBox(pg.db, { dataDir: config.dataDir, secretKey: config.secretKey });
    const first = await ensureFirstAdmin(pg.db, config.adminPassword);
    if (first.created) {
      logger.info('created the first admin user', { username: first.username, passwordSource: first.generatedPassword ? 'generated' : 'ZQUANT_ADMIN_PASSWORD' });
      // Printed plainly, once, outside the JSON log stream (which redacts passwords); never stored.
      if (first.generatedPassword) process.stdout.write(`zquant: first start: sign in as "admin" with password ${first.generatedPassword} (shown only this once; change it on /account)\n`);
    }
    if (config.seedDemo) await seedDemoOnFirstStart({ pg, market, config, logger });

    // Run machinery: the reaper settles what a dead process left running, then workers start claiming.
    const panels = serverPanelCache(config, market);
    // Market snapshots (src/snapshots): the web process publishes them (into SNAPSHOT_DIR, else
    // DATA_DIR/snapshots, served over HTTP to worker tokens); a single process does when SNAPSHOT_DIR
    // is set, and then reads its runs' data from replicas of them like a worker, so reruns read the
    // version they pinned. Without a snapshot store a single process reads its live store, as before.
    const publishDir = config.role === 'web' ? (config.snapshotDir ?? join(config.dataDir, 'snapshots')) : config.snapshotDir;
    publisher = publishDir ? makeSnapshotPublisher({ market, db: pg.db, dir: publishDir, keep: config.snapshotKeep, logger }) : null;
    if (publisher) undo.push(() => publisher!.stop());
    let live: LiveData | null = null;
    let replicas: Replicas | null = null;
    if (config.role === 'all' && publisher) {
      replicas = makeReplicas({ dataDir: config.dataDir, source: dirSource(publisher.dir), db: pg.db, keep: config.snapshotKeep, panelCacheMb: config.panelCacheMb, logger });
      undo.push(() => replicas!.close());
    } else live = makeLiveData(market, panels);
    publishNow = (reason: string) => {
      publisher?.publish(reason).then(() => replicas?.follow()).catch((err) => logger.error('publishing a market snapshot failed', { err: err as Error }));
    };
    const settings = runsSettingsFrom(config);
    // The web process runs syncs, tasks and the scheduler's work; backtests and sweeps go to workers.
    if (config.role === 'web') settings.concurrency.backtest = 0;
    // /metrics: the process, HTTP, run attempts, and at each scrape the runs table, syncs and the panel cache.
    const metrics = makeMetrics({ runStats: () => runsRuntime.service.stats(), syncRows: () => syncRowTotals(pg.db), panelCache: () => panels.stats() });
    ({ runtime: runsRuntime, registry: executors } = await startServerRuns({
      config, pg, market, logger, secrets, panels, settings, onAttemptEnded: metrics.attemptEnded, data: replicas ?? live ?? undefined, onMarketChanged: () => publishNow('a sync or a factor computation changed market data'),
    }));
    undo.push(() => runsRuntime.stop(config.shutdownTimeoutMs));
    // What changed while no process published (a first start's demo data, an import): published now, in the background.
    publishNow('start');

    // Scheduler: after the run machinery (fires are runs); seeds the daily-update workflow once per database.
    await seedSchedulerTasks(pg.db, logger);
    scheduler = makeSchedulerManager({ pg, market, runs: runsRuntime.service, logger, sweepMs: config.schedulerSweepMs });
    await scheduler.start();
    undo.push(() => scheduler.stop());
    // Alerts: every instance scans for runs to alert on; each event is recorded (and delivered) once.
    const alertScanner = startAlertScanner({ db: pg.db, runs: runsRuntime.service, defaultLocale: config.defaultLocale }, { logger });
    undo.push(() => alertScanner.stop());

    // Event streams end when their caller's access ends, whichever instance revoked it.
    const accessWatch = makeStoreAccessWatch(pg, Date.now, (err) => logger.error('access watch failed', { err: err as Error }));
    undo.push(() => accessWatch.close());
    const app = createApp({ config, logger, pg, market, assets, version, startedAt, runs: runsRuntime.service, executors, authenticate: options.authenticate, accessWatch, secrets, metrics, snapshots: publisher ?? undefined, onMarketChanged: (reason) => publishNow(reason) });
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
      s.on('clientError', answerClientError(logger));
      s.once('error', reject);
    });
  } catch (err) {
    await unwind();
    throw err;
  }
  // CLI commands that waited for start-up run now, with this server's stores and the CLI's own code.
  const adminStores = {
    pg: async () => pg,
    market: async () => market,
    migrationStatus: async () => ({ postgres: await postgresMigrationStatus(pg.db), duckdb: await marketMigrationStatus(market) }),
  };
  admin.ready(async (request, io) => {
    const code = await runStoreCommand(request.command, request.args, { config, stores: adminStores, io });
    logger.info('admin command', { command: request.command, exitCode: code });
    // `zquant sync` and `zquant import` write the market store here, outside the data_sync executor.
    if (code === 0 && (request.command === 'sync' || request.command === 'import')) publishNow(`zquant ${request.command}`);
    return code;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info('listening', {
    url,
    version,
    postgres: pg.kind,
    dataDir: config.dataDir,
    startupMs: Date.now() - startedAt.getTime(),
  });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      // Open event streams would hold the HTTP server open: end them first (clients resume by Last-Event-ID).
      runsRuntime.bus.closeAll();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const timer = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      await unwind();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { url, pg, market, runs: runsRuntime.service, stop };
}

/**
 * What `zquant serve` does: start, then stop cleanly on SIGINT/SIGTERM and exit 0. The handlers
 * are installed before start-up, so a signal that arrives while stores open still ends in a clean
 * stop (after start-up completes) instead of Node's default abrupt exit.
 */
export async function runServer(config: Config, start: (config: Config, options: StartOptions) => Promise<RunningServer> = startServer): Promise<void> {
  const logger = makeLogger({ level: config.logLevel });
  let signalled = false;
  let wake: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    logger.info('signal received', { signal });
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const running = await start(config, { logger });
    await stopRequested;
    await running.stop().catch((err) => {
      logger.error('shutdown failed', { err });
      process.exitCode = 1;
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
