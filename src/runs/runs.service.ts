import type { Kysely } from 'kysely';
import type { PgStore } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import type { ExecutorRegistry, RunSubject } from './executor-registry.ts';
import { followRun, type FollowSource } from './follow-run.ts';
import type { RunBus } from './run-bus.ts';
import { toRun, toRunEvent } from './run.mapping.ts';
import * as repo from './runs.repository.ts';
import * as stats from './run-stats.repository.ts';
import { isTerminal, type Run, type RunEvent, type RunStatus } from './run.types.ts';

/** What a caller asks for when queueing a run. Defaults come from the executor, then the machinery. */
export interface QueueRunInput {
  executor: string;
  params?: unknown;
  /** The user who asked; null for system runs (scheduler fires). */
  queuedBy?: number | null;
  priority?: number;
  maxAttempts?: number;
  /** First retry delay; doubles per attempt (with jitter) up to the machinery's cap. */
  retryDelayMs?: number;
  timeoutMs?: number | null;
  /** A scheduled fire: the pair is unique, a second insert of the same slot is a no-op. */
  taskId?: number | null;
  scheduledFor?: Date | null;
  parentRunId?: number | null;
  /** Not claimable before this many milliseconds from now (database clock). */
  delayMs?: number;
}

export interface PageOptions {
  limit: number;
  offset: number;
}

export interface RunsService {
  /**
   * Validates executor and params (400 naming the field) and queues the run; on `trx`, the caller's
   * transaction, when given, so the run and what the caller writes with it (its audit entry) commit together.
   */
  queueRun(input: QueueRunInput, trx?: Kysely<Database>): Promise<Run>;
  /** Many runs in one statement (workflows, benchmarks). */
  queueRuns(inputs: readonly QueueRunInput[]): Promise<Run[]>;
  /** A scheduler fire: the run, or null when that (taskId, scheduledFor) slot was fired already. */
  queueScheduledRun(input: QueueRunInput & { taskId: number; scheduledFor: Date }): Promise<Run | null>;
  getRun(id: number): Promise<Run | null>;
  /** Runs of these executors a user has waiting (queued or paused): what per-user queue limits count. */
  countWaiting(queuedBy: number, executors: readonly string[]): Promise<number>;
  listRuns(filter: repo.RunFilter, page: PageOptions): Promise<{ runs: Run[]; total: number }>;
  /** The last `limit` log lines, oldest first. */
  logs(id: number, limit: number): Promise<RunEvent[]>;
  events(id: number, afterSeq: number, limit: number): Promise<RunEvent[]>;
  /**
   * The controls. `andThen` (e.g. the audit entry of the request) runs in the transaction that makes
   * the change, so the change and its record are written together or not at all.
   */
  cancel(id: number, andThen?: AndThen): Promise<Run>;
  pause(id: number, andThen?: AndThen): Promise<Run>;
  resume(id: number, andThen?: AndThen): Promise<Run>;
  /** A new run with the same executor and params (and checkpoint, unless it had succeeded). */
  retry(id: number, queuedBy: number | null, andThen?: AndThen): Promise<Run>;
  /** Resolves with the run once it has ended, or as it is when `timeoutMs` passes. */
  waitForRun(id: number, options: { timeoutMs: number; signal?: AbortSignal }): Promise<Run>;
  /** Events after `afterSeq` then live, without gap or duplicate, ending after the final status. */
  follow(id: number, afterSeq: number, signal: AbortSignal): AsyncGenerator<RunEvent>;
  /** The status and error of each of these runs (a workflow's steps). */
  outcomes(ids: readonly number[]): Promise<Array<{ id: number; status: RunStatus; error: unknown }>>;
  /** How many of these runs have ended. */
  countEnded(ids: readonly number[]): Promise<number>;
  /** What /metrics reports of the runs table: counts by executor and status, the queue, scheduler lateness. */
  stats(): Promise<RunStats>;
  /** Who and what a run belongs to, by name: its owner, its task, the object it works for (its page's links). */
  links(run: Run): Promise<RunLinks>;
  readonly bus: RunBus;
}

/** The runs table summed up for monitoring (run-stats.repository.ts). */
export interface RunLinks {
  owner: string | null;
  task: { id: number; name: string } | null;
  subject: RunSubject | null;
}

export interface RunStats {
  byStatus: Array<{ executor: string; status: RunStatus; count: number }>;
  queued: Array<{ executor: string; count: number; oldestSeconds: number }>;
  /** Per scheduled task: how late its latest fire was queued after its slot. */
  lateness: Array<{ task: string; seconds: number }>;
}

