import type { PgStore } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { concurrencyKinds, RunError, type ConcurrencyKind, type ExecutorRegistry, type ProgressUpdate, type RunContext, type StopReason } from './executor-registry.ts';
import type { RunBus } from './run-bus.ts';
import { toRunEvent } from './run.mapping.ts';
import * as repo from './runs.repository.ts';
import { isRetryable, settle } from './settle.ts';
import { runLogLinesKept, type RunProgress, type RunStatus } from './run.types.ts';
import { makeAttemptWriter, type Active } from './attempt.ts';
import { asError, describeRunError } from './run-error.ts';

export interface WorkerPoolOptions {
  pg: PgStore;
  registry: ExecutorRegistry;
  bus: RunBus;
  logger: Logger;
  /** Unique per process: written as lease_owner. */
  instanceId: string;
  concurrency: Record<ConcurrencyKind, number>;
  /** Runs one user may have running at once per kind, across all instances (unset: no cap); their others wait. */
  perOwnerRunning?: Partial<Record<ConcurrencyKind, number>>;
  leaseMs: number;
  heartbeatMs: number;
  /** Fallback poll when no NOTIFY arrives. */
  pollMs: number;
  /** Progress and log writes per run are batched to at most one per this interval. */
  flushIntervalMs: number;
  /** Upper bound of the retry backoff. */
  maxRetryDelayMs: number;
  /** How long an aborted executor may take to return before the pool stops waiting for it. */
  abortGraceMs: number;
  /** Told of every attempt this pool ran once its end is recorded: how it ended and how long it took (metrics). */
  onAttemptEnded?: (ended: AttemptEnded) => void;
}

/** One attempt's end as the pool recorded it: the run's status after it (queued again for a retry or a shutdown). */
export interface AttemptEnded {
  executor: string;
  status: RunStatus;
  seconds: number;
}

export interface WorkerPool {
  start(): void;
  /** Wakes the claim loop (a NOTIFY said work was queued). */
  wake(): void;
  /** A NOTIFY said a control was asked of a run; checks it if this pool runs it. */
  controlAsked(runId: number): void;
  /** Stops claiming; lets in-flight runs finish within `graceMs`, aborts the rest and releases their leases (requeued). */
  stop(graceMs: number): Promise<void>;
  inFlight(): number;
}

/**
 * The in-process worker pool: claims runs with FOR UPDATE SKIP LOCKED up to the free slots of each
 * concurrency kind, runs their executors, renews their leases by heartbeat, and records how each
 * ended. It knows executors only through the registry it is given.
 */
