import type { z } from 'zod';
import type { Role } from '../auth/access.ts';
import { AppError } from '../http/errors.ts';
import type { LogLevel, RunProgress } from './run.types.ts';

/**
 * What kind of slot an executor needs. `backtest`: CPU-bound, runs on worker_threads, at most
 * cores−1 at once. `io`: waits on the network or a database (data sync, workflows, diagnostics).
 */
export type ConcurrencyKind = 'backtest' | 'io';
export const concurrencyKinds: readonly ConcurrencyKind[] = ['backtest', 'io'];

/** Why a run's signal was aborted; the pool decides the run's next status from it, not from the thrown error. */
export type StopReason = 'cancel' | 'pause' | 'timeout' | 'shutdown' | 'lease_lost';

export interface ProgressUpdate {
  processed?: number;
  total?: number;
  /** Given directly, or computed from processed/total. */
  fraction?: number;
  current?: string | null;
}

/**
 * What an executor gets besides its params: its run, its stop signal and its reporting. Nothing of
 * the stores: an executor receives the services it needs when server.ts builds it.
 */
export interface RunContext {
  readonly runId: number;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborted on cancel, pause, timeout or shutdown (`signal.reason` is a StopReason). Check it between steps. */
  readonly signal: AbortSignal;
  /** The checkpoint saved by an earlier attempt (or before a pause), or null on a fresh start. */
  readonly resume: unknown;
  /** Reports progress; cheap to call often (writes are throttled). */
  progress(update: ProgressUpdate): void;
  log(level: LogLevel, message: string): void;
  /** Saves resumable state; resolves once stored. The natural place to honour a pause or cancel. */
  checkpoint(state: unknown): Promise<void>;
}

/** One executor: its params schema, its slot kind, and its body. */
export interface ExecutorDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  params: S;
  kind: ConcurrencyKind;
  /** The lowest role that may queue it through the generic POST /api/v1/runs. */
  queueRole: Role;
  defaults?: { maxAttempts?: number; timeoutMs?: number; retryDelayMs?: number };
  run(params: z.output<S>, ctx: RunContext): Promise<unknown>;
  /**
   * Checks beyond the schema, run when a task using this executor is saved (or triggered): throw an
   * AppError 400 whose field (and message) starts with `params.` (the scheduler names it `config.`).
   */
  validate?(params: z.output<S>, deps: ValidateDeps): void | Promise<void>;
  /**
   * For executors whose run is a graph of child runs: the graph of these params, with the step
   * states of `run` (its result once ended, else its checkpoint). Pages draw it without knowing the executor.
   */
  graph?(params: z.output<S>, run: { result: unknown; checkpoint: unknown } | null): StepGraph;
  /** The object a run of this executor works for, or null (see RunSubject). */
  subject?(params: z.output<S>, run: { id: number }): Promise<RunSubject | null>;
}

/** One step of a run made of steps, as drawn: what it runs (an executor, or a saved task) and what it waits for. */
export interface GraphStep {
  id: string;
  depends_on: readonly string[];
  executor?: string;
  task?: string;
}

/** How far one step of a run got: its child run and status (pending before it starts). */
export interface GraphStepState {
  status: string;
  runId: number | null;
  error?: string | null;
}

/** The steps of a run made of steps (a workflow's DAG), in columns by depth, with their states in one run. */
export interface StepGraph {
  steps: readonly GraphStep[];
  /** Step ids by depth: a step's column is one past its deepest dependency's. */
  layers: string[][];
  /** Each step's state in the run given, or null when none was given. */
  state: Record<string, GraphStepState> | null;
}

/**
 * The object a run works for (a backtest), so its page links it and a retry goes through it: a
 * backtest's run is retried by rerunning the backtest (a new backtest beside the old), never by
 * re-simulating into the old one behind its back.
 */
export interface RunSubject {
  kind: string;
  id: number;
  name: string;
  /** Its page. */
  href: string;
  /** How to run it again instead of retrying the run: the page form's action and the API's path. */
  rerun?: { action: string; label: string; api: string };
}

/** What an executor's `validate` may consult. */
export interface ValidateDeps {
  registry: ExecutorRegistry;
  /** The names of the saved tasks. */
  taskNames(): Promise<readonly string[]>;
}

/** Executors that fail on purpose for a reason retrying cannot fix throw this with retryable false. */
export class RunError extends Error {
  override name = 'RunError';
  constructor(
    readonly code: string,
    message: string,
    readonly options: { retryable?: boolean; detail?: unknown } = {},
  ) {
    super(message);
  }
}

export interface ExecutorRegistry {
  get(name: string): ExecutorDefinition | undefined;
  names(): string[];
  namesOfKind(kind: ConcurrencyKind): string[];
  /** The executor and its parsed params, or a 400 naming the field (executor, or params.<path>). */
  validate(name: string, params: unknown): { def: ExecutorDefinition; params: unknown };
}

/** Typed entry helper: keeps `run`'s params typed by the schema. */
export function defineExecutor<S extends z.ZodType>(def: ExecutorDefinition<S>): ExecutorDefinition {
  return def as unknown as ExecutorDefinition;
}

export function makeExecutorRegistry(defs: readonly ExecutorDefinition[]): ExecutorRegistry {
  const table = new Map<string, ExecutorDefinition>();
  for (const def of defs) {
    if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(def.name)) throw new Error(`executor name "${def.name}" must be lower-case letters, digits, _ . -`);
    if (table.has(def.name)) throw new Error(`executor "${def.name}" is registered twice`);
    table.set(def.name, def);
  }
  return {
    get: (name) => table.get(name),
    names: () => [...table.keys()].sort(),
    namesOfKind: (kind) => [...table.values()].filter((d) => d.kind === kind).map((d) => d.name).sort(),
    validate(name, params) {
      const def = table.get(name);
      if (!def) {
        throw new AppError(400, 'unknown_executor', `executor: no executor named "${name}"; known: ${[...table.keys()].sort().join(', ')}`, {
          field: 'executor',
        });
      }
      const parsed = def.params.safeParse(params ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = ['params', ...issue.path.map(String)].join('.');
        throw new AppError(400, 'invalid_params', `${field}: ${issue.message} (executor ${name})`, { field });
      }
      return { def, params: parsed.data };
    },
  };
}
