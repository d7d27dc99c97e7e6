import { describe, expect, it } from 'vitest';
import { addDays, isoDay, ymdOf } from '../../src/market/days.ts';
import { postJson, useBacktestEnv } from '../helpers/backtests.ts';

const env = useBacktestEnv();

const body = { strategy: 'dual_ma', params: { short_window: 5 }, universe: 'all', start_date: '2025-06-02', end_date: '2026-11-27' };

/** Reads an SSE response to its end: events as { event, data }. */
async function readSse(res: Response): Promise<{ event: string; data: string }[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.includes('data:'))
    .map((b) => {
      const lines = b.split('\n');
      return { event: lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message', data: lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n') };
    });
}

const userSource = (extra = '') => `
export default defineStrategy({
  name: 'user_ma',
  params: z.object({ n: z.number().int().default(10) }),
  onDay(ctx) {
    const m = ctx.sma(ctx.params.n);
    ${extra}
    for (let i = 0; i < m.length; i++) {
      if (ctx.bars.close[i] > m[i] && ctx.portfolio.sharesOf(i) === 0 && ctx.portfolio.count < 5) ctx.orderValue(i, ctx.portfolio.value * 0.18);
      else if (ctx.bars.close[i] < m[i] && ctx.portfolio.sharesOf(i) > 0) ctx.orderTarget(i, 0);
    }
  },
});`;

