/// <reference lib="dom" />
// Without JavaScript every flow still completes (issue 24). The backtest journey with scripts off:
// choosing another strategy and submitting no longer runs it on its defaults with the old
// strategy's fields — the form comes back with the chosen strategy's parameters; its "show
// parameters" button does the same on purpose; the running backtest's page reloads itself (and
// says so) until the result is there; the result's "Not filled" and paging links open whole pages.
// The scheduler journey with scripts off: another executor chosen and submitted (or picked in the
// small GET form) brings its config fields instead of keeping the old one's; create, trigger, follow
// the run, delete after confirming.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifact, hasChromium, useBacktestBrowser } from '../helpers/browser.ts';

describe.skipIf(!hasChromium)('the backtest journey with JavaScript off', () => {
  const s = useBacktestBrowser();
  let code = '';
  beforeAll(async () => {
    code = String((await s.env.market.query(`select ts_code from stocks order by ts_code limit 1`))[0].ts_code);
  });

  const fillSpec = async (page: Page) => {
    await page.check('input[name="universe"][value="codes"]');
    await page.fill('textarea[name="codes"]', code);
    await page.fill('input[name="start_date"]', '2025-06-02');
    await page.fill('input[name="end_date"]', '2025-12-31');
  };
  const backtestCount = async () => Number((await s.env.db.store.db.selectFrom('backtests').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  it('another strategy chosen and submitted shows its parameters instead of running; then it runs, and its page reloads until done', async () => {
    const context = await s.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${s.base}/backtests/new`);
    expect(await page.locator('input[name="p.short_window"]').count()).toBe(1);
    await fillSpec(page);
    await page.selectOption('select[name="strategy"]', 'builtin:momentum');
    const before = await backtestCount();
    await page.click('#submit-backtest');
    await page.waitForLoadState('load');
    // Nothing ran; the form is back with momentum's fields, what was typed kept.
    expect(await backtestCount()).toBe(before);
    expect(await page.textContent('.notice')).toContain('You chose another strategy: its parameters are below');
    expect(await page.locator('input[name="p.short_window"]').count()).toBe(0);
    expect(await page.inputValue('input[name="p.lookback"]')).toBe('20');
    expect(await page.inputValue('textarea[name="codes"]')).toBe(code);

    // The explicit button: back to dual_ma's fields, still keeping the period.
    await page.selectOption('select[name="strategy"]', 'builtin:dual_ma');
    await Promise.all([page.waitForURL(/\/backtests\/new\?/), page.click('button:has-text("Show the chosen strategy\'s parameters")')]);
    expect(await page.locator('input[name="p.short_window"]').count()).toBe(1);
    expect(await page.inputValue('input[name="start_date"]')).toBe('2025-06-02');
    await page.fill('input[name="p.short_window"]', '4');

    await Promise.all([page.waitForURL(/\/backtests\/\d+$/), page.click('#submit-backtest')]);
    const id = Number(/\/backtests\/(\d+)$/.exec(page.url())![1]);
    // Still running when first shown: the page says it reloads (a meta refresh does it).
    const first = await page.content();
    if (!first.includes('bt-result') || first.includes('Still running')) expect(first).toContain('http-equiv="refresh"');
    await page.waitForFunction(() => document.querySelector('#bt-status')?.textContent?.includes('succeeded'), null, { timeout: 60_000, polling: 500 }).catch(async () => {
      // Scripts are off in the page, not in waitForFunction; the reloads come from the meta refresh.
      throw new Error(`backtest ${id} page never showed succeeded: ${await page.textContent('#bt-status')}`);
    });
    expect(await page.content()).not.toContain('http-equiv="refresh"');
    const stored = (await s.env.db.store.db.selectFrom('backtests').select('config').where('id', '=', id).executeTakeFirstOrThrow()).config as { params: Record<string, unknown> };
    expect(stored.params).toMatchObject({ short_window: 4 });
    await page.screenshot({ path: artifact('nojs-backtest-done.png'), fullPage: true });

    // The result's fragment links open whole pages when followed without htmx: "Not filled" and
    // the fills table (whose "Next →" uses the same route), each with the frame and a way back.
    await Promise.all([page.waitForURL(/\/orders\?rejected=true$/), page.click('a:has-text("Not filled")')]);
    expect(await page.locator('header nav, nav').count()).toBeGreaterThan(0);
    expect(await page.textContent('h1')).toContain('Orders not filled');
    expect(await page.locator('#bt-orders').count()).toBe(1);
    await Promise.all([page.waitForURL(/\/orders$/), page.click('#bt-orders a:has-text("All orders")')]);
    expect(await page.textContent('h1')).toContain('Orders');
    await page.goto(`${s.base}/backtests/${id}/fills?offset=0`);
    expect(await page.textContent('h1')).toContain('Fills');
    await Promise.all([page.waitForURL(new RegExp(`/backtests/${id}$`)), page.click(`a[href="/backtests/${id}"]`)]);
    await context.close();
  }, 120_000);
});

describe.skipIf(!hasChromium)('the scheduler journey with JavaScript off', () => {
  const s = useBacktestBrowser('admin');

  it('creates a task, triggers it, follows its run to the end and deletes it through the confirmation page', async () => {
    const context = await s.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${s.base}/scheduler/new`);
    // The form explains the overlap and misfire policies in words.
    expect(await page.textContent('.policy-help')).toContain('one run, for the newest missed slot');
    const taskCount = async () => Number((await s.env.db.store.db.selectFrom('scheduled_tasks').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const noopField = 'input[name="cfg.note"]';
    const sleepField = 'input[name="cfg.ms:num"]';
    expect(await page.locator(noopField).count()).toBe(1);
    await page.fill('#f-name', 'no-js nightly');
    await page.selectOption('select[name="kind"]', 'manual');
    await page.fill(noopField, 'typed for noop');

    // Another executor chosen and the form sent: nothing is saved with noop's settings under sleep;
    // the form comes back with sleep's fields (noop's gone), what else was typed kept.
    await page.selectOption('#f-executor', 'sleep');
    const before = await taskCount();
    await page.click('button[type="submit"].primary');
    await page.waitForLoadState('load');
    expect(await taskCount()).toBe(before);
    expect(await page.textContent('.notice')).toContain('You chose the executor sleep: its settings are below');
    expect(await page.locator(noopField).count()).toBe(0);
    expect(await page.locator(sleepField).count()).toBe(1);
    expect(await page.inputValue('input[name="config_for"]')).toBe('sleep');
    expect(await page.inputValue('#f-name')).toBe('no-js nightly');

    // The small GET form reloads the page for the executor it names: back to noop's fields.
    await page.selectOption('form[method="get"] select[name="executor"]', 'noop');
    await Promise.all([page.waitForURL(/\/scheduler\/new\?executor=noop$/), page.click('button:has-text("Show its settings")')]);
    expect(await page.locator(noopField).count()).toBe(1);
    expect(await page.locator(sleepField).count()).toBe(0);
    expect(await page.inputValue('#f-executor')).toBe('noop');

    await page.fill('#f-name', 'no-js nightly');
    await page.selectOption('select[name="kind"]', 'manual');
    await Promise.all([page.waitForURL(/\/scheduler\/tasks\/\d+$/), page.click('button[type="submit"].primary')]);
    const taskUrl = page.url();
    const taskId = Number(/(\d+)$/.exec(taskUrl)![1]);
    expect(await page.textContent('h1')).toContain('no-js nightly');
    // Editing, another executor named in the URL shows its fields, empty (the task's settings are noop's).
    await page.goto(`${taskUrl}/edit?executor=sleep`);
    expect(await page.locator(sleepField).count()).toBe(1);
    expect(await page.locator(noopField).count()).toBe(0);
    expect(await page.inputValue('#f-name')).toBe('no-js nightly');
    await page.goto(taskUrl);

    // Trigger: the answer is the run's page, which reloads itself until the run has ended.
    await Promise.all([page.waitForURL(/\/runs\/\d+$/), page.click('form[action$="/trigger"] button')]);
    const runId = Number(/(\d+)$/.exec(page.url())![1]);
    const first = await page.content();
    if (!/badge succeeded/.test(first)) expect(first).toContain('http-equiv="refresh"');
    await page.waitForFunction(() => document.querySelector('#run-status')?.textContent?.includes('succeeded'), null, { timeout: 30_000, polling: 500 });
    expect(await page.content()).not.toContain('http-equiv="refresh"');
    expect(await page.textContent('#run-progress')).toContain('done');
    await Promise.all([page.waitForURL(taskUrl), page.click(`a[href="/scheduler/tasks/${taskId}"]`)]);
    expect(await page.locator(`a[href="/runs/${runId}"]`).count()).toBeGreaterThan(0);

    // Delete: without JavaScript the button asks on a page that says what goes; only the confirmation deletes.
    await page.click(`form[action="/scheduler/tasks/${taskId}/delete"] button`);
    await page.waitForLoadState('load');
    expect(await page.textContent('main')).toContain('no-js nightly');
    expect(await s.env.db.store.db.selectFrom('scheduled_tasks').select('id').where('id', '=', taskId).executeTakeFirst()).toBeDefined();
    await Promise.all([page.waitForURL(/\/scheduler$/), page.click('main form button.danger, main form button[type="submit"]:has-text("Delete")')]);
    expect(await s.env.db.store.db.selectFrom('scheduled_tasks').select('id').where('id', '=', taskId).executeTakeFirst()).toBeUndefined();
    expect(await page.textContent('main')).not.toContain('no-js nightly');
    await page.screenshot({ path: artifact('nojs-scheduler-deleted.png'), fullPage: true });
    await context.close();
  }, 120_000);
});
