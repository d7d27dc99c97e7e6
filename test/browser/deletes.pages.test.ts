/// <reference lib="dom" />
// Deletes ask first (issue 24): with JavaScript the browser's dialog (htmx hx-confirm) says what
// goes and nothing happens when it is dismissed; without JavaScript the delete button leads to a
// confirmation page that lists what goes, and only its own button deletes.
import { describe, expect, it } from 'vitest';
import { getBacktest } from '../../src/backtests/backtests.service.ts';
import { artifact, hasChromium, useBacktestBrowser, watchProblems } from '../helpers/browser.ts';
import { insertBacktestFixture } from '../helpers/backtests.ts';
import { insertSweepFixture } from '../helpers/sweeps.ts';

describe.skipIf(!hasChromium)('deletes ask first', () => {
  const s = useBacktestBrowser();

  it('with JavaScript: a dismissed dialog keeps the backtest, an accepted one deletes it', async () => {
    const id = await insertBacktestFixture(s.env.db.store.db, s.env.users.analyst.userId, 'succeeded');
    const page = await s.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page, { failedResponses: true });
    await page.goto(`${s.base}/backtests/${id}`);
    const questions: string[] = [];
    page.once('dialog', (d) => {
      questions.push(d.message());
      void d.dismiss();
    });
    await page.click('#bt-controls button:has-text("Delete")');
    await expect.poll(() => questions.length).toBe(1);
    expect(questions[0]).toContain('Delete backtest “fixture” and its stored results?');
    await page.waitForTimeout(300);
    expect(await getBacktest(s.env.db.store.db, id)).not.toBeNull();
    page.once('dialog', (d) => void d.accept());
    await Promise.all([page.waitForURL(`${s.base}/backtests`), page.click('#bt-controls button:has-text("Delete")')]);
    expect(await getBacktest(s.env.db.store.db, id)).toBeNull();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without JavaScript: the button shows what goes, "Keep it" keeps it, the page\'s own button deletes', async () => {
    const id = await insertBacktestFixture(s.env.db.store.db, s.env.users.analyst.userId, 'succeeded');
    const context = await s.browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${s.base}/backtests`);
    await Promise.all([page.waitForURL(`${s.base}/backtests/${id}/delete`), page.click(`form[action="/backtests/${id}/delete"] button`)]);
    expect(await page.textContent('h1')).toBe('Delete backtest “fixture”?');
    const what = await page.locator('.confirm-what li').allTextContents();
    expect(what[0]).toContain('stored results (metrics, NAV series, positions, orders, fills and round trips) are deleted for good');
    expect(what.some((w) => /Its run \(#\d+\) and that run's log stay under Runs/.test(w))).toBe(true);
    await page.screenshot({ path: artifact('delete-confirm-nojs.png'), fullPage: true });
    expect(await getBacktest(s.env.db.store.db, id)).not.toBeNull();
    await Promise.all([page.waitForURL(`${s.base}/backtests/${id}`), page.click('a:has-text("Keep it")')]);
    expect(await getBacktest(s.env.db.store.db, id)).not.toBeNull();
    await page.goto(`${s.base}/backtests`);
    await page.click(`form[action="/backtests/${id}/delete"] button`);
    await Promise.all([page.waitForURL(`${s.base}/backtests`), page.click('button:has-text("Delete backtest")')]);
    expect(await getBacktest(s.env.db.store.db, id)).toBeNull();
    await context.close();
  });

  it('a sweep asks the same way: its delete without confirmation answers the page that says what goes', async () => {
    const db = s.env.db.store.db;
    const id = await insertSweepFixture(db, s.env.users.analyst.userId, 'succeeded', { universe: { kind: 'codes', codes: ['000001.SZ'] }, startDate: 20250602, endDate: 20251231 });
    const count = async () => Number((await db.selectFrom('sweeps').select((e) => e.fn.countAll<string>().as('n')).where('id', '=', id).executeTakeFirstOrThrow()).n);
    const form = (extra: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(extra).toString() });
    const asked = await s.env.app.request(`/sweeps/${id}/delete`, form({}));
    expect(asked.status).toBe(200);
    const page = await asked.text();
    expect(page).toContain('Delete sweep');
    expect(page).toContain('every set with its metrics and returns');
    expect(await count()).toBe(1);
    const done = await s.env.app.request(`/sweeps/${id}/delete`, form({ confirm: 'yes' }));
    expect(done.status).toBe(303);
    expect(await count()).toBe(0);
  });
});
