import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/auth/users.service.ts';
import { getEventListeners } from 'node:events';
import { makeWorkflowExecutor, workflowStepStates, type WorkflowResult } from '../../src/executors/workflow.executor.ts';
import { parseInput } from '../../src/http/contract.ts';
import type { ExecutorRegistry, RunContext } from '../../src/runs/executor-registry.ts';
import type { RunsRuntime } from '../../src/runs/runs.runtime.ts';
import { TaskInputSchema } from '../../src/scheduler/scheduler.contract.ts';
import { createTask, type TasksDeps } from '../../src/scheduler/tasks.service.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import type { TestDatabase } from '../helpers/pg.ts';

let t: TestApp;
let tdb: TestDatabase;
let runtime: RunsRuntime;
let registry: ExecutorRegistry;
let deps: TasksDeps;
const actor = { ...systemActor('test'), userId: null, username: 'test', ip: null, userAgent: null };
const admin = principal('admin', 1);
const analyst = principal('analyst', 2);
beforeAll(async () => {
  t = await makeTestApp({}, { serverExecutors: true, workers: {}, principals: [admin, analyst] });
  ({ db: tdb } = t);
  runtime = t.runtime!;
  registry = t.deps.executors!;
  deps = { db: tdb.store.db, registry, runs: runtime.service };
}, 30_000);
afterAll(() => t?.close(), 30_000);

const finish = (id: number) => runtime.service.waitForRun(id, { timeoutMs: 30_000 });
const noop = (id: string, depends_on: string[] = []) => ({ id, executor: 'noop', config: {}, depends_on });
const failing = (id: string, depends_on: string[] = []) => ({ id, executor: 'sleep', config: { ms: 0, steps: 1, fail_at_step: 1 }, depends_on });
const children = async (runId: number) => (await runtime.service.listRuns({ parentRunId: runId }, { limit: 100, offset: 0 })).runs;
const stepsOf = (r: { result: unknown; checkpoint: unknown }) => workflowStepStates(r)!;

