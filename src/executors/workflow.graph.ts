import { z } from 'zod';
import { AppError } from '../http/errors.ts';
import type { ValidateDeps } from '../runs/executor-registry.ts';

/**
 * A workflow: a DAG of steps. Each step runs an executor with its config, or another task (by
 * name) with that task's executor and config. `serial` runs one step at a time in dependency order;
 * `parallel` runs every step whose dependencies succeeded, at most `parallelism` at once.
 */
export const workflowStepSchema = z
  .object({
    id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, { message: 'expected letters, digits, _ or - (at most 64)' }),
    executor: z.string().min(1).max(64).optional(),
    config: z.record(z.string(), z.unknown()).default({}),
    task: z.string().min(1).max(100).optional(),
    depends_on: z.array(z.string()).default([]),
    timeout_ms: z.number().int().min(1).optional(),
  })
  .refine((s) => (s.executor === undefined) !== (s.task === undefined), { message: 'give either executor (with config) or task, not both' });

export const workflowParamsSchema = z.object({
  steps: z.array(workflowStepSchema).min(1, { message: 'expected at least one step' }).max(200),
  mode: z.enum(['serial', 'parallel']).default('serial'),
  parallelism: z.number().int().min(1).max(32).default(2),
  on_failure: z.enum(['stop', 'continue']).default('stop'),
});
export type WorkflowParams = z.output<typeof workflowParamsSchema>;
export type WorkflowStep = WorkflowParams['steps'][number];

/** Steps in an order where each comes after its dependencies; throws naming the problem (cycle, unknown or duplicate step). */
export function topoOrder(steps: readonly WorkflowStep[]): WorkflowStep[] {
  const byId = new Map<string, WorkflowStep>();
  steps.forEach((s, i) => {
    if (byId.has(s.id)) throw new GraphError(`steps.${i}.id`, `step id "${s.id}" is used twice`);
    byId.set(s.id, s);
  });
  steps.forEach((s, i) => {
    for (const d of s.depends_on) {
      if (!byId.has(d)) throw new GraphError(`steps.${i}.depends_on`, `step "${s.id}" depends on "${d}", which is not a step of this workflow`);
      if (d === s.id) throw new GraphError(`steps.${i}.depends_on`, `step "${s.id}" depends on itself`);
    }
  });
  const state = new Map<string, 'visiting' | 'done'>();
  const out: WorkflowStep[] = [];
  const visit = (s: WorkflowStep, path: string[]) => {
    const st = state.get(s.id);
    if (st === 'done') return;
    if (st === 'visiting') throw new GraphError('steps', `the steps form a cycle: ${[...path.slice(path.indexOf(s.id)), s.id].join(' → ')}`);
    state.set(s.id, 'visiting');
    for (const d of s.depends_on) visit(byId.get(d)!, [...path, s.id]);
    state.set(s.id, 'done');
    out.push(s);
  };
  for (const s of steps) visit(s, []);
  return out;
}

export class GraphError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Layers for drawing: each step's depth is one more than its deepest dependency. */
export function layers(steps: readonly WorkflowStep[]): string[][] {
  const depth = new Map<string, number>();
  for (const s of topoOrder(steps)) depth.set(s.id, s.depends_on.reduce((m, d) => Math.max(m, (depth.get(d) ?? 0) + 1), 0));
  const out: string[][] = [];
  for (const s of steps) (out[depth.get(s.id)!] ??= []).push(s.id);
  return out;
}

/**
 * The workflow executor's save-time check (its `validate`): the steps form a DAG, every task step
 * names a saved task, no step is itself a workflow, and each executor step's config fits its
 * executor. A 400 naming `params.steps.<i>…`.
 */
export async function validateWorkflow(wf: WorkflowParams, deps: ValidateDeps): Promise<void> {
  try {
    topoOrder(wf.steps);
  } catch (err) {
    if (err instanceof GraphError) throw new AppError(400, 'invalid_workflow', `params.${err.field}: ${err.message}`, { field: `params.${err.field}` });
    throw err;
  }
  const names = new Set(await deps.taskNames());
  for (const [i, s] of wf.steps.entries()) {
    if (s.task !== undefined) {
      if (!names.has(s.task)) throw new AppError(400, 'invalid_workflow', `params.steps.${i}.task: no task named "${s.task}"`, { field: `params.steps.${i}.task` });
      continue;
    }
    if (s.executor === 'workflow') throw new AppError(400, 'invalid_workflow', `params.steps.${i}.executor: a step cannot be a workflow; reference a workflow task instead`, { field: `params.steps.${i}.executor` });
    try {
      deps.registry.validate(s.executor!, s.config);
    } catch (err) {
      if (err instanceof AppError) {
        const field = `params.steps.${i}.${String(err.details?.field ?? 'executor').replace(/^params/, 'config')}`;
        throw new AppError(400, err.code, `${field}: ${err.message.replace(/^[^:]*: /, '')}`, { field });
      }
      throw err;
    }
  }
}
