/**
 * Resource bounds per run and per user (issue 16), through the real API, a real worker pool on
 * worker threads, real Postgres and DuckDB: a strategy flooding orders fails with `order_limit`
 * while /healthz keeps answering and the store stays whole; a result over the size bound is
 * refused before anything is written; exports stream; per-user queue limit (429) and fair claiming
 * between users; the default wall-time limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBacktestEnv, postJson, type BacktestEnv } from '../helpers/backtests.ts';

// Small bounds where the test needs to pass them quickly; the order bounds are the defaults
// (200,000 per run, 20,000 per day). One backtest slot, so queueing order is observable.
const limits = { BACKTEST_MAX_RESULT_MB: '16', BACKTEST_MAX_QUEUED_PER_USER: '3', BACKTEST_TIMEOUT_MS: '15000' };

let env: BacktestEnv;
let base: string;
beforeAll(async () => {
  env = await makeBacktestEnv({ env: limits, backtestSlots: 1 });
  base = await env.listen();
}, 60_000);
afterAll(() => env?.close());

// The demo market (30 stocks) from 2025-06-02 to 2026-11-27: about 370 trading days.
const period = { universe: 'all', start_date: '2025-06-02', end_date: '2026-11-27', benchmark: null };
const dualMa = { strategy: 'dual_ma', ...period };

/** Limit orders below the close that never fill; `perStock` a day for every stock with a price, from 2025 on (the save-time dry run is on 2023 days). */
const limitOrders = (perStock: number) => `
export default defineStrategy({
  name: 'orders_${perStock}',
  onDay(ctx) {
    if (ctx.date < 20250101) return;
    const close = ctx.bars.close;
    for (let i = 0; i < close.length; i++) {
      if (!(close[i] > 0)) continue;
      for (let k = 1; k <= ${perStock}; k++) ctx.order(i, 100, { limitPrice: Math.round(close[i] * (50 - k / 10)) / 100 });
    }
  },
});`;

async function saveStrategy(name: string, code: string): Promise<number> {
  const res = await postJson(env.app, '/api/v1/strategies', { name, code, language: 'js' });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()).id;
}