export function makeWorkerPool(o: WorkerPoolOptions): WorkerPool {
  const db = o.pg.db;
  const log = o.logger.child({ component: 'worker-pool', instance: o.instanceId });
  const active = new Map<number, Active>();
  const busy: Record<ConcurrencyKind, number> = { backtest: 0, io: 0 };
  let claiming = false;
  let claimDone: Promise<void> = Promise.resolve();
  let wakeAgain = false;
  let stopped = true;
  let pollTimer: NodeJS.Timeout | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;

  // Successes are recorded in batches: every run that finishes in the same turn of the event loop shares one commit.
  let completions: Array<{ id: number; result: unknown; resolve: (held: boolean) => void; reject: (err: unknown) => void }> = [];
  const complete = (id: number, result: unknown) =>
    new Promise<boolean>((resolve, reject) => {
      completions.push({ id, result, resolve, reject });
      if (completions.length === 1) setImmediate(flushCompletions);
    });
  const flushCompletions = () => {
    const batch = completions;
    completions = [];
    repo.completeRuns(db, o.instanceId, batch).then(
      (ids) => {
        const held = new Set(ids);
        for (const c of batch) c.resolve(held.has(c.id));
      },
      (err) => {
        for (const c of batch) c.reject(err);
      },
    );
  };

  const publish = (rows: repo.RunEventRow[]) => {
    if (rows.length) o.bus.publish(rows.map(toRunEvent));
  };

  const schedulePoll = (ms: number) => {
    if (pollTimer) clearTimeout(pollTimer);
    if (stopped) return;
    pollTimer = setTimeout(() => wake(), Math.min(ms, o.pollMs));
  };

  const wake = () => {
    if (stopped) return;
    if (claiming) {
      wakeAgain = true;
      return;
    }
    claiming = true;
    claimDone = claimLoop().finally(() => {
      claiming = false;
      if (wakeAgain && !stopped) {
        wakeAgain = false;
        wake();
      }
    });
  };

  const claimLoop = async () => {
    try {
      let more = true;
      let claimedAny = false;
      while (more && !stopped) {
        more = false;
        for (const kind of concurrencyKinds) {
          const free = o.concurrency[kind] - busy[kind];
          const names = o.registry.namesOfKind(kind);
          if (free <= 0 || names.length === 0) continue;
          const rows = await repo.claimRuns(db, o.instanceId, names, Math.min(free, 50), o.leaseMs, o.perOwnerRunning?.[kind] ?? null);
          if (stopped) {
            // Claimed while stopping: hand them straight back.
            for (const row of rows) await release(Number(row.id), 'instance stopping');
            return;
          }
          for (const row of rows) begin(row, kind);
          if (rows.length) claimedAny = true;
          if (rows.length === Math.min(free, 50)) more = true;
        }
      }
      // While work flows, each finished run wakes the loop; only an idle pool needs the next due time.
      if (claimedAny) return schedulePoll(o.pollMs);
      let next: number | null = null;
      for (const kind of concurrencyKinds) {
        const names = o.registry.namesOfKind(kind);
        const ms = names.length ? await repo.msUntilNextClaimable(db, names, o.perOwnerRunning?.[kind] ?? null) : null;
        if (ms !== null && (next === null || ms < next)) next = ms;
      }
      schedulePoll(next === null ? o.pollMs : Math.max(next, 5));
    } catch (err) {
      if (!stopped) log.error('claiming runs failed', { err: err as Error });
      schedulePoll(o.pollMs);
    }
  };

  const release = async (id: number, reason: string) => {
    const row = await repo.transitionRun(db, {
      id,
      from: ['running'],
      owner: o.instanceId,
      to: 'queued',
      finished: false,
      giveBackAttempt: true,
      events: [{ status: 'queued', reason, final: false }],
    });
    if (row) log.info('run released', { runId: id, reason });
  };

  const { flush, scheduleFlush } = makeAttemptWriter({ db, instanceId: o.instanceId, flushIntervalMs: o.flushIntervalMs, publish, log });

  const begin = (row: repo.RunRow, kind: ConcurrencyKind) => {
    const id = Number(row.id);
    busy[kind]++;
    const a: Active = {
      id,
      executor: row.executor,
      kind,
      attempt: row.attempt,
      maxAttempts: row.max_attempts,
      controller: new AbortController(),
      chain: Promise.resolve(),
      progress: (row.progress as RunProgress | null) ?? { fraction: null, processed: null, total: null, current: null, etaAt: null },
      progressDirty: false,
      logs: [],
      checkpoint: undefined,
      flushTimer: null,
      lastFlushAt: 0,
      startedAtMs: performance.now(),
      eventsSinceTrim: 0,
      lost: false,
      done: Promise.resolve(),
    };
    active.set(id, a);
    a.done = execute(a, row).finally(() => {
      active.delete(id);
      busy[kind]--;
      wake();
    });
  };

  const execute = async (a: Active, row: repo.RunRow) => {
    const def = o.registry.get(row.executor)!;
    let timeoutTimer: NodeJS.Timeout | null = null;
    if (row.timeout_ms !== null) timeoutTimer = setTimeout(() => a.controller.abort('timeout' satisfies StopReason), row.timeout_ms);
    const startProcessed = a.progress.processed ?? 0;
    const ctx: RunContext = {
      runId: a.id,
      attempt: a.attempt,
      maxAttempts: a.maxAttempts,
      signal: a.controller.signal,
      resume: row.checkpoint ?? null,
      progress(u: ProgressUpdate) {
        const p = a.progress;
        if (u.processed !== undefined) p.processed = u.processed;
        if (u.total !== undefined) p.total = u.total;
        if (u.current !== undefined) p.current = u.current;
        if (u.fraction !== undefined) p.fraction = u.fraction;
        else if (p.processed !== null && p.total) p.fraction = Math.min(1, p.processed / p.total);
        // ETA from this attempt's own pace.
        if (p.processed !== null && p.total && p.processed > startProcessed) {
          const elapsed = performance.now() - a.startedAtMs;
          const perItem = elapsed / (p.processed - startProcessed);
          p.etaAt = new Date(Date.now() + perItem * (p.total - p.processed)).toISOString();
        }
        a.progressDirty = true;
        scheduleFlush(a);
      },
      log(level, message) {
        a.logs.push({ level, message: String(message).slice(0, 4000) });
        if (a.logs.length > runLogLinesKept) a.logs.splice(0, a.logs.length - runLogLinesKept);
        scheduleFlush(a);
      },
      async checkpoint(state) {
        a.checkpoint = { value: state };
        await flush(a);
      },
    };

    let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
    try {
      const parsed = def.params.safeParse(row.params ?? {});
      if (!parsed.success) throw new RunError('invalid_params', `params no longer valid for ${def.name}: ${parsed.error.issues[0].message}`, { retryable: false });
      const running = def.run(parsed.data, ctx).then(
        (result) => ({ ok: true as const, result }),
        (error) => ({ ok: false as const, error }),
      );
      // An executor that ignores its signal is not waited for forever.
      const abandonAfterAbort = new Promise<{ ok: false; error: unknown }>((resolve) => {
        a.controller.signal.addEventListener('abort', () => {
          const t = setTimeout(() => resolve({ ok: false, error: new Error('the executor did not stop within the grace period after being asked to') }), o.abortGraceMs);
          t.unref?.();
          void running.finally(() => clearTimeout(t));
        });
      });
      outcome = await Promise.race([running, abandonAfterAbort]);
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      if (timeoutTimer) clearTimeout(timeoutTimer);
    }

    await flush(a).catch(() => {});
    await a.chain;
    if (a.lost) return;
    const reason = a.controller.signal.aborted ? (a.controller.signal.reason as StopReason) : null;
    const attempt = a.attempt;
    const ended = (status: RunStatus) => o.onAttemptEnded?.({ executor: a.executor, status, seconds: (performance.now() - a.startedAtMs) / 1000 });
    // A run that finished is a success even if a pause, cancel or shutdown arrived meanwhile: its result is kept.
    if (outcome.ok && reason !== 'lease_lost') {
      const held = await complete(a.id, outcome.result ?? null).catch((err) => {
        log.error('recording a success failed', { runId: a.id, err: err as Error });
        return true;
      });
      if (!held) log.warn('run was taken away before it ended (lease expired?)', { runId: a.id });
      else ended('succeeded');
      return;
    }
    let t: Omit<repo.Transition, 'id' | 'from' | 'owner'>;
    if (reason === 'cancel') {
      t = { to: 'cancelled', finished: true, events: [{ status: 'cancelled', reason: 'cancelled on request', final: true }] };
    } else if (reason === 'pause') {
      t = { to: 'paused', finished: false, giveBackAttempt: true, events: [{ status: 'paused', reason: 'paused on request', final: false }] };
    } else if (reason === 'shutdown') {
      t = { to: 'queued', finished: false, giveBackAttempt: true, events: [{ status: 'queued', reason: 'released: instance shutting down', final: false }] };
    } else if (reason === 'lease_lost') {
      return;
    } else {
      const error = describeRunError(outcome.ok ? undefined : outcome.error, reason, row.timeout_ms);
      if (error.incident) log.error('run failed inside the server', { runId: a.id, executor: a.executor, attempt, incident: error.incident, err: asError(outcome.ok ? undefined : outcome.error) });
      t = settle({ attempt, maxAttempts: a.maxAttempts, maxRetryDelayMs: o.maxRetryDelayMs, loss: 'failed', error, retryable: isRetryable(outcome.ok ? undefined : outcome.error) });
    }
    const done = await repo.transitionRun(db, { id: a.id, from: ['running'], owner: o.instanceId, ...t }).catch((err) => {
      log.error('recording how a run ended failed', { runId: a.id, err: err as Error });
      return null;
    });
    if (!done) log.warn('run was taken away before it ended (lease expired?)', { runId: a.id });
    else ended(t.to);
  };

  const heartbeat = async () => {
    if (active.size === 0) return;
    const ids = [...active.keys()];
    try {
      const held = await repo.renewLeases(db, o.instanceId, ids, o.leaseMs);
      const still = new Map(held.map((h) => [h.id, h]));
      for (const id of ids) {
        const a = active.get(id);
        if (!a) continue;
        const h = still.get(id);
        if (!h) {
          // Reaped or finished elsewhere: stop, write nothing more.
          a.lost = true;
          if (!a.controller.signal.aborted) a.controller.abort('lease_lost' satisfies StopReason);
        } else if (h.control && !a.controller.signal.aborted) a.controller.abort(h.control satisfies StopReason);
        else if (h.timed_out && !a.controller.signal.aborted) a.controller.abort('timeout' satisfies StopReason);
      }
    } catch (err) {
      log.warn('lease heartbeat failed', { err: err as Error });
    }
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      heartbeatTimer = setInterval(() => void heartbeat(), o.heartbeatMs);
      wake();
    },
    wake,
    controlAsked(runId) {
      const a = active.get(runId);
      if (!a || a.controller.signal.aborted) return;
      void repo.readControl(db, runId, o.instanceId).then(
        (control) => {
          if (control && !a.controller.signal.aborted) a.controller.abort(control satisfies StopReason);
        },
        (err) => log.warn('reading a run control failed', { runId, err: err as Error }),
      );
    },
    async stop(graceMs) {
      if (stopped) return;
      stopped = true;
      if (pollTimer) clearTimeout(pollTimer);
      // A claim under way finishes first (it hands back what it took once it sees `stopped`), so
      // nothing queries the database after the stores close.
      await claimDone;
      const all = () => Promise.all([...active.values()].map((a) => a.done));
      const finished = await Promise.race([all().then(() => true), delay(graceMs / 2).then(() => false)]);
      if (!finished) {
        for (const a of active.values()) if (!a.controller.signal.aborted) a.controller.abort('shutdown' satisfies StopReason);
        await Promise.race([all(), delay(graceMs / 2 + o.abortGraceMs)]);
      }
      // Keep leases alive until every run has been recorded or released.
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      for (const a of active.values()) await release(a.id, 'released: instance stopped before the run did').catch(() => {});
    },
    inFlight: () => active.size,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
