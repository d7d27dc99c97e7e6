import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { PgStore } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { ConcurrencyKind, ExecutorRegistry } from './executor-registry.ts';
import { makeRunBus, type RunBus } from './run-bus.ts';
import { toRunEvent } from './run.mapping.ts';
import { reapExpiredLeases, type LostAttempt } from './reaper.ts';
import * as repo from './runs.repository.ts';
import { makeRunsService, type RunsService } from './runs.service.ts';
import { makeWorkerPool, type AttemptEnded, type WorkerPool } from './worker-pool.ts';

export interface RunsSettings {
  concurrency: Record<ConcurrencyKind, number>;
  /** Per kind, runs one user may have running at once (e.g. BACKTEST_MAX_RUNNING_PER_USER); unset: no cap. */
  perOwnerRunning?: Partial<Record<ConcurrencyKind, number>>;
  leaseMs: number;
  heartbeatMs: number;
  pollMs: number;
  reaperMs: number;
  maxRetryDelayMs: number;
  abortGraceMs: number;
  flushIntervalMs: number;
}

/** The bus and service without workers: what createApp needs to serve runs (pure, no I/O). */
export function makeRunsCore(pg: PgStore, registry: ExecutorRegistry, logger: Logger): { bus: RunBus; service: RunsService } {
  const bus = makeRunBus(
    async (runId, after) => (await repo.readRunEvents(pg.db, runId, after, 500)).map(toRunEvent),
    (err) => logger.warn('run event delivery failed', { err: err as Error }),
  );
  return { bus, service: makeRunsService({ pg, registry, bus }) };
}

/**
 * What features release when the reaper settles a dead attempt, given by server.ts (the run
 * machinery knows no feature). Failures are logged, never stop the reaper.
 */
export interface ReaperHooks {
  /** An attempt whose lease expired was settled by this instance. */
  onAttemptLost?: (attempt: LostAttempt) => Promise<void>;
  /** After every reaper pass, the first one at start-up included. */
  afterPass?: () => Promise<void>;
}

export interface RunsRuntime {
  readonly service: RunsService;
  readonly bus: RunBus;
  readonly pool: WorkerPool;
  readonly instanceId: string;
  /** Ends every open event stream, stops claiming, finishes or releases in-flight runs, stops listening. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Starts the run machinery of one process: LISTEN first (so no wake-up is missed), the reaper once
 * (runs this or a dead process left `running` are settled before anything new starts), then the
 * worker pool and the periodic reaper.
 */
export async function startRuns(o: {
  pg: PgStore;
  registry: ExecutorRegistry;
  logger: Logger;
  settings: RunsSettings;
  core?: { bus: RunBus; service: RunsService };
  reaperHooks?: ReaperHooks;
  /** Told of each attempt this process's pool ran, once its end is recorded (metrics). */
  onAttemptEnded?: (ended: AttemptEnded) => void;
}): Promise<RunsRuntime> {
  const log = o.logger.child({ component: 'runs' });
  const instanceId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const { bus, service } = o.core ?? makeRunsCore(o.pg, o.registry, o.logger);
  const s = o.settings;
  const pool = makeWorkerPool({
    pg: o.pg,
    registry: o.registry,
    bus,
    logger: o.logger,
    instanceId,
    concurrency: s.concurrency,
    perOwnerRunning: s.perOwnerRunning,
    leaseMs: s.leaseMs,
    heartbeatMs: s.heartbeatMs,
    pollMs: s.pollMs,
    flushIntervalMs: s.flushIntervalMs,
    maxRetryDelayMs: s.maxRetryDelayMs,
    abortGraceMs: s.abortGraceMs,
    onAttemptEnded: o.onAttemptEnded,
  });
  const unlisten = await o.pg.listen(repo.runsChannel, (payload) => {
    const kind = payload.slice(0, 2);
    if (kind === 'q:') pool.wake();
    else if (kind === 'e:') {
      const [, run, seq] = payload.split(':');
      bus.notified(Number(run), Number(seq));
    } else if (kind === 'c:') pool.controlAsked(Number(payload.slice(2)));
  });
  const hooks = o.reaperHooks ?? {};
  const onAttemptLost = hooks.onAttemptLost
    ? (a: LostAttempt) => hooks.onAttemptLost!(a).catch((err) => log.error('releasing a lost attempt failed', { runId: a.id, attempt: a.attempt, err: err as Error }))
    : undefined;
  const reap = async () => {
    try {
      const n = await reapExpiredLeases(o.pg.db, { maxRetryDelayMs: s.maxRetryDelayMs, onAttemptLost });
      if (n) {
        log.warn('reaped runs with expired leases', { count: n });
        pool.wake();
      }
    } catch (err) {
      log.error('reaper failed', { err: err as Error });
    }
    await hooks.afterPass?.().catch((err) => log.error('reaper hook failed', { err: err as Error }));
  };
  await reap();
  pool.start();
  let reaping: Promise<void> = Promise.resolve();
  const reaperTimer = setInterval(() => {
    reaping = reaping.then(reap);
  }, s.reaperMs);
  log.info('run workers started', { instanceId, concurrency: s.concurrency, leaseMs: s.leaseMs, executors: o.registry.names() });

  let stopping: Promise<void> | null = null;
  return {
    service,
    bus,
    pool,
    instanceId,
    stop(graceMs) {
      stopping ??= (async () => {
        bus.closeAll();
        clearInterval(reaperTimer);
        await reaping;
        await pool.stop(graceMs);
        await unlisten().catch(() => {});
      })();
      return stopping;
    },
  };
}