/** Polls /healthz over real HTTP every 20 ms until stopped; answers the slowest answer in ms. */
function watchHealth() {
  let stop = false;
  let worst = 0;
  let count = 0;
  const done = (async () => {
    while (!stop) {
      const t = performance.now();
      const res = await fetch(`${base}/healthz`);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      worst = Math.max(worst, performance.now() - t);
      count++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return async () => {
    stop = true;
    await done;
    return { worst, count };
  };
}

async function resultRows(backtestId: number): Promise<number> {
  const r = await env.db.store.db.selectFrom('backtest_results').select((eb) => eb.fn.countAll<number>().as('n')).where('backtest_id', '=', backtestId).executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('bounds of one run', () => {
  let earlier: { id: number; metrics: { total_return: number } };

  it('fails a strategy flooding orders with order_limit, keeps /healthz under 200 ms throughout, and leaves the store whole', async () => {
    env.as(env.users.analyst);
    earlier = await (await postJson(env.app, '/api/v1/backtests?wait=60', dualMa)).json();
    expect((earlier as unknown as { status: string }).status).toBe('succeeded');

    // 30 limit orders per stock per day on ~30 stocks: ~900 a day, past 200,000 after ~220 days.
    const id = await saveStrategy('Flood', limitOrders(30));
    const health = watchHealth();
    const res = await postJson(env.app, '/api/v1/backtests?wait=120', { ...period, strategy_id: id });
    const { worst, count } = await health();
    const b = await res.json();
    expect(b.status).toBe('failed');
    expect(b.error.code).toBe('order_limit');
    expect(b.error.message).toMatch(/more than 200000 orders in this backtest/);
    expect(b.error.message).toContain('BACKTEST_MAX_ORDERS');
    expect(count).toBeGreaterThan(5);
    expect(worst).toBeLessThan(200);
    console.info(`order flood: /healthz answered ${count} times, slowest ${worst.toFixed(1)} ms`);

    // Nothing of the failed run was stored; the earlier result is intact; a later backtest works.
    expect(await resultRows(b.id)).toBe(0);
    const again = await (await env.app.request(`/api/v1/backtests/${earlier.id}/result`)).json();
    expect(again.metrics.total_return).toBe(earlier.metrics.total_return);
    const later = await (await postJson(env.app, '/api/v1/backtests?wait=60', dualMa)).json();
    expect(later.status).toBe('succeeded');
    expect(later.result.metrics.total_return).toBeCloseTo(earlier.metrics.total_return, 10);
  }, 180_000);

  it('fails past the per-day bound even when the strategy catches the error and carries on', async () => {
    env.as(env.users.analyst);
    const code = `
export default defineStrategy({
  name: 'one_day_flood',
  onDay(ctx) {
    if (ctx.date < 20250101) return;
    try {
      for (let k = 0; k < 25000; k++) ctx.order(0, 100, { limitPrice: 0.01 });
    } catch (e) {
      // swallowed: the run must fail anyway
    }
  },
});`;
    const id = await saveStrategy('One-day flood', code);
    const b = await (await postJson(env.app, '/api/v1/backtests?wait=120', { ...period, strategy_id: id })).json();
    expect(b.status).toBe('failed');
    expect(b.error.code).toBe('order_limit');
    expect(b.error.message).toMatch(/more than 20000 orders on 2025-06-02/);
    expect(b.error.message).toContain('BACKTEST_MAX_ORDERS_PER_DAY');
    expect(await resultRows(b.id)).toBe(0);
  }, 120_000);

  it('refuses a result over BACKTEST_MAX_RESULT_MB with result_too_large, writing nothing', async () => {
    env.as(env.users.analyst);
    // 12 orders per stock per day: ~130,000 orders (under the order bounds), ~30 MB serialized.
    const id = await saveStrategy('Large result', limitOrders(12));
    const health = watchHealth();
    const b = await (await postJson(env.app, '/api/v1/backtests?wait=120', { ...period, strategy_id: id })).json();
    const { worst, count } = await health();
    console.info(`large result: /healthz answered ${count} times, slowest ${worst.toFixed(1)} ms`);
    expect(b.status).toBe('failed');
    expect(b.error.code).toBe('result_too_large');
    expect(b.error.message).toMatch(/over the 16\.0 MB a stored result may take/);
    expect(b.error.message).toContain('BACKTEST_MAX_RESULT_MB');
    expect(await resultRows(b.id)).toBe(0);
    expect(worst).toBeLessThan(200);
  }, 180_000);

  it('streams exports of a large result in chunks, matching the stored arrays, with /healthz answering meanwhile', async () => {
    env.as(env.users.analyst);
    // 3 orders per stock per day: ~32,000 orders, ~7 MB stored (under the bound).
    const id = await saveStrategy('Many orders', limitOrders(3));
    const b = await (await postJson(env.app, '/api/v1/backtests?wait=120', { ...period, strategy_id: id })).json();
    expect(b.status).toBe('succeeded');
    const orderCount = (await (await env.app.request(`/api/v1/backtests/${b.id}/orders?limit=1`)).json()).total;
    expect(orderCount).toBeGreaterThan(20_000);

    const health = watchHealth();
    // Two JSON downloads and a CSV at once, over real HTTP.
    const [json1, json2, csv] = await Promise.all([
      fetch(`${base}/backtests/${b.id}/export/backtest.json`),
      fetch(`${base}/backtests/${b.id}/export/backtest.json`),
      fetch(`${base}/backtests/${b.id}/export/orders.csv`),
    ]);
    // Streamed: no Content-Length, chunked transfer.
    expect(json1.headers.get('content-length')).toBeNull();
    expect(json1.headers.get('content-disposition')).toContain(`backtest-${b.id}.json`);
    const [j1, j2, c] = await Promise.all([json1.text(), json2.text(), csv.text()]);
    const { worst, count } = await health();
    console.info(`exports (2 × ${(j1.length / 2 ** 20).toFixed(1)} MB JSON + ${(c.length / 2 ** 20).toFixed(1)} MB CSV at once): /healthz answered ${count} times, slowest ${worst.toFixed(1)} ms`);
    expect(worst).toBeLessThan(200);

    expect(j1).toBe(j2);
    const doc = JSON.parse(j1);
    expect(doc.backtest.id).toBe(b.id);
    expect(doc.orders.length).toBe(orderCount);
    expect(doc.orders[0].id).toBe(1);
    expect(doc.orders.at(-1).id).toBe(orderCount);
    // The JSON export names its fields as the API does; the first table pages stored for the task page stay out.
    expect(doc.order_count).toBe(orderCount);
    expect(doc.first_orders).toBeUndefined();
    expect(doc.extras).toBeUndefined();
    expect(Array.isArray(doc.fills) && Array.isArray(doc.trades)).toBe(true);
    const lines = c.split('\r\n');
    expect(lines[0]).toBe('id,placed_date,code,kind,amount,limit_price,status,reason,requested_shares,filled_shares,avg_price,costs,done_date');
    expect(lines.at(-1)).toBe('');
    expect(lines.length - 2).toBe(orderCount);
    expect(lines[1]).toMatch(/^1,2025-06-02,/);
    expect(lines[orderCount]).toMatch(new RegExp(`^${orderCount},`));

    // The API's CSV of fills streams the same way (here: a backtest with fills).
    const fills = await env.app.request(`/api/v1/backtests/${earlier.id}/trades`, { headers: { accept: 'text/csv' } });
    const fillLines = (await fills.text()).split('\r\n');
    const total = (await (await env.app.request(`/api/v1/backtests/${earlier.id}/trades?limit=1`)).json()).total;
    expect(fillLines.length - 2).toBe(total);
  }, 180_000);
});

describe('per-user limits, fair claiming and the wall-time limit', () => {
  it('answers 429 past the queue limit, claims the other user before the rest, and stops a run at BACKTEST_TIMEOUT_MS', async () => {
    // An admin's slow strategy holds the only slot (and is stopped by the 15 s wall-time limit).
    env.as(env.users.admin);
    const slow = await saveStrategy('Slow', `export default defineStrategy({ name: 'slow', onDay(ctx) { if (ctx.date < 20250101) return; const t = Date.now(); while (Date.now() - t < 100) {} } });`);
    const blocker = await (await postJson(env.app, '/api/v1/backtests', { ...period, strategy_id: slow })).json();
    const run = await (await env.app.request(`/api/v1/runs/${blocker.run_id}`)).json();
    expect(run.timeout_ms).toBe(15_000);
    for (let i = 0; i < 200 && (await (await env.app.request(`/api/v1/backtests/${blocker.id}`)).json()).status !== 'running'; i++) await new Promise((r) => setTimeout(r, 50));

    // User A queues up to the limit (3 waiting); the fourth is refused, naming the limit.
    env.as(env.users.analyst);
    const a = [];
    for (let i = 0; i < 3; i++) {
      const res = await postJson(env.app, '/api/v1/backtests', { ...dualMa, name: `A${i + 1}` });
      expect(res.status).toBe(202);
      a.push(await res.json());
    }
    const refused = await postJson(env.app, '/api/v1/backtests', { ...dualMa, name: 'A4' });
    expect(refused.status).toBe(429);
    const err = (await refused.json()).error;
    expect(err.code).toBe('too_many_queued');
    expect(err.message).toContain('BACKTEST_MAX_QUEUED_PER_USER = 3');
    // The form says so on the page, filled in as it was.
    const form = new URLSearchParams({ strategy: 'builtin:dual_ma', universe: 'all', start_date: period.start_date, end_date: period.end_date, capital: '1000000', name: 'A5 from the form' });
    const page = await env.app.request('/backtests', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(page.status).toBe(429);
    const html = await page.text();
    expect(html).toContain('BACKTEST_MAX_QUEUED_PER_USER = 3');
    expect(html).toContain('A5 from the form');

    // User B queues one, after all of A's.
    env.as(env.users.analyst2);
    const b = await (await postJson(env.app, '/api/v1/backtests', { ...dualMa, name: 'B1' })).json();

    // The blocker ends at its wall-time limit. Then B's one runs first: equal turns go to the user
    // served least recently, and A ran backtests earlier in this file while B never has; A's three
    // follow in the order queued. (Without fairness A's three, queued earlier, would all go first.)
    await env.rt.service.waitForRun(blocker.run_id, { timeoutMs: 40_000 });
    env.as(env.users.admin);
    const ended = await (await env.app.request(`/api/v1/backtests/${blocker.id}`)).json();
    expect(ended.status).toBe('failed');
    expect(ended.error.code).toBe('timeout');
    for (const x of [...a, b]) await env.rt.service.waitForRun(x.run_id, { timeoutMs: 60_000 });
    const started = await Promise.all([...a, b].map(async (x) => (await (await env.app.request(`/api/v1/backtests/${x.id}`)).json()) as { name: string; status: string; started_at: string }));
    expect(started.every((x) => x.status === 'succeeded')).toBe(true);
    expect(started.sort((x, y) => x.started_at.localeCompare(y.started_at)).map((x) => x.name)).toEqual(['B1', 'A1', 'A2', 'A3']);

    // The new-backtest form shows the wall-time limit.
    env.as(env.users.analyst);
    const newPage = await (await env.app.request('/backtests/new')).text();
    expect(newPage).toContain('Wall-time limit: 15 seconds per backtest');
  }, 180_000);
});
