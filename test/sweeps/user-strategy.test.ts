/**
 * Sweeps of a user's own strategy on the seeded demo market: the space is bounded by the params
 * schema its code declares (at the version the sweep records), each set runs in the sandbox, and a
 * set's metrics equal the same params run as a normal backtest of that strategy. Another analyst
 * cannot sweep it, and a later edit of the code does not change what a stored sweep ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBacktestEnv, postJson, type BacktestEnv } from '../helpers/backtests.ts';

let env: BacktestEnv;
beforeAll(async () => {
  env = await makeBacktestEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

const period = { universe: 'all', start_date: '2025-06-02', end_date: '2026-11-27' };

// Price above its n-day average: hold (at most `slots` names); below: sell. n and slots are bounded by the schema.
const source = (extra = '') => `
export default defineStrategy({
  name: 'user_trend',
  params: z.object({
    n: z.number().int().min(3).max(40).default(10),
    slots: z.number().int().min(1).max(8).default(5),
  }),
  onDay(ctx) {
    const { n, slots } = ctx.params;
    const m = ctx.sma(n);
    ${extra}
    for (let i = 0; i < m.length; i++) {
      if (ctx.bars.close[i] > m[i] && ctx.portfolio.sharesOf(i) === 0 && ctx.portfolio.count < slots) ctx.orderValue(i, ctx.portfolio.value * 0.9 / slots);
      else if (ctx.bars.close[i] < m[i] && ctx.portfolio.sharesOf(i) > 0) ctx.orderTarget(i, 0);
    }
  },
});`;

describe('sweeping a user strategy, and one that reads stored factors', () => {
  it('sweeps its schema’s parameters in the sandbox; each set equals the normal backtest of the same params', async () => {
    env.as(env.users.analyst);
    const created = await postJson(env.app, '/api/v1/strategies', { name: 'User trend', code: source(), category: 'trend' });
    expect(created.status).toBe(201);
    const strategy = await created.json();

    // The schema bounds the space: n goes down to 3, not 2.
    const out = await postJson(env.app, '/api/v1/sweeps', { strategy_id: strategy.id, ...period, space: { n: { from: 2, to: 10, step: 4 } } });
    expect(out.status, await out.clone().text()).toBe(400);
    expect((await out.json()).error.details.field).toBe('space.n');
    // The count follows the same schema: 3 × 2 = 6 sets.
    const space = { n: { values: [5, 10, 20] }, slots: { values: [3, 6] } };
    const count = await (await postJson(env.app, '/api/v1/sweeps/count', { strategy_id: strategy.id, space })).json();
    expect(count).toMatchObject({ total: '6', planned_sets: 6, refused: null });

    const res = await postJson(env.app, '/api/v1/sweeps?wait=120', { strategy_id: strategy.id, ...period, space });
    expect(res.status, await res.clone().text()).toBe(200);
    const s = await res.json();
    expect(s.status).toBe('succeeded');
    expect(s.strategy).toMatchObject({ kind: 'user', name: 'User trend' });
    expect(s.counts.done).toBe(6);
    const { sets } = await (await env.app.request(`/api/v1/sweeps/${s.id}/results?limit=100`)).json();
    expect(sets).toHaveLength(6);
    // The sets differ (the parameters matter), so equality below is not one number six times.
    expect(new Set(sets.map((x: { metrics: { total_return: number } }) => x.metrics.total_return)).size).toBeGreaterThan(1);

    // A later version of the code (which never trades) changes nothing the sweep ran: its sets turn into backtests of version 1.
    const put = await env.app.request(`/api/v1/strategies/${strategy.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'User trend', code: source('return;') }) });
    expect(put.status, await put.clone().text()).toBe(200);
    for (const set of sets.slice(0, 3)) {
      const r = await env.app.request(`/api/v1/sweeps/${s.id}/sets/${set.ordinal}/backtest`, { method: 'POST' });
      expect(r.status).toBe(202);
      const b = await r.json();
      expect(b.params).toEqual(set.params);
      await env.rt.service.waitForRun(b.run_id, { timeoutMs: 120_000 });
      const bt = await (await env.app.request(`/api/v1/backtests/${b.id}`)).json();
      expect(bt.status, JSON.stringify(bt.error)).toBe('succeeded');
      expect(bt.strategy).toMatchObject({ kind: 'user', strategy_id: strategy.id, version: 1 });
      for (const k of ['total_return', 'sharpe', 'max_drawdown', 'final_value', 'trade_count'] as const) {
        expect(set.metrics[k], `${k} of set ${set.ordinal}`).toBe(bt.metrics[k]);
      }
    }

    // The heatmap of the two parameters reads the recorded version's schema.
    const heat = await env.app.request(`/api/v1/sweeps/${s.id}/heatmap?x=n&y=slots&metric=total_return`);
    expect(heat.status).toBe(200);
    const h = await heat.json();
    expect(h.x.values).toEqual([5, 10, 20]);
    expect(h.y.values).toEqual([3, 6]);

    // The form offers it beside the built-ins; choosing it shows its schema's parameters, and the live count uses them.
    const form = await (await env.app.request(`/sweeps/new?strategy=user:${strategy.id}`)).text();
    expect(form).toContain(`<option value="user:${strategy.id}" selected="">User trend (v2)</option>`);
    expect(form).toContain('name="ax.n.kind"');
    expect(form).toContain('name="ax.slots.kind"');
    expect(form).not.toContain('name="ax.short_window.kind"');
    const q = new URLSearchParams({ strategy: `user:${strategy.id}`, 'ax.n.kind': 'list', 'ax.n.values': '5, 10, 20', 'ax.slots.kind': 'list', 'ax.slots.values': '3, 6' });
    const line = await (await env.app.request(`/sweeps/new/count?${q}`)).text();
    expect(line).toContain('6 sets');

    // Someone else's strategy is not theirs to sweep (nor offered on their form).
    env.as(env.users.analyst2);
    const theirs = await postJson(env.app, '/api/v1/sweeps', { strategy_id: strategy.id, ...period, space });
    expect(theirs.status).toBe(400);
    expect((await theirs.json()).error.details.field).toBe('strategy_id');
    expect(await (await env.app.request('/sweeps/new')).text()).not.toContain(`user:${strategy.id}`);
  }, 240_000);

  it('sweeps factor_rank over a swept factor: the factors load beside the panel, and a set equals its backtest', async () => {
    env.as(env.users.analyst);
    for (const f of ['momentum_20', 'reversal_5']) {
      const computed = await (await postJson(env.app, `/api/v1/factors/${f}/computations?wait=60`, {})).json();
      expect(computed.status).toBe('succeeded');
    }
    const res = await postJson(env.app, '/api/v1/sweeps?wait=120', {
      strategy: 'factor_rank', ...period, benchmark: null,
      space: { factor: { values: ['momentum_20', 'reversal_5'] }, top_n: { values: [3, 6] }, rebalance_days: { values: [10] } },
    });
    expect(res.status).toBe(200);
    const s = await res.json();
    expect(s.status, JSON.stringify(s.error)).toBe('succeeded');
    expect(s.counts.done).toBe(4);
    const { sets } = await (await env.app.request(`/api/v1/sweeps/${s.id}/results?limit=100`)).json();
    // Each factor ranks differently: the sets of the two factors (same top_n) differ.
    const byKey = new Map(sets.map((x: { params: { factor: string; top_n: number }; metrics: { total_return: number } }) => [`${x.params.factor}/${x.params.top_n}`, x.metrics.total_return]));
    expect(byKey.get('momentum_20/3')).not.toBe(byKey.get('reversal_5/3'));
    const one = sets.find((x: { params: { factor: string; top_n: number } }) => x.params.factor === 'reversal_5' && x.params.top_n === 6);
    const r = await env.app.request(`/api/v1/sweeps/${s.id}/sets/${one.ordinal}/backtest`, { method: 'POST' });
    expect(r.status).toBe(202);
    const b = await r.json();
    await env.rt.service.waitForRun(b.run_id, { timeoutMs: 120_000 });
    const bt = await (await env.app.request(`/api/v1/backtests/${b.id}`)).json();
    expect(bt.status).toBe('succeeded');
    for (const k of ['total_return', 'sharpe', 'max_drawdown', 'final_value', 'trade_count'] as const) expect(one.metrics[k], k).toBe(bt.metrics[k]);
  }, 240_000);
});
