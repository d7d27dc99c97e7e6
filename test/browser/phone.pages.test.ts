/// <reference lib="dom" />
// Phone layout (issue 24): every page of the app, at 390 × 844, fits the viewport (no sideways
// scroll), and the main navigation folds behind a "Menu" that opens without JavaScript. The pages
// are the app's own GET routes (not a hand-kept list): a full HTML document is a page, a fragment
// or a stream is not; a route whose path parameters this test cannot fill fails it, so a new page
// cannot slip past.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTask } from '../../src/scheduler/tasks.service.ts';
import { TaskInputSchema } from '../../src/scheduler/scheduler.contract.ts';
import { parseInput } from '../../src/http/contract.ts';
import { artifact, hasChromium, useBacktestBrowser } from '../helpers/browser.ts';
import { insertBacktestFixture, insertStrategyFixture } from '../helpers/backtests.ts';
import { insertSweepFixture } from '../helpers/sweeps.ts';
import { factorTemplate } from '../../src/factors/factor.types.ts';

const width = 390;
/** Not pages: machine endpoints, assets, and the sign-in/out flow (checked signed out below). */
const notPages = [/^\/api(\/|$)/, /^\/public\//, /^\/(healthz|readyz|metrics|logout)$/];

describe.skipIf(!hasChromium)('pages on a phone', () => {
  const s = useBacktestBrowser('admin');
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const env = s.env;
    const admin = env.users.admin;
    const db = env.db.store.db;
    const [stock] = await env.market.query(`select ts_code from stocks order by ts_code limit 1`);
    const spec = { universe: { kind: 'codes' as const, codes: [String(stock.ts_code)] }, startDate: 20250602, endDate: 20251231 };
    const backtest = await insertBacktestFixture(db, admin.userId, 'succeeded', spec);
    const backtest2 = await insertBacktestFixture(db, admin.userId, 'succeeded', spec);
    const run = (await db.selectFrom('backtests').select('run_id').where('id', '=', backtest).executeTakeFirstOrThrow()).run_id;
    const task = await createTask({ db, registry: env.registry, runs: env.rt.service }, { userId: admin.userId, username: admin.username, ip: null, userAgent: null },
      parseInput(TaskInputSchema, { name: 'nightly update', executor: 'workflow', config: { steps: [{ id: 'a', executor: 'noop', config: {} }, { id: 'b', executor: 'noop', config: {}, depends_on: ['a'] }] }, schedule: { kind: 'cron', expression: '30 15 * * 1-5', timezone: 'Asia/Shanghai' } }));
    // An alert channel (e-mail: no secret to seal), for its edit page.
    const channel = await env.app.request('/api/v1/alerts/channels', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'email', name: 'ops mail', config: { host: 'smtp.example.com', from: 'zquant@example.com', to: ['ops@example.com'] } }),
    });
    if (channel.status !== 201) throw new Error(`alert channel fixture: ${channel.status} ${await channel.text()}`);
    // A user factor (its page, edit page and versions): saved through the API from the template.
    const factor = await env.app.request('/api/v1/factors', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'phone factor', code: factorTemplate }) });
    if (factor.status !== 201) throw new Error(`factor fixture: ${factor.status} ${await factor.text()}`);
    // A factor analysis (momentum_20 computed, then analysed), for the analysis pages.
    const computed = await env.app.request('/api/v1/factors/momentum_20/computations?wait=60', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start_date: '2025-06-02' }) });
    if (computed.status !== 200) throw new Error(`factor fixture: ${computed.status} ${await computed.text()}`);
    const analysis = await env.app.request('/api/v1/factors/momentum_20/analyses?wait=60', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start_date: '2025-07-01', end_date: '2026-10-30' }) });
    if (analysis.status !== 200) throw new Error(`factor analysis fixture: ${analysis.status} ${await analysis.text()}`);
    ids.analysis = String(((await analysis.json()) as { id: number }).id);
    Object.assign(ids, {
      channel: String(((await channel.json()) as { id: number }).id),
      factor: ((await factor.json()) as { id: string }).id,
      backtest: String(backtest), compare: `${backtest},${backtest2}`, run: String(run), task: String(task.id), code: String(stock.ts_code),
      strategy: String(await insertStrategyFixture(db, admin.userId, 'phone strategy')), sweep: String(await insertSweepFixture(db, admin.userId, 'succeeded', spec)),
    });
  }, 90_000);

  /** A route's path with its parameters filled from the fixtures, or null when it has one we cannot fill. */
  function fill(path: string): string | null {
    const byPrefix: Array<[RegExp, string]> = [
      [/^\/backtests\//, ids.backtest], [/^\/admin\/alerts\/channels\//, ids.channel], [/^\/runs\//, ids.run], [/^\/scheduler\/tasks\//, ids.task], [/^\/strategies\//, ids.strategy], [/^\/sweeps\//, ids.sweep], [/^\/factors\/:id\/analyses/, 'momentum_20'], [/^\/factors\//, ids.factor],
    ];
    let out = path;
    for (const m of path.matchAll(/:(\w+)(\{[^}]*\})?/g)) {
      const [whole, name] = m;
      const value = name === 'code' ? ids.code : name === 'ordinal' ? '0' : name === 'aid' ? ids.analysis : name === 'name' && path.startsWith('/strategies/builtin/') ? 'dual_ma' : name === 'id' ? byPrefix.find(([re]) => re.test(path))?.[1] : undefined;
      if (value === undefined) return null;
      out = out.replace(whole, value);
    }
    return out;
  }

  it('no page scrolls sideways at 390 px, and the menu opens without JavaScript', async () => {
    const routes = [...new Set(s.env.app.routes.filter((r) => r.method === 'GET').map((r) => r.path))].filter((p) => !notPages.some((re) => re.test(p)) && !p.includes('*'));
    const unfillable = routes.filter((p) => fill(p) === null);
    expect(unfillable, 'routes whose parameters this test cannot fill: teach fill() about them').toEqual([]);
    const extra: Record<string, string> = { '/backtests/compare': `?ids=${ids.compare}` };
    const context = await s.browser.newContext({ viewport: { width, height: 844 }, javaScriptEnabled: false });
    const page = await context.newPage();
    const checked: string[] = [];
    const tooWide: string[] = [];
    for (const route of routes.sort()) {
      const url = fill(route)! + (extra[route] ?? '');
      // Pages only: a full document (fragments and event streams are parts of pages).
      const res = await s.env.app.request(url);
      const type = res.headers.get('content-type') ?? '';
      // Downloads (the HTML report is a file) are not pages either.
      if (!type.startsWith('text/html') || (res.headers.get('content-disposition') ?? '').startsWith('attachment')) {
        await res.body?.cancel();
        continue;
      }
      const text = await res.text();
      if (!text.startsWith('<!DOCTYPE html>')) continue;
      expect(res.status, `${url} answered ${res.status}`).toBe(200);
      await page.goto(`${s.base}${url}`);
      const wide = await page.evaluate(() => {
        const doc = document.documentElement;
        if (doc.scrollWidth <= window.innerWidth) return null;
        // The outermost element that sticks out past the viewport (not one clipped inside a scroll box).
        const clipped = (el: Element) => {
          for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return true;
          return false;
        };
        let worst = '';
        let right = 0;
        for (const el of Array.from(document.querySelectorAll('body *'))) {
          const r = el.getBoundingClientRect();
          if (r.right > window.innerWidth + 0.5 && r.right > right + 0.5 && !clipped(el)) {
            right = r.right;
            worst = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
          }
        }
        return `${doc.scrollWidth} px wide (${worst} reaches ${Math.round(right)} px)`;
      });
      if (wide) {
        tooWide.push(`${url}: ${wide}`);
        await page.screenshot({ path: artifact(`phone-too-wide-${checked.length}.png`), fullPage: true });
      }
      checked.push(url);
    }
    console.info(`phone layout: ${checked.length} pages at ${width} px: ${checked.join(' ')}`);
    expect(checked.length).toBeGreaterThanOrEqual(20);
    expect(tooWide).toEqual([]);

    // The menu: folded, then open on a tap, JavaScript off.
    await page.goto(`${s.base}/backtests`);
    expect(await page.isVisible('nav[aria-label="Main"]')).toBe(false);
    await page.click('label[for="nav-toggle"]');
    expect(await page.isVisible('nav[aria-label="Main"] a[href="/scheduler"]')).toBe(true);
    await page.screenshot({ path: artifact('phone-menu-open.png'), fullPage: true });
    await page.goto(`${s.base}/backtests/${ids.backtest}`);
    await page.screenshot({ path: artifact('phone-backtest.png'), fullPage: true });
    await context.close();
  }, 300_000);
});
