import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { defineExecutor, RunError, type RunContext } from '../runs/executor-registry.ts';
import type { RunsService } from '../runs/runs.service.ts';
import { taskNamed } from '../scheduler/tasks.service.ts';
import { isTerminal, type RunStatus } from '../runs/run.types.ts';
import { layers, topoOrder, validateWorkflow, workflowParamsSchema, type WorkflowParams, type WorkflowStep } from './workflow.graph.ts';

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export interface StepState {
  status: StepStatus;
  runId: number | null;
  error?: string | null;
}
/** What the workflow run saves as its checkpoint (a retry resumes from it). */
export interface WorkflowState {
  steps: Record<string, StepState>;
  outcome?: 'succeeded' | 'partial' | 'failed';
}

/** A workflow run's result (and its failure's `detail`), as the API shows it: the steps in run order. */
export interface WorkflowResult {
  outcome: 'succeeded' | 'partial' | 'failed' | null;
  steps: Array<{ id: string; status: StepStatus; run_id: number | null; error: string | null }>;
}

export function workflowResult(state: WorkflowState, order: readonly { id: string }[]): WorkflowResult {
  return {
    outcome: state.outcome ?? null,
    steps: order.map((s) => {
      const st = state.steps[s.id] ?? { status: 'pending', runId: null };
      return { id: s.id, status: st.status, run_id: st.runId, error: st.error ?? null };
    }),
  };
}

/** The steps' states of a workflow run for its DAG: from its result once it ended, else its checkpoint. */
export function workflowStepStates(run: { result: unknown; checkpoint: unknown }): Record<string, StepState> | null {
  const result = run.result as Partial<WorkflowResult> | null;
  if (result && Array.isArray(result.steps)) {
    return Object.fromEntries(result.steps.map((s) => [s.id, { status: s.status, runId: s.run_id, error: s.error }]));
  }
  return (run.checkpoint as WorkflowState | null)?.steps ?? null;
}

const pollMs = 200;

/**
 * Runs a DAG of steps as child runs (parent_run_id = the workflow's run), each with its own history.
 * `stop`: the first failure stops launching new steps and fails the workflow; `continue`: steps
 * whose dependencies failed are skipped, the others run, and the result is `partial`. A retry of the
 * workflow resumes from its checkpoint: steps that succeeded are not run again.
 */
export interface WorkflowDeps {
  /** The saved tasks a step may name (read through the scheduler's service). */
  db: Kysely<Database>;
  /** The process's run machinery, read lazily: it starts after the registry that holds this executor. */
  runs: () => RunsService;
}

export function makeWorkflowExecutor(deps: WorkflowDeps) {
  return defineExecutor({
    name: 'workflow',
    description: 'runs a DAG of steps (executors or other tasks) serially or in parallel, each a child run',
    params: workflowParamsSchema,
    kind: 'io',
    queueRole: 'admin',
    run: (p, ctx) => runWorkflow(p, ctx, deps.db, deps.runs()),
    validate: validateWorkflow,
    graph: (p, run) => ({ steps: p.steps, layers: layers(p.steps), state: run ? workflowStepStates(run) : null }),
  });
}