describe('backtests API', () => {
  it('submits, answers 202 at once with links, streams progress to done, and ?wait returns the finished result', async () => {
    env.as(env.users.analyst);
    const res = await postJson(env.app, '/api/v1/backtest/run', body);
    expect(res.status).toBe(202);
    const b = await res.json();
    // Answered at once: a worker may already have claimed it, never finished it.
    expect(['queued', 'running']).toContain(b.status);
    expect(b).toMatchObject({ strategy: { kind: 'builtin', name: 'dual_ma' }, params: { short_window: 5, long_window: 20 } });
    expect(b.links).toMatchObject({ events: `/api/v1/runs/${b.run_id}/events`, result: `/api/v1/backtests/${b.id}/result` });

    const events = await readSse(await env.app.request(b.links.events));
    const progress = events.filter((e) => e.event === 'progress').map((e) => JSON.parse(e.data));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ fraction: 1 });
    expect(progress.some((p) => typeof p.current === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(p.current))).toBe(true);
    expect(events.at(-1)!.event).toBe('done');
    expect(JSON.parse(events.at(-1)!.data).status).toBe('succeeded');

    const result = await (await env.app.request(b.links.result)).json();
    // 2025-06-02 … 2026-11-27 on the demo calendar: more than 300 trading days.
    expect(result.series.dates.length).toBeGreaterThan(300);
    // Point 0 is the starting capital, dated the trading day before the first simulated day (2025-06-02).
    expect(result.series.dates[0] < '2025-06-02').toBe(true);
    expect(result.series.dates[1] >= '2025-06-02').toBe(true);
    expect(result.series.nav[0]).toBe(1);
    expect(result.metrics.periods).toBe(result.series.dates.length - 1);
    expect(result.series.nav.length).toBe(result.series.dates.length);
    expect(result.series.benchmark.length).toBe(result.series.dates.length);
    expect(result.metrics.total_return).toBeCloseTo(result.series.nav.at(-1) - 1, 5);

    const w = await postJson(env.app, '/api/v1/backtests?wait=60', body);
    expect(w.status).toBe(200);
    const done = await w.json();
    expect(done.status).toBe('succeeded');
    expect(done.result.metrics.total_return).toBeCloseTo(result.metrics.total_return, 10);
  }, 90_000);

  it('serves performance, paginated trades, CSV trades, orders with outcomes, and the list with filters, sorting and totals', async () => {
    env.as(env.users.analyst);
    const done = await (await postJson(env.app, '/api/v1/backtests?wait=60', { ...body, name: 'listed one' })).json();
    const perf = await (await env.app.request(`/api/v1/backtests/${done.id}/performance`)).json();
    expect(perf.metrics.trade_count).toBe(perf.trades.length);
    const page1 = await (await env.app.request(`/api/v1/backtests/${done.id}/trades?limit=5&offset=0`)).json();
    const page2 = await (await env.app.request(`/api/v1/backtests/${done.id}/trades?limit=5&offset=5`)).json();
    expect(page1.trades).toHaveLength(5);
    expect(page1.total).toBeGreaterThan(10);
    expect(page2.trades[0]).not.toEqual(page1.trades[0]);
    const csv = await env.app.request(`/api/v1/backtests/${done.id}/trades`, { headers: { accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines).toHaveLength(page1.total + 1);
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2},\d{6}\.(SH|SZ|BJ),(buy|sell),/);
    // The rejected filter answers exactly the orders of the full list that did not fill, and there are some.
    const allOrders = await (await env.app.request(`/api/v1/backtests/${done.id}/orders?limit=500`)).json();
    const rejected = await (await env.app.request(`/api/v1/backtests/${done.id}/orders?rejected=true&limit=500`)).json();
    expect(allOrders.orders.length).toBe(allOrders.total);
    expect(rejected.orders).toEqual(allOrders.orders.filter((o: { status: string }) => o.status !== 'filled'));
    expect(rejected.orders.length).toBeGreaterThan(0);
    expect(rejected.orders.length).toBeLessThan(allOrders.orders.length);

    const list = await (await env.app.request('/api/v1/backtests?status=succeeded&sort=total_return&dir=asc&limit=2')).json();
    expect(list.total).toBeGreaterThanOrEqual(3);
    expect(list.backtests).toHaveLength(2);
    expect(list.backtests[0].metrics.total_return).toBeLessThanOrEqual(list.backtests[1].metrics.total_return);
    const searched = await (await env.app.request('/api/v1/backtests?q=listed')).json();
    expect(searched.backtests.map((x: { id: number }) => x.id)).toEqual([done.id]);
    // from and to are UTC days, both inclusive.
    const day = ymdOf(searched.backtests[0].created_at.slice(0, 10));
    const ids = async (range: string) => (await (await env.app.request(`/api/v1/backtests?q=listed&${range}`)).json()).backtests.map((x: { id: number }) => x.id);
    expect(await ids(`from=${isoDay(day)}&to=${isoDay(day)}`)).toEqual([done.id]);
    expect(await ids(`to=${isoDay(addDays(day, -1))}`)).toEqual([]);
    expect(await ids(`from=${isoDay(addDays(day, 1))}`)).toEqual([]);
  }, 90_000);

  it('runs with qfq prices: recorded in the config, same holdings as hfq for dual MA (crossovers are scale-free)', async () => {
    env.as(env.users.analyst);
    const run = async (adjust: string) => {
      const res = await postJson(env.app, '/api/v1/backtests?wait=60', { ...body, adjust });
      expect(res.status).toBe(200);
      const b = await res.json();
      expect(b.status).toBe('succeeded');
      return b;
    };
    const h = await run('hfq');
    const q = await run('qfq');
    expect(q.adjust).toBe('qfq');
    expect(q.result.metrics.trade_count).toBe(h.result.metrics.trade_count);
    expect(q.result.metrics.total_return).toBeCloseTo(h.result.metrics.total_return, 10);
  }, 90_000);

  it('names the field of a bad submission', async () => {
    env.as(env.users.analyst);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...body, end_date: '2020-01-01' }, 'end_date'],
      [{ ...body, strategy: 'nope' }, 'strategy'],
      [{ ...body, params: { short_window: 30 } }, 'params.short_window'],
      [{ ...body, start_date: '2025-02-30' }, 'start_date'],
      [{ ...body, universe: 'codes' }, 'codes'],
      [{ ...body, capital: -5 }, 'capital'],
      [{ ...body, adjust: 'forward' }, 'adjust'],
    ];
    for (const [b, field] of cases) {
      const res = await postJson(env.app, '/api/v1/backtests', b);
      expect(res.status, field).toBe(400);
      const e = await res.json();
      expect(e.error?.field ?? e.field ?? JSON.stringify(e), field).toContain(field);
    }
  });

  it('runs a user strategy (recording its code version), and fails one that throws with its line and date', async () => {
    env.as(env.users.analyst);
    const created = await postJson(env.app, '/api/v1/strategies', { name: 'User MA', code: userSource(), category: 'trend' });
    expect(created.status).toBe(201);
    const s = await created.json();
    expect(s.params_schema.properties.n.default).toBe(10);
    const ok = await (await postJson(env.app, '/api/v1/backtests?wait=60', { ...body, strategy: undefined, strategy_id: s.id })).json();
    expect(ok.status).toBe('succeeded');
    expect(ok.strategy).toMatchObject({ kind: 'user', strategy_id: s.id, version: 1 });

    // Throws on a late day: the dry run on save (60 days) passes, the real run fails.
    const bad = userSource(`if (ctx.date >= 20260105) throw new Error('boom on purpose');`);
    const badLine = bad.split('\n').findIndex((l) => l.includes('boom on purpose')) + 1;
    const put = await env.app.request(`/api/v1/strategies/${s.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'User MA', code: bad }) });
    expect(put.status).toBe(200);
    expect((await put.json()).version).toBe(2);
    const failed = await (await postJson(env.app, '/api/v1/backtests?wait=60', { ...body, strategy: undefined, strategy_id: s.id })).json();
    expect(failed.status).toBe('failed');
    expect(failed.error.message).toContain('boom on purpose');
    expect(failed.error.detail.line).toBe(badLine);
    expect(failed.error.detail.date).toBe('2026-01-05');
    const page = await (await env.app.request(`/backtests/${failed.id}`)).text();
    expect(page).toContain(`line <strong>${badLine}</strong>`);
    // The earlier backtest still records version 1.
    expect((await (await env.app.request(`/api/v1/backtests/${ok.id}`)).json()).strategy.version).toBe(1);
  }, 120_000);

  it('rejects code with a syntax error on save, naming line and column', async () => {
    env.as(env.users.analyst);
    const res = await postJson(env.app, '/api/v1/strategies', { name: 'Broken', code: 'export default defineStrategy({\n  name: "x",\n  onDay(ctx) { const a = ; },\n});' });
    expect(res.status).toBe(400);
    const e = await res.json();
    expect(JSON.stringify(e)).toContain('line 3');
  });

  it('keeps serving and finishing other runs while a hostile strategy spins; cancel ends it', async () => {
    env.as(env.users.analyst);
    const spin = `export default defineStrategy({ name: 'spin', params: z.object({}), onDay(ctx) { if (ctx.date >= 20260601) { for (;;) {} } } });`;
    const s = await (await postJson(env.app, '/api/v1/strategies', { name: 'Spinner', code: spin })).json();
    const hostile = await (await postJson(env.app, '/api/v1/backtests', { ...body, strategy: undefined, strategy_id: s.id })).json();
    const normal = await (await postJson(env.app, '/api/v1/backtests?wait=60', body)).json();
    expect(normal.status).toBe('succeeded');
    expect((await env.app.request('/healthz')).status).toBe(200);
    const cancel = await env.app.request(`/api/v1/backtests/${hostile.id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    await env.rt.service.waitForRun(hostile.run_id, { timeoutMs: 20_000 });
    expect((await (await env.app.request(`/api/v1/backtests/${hostile.id}`)).json()).status).toBe('cancelled');
    const audit = await env.db.store.db.selectFrom('audit_log').select(['action', 'object_id']).where('action', '=', 'backtest.cancel').execute();
    expect(audit).toContainEqual({ action: 'backtest.cancel', object_id: String(hostile.id) });
  }, 120_000);

  it('keeps backtests to their owner: others get 404, viewers cannot submit, admins see all; delete and rerun', async () => {
    env.as(env.users.analyst);
    const mine = await (await postJson(env.app, '/api/v1/backtests?wait=60', body)).json();
    env.as(env.users.analyst2);
    for (const path of ['', '/result', '/performance', '/trades']) expect((await env.app.request(`/api/v1/backtests/${mine.id}${path}`)).status).toBe(404);
    expect((await env.app.request(`/api/v1/backtests/${mine.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await env.app.request(`/backtests/${mine.id}`)).status).toBe(404);
    expect((await (await env.app.request('/api/v1/backtests')).json()).backtests.some((b: { id: number }) => b.id === mine.id)).toBe(false);
    env.as(env.users.viewer);
    expect((await postJson(env.app, '/api/v1/backtests', body)).status).toBe(403);
    expect((await env.app.request(`/api/v1/backtests/${mine.id}`)).status).toBe(404);
    env.as(env.users.admin);
    expect((await env.app.request(`/api/v1/backtests/${mine.id}`)).status).toBe(200);
    const rerun = await (await env.app.request(`/api/v1/backtests/${mine.id}/rerun`, { method: 'POST' })).json();
    expect(rerun.rerun_of).toBe(mine.id);
    expect(rerun.params).toEqual(mine.params);
    env.as(env.users.analyst);
    expect((await env.app.request(`/api/v1/backtests/${mine.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await env.app.request(`/api/v1/backtests/${mine.id}`)).status).toBe(404);
    const audit = await env.db.store.db.selectFrom('audit_log').select(['action', 'object_id']).where('action', '=', 'backtest.delete').execute();
    expect(audit).toContainEqual({ action: 'backtest.delete', object_id: String(mine.id) });
  }, 90_000);
});