describe('workflow executor', () => {
  it('runs steps in dependency order, each as a child run', async () => {
    const run = await runtime.service.queueRun({ executor: 'workflow', params: { mode: 'parallel', parallelism: 2, steps: [noop('a'), noop('b', ['a']), noop('c', ['a']), noop('d', ['b', 'c'])] } });
    const done = await finish(run.id);
    expect(done.status).toBe('succeeded');
    const steps = stepsOf(done);
    expect(Object.values(steps).map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const kids = await children(run.id);
    expect(kids.length).toBe(4);
    // d started after b and c finished.
    const byId = new Map(kids.map((k) => [k.id, k]));
    const d = byId.get(steps.d.runId!)!;
    for (const dep of ['b', 'c']) expect(byId.get(steps[dep].runId!)!.finishedAt!.getTime()).toBeLessThanOrEqual(d.startedAt!.getTime());
    expect((done.result as WorkflowResult).outcome).toBe('succeeded');
    // The result lists the steps in run order, snake_case.
    expect((done.result as WorkflowResult).steps.map((st) => st.id)).toEqual(['a', 'b', 'c', 'd']);
    expect((done.result as WorkflowResult).steps[0]).toEqual({ id: 'a', status: 'succeeded', run_id: steps.a.runId, error: null });
  });

  it('stop: a failed step fails the workflow and nothing after it starts', async () => {
    const run = await runtime.service.queueRun({ executor: 'workflow', params: { on_failure: 'stop', steps: [noop('a'), failing('b', ['a']), noop('c', ['b']), noop('x')] } });
    const done = await finish(run.id);
    expect(done.status).toBe('failed');
    const steps = stepsOf(done);
    expect(steps.b.status).toBe('failed');
    expect(steps.c.status).toBe('skipped');
    expect((await children(run.id)).length).toBe(steps.x.status === 'succeeded' ? 3 : 2);
  });

  it('continue: independent steps still run, dependents are skipped, the result is partial', async () => {
    const run = await runtime.service.queueRun({ executor: 'workflow', params: { on_failure: 'continue', steps: [noop('a'), failing('b', ['a']), noop('c', ['b']), noop('d', ['a'])] } });
    const done = await finish(run.id);
    expect(done.status).toBe('succeeded');
    expect((done.result as WorkflowResult).outcome).toBe('partial');
    const steps = stepsOf(done);
    expect([steps.a.status, steps.b.status, steps.c.status, steps.d.status]).toEqual(['succeeded', 'failed', 'skipped', 'succeeded']);
  });

  it('resume (retry of a failed workflow) re-runs only the steps that did not succeed', async () => {
    // Step b fails the first time (no marker file), succeeds afterwards.
    const marker = join(mkdtempSync(join(tmpdir(), 'zq-wf-')), 'marker');
    const flaky = { id: 'b', executor: 'command', config: { program: process.execPath, args: ['-e', `const fs=require('fs');if(!fs.existsSync(${JSON.stringify(marker)})){fs.writeFileSync(${JSON.stringify(marker)},'');process.exit(1)}`] }, depends_on: ['a'] };
    const run = await runtime.service.queueRun({ executor: 'workflow', params: { on_failure: 'stop', steps: [noop('a'), flaky, noop('c', ['b'])] } });
    const first = await finish(run.id);
    expect(first.status).toBe('failed');
    const aRun = stepsOf(first).a.runId;
    const retry = await runtime.service.retry(run.id, null);
    const second = await finish(retry.id);
    expect(second.status).toBe('succeeded');
    const steps = stepsOf(second);
    expect(steps.a.runId).toBe(aRun); // not run again
    expect((await children(retry.id)).map((k) => k.executor).sort()).toEqual(['command', 'noop']); // b and c only
    expect([steps.b.status, steps.c.status]).toEqual(['succeeded', 'succeeded']);
  });

  it('cancel cancels the running steps', async () => {
    const run = await runtime.service.queueRun({ executor: 'workflow', params: { steps: [{ id: 'long', executor: 'sleep', config: { ms: 60_000, steps: 600 }, depends_on: [] }] } });
    const ac = new AbortController();
    for await (const e of runtime.service.follow(run.id, 0, ac.signal)) if (e.kind === 'log' && String((e.data as { message: string }).message).includes('started run')) break;
    ac.abort();
    await runtime.service.cancel(run.id);
    expect((await finish(run.id)).status).toBe('cancelled');
    const [kid] = await children(run.id);
    expect((await finish(kid.id)).status).toBe('cancelled');
  });

  it('cycles, unknown dependencies, unknown executors and bad step configs are rejected at save time, naming the field', async () => {
    const save = (steps: unknown[]) =>
      Promise.resolve()
        .then(() => createTask(deps, actor, parseInput(TaskInputSchema, { name: `wf-${Math.random().toString(36).slice(2)}`, executor: 'workflow', schedule: { kind: 'manual' }, config: { steps } })))
        .then(
        () => null,
        (e: { status: number; message: string; details?: { field?: string } }) => ({ status: e.status, field: e.details?.field, message: e.message }),
      );
    const cycle = await save([noop('a', ['c']), noop('b', ['a']), noop('c', ['b'])]);
    expect(cycle).toMatchObject({ status: 400, field: 'config.steps' });
    expect(cycle!.message).toMatch(/cycle: a → c → b → a|cycle/);
    expect(await save([noop('a', ['nope'])])).toMatchObject({ status: 400, field: 'config.steps.0.depends_on' });
    expect(await save([{ id: 'a', executor: 'no_such', config: {}, depends_on: [] }])).toMatchObject({ status: 400, field: 'config.steps.0.executor' });
    expect(await save([{ id: 'a', executor: 'sleep', config: { ms: -1 }, depends_on: [] }])).toMatchObject({ status: 400, field: 'config.steps.0.config.ms' });
    expect(await save([{ id: 'a', task: 'no such task', depends_on: [] }])).toMatchObject({ status: 400, field: 'config.steps.0.task' });
    expect(await save([noop('a'), noop('b', ['a'])])).toBeNull();
  });

  // Issue 24: every wait between step polls (200 ms) used to add an abort listener to the run's
  // signal and never remove it: a long step crossed Node's limit of 10 (MaxListenersExceededWarning).
  it('a long step leaves no abort listener behind per poll and raises no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on('warning', onWarning);
    const controller = new AbortController();
    let most = 0;
    // The executor as server.ts builds it, run directly with a context whose signal the test holds;
    // its step is a real child run (3 s, about 15 polls) that the test runtime's workers execute.
    const parent = await runtime.service.queueRun({ executor: 'noop', params: {} });
    const ctx: RunContext = {
      runId: parent.id, attempt: 1, maxAttempts: 1, signal: controller.signal, resume: null,
      progress: () => void (most = Math.max(most, getEventListeners(controller.signal, 'abort').length)),
      log: () => {},
      checkpoint: async () => void (most = Math.max(most, getEventListeners(controller.signal, 'abort').length)),
    };
    const workflow = makeWorkflowExecutor({ db: tdb.store.db, runs: () => runtime.service });
    const timer = setInterval(() => (most = Math.max(most, getEventListeners(controller.signal, 'abort').length)), 50);
    try {
      const result = (await workflow.run({ mode: 'serial', parallelism: 1, on_failure: 'stop', steps: [{ id: 'long', executor: 'sleep', config: { ms: 3000, steps: 3 }, depends_on: [] }] }, ctx)) as WorkflowResult;
      expect(result.outcome).toBe('succeeded');
    } finally {
      clearInterval(timer);
      process.off('warning', onWarning);
    }
    // At most the workflow's own cancel hook and the sleep of the poll in progress.
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(2);
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  }, 30_000);

  // Issue 24: an analyst could read the step runs (with their parameters) of a workflow an admin
  // triggered, while the workflow run itself answered 404. Steps now belong to the workflow's owner.
  it('step runs are visible exactly to those who can see the workflow run', async () => {
    const as = (p: typeof admin) => t.appWith({ authenticate: actingAs(p) });
    const owned = await runtime.service.queueRun({ executor: 'workflow', params: { steps: [noop('a'), noop('b', ['a'])] }, queuedBy: admin.userId });
    const system = await runtime.service.queueRun({ executor: 'workflow', params: { steps: [noop('a')] }, queuedBy: null });
    for (const r of [owned, system]) expect((await finish(r.id)).status).toBe('succeeded');
    const ownedSteps = await children(owned.id);
    expect(ownedSteps.map((k) => k.queuedBy)).toEqual([admin.userId, admin.userId]);
    for (const run of [owned, ...ownedSteps]) {
      expect((await as(analyst).request(`/api/v1/runs/${run.id}`)).status).toBe(404);
      expect((await as(admin).request(`/api/v1/runs/${run.id}`)).status).toBe(200);
    }
    const listed = (await (await as(analyst).request(`/api/v1/runs?executor=noop`)).json()) as { runs: Array<{ id: number }> };
    expect(listed.runs.map((r) => r.id)).not.toEqual(expect.arrayContaining([ownedSteps[0].id]));
    // A system workflow (a scheduler fire) and its steps are system runs: every viewer sees both.
    const [systemStep] = await children(system.id);
    expect(systemStep.queuedBy).toBeNull();
    for (const run of [system, systemStep]) expect((await as(analyst).request(`/api/v1/runs/${run.id}`)).status).toBe(200);
  });
});
