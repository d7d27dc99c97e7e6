/**
 * `zquant serve --role worker` (issue 23): a process without HTTP or scheduler that claims backtests
 * and sweep sets from the shared Postgres and reads market data from its own replicas of the
 * published snapshots. Wired like src/server.ts, whose run machinery it starts.
 */
import { heldMessage, lockDataDir } from './admin/data-dir-lock.ts';
import { startAdminServer } from './admin/admin.server.ts';
import type { Config } from './config.ts';
import { openPostgres, pgliteDirFor, type PgStore } from './db/database.ts';
import { migratePostgres } from './db/migrate.ts';
import { makeLogger, type Logger } from './logger.ts';
import type { RunsRuntime } from './runs/runs.runtime.ts';
import { runsSettingsFrom, startServerRuns, type RunningServer, type StartOptions } from './server.ts';
import { snapshotsChannel } from './snapshots/channel.ts';
import { makeReplicas, type Replicas } from './snapshots/replicas.service.ts';
import { dirSource, httpSource, type SnapshotSource } from './snapshots/snapshot-source.ts';
import { version } from './version.ts';

/** Where a worker reads snapshot versions: SNAPSHOT_DIR (a shared volume), else the web process over HTTP. */
function workerSnapshotSource(config: Config): SnapshotSource {
  if (config.snapshotDir) return dirSource(config.snapshotDir);
  if (config.snapshotUrl) {
    if (!config.snapshotToken) throw new Error('SNAPSHOT_URL needs SNAPSHOT_TOKEN: a worker-scoped token (zquant token create --username admin --scope worker, on the web process)');
    return httpSource(config.snapshotUrl, config.snapshotToken);
  }
  throw new Error('--role worker needs a snapshot source: SNAPSHOT_DIR (a volume the web process publishes into) or SNAPSHOT_URL and SNAPSHOT_TOKEN (the web process over HTTP)');
}

/**
 * `zquant serve --role worker`: no HTTP, no scheduler. Claims backtests and sweep sets from the
 * shared Postgres (leases and heartbeats as any instance) and reads market data from its own
 * replicas of the published snapshots under DATA_DIR/replicas, following new versions as the bus
 * announces them (and every minute, should a NOTIFY be missed). Authenticates to nothing but
 * Postgres and the snapshot source.
 */
export async function startWorker(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger: Logger = options.logger ?? makeLogger({ level: config.logLevel });
  if (!config.databaseUrl) {
    throw new Error('--role worker needs a Postgres server every process shares: set DATABASE_URL (the embedded database serves one process: --role all)');
  }
  const source = workerSnapshotSource(config);
  const attempt = await lockDataDir(config.dataDir);
  if (!attempt.acquired) throw new Error(heldMessage(config.dataDir, attempt));
  const lock = attempt.lock;
  const admin = startAdminServer(lock, { pid: process.pid, role: 'serve --role worker', version }, { dataDir: config.dataDir, onError: (err) => logger.error('admin command failed', { err: err as Error }) });
  const undo: Array<() => Promise<void>> = [() => lock.release(), () => admin.stop()];
  const unwind = async () => {
    while (undo.length) await undo.pop()!();
  };
  let runtime!: RunsRuntime;
  let pg!: PgStore;
  let replicas!: Replicas;
  try {
    pg = await openPostgres({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirFor(config.dataDir) });
    undo.push(() => pg.close());
    const applied = await migratePostgres(pg.db);
    if (applied.length) logger.info('postgres migrated', { applied });
    replicas = makeReplicas({ dataDir: config.dataDir, source, db: pg.db, keep: config.snapshotKeep, panelCacheMb: config.panelCacheMb, logger });
    undo.push(() => replicas.close());
    const settings = runsSettingsFrom(config);
    // Syncs, tasks and the rest of the io work stay with the web process, which owns the market store.
    settings.concurrency.io = 0;
    ({ runtime } = await startServerRuns({ config, pg, market: replicas.market, logger, settings, data: replicas }));
    undo.push(() => runtime.stop(config.shutdownTimeoutMs));
    let following: Promise<unknown> = Promise.resolve();
    const follow = () => {
      following = following.then(() => replicas.follow()).catch((err) => logger.warn('fetching the newest market snapshot failed', { source: source.describe, err: err as Error }));
    };
    const unlisten = await pg.listen(snapshotsChannel, follow);
    undo.push(() => unlisten());
    const timer = setInterval(follow, 60_000);
    undo.push(async () => {
      clearInterval(timer);
      await following;
    });
    follow();
    admin.ready(async (request, io) => {
      io.stderr(`zquant ${request.command}: this data directory holds a worker's market replicas; run store commands against the web process's data directory\n`);
      return 1;
    });
  } catch (err) {
    await unwind();
    throw err;
  }
  logger.info('worker started', { instanceId: runtime.instanceId, snapshots: source.describe, dataDir: config.dataDir, concurrency: runsSettingsFrom(config).concurrency.backtest });
  let stopping: Promise<void> | null = null;
  return {
    url: `worker:${runtime.instanceId}`,
    pg,
    market: replicas.market,
    runs: runtime.service,
    stop() {
      stopping ??= (async () => {
        logger.info('shutting down');
        await unwind();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
