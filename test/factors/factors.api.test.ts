/**
 * Factors over HTTP on the seeded demo market (30 stocks × 2 years, test/helpers/backtests.ts), with
 * the server's own executors: the list with parameter schemas, computing a built-in (a run, waited
 * for) and reading its coverage, user factors saved with versions and computed in the sandbox,
 * access control between analysts, and bad input answered 4xx naming the field.
 */
import { describe, expect, it } from 'vitest';
import { readFactor } from '../../src/factors/factors.service.ts';
import { factorTemplate } from '../../src/factors/factor.types.ts';
import { postJson, useBacktestEnv } from '../helpers/backtests.ts';

const env = useBacktestEnv();
const send = (method: string, path: string, body?: unknown) =>
  env.app.request(path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

describe('factors API', () => {
  it('lists the built-ins with their parameter schemas', async () => {
    env.as(env.users.viewer);
    const res = await env.app.request('/api/v1/factors');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.builtin.map((b: { kind: string }) => b.kind)).toEqual(['momentum', 'reversal', 'volatility', 'turnover_ma', 'amihud', 'size', 'ep', 'bp']);
    const mom = body.builtin.find((b: { kind: string }) => b.kind === 'momentum');
    expect(mom).toMatchObject({ id: 'momentum_20', params_schema: { properties: { n: { type: 'integer', minimum: 2, maximum: 500, default: 20 } } } });
    expect(body.builtin.find((b: { kind: string }) => b.kind === 'size').params_schema.properties).toEqual({});
  });

  it('computes momentum_20 as a run and answers its coverage; the stored values are the adjusted-close ratios', async () => {
    env.as(env.users.analyst);
    const res = await postJson(env.app, '/api/v1/factors/momentum_20/computations?wait=60', { start_date: '2026-01-05' });
    expect(res.status).toBe(200);
    const run = await res.json();
    expect(run).toMatchObject({ executor: 'factor', status: 'succeeded', queued_by: env.users.analyst.userId, params: { factors: [{ id: 'momentum_20' }], start: 20260105 } });
    expect(run.links.events).toBe(`/api/v1/runs/${run.id}/events`);

    const f = await (await env.app.request('/api/v1/factors/momentum_20')).json();
    expect(f).toMatchObject({ id: 'momentum_20', key: 'momentum_20', kind: 'builtin', links: { analyse: '/factors/momentum_20/analyses/new' } });
    expect(f.coverage.first_date).toBe('2026-01-05');
    expect(f.coverage.last_date).toBe('2026-11-27');
    expect(f.coverage.codes).toBe(30);
    const list = await (await env.app.request('/api/v1/factors')).json();
    expect(list.builtin.find((b: { kind: string }) => b.kind === 'momentum').stored).toEqual([{ id: 'momentum_20', ...f.coverage }]);

    // Independently: close × adj factor of one stock, read straight from the store, 20 bars apart.
    const code = String((await env.market.query(`select min(ts_code) c from daily_bars`))[0].c);
    const bars = await env.market.query(
      `select b.trade_date, b.close * coalesce(a.adj_factor, 1) px from daily_bars b left join adj_factors a using (ts_code, trade_date) where b.ts_code = $1 order by b.trade_date`,
      [code],
    );
    const stored = await readFactor(env.market, 'momentum_20', { codes: [code] });
    const k = bars.findIndex((b) => Number(b.trade_date) === stored.dates[10]);
    expect(k).toBeGreaterThanOrEqual(20);
    expect(stored.values[10]).toBeCloseTo(Number(bars[k].px) / Number(bars[k - 20].px) - 1, 12);
  });

  it('refuses bad input with 4xx naming the field', async () => {
    env.as(env.users.analyst);
    const bad = async (path: string, body: unknown, status: number, field?: string) => {
      const res = await postJson(env.app, path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      const e = await res.json();
      if (field) expect(e.error.message).toContain(field);
      return e;
    };
    await bad('/api/v1/factors/momentum_20/computations', { start_date: '2026-13-01' }, 400, 'start_date');
    await bad('/api/v1/factors/momentum_20/computations', { start_date: '2026-05-01', end_date: '2026-04-01' }, 400, 'start_date');
    await bad('/api/v1/factors/momentum_20/computations', { codes: ['NOPE'] }, 400, 'codes');
    await bad('/api/v1/factors/momentum_20/computations', { codes: ['999999.SH'] }, 400, 'codes');
    // Shaped like a code but not an A-share one: refused by the contract, never reaching the store's numbering (stockCode).
    await bad('/api/v1/factors/momentum_20/computations', { codes: ['00700A.HK'] }, 400, 'codes');
    await bad('/api/v1/factors/momentum_20/computations', { codes: ['000700.HK'] }, 400, 'codes');
    await bad('/api/v1/factors/momentum_20/computations', { window: 5 }, 400);
    await bad('/api/v1/factors/momentum_1/computations', {}, 404);
    await bad('/api/v1/factors/u999999/computations', {}, 404);
    await bad('/api/v1/factors', { name: '', code: factorTemplate }, 400, 'name');
    const syntax = await bad('/api/v1/factors', { name: 'broken', code: 'export default defineFactor({ compute(ctx) { return ctx.codes.map(( => 1) } })' }, 400, 'code');
    expect(syntax.error.code).toBe('syntax_error');
    const notFactor = await bad('/api/v1/factors', { name: 'a strategy', code: 'defineStrategy({ name: "s", onDay() {} })' }, 400, 'code');
    expect(notFactor.error.message).toContain('defineFactor');
    const wrongLength = await bad('/api/v1/factors', { name: 'short', code: 'defineFactor({ compute(ctx) { return [1, 2]; } })' }, 400, 'code');
    expect(wrongLength.error.message).toMatch(/one number per stock/);
    // No body at all: every stock, every day.
    const nobody = await env.app.request('/api/v1/factors/size/computations', { method: 'POST' });
    expect(nobody.status).toBe(202);
    expect((await nobody.json()).params).toEqual({ factors: [{ id: 'size' }] });
    env.as(env.users.viewer);
    await bad('/api/v1/factors/momentum_20/computations', {}, 403);
  });

  it('checks a scheduled factor task’s ids when it is saved (a bad one named, good ones of both forms accepted)', async () => {
    env.as(env.users.admin);
    const task = (factors: unknown) => ({ name: `factors ${JSON.stringify(factors).length}`, executor: 'factor', config: { factors }, schedule: { kind: 'manual', timezone: 'UTC' } });
    const bad = await postJson(env.app, '/api/v1/scheduler/tasks', task([{ id: 'momentum_20' }, { id: 'mom_20' }]));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('config.factors.1');
    const good = await postJson(env.app, '/api/v1/scheduler/tasks', task([{ id: 'bp' }, { kind: 'amihud', n: 10 }]));
    expect(good.status).toBe(201);
  });

  it('saves user factors with versions, computes one in the sandbox and keeps it from other analysts', async () => {
    env.as(env.users.analyst);
    const created = await postJson(env.app, '/api/v1/factors', { name: 'skip-5 momentum', description: 'template', code: factorTemplate });
    expect(created.status).toBe(201);
    const f = await created.json();
    expect(f).toMatchObject({ kind: 'user', id: `u${f.factor_id}`, key: `u${f.factor_id}v1`, version: 1, coverage: null });
    const id = f.id as string;

    // Same code: no new version; changed code: version 2 (the old one kept).
    expect((await (await send('PUT', `/api/v1/factors/${id}`, { name: 'skip-5 momentum', code: factorTemplate })).json()).version).toBe(1);
    const v2code = `defineFactor({ name: 'close rank', compute(ctx) { return ctx.rank(ctx.bars.close); } })`;
    const updated = await (await send('PUT', `/api/v1/factors/${id}`, { name: 'skip-5 momentum', code: v2code })).json();
    expect(updated).toMatchObject({ version: 2, key: `${id}v2` });
    const detail = await (await env.app.request(`/api/v1/factors/${id}`)).json();
    expect(detail.versions.map((v: { id: string }) => v.id)).toEqual([`${id}v2`, `${id}v1`]);
    expect(detail.factor.code).toBe(v2code);

    // Compute the current version over a month: each day's value is the rank of the close among the stocks trading.
    const res = await postJson(env.app, `/api/v1/factors/${id}/computations?wait=120`, { start_date: '2026-10-08', end_date: '2026-11-06' });
    const run = await res.json();
    expect(run.error).toBeNull();
    expect(run).toMatchObject({ status: 'succeeded', params: { factors: [{ id: `${id}v2` }] } });
    const after = await (await env.app.request(`/api/v1/factors/${id}`)).json();
    expect(after.coverage).toMatchObject({ first_date: '2026-10-08', last_date: '2026-11-06' });
    const day = 20261106;
    const closes = await env.market.query(`select ts_code, close from daily_bars where trade_date = $1 order by close`, [day]);
    const stored = await readFactor(env.market, `${id}v2`, { start: day, end: day });
    const lowest = String(closes[0].ts_code);
    const highest = String(closes[closes.length - 1].ts_code);
    expect(stored.values[stored.codes.indexOf(lowest)]).toBe(1);
    expect(stored.values[stored.codes.indexOf(highest)]).toBe(closes.length);

    // Version 1 stays readable by its own id.
    expect((await env.app.request(`/api/v1/factors/${id}v1`)).status).toBe(200);

    // Another analyst sees nothing of it, cannot run, change or delete it; an admin sees it.
    env.as(env.users.analyst2);
    expect((await env.app.request(`/api/v1/factors/${id}`)).status).toBe(404);
    expect((await env.app.request(`/api/v1/factors/${id}v1`)).status).toBe(404);
    expect((await postJson(env.app, `/api/v1/factors/${id}/computations`, {})).status).toBe(404);
    expect((await send('PUT', `/api/v1/factors/${id}`, { name: 'mine now', code: v2code })).status).toBe(404);
    expect((await send('DELETE', `/api/v1/factors/${id}`)).status).toBe(404);
    const theirs = await (await env.app.request('/api/v1/factors')).json();
    expect(theirs.mine.map((m: { id: string }) => m.id)).not.toContain(id);
    env.as(env.users.admin);
    expect((await env.app.request(`/api/v1/factors/${id}`)).status).toBe(200);

    // The owner deletes it: the definition and its stored values go.
    env.as(env.users.analyst);
    expect((await send('DELETE', `/api/v1/factors/${id}v2`)).status).toBe(400);
    const del = await send('DELETE', `/api/v1/factors/${id}`);
    expect(await del.json()).toEqual({ deleted: id });
    expect((await env.app.request(`/api/v1/factors/${id}`)).status).toBe(404);
    expect((await readFactor(env.market, `${id}v2`)).values.length).toBe(0);
  });
});