/** Work done in the transaction of a run control, after the change, with the run as it now is. */
export type AndThen = (trx: Kysely<Database>, run: Run) => Promise<void>;

export interface RunsServiceOptions {
  pg: PgStore;
  registry: ExecutorRegistry;
  bus: RunBus;
  /** Default maximum attempts when neither the caller nor the executor says. */
  defaultMaxAttempts?: number;
}

export function makeRunsService(o: RunsServiceOptions): RunsService {
  const db = o.pg.db;

  const toRow = (input: QueueRunInput): repo.NewRunRow => {
    const { def, params } = o.registry.validate(input.executor, input.params);
    const maxAttempts = input.maxAttempts ?? def.defaults?.maxAttempts ?? o.defaultMaxAttempts ?? 1;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new AppError(400, 'invalid_request', 'maxAttempts: expected a whole number ≥ 1', { field: 'maxAttempts' });
    return {
      executor: def.name,
      params,
      maxAttempts,
      retryDelayMs: input.retryDelayMs ?? def.defaults?.retryDelayMs ?? 2000,
      priority: input.priority ?? 0,
      taskId: input.taskId ?? null,
      scheduledFor: input.scheduledFor ?? null,
      parentRunId: input.parentRunId ?? null,
      retryOfRunId: null,
      queuedBy: input.queuedBy ?? null,
      timeoutMs: input.timeoutMs === undefined ? (def.defaults?.timeoutMs ?? null) : input.timeoutMs,
      checkpoint: null,
      delayMs: input.delayMs ?? 0,
    };
  };

  const mustGet = async (id: number, q: Kysely<Database> = db): Promise<Run> => {
    const row = await repo.findRun(q, id);
    if (!row) throw new AppError(404, 'not_found', `run ${id} was not found`);
    return toRun(row);
  };

  const conflict = (run: Run, action: string) =>
    new AppError(409, 'run_state', `run ${run.id} is ${run.status}; it cannot be ${action} now${isTerminal(run.status) ? ' (retry makes a new run)' : ''}`);

  /** Moves a queued or paused run without a worker involved; null when it changed status meanwhile. */
  const transitionIdle = (q: Kysely<Database>, run: Run, from: RunStatus[], to: RunStatus, reason: string, final: boolean) =>
    repo.transitionRun(q, {
      id: run.id,
      from,
      to,
      finished: final,
      events: [{ status: to, reason, final }],
      setControl: true,
      control: null,
    });

  /** A control in one transaction with its `andThen`; without one, straight on the pool as before. */
  const controlled = async (andThen: AndThen | undefined, op: (q: Kysely<Database>) => Promise<Run>): Promise<Run> => {
    if (!andThen) return op(db);
    return db.transaction().execute(async (trx) => {
      const run = await op(trx);
      await andThen(trx, run);
      return run;
    });
  };

  const source: FollowSource = {
    bus: o.bus,
    readEvents: async (id, after, limit) => (await repo.readRunEvents(db, id, after, limit)).map(toRunEvent),
    readHead: (id) => repo.readRunHead(db, id),
  };

  const service: RunsService = {
    bus: o.bus,
    async queueRun(input, trx) {
      const [row] = await repo.insertRuns(trx ?? db, [toRow(input)]);
      if (!row) throw new AppError(409, 'already_fired', `task ${input.taskId} already has a run for ${input.scheduledFor?.toISOString()}`);
      return toRun(row);
    },
    async queueRuns(inputs) {
      return (await repo.insertRuns(db, inputs.map(toRow))).map(toRun);
    },
    async queueScheduledRun(input) {
      const [row] = await repo.insertRuns(db, [toRow(input)]);
      return row ? toRun(row) : null;
    },
    async getRun(id) {
      const row = await repo.findRun(db, id);
      return row ? toRun(row) : null;
    },
    countWaiting(queuedBy, executors) {
      return repo.countWaitingRuns(db, queuedBy, executors);
    },
    async listRuns(filter, page) {
      const { rows, total } = await repo.listRuns(db, filter, page.limit, page.offset);
      return { runs: rows.map(toRun), total };
    },
    async logs(id, limit) {
      return (await repo.readLogTail(db, id, limit)).map(toRunEvent);
    },
    async events(id, afterSeq, limit) {
      return (await repo.readRunEvents(db, id, afterSeq, limit)).map(toRunEvent);
    },
    async cancel(id, andThen) {
      return controlled(andThen, async (q) => {
        for (;;) {
          const run = await mustGet(id, q);
          switch (run.status) {
            case 'queued':
            case 'paused': {
              const row = await transitionIdle(q, run, ['queued', 'paused'], 'cancelled', 'cancelled before it ran', true);
              if (row) return toRun(row);
              continue;
            }
            case 'running':
              if (await repo.requestControl(q, id, 'cancel')) return mustGet(id, q);
              continue;
            case 'succeeded':
            case 'failed':
            case 'cancelled':
            case 'abandoned':
              throw conflict(run, 'cancelled');
          }
        }
      });
    },
    async pause(id, andThen) {
      return controlled(andThen, async (q) => {
        for (;;) {
          const run = await mustGet(id, q);
          switch (run.status) {
            case 'queued': {
              const row = await transitionIdle(q, run, ['queued'], 'paused', 'paused before it ran', false);
              if (row) return toRun(row);
              continue;
            }
            case 'running':
              if (await repo.requestControl(q, id, 'pause')) return mustGet(id, q);
              continue;
            case 'paused':
              return run;
            case 'succeeded':
            case 'failed':
            case 'cancelled':
            case 'abandoned':
              throw conflict(run, 'paused');
          }
        }
      });
    },
    async resume(id, andThen) {
      return controlled(andThen, async (q) => {
        for (;;) {
          const run = await mustGet(id, q);
          switch (run.status) {
            case 'paused': {
              const row = await transitionIdle(q, run, ['paused'], 'queued', 'resumed', false);
              if (row) return toRun(row);
              continue;
            }
            case 'running':
              // A pause asked for but not yet honoured is withdrawn.
              if (run.control === 'pause') await repo.withdrawPause(q, id);
              return mustGet(id, q);
            case 'queued':
              return run;
            case 'succeeded':
            case 'failed':
            case 'cancelled':
            case 'abandoned':
              throw conflict(run, 'resumed');
          }
        }
      });
    },
    async retry(id, queuedBy, andThen) {
      return controlled(andThen, async (q) => {
        const run = await mustGet(id, q);
        if (!isTerminal(run.status)) throw conflict(run, 'retried');
        const subject = await o.registry.get(run.executor)?.subject?.(run.params as never, { id: run.id }).catch(() => null);
        if (subject?.rerun) {
          throw new AppError(409, 'retry_through_subject', `run ${id} simulates ${subject.kind} ${subject.id} ("${subject.name}"): run it again through it (POST ${subject.rerun.api}), which keeps the first one's results as they are`, { [`${subject.kind}_id`]: subject.id });
        }
        const def = o.registry.get(run.executor);
        if (!def) throw new AppError(409, 'unknown_executor', `run ${id} used executor "${run.executor}", which this server does not have`);
        const [row] = await repo.insertRuns(q, [
          {
            executor: run.executor,
            params: run.params,
            maxAttempts: run.maxAttempts,
            retryDelayMs: run.retryDelayMs,
            priority: run.priority,
            taskId: run.taskId,
            scheduledFor: null,
            parentRunId: run.parentRunId,
            retryOfRunId: run.id,
            queuedBy,
            timeoutMs: run.timeoutMs,
            checkpoint: run.status === 'succeeded' ? null : run.checkpoint,
            delayMs: 0,
          },
        ]);
        return toRun(row);
      });
    },
    async waitForRun(id, { timeoutMs, signal }) {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), timeoutMs);
      const onAbort = () => ac.abort();
      signal?.addEventListener('abort', onAbort);
      try {
        await mustGet(id);
        for await (const _ of followRun(source, id, 0, ac.signal)) {
          // Only the end matters here; the generator returns after the final status.
        }
        return mustGet(id);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    },
    follow(id, afterSeq, signal) {
      return followRun(source, id, afterSeq, signal);
    },
    outcomes: (ids) => repo.runOutcomes(db, ids),
    countEnded: (ids) => repo.countEndedRuns(db, ids),
    async links(run) {
      const def = o.registry.get(run.executor);
      const [names, subject] = await Promise.all([
        stats.linkNames(db, run.queuedBy, run.taskId),
        def?.subject ? def.subject(run.params as never, { id: run.id }).catch(() => null) : Promise.resolve(null),
      ]);
      return { owner: names.owner, task: run.taskId !== null && names.task !== null ? { id: run.taskId, name: names.task } : null, subject };
    },
    async stats() {
      const [byStatus, queued, lateness] = await Promise.all([stats.countRunsByExecutorStatus(db), stats.queuedByExecutor(db), stats.latestFireLateness(db)]);
      return { byStatus, queued, lateness };
    },
  };
  return service;
}