async function runWorkflow(p: WorkflowParams, ctx: RunContext, db: Kysely<Database>, runs: RunsService): Promise<WorkflowResult> {
  const order = topoOrder(p.steps);
  // Steps belong to whoever the workflow run belongs to, so exactly those who may see it see them
  // (a system run's steps stay system runs).
  const owner = (await runs.getRun(ctx.runId))?.queuedBy ?? null;
  const previous = (ctx.resume as WorkflowState | null)?.steps ?? {};
  const state: WorkflowState = { steps: {} };
  for (const s of order) {
    const before = previous[s.id];
    state.steps[s.id] = before?.status === 'succeeded' ? before : { status: 'pending', runId: null };
  }
  const kept = order.filter((s) => state.steps[s.id].status === 'succeeded').length;
  if (kept) ctx.log('info', `resuming: ${kept} step(s) succeeded before and are not run again`);
  const limit = p.mode === 'serial' ? 1 : p.parallelism;
  const active = new Map<number, WorkflowStep>();
  const done = () => order.filter((s) => !['pending', 'running'].includes(state.steps[s.id].status)).length;
  const report = () => ctx.progress({ processed: done(), total: order.length, current: [...active.values()].map((s) => s.id).join(', ') || null });
  let failed = false;
  report();
  await ctx.checkpoint(state);

  const launch = async (s: WorkflowStep) => {
    let executor = s.executor!;
    let config: unknown = s.config;
    let taskId: number | null = null;
    let maxAttempts: number | undefined;
    let timeoutMs: number | null | undefined = s.timeout_ms;
    if (s.task !== undefined) {
      const t = await taskNamed(db, s.task);
      if (!t) throw new RunError('unknown_task', `step ${s.id}: no task named "${s.task}" (deleted since the workflow was saved?)`, { retryable: false });
      executor = t.executor;
      config = { ...(t.config as Record<string, unknown>), ...s.config };
      taskId = Number(t.id);
      maxAttempts = t.max_attempts;
      timeoutMs ??= t.timeout_ms;
    }
    const run = await runs.queueRun({ executor, params: config, parentRunId: ctx.runId, taskId, maxAttempts, timeoutMs: timeoutMs ?? undefined, queuedBy: owner });
    active.set(run.id, s);
    state.steps[s.id] = { status: 'running', runId: run.id };
    ctx.log('info', `step ${s.id}: started run ${run.id} (${executor})`);
  };

  const onAbort = () => {
    for (const id of active.keys()) void runs.cancel(id).catch(() => {});
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      // Skip what can no longer run: a dependency failed, was skipped or cancelled.
      for (const s of order) {
        const st = state.steps[s.id];
        if (st.status !== 'pending') continue;
        if (s.depends_on.some((d) => ['failed', 'skipped', 'cancelled'].includes(state.steps[d].status))) {
          state.steps[s.id] = { status: 'skipped', runId: null };
          ctx.log('warn', `step ${s.id}: skipped (a dependency did not succeed)`);
        }
      }
      if (!(failed && p.on_failure === 'stop')) {
        for (const s of order) {
          if (active.size >= limit) break;
          if (state.steps[s.id].status !== 'pending') continue;
          if (s.depends_on.every((d) => state.steps[d].status === 'succeeded')) await launch(s);
        }
      }
      report();
      if (active.size === 0) break;
      await waitForAny(ctx, runs, [...active.keys()]);
      if (ctx.signal.aborted) break;
      const rows = await runs.outcomes([...active.keys()]);
      let changed = false;
      for (const r of rows) {
        if (!isTerminal(r.status as RunStatus)) continue;
        const s = active.get(Number(r.id))!;
        active.delete(Number(r.id));
        const status: StepStatus = r.status === 'succeeded' ? 'succeeded' : r.status === 'cancelled' ? 'cancelled' : 'failed';
        const error = (r.error as { message?: string } | null)?.message ?? null;
        state.steps[s.id] = { status, runId: Number(r.id), error };
        ctx.log(status === 'succeeded' ? 'info' : 'error', `step ${s.id}: ${status}${error ? `: ${error}` : ''}`);
        if (status !== 'succeeded') failed = true;
        changed = true;
      }
      if (changed) await ctx.checkpoint(state);
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  ctx.signal.throwIfAborted();
  // Stopped early: what never started stays pending (a retry runs it).
  const failedSteps = order.filter((s) => ['failed', 'cancelled'].includes(state.steps[s.id].status)).map((s) => s.id);
  if (failedSteps.length === 0 && order.every((s) => state.steps[s.id].status === 'succeeded')) {
    state.outcome = 'succeeded';
    return workflowResult(state, order);
  }
  if (p.on_failure === 'continue') {
    state.outcome = 'partial';
    ctx.log('warn', `finished with failures (partial): ${failedSteps.join(', ')}`);
    return workflowResult(state, order);
  }
  state.outcome = 'failed';
  await ctx.checkpoint(state);
  throw new RunError('workflow_failed', `step(s) ${failedSteps.join(', ')} failed; the workflow stopped (retry resumes from the steps that did not succeed)`, { detail: workflowResult(state, order) });
}

/**
 * Waits until one of these runs may have ended (polls the database; a workflow is not a hot path).
 * The sleep between polls takes the abort signal itself, so no listener outlives its poll.
 */
async function waitForAny(ctx: RunContext, runs: RunsService, ids: number[]): Promise<void> {
  while (!ctx.signal.aborted) {
    if ((await runs.countEnded(ids)) > 0) return;
    await sleep(pollMs, undefined, { signal: ctx.signal }).catch(() => {});
  }
}
