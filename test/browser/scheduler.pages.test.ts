/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInput } from '../../src/http/contract.ts';
import { silentLogger } from '../../src/logger.ts';
import type { RunsRuntime } from '../../src/runs/runs.runtime.ts';
import { seedSchedulerTasks } from '../../src/scheduler/seed.ts';
import { TaskInputSchema } from '../../src/scheduler/scheduler.contract.ts';
import { createTask } from '../../src/scheduler/tasks.service.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { artifact, hasChromium, launchBrowser, watchProblems } from '../helpers/browser.ts';
import type { TestDatabase } from '../helpers/pg.ts';

describe.skipIf(!hasChromium)('scheduler pages in a browser', () => {
  let t: TestApp;
  let db: TestDatabase;
  let rt: RunsRuntime;
  let base: string;
  let browser: Browser;
  let wfTaskId = 0;

  beforeAll(async () => {
    t = await makeTestApp({}, { principals: [principal('admin', 1)], authenticate: actingAs(principal('admin', 1)), serverExecutors: true, workers: {} });
    ({ db } = t);
    rt = t.runtime!;
    await seedSchedulerTasks(db.store.db, silentLogger);
    const actor = { userId: null, username: 'test', ip: null, userAgent: null };
    const deps = { db: db.store.db, registry: t.deps.executors!, runs: rt.service };
    await createTask(deps, actor, parseInput(TaskInputSchema, { name: 'heartbeat', executor: 'noop', schedule: { kind: 'interval', every_seconds: 30, timezone: 'UTC' } }));
    const wf = await createTask(deps, actor, parseInput(TaskInputSchema, {
      name: 'nightly checks',
      executor: 'workflow',
      schedule: { kind: 'cron', expression: '0 2 * * *', timezone: 'Asia/Shanghai' },
      config: {
        mode: 'parallel',
        parallelism: 2,
        on_failure: 'continue',
        steps: [
          { id: 'prepare', executor: 'noop', depends_on: [] },
          { id: 'fetch', executor: 'sleep', config: { ms: 300, steps: 3 }, depends_on: ['prepare'] },
          { id: 'broken', executor: 'sleep', config: { ms: 0, steps: 1, fail_at_step: 1 }, depends_on: ['prepare'] },
          { id: 'report', executor: 'noop', depends_on: ['fetch', 'broken'] },
          { id: 'cleanup', executor: 'noop', depends_on: ['fetch'] },
        ],
      },
    }));
    wfTaskId = wf.id;
    base = await t.listen();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('creates a task with the form (live cron preview, schema-generated config), triggers it and watches its run finish', async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);

    await page.goto(`${base}/scheduler`);
    // The two made above, and the seeded daily-update and housekeeping (migration 700).
    await expect(page.locator('#tasks-body tr').count()).resolves.toBe(4);
    expect(await page.locator('#tasks-body').textContent()).toContain('At 18:00, Monday through Friday (Asia/Shanghai)');
    await page.screenshot({ path: artifact('scheduler-list.png'), fullPage: true });

    await page.goto(`${base}/scheduler/new`);
    await page.fill('#f-name', 'form made');
    // Each edit's own answer, awaited: the preview POST that carries these values, answered 200 (a
    // lost, refused or failing request fails here by name instead of as a DOM wait running out).
    const previewOf = async (edit: () => Promise<void>, expression: string) => {
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/scheduler/preview') && new URLSearchParams(r.request().postData() ?? '').get('expression') === expression && new URLSearchParams(r.request().postData() ?? '').get('timezone') === 'UTC', { timeout: 30_000 }),
        edit(),
      ]);
      expect(answer.status()).toBe(200);
    };
    await page.fill('#f-expression', '*/10 * * * * *');
    await previewOf(() => page.fill('#f-timezone', 'UTC'), '*/10 * * * * *');
    // Generous waits: the preview answered in milliseconds here, but once took over 10 s in a full suite beside the three-process soak.
    await page.waitForFunction(() => document.querySelector('#cron-preview')?.textContent?.includes('Every 10 seconds'), undefined, { timeout: 30_000 });
    await previewOf(() => page.fill('#f-expression', '99 * * * *'), '99 * * * *');
    await page.waitForSelector('#cron-preview .field-error', { timeout: 30_000 });
    await previewOf(() => page.fill('#f-expression', '*/10 * * * * *'), '*/10 * * * * *');
    await page.waitForFunction(() => !document.querySelector('#cron-preview .field-error'), undefined, { timeout: 30_000 });
    await page.selectOption('#f-executor', 'sleep');
    await page.waitForSelector('input[name="cfg.ms:num"]', { timeout: 10_000 });
    await page.fill('input[name="cfg.ms:num"]', '1500');
    await page.fill('input[name="cfg.steps:num"]', '5');
    await page.uncheck('input[name="enabled"]');
    await page.screenshot({ path: artifact('scheduler-form.png'), fullPage: true });
    await page.click('button[type="submit"].primary');
    await page.waitForURL(/\/scheduler\/tasks\/\d+$/);
    expect(await page.locator('h1').textContent()).toContain('form made');
    // The config as a definition list (ms 1500), not JSON.
    expect(await page.locator('.config dl.values').innerText()).toMatch(/^ms\s+1500$/m);
    await page.screenshot({ path: artifact('scheduler-task.png'), fullPage: true });

    await page.click('form[action$="/trigger"] button');
    await page.waitForURL(/\/runs\/\d+$/);
    await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('succeeded'), undefined, { timeout: 20_000 });
    await page.screenshot({ path: artifact('scheduler-run-done.png'), fullPage: true });
    // Once more with overrides: bad JSON is named in the page; a good object reaches that run's params only.
    await page.goBack();
    await page.waitForURL(/\/scheduler\/tasks\/\d+$/);
    const taskUrl = page.url();
    await page.click('details.trigger-overrides summary');
    await page.fill('textarea[name="overrides"]', '{"ms": 200,');
    const before = problems.length;
    await page.click('details.trigger-overrides button');
    expect(await page.locator('body').textContent()).toContain('overrides: not JSON');
    // The browser logs the 400 of that error page as a failed load: expected here, and only that.
    expect(problems.splice(before).every((p) => p.includes('400'))).toBe(true);
    await page.goto(taskUrl);
    await page.click('details.trigger-overrides summary');
    await page.fill('textarea[name="overrides"]', '{"ms": 200}');
    await page.click('details.trigger-overrides button');
    await page.waitForURL(/\/runs\/\d+$/);
    await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('succeeded'), undefined, { timeout: 20_000 });
    const runId = Number(/\/runs\/(\d+)$/.exec(page.url())![1]);
    const params = (await db.store.db.selectFrom('runs').select('params').where('id', '=', runId).executeTakeFirstOrThrow()).params as { ms: number; steps: number };
    expect(params).toMatchObject({ ms: 200, steps: 5 });
    await page.goto(taskUrl);
    // The config as a definition list (ms 1500), not JSON.
    expect(await page.locator('.config dl.values').innerText()).toMatch(/^ms\s+1500$/m);
    await page.goto(`${base}/scheduler`);
    // Triggered twice, the disabled task stays disabled.
    expect(await page.locator('#tasks-body').textContent()).toMatch(/form made[\s\S]*disabled/);
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
  }, 150_000);

  it('draws a workflow DAG with each step status, and the stats', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/scheduler/tasks/${wfTaskId}`);
    await page.click('form[action$="/trigger"] button');
    await page.waitForURL(/\/runs\/\d+$/);
    await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('succeeded'), undefined, { timeout: 20_000 });
    // The workflow run's result is a table of its steps (views/values.tsx), each run step linking to its run.
    await page.reload();
    const stepRows = page.locator('#run-result table tbody tr');
    expect(await stepRows.count()).toBe(5);
    expect(await page.locator('#run-result table thead th').allTextContents()).toEqual(expect.arrayContaining(['id', 'status', 'run id']));
    expect(await page.locator('#run-result table a[href^="/runs/"]').count()).toBe(4);
    await page.goto(`${base}/scheduler/tasks/${wfTaskId}`);
    // The task's workflow config: a table of its steps, not JSON.
    expect(await page.locator('.config table tbody tr').count()).toBe(5);
    expect(await page.locator('.config').textContent()).not.toContain('"depends_on"');
    const dag = page.locator('svg.dag');
    await expect(dag.locator('rect.dag-node.succeeded').count()).resolves.toBe(3);
    await expect(dag.locator('rect.dag-node.failed').count()).resolves.toBe(1);
    await expect(dag.locator('rect.dag-node.skipped').count()).resolves.toBe(1);
    await page.screenshot({ path: artifact('scheduler-workflow.png'), fullPage: true });
    await page.goto(`${base}/scheduler/stats`);
    expect(await page.locator('table').textContent()).toContain('nightly checks');
    // Durations in s/min, never a count of milliseconds.
    expect(await page.locator('table').textContent()).not.toMatch(/\d ms/);
    expect(await page.locator('table').textContent()).toMatch(/\d\.\d s/);
    await page.screenshot({ path: artifact('scheduler-stats.png'), fullPage: true });
  }, 60_000);
});
