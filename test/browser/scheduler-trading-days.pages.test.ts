/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInput } from '../../src/http/contract.ts';
import { silentLogger } from '../../src/logger.ts';
import { addDays, isoDay, isWeekend } from '../../src/market/days.ts';
import { makeSchedulerManager } from '../../src/scheduler/manager.ts';
import { TaskInputSchema } from '../../src/scheduler/scheduler.contract.ts';
import { dailyUpdateName, seedSchedulerTasks } from '../../src/scheduler/seed.ts';
import { createTask } from '../../src/scheduler/tasks.service.ts';
import { exchangeDay } from '../../src/scheduler/trading-days.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { actingAs, principal } from '../helpers/auth.ts';
import { artifact, hasChromium, launchBrowser } from '../helpers/browser.ts';

/**
 * Trading-day schedules in a browser (issue 22): the seeded daily-update warns that the SSE
 * calendar does not reach 30 days ahead; "After the close" on the new-task form fills the cron and
 * the preview strikes out the holiday slots; a task's history shows a slot skipped on a holiday.
 * The calendar is written relative to today (the warning and the preview are about the days
 * ahead): known for 10 days, with the 2nd and 3rd weekdays from tomorrow closed.
 */

describe.skipIf(!hasChromium)('trading-day schedules in a browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let dailyId = 0;
  let closeSyncId = 0;
  const today = exchangeDay(new Date());
  const holiday: number[] = [];

  beforeAll(async () => {
    const weekdays: number[] = [];
    for (let d = addDays(today, 1); weekdays.length < 3; d = addDays(d, 1)) if (!isWeekend(d)) weekdays.push(d);
    holiday.push(weekdays[1], weekdays[2]);
    t = await makeTestApp({}, {
      principals: [principal('admin', 1)],
      authenticate: actingAs(principal('admin', 1)),
      prepareMarket: (market) =>
        market.write(async (c) => {
          for (let d = addDays(today, -5); d <= addDays(today, 10); d = addDays(d, 1)) {
            await c.run(`insert into trade_calendar values ('SSE', $1, $2, null)`, [d, isWeekend(d) || holiday.includes(d) ? 0 : 1]);
          }
        }),
    });
    const db = t.db;
    const { market } = t;
    // makeTestApp filled both in (the diagnostic executors, a runs service without workers).
    const registry = t.deps.executors!;
    const runs = t.deps.runs!;
    await seedSchedulerTasks(db.store.db, silentLogger);
    dailyId = Number((await db.store.db.selectFrom('scheduled_tasks').select('id').where('name', '=', dailyUpdateName).executeTakeFirstOrThrow()).id);
    const actor = { userId: null, username: 'test', ip: null, userAgent: null };
    const task = await createTask({ db: db.store.db, registry, runs, market }, actor, parseInput(TaskInputSchema, { name: 'close sync', executor: 'noop', schedule: { kind: 'cron', expression: '30 15 * * 1-5', timezone: 'Asia/Shanghai' }, trading_days: 'SSE', overlap: 'allow', max_concurrent: 5 }));
    closeSyncId = task.id;
    // The scheduler decides the slots of the day before the holiday and of the holiday itself (clock set to each).
    const slot = (d: number) => new Date(`${isoDay(d)}T07:30:00Z`);
    await db.store.db.updateTable('scheduled_tasks').set({ last_slot: new Date(slot(weekdays[0]).getTime() - 60_000) }).where('id', '=', task.id).execute();
    for (const d of [weekdays[0], holiday[0]]) {
      await makeSchedulerManager({ pg: db.store, runs, logger: silentLogger, market, clock: () => new Date(slot(d).getTime() + 5000) }).fireDue([task.id]);
    }
    base = await t.listen();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('warns on the seeded daily-update that the calendar does not cover the next 30 days', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/scheduler/tasks/${dailyId}`);
    const warning = page.locator('#calendar-warning');
    await expect(warning.isVisible()).resolves.toBe(true);
    expect(await warning.textContent()).toContain(`The SSE trade calendar ends on ${isoDay(addDays(today, 10))}, short of the next 30 days`);
    expect(await page.locator('#trading-days').textContent()).toContain('only on SSE trading days');
    await page.screenshot({ path: artifact('scheduler-calendar-warning.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fills an after-the-close cron with the helper; the preview lists five trading-day fires and strikes out the holiday', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(`${base}/scheduler/new`);
    expect(await page.locator('#cron-preview .slot-skipped').count()).toBe(0);
    await page.click('#after-close');
    await page.waitForFunction(() => document.querySelector('#cron-preview')?.textContent?.includes('on SSE trading days'), undefined, { timeout: 30_000 });
    expect(await page.inputValue('#f-expression')).toBe('30 15 * * 1-5');
    expect(await page.inputValue('#f-timezone')).toBe('Asia/Shanghai');
    expect(await page.inputValue('#f-tradingDays')).toBe('SSE');
    const fires = await page.locator('#cron-preview li.slot-fires').allTextContents();
    expect(fires).toHaveLength(5);
    for (const f of fires) expect(f).toContain('15:30:00');
    for (const h of holiday) expect(fires.join('\n')).not.toContain(isoDay(h));
    const skipped = await page.locator('#cron-preview li.slot-skipped').allTextContents();
    expect(skipped.map((s) => s.slice(0, 10))).toEqual(holiday.map(isoDay));
    for (const s of skipped) expect(s).toContain('skipped: SSE closed');
    await page.screenshot({ path: artifact('scheduler-after-close.png'), fullPage: true });
    // Back to every slot: the holidays fire again in the preview.
    await page.selectOption('#f-tradingDays', '');
    await page.waitForFunction(() => !document.querySelector('#cron-preview')?.textContent?.includes('trading days'), undefined, { timeout: 30_000 });
    expect(await page.locator('#cron-preview li.slot-skipped').count()).toBe(0);
    // Saved with the policy: the task page says so.
    await page.selectOption('#f-tradingDays', 'SSE');
    await page.fill('#f-name', 'after the close');
    await page.click('button[type="submit"].primary');
    await page.waitForURL(/\/scheduler\/tasks\/\d+$/);
    expect(await page.locator('#trading-days').textContent()).toContain('only on SSE trading days');
    expect(await page.locator('dl.facts').textContent()).toContain('At 15:30, Monday through Friday (Asia/Shanghai)');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a slot skipped on a holiday in the task’s run history, with the reason', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/scheduler/tasks/${closeSyncId}`);
    const rows = page.locator('#task-runs tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    const skipped = page.locator('#task-runs tr.slot-skipped');
    expect(await skipped.textContent()).toContain(`SSE is closed on ${isoDay(holiday[0])} (trade calendar): slot skipped`);
    // Newest first: the skipped holiday slot above the run of the day before.
    expect(await rows.first().getAttribute('class')).toBe('slot-skipped');
    await page.screenshot({ path: artifact('scheduler-skipped-slot.png'), fullPage: true });
    await page.close();
  });
});
