/**
 * Strategies use stored factors, through the normal backtest flow (POST /api/v1/backtests) on the
 * seeded demo market (30 stocks × 2 years): the built-in factor_rank holds the top N of a factor
 * (checked against an independent selection from the bars), a user strategy reads ctx.factor, a
 * factor that is not computed is refused at submit naming the field, and another analyst's private
 * factor cannot be read by a backtest.
 */
import { describe, expect, it } from 'vitest';
import { postJson, useBacktestEnv } from '../helpers/backtests.ts';

const env = useBacktestEnv();
const waitBacktest = async (id: number) => {
  for (let i = 0; i < 600; i++) {
    const b = await (await env.app.request(`/api/v1/backtests/${id}`)).json();
    if (['succeeded', 'failed', 'cancelled'].includes(b.status)) return b;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`backtest ${id} did not end`);
};

/** momentum_20 on `day`, computed here from the bars and adjustment factors (not from the stored values): close×adj over close×adj 20 bars earlier − 1, per stock with a bar that day. */
async function independentMomentum(day: number): Promise<Map<string, number>> {
  const rows = await env.market.query(
    `select b.ts_code, b.trade_date, b.close * coalesce(a.adj_factor, 1) px from daily_bars b left join adj_factors a using (ts_code, trade_date)
     where b.close is not null and b.trade_date <= $1 order by b.ts_code, b.trade_date`,
    [day],
  );
  const byCode = new Map<string, { d: number; px: number }[]>();
  for (const r of rows) {
    const list = byCode.get(String(r.ts_code)) ?? [];
    list.push({ d: Number(r.trade_date), px: Number(r.px) });
    byCode.set(String(r.ts_code), list);
  }
  const out = new Map<string, number>();
  for (const [code, list] of byCode) {
    const last = list.length - 1;
    if (last >= 20 && list[last].d === day) out.set(code, list[last].px / list[last - 20].px - 1);
  }
  return out;
}

describe('strategies use factors', () => {
  const start = '2026-03-02';
  const end = '2026-06-30';

  it('refuses factor_rank on a factor not computed, naming params.factor', async () => {
    env.as(env.users.analyst);
    const res = await postJson(env.app, '/api/v1/backtests', { strategy: 'factor_rank', params: { factor: 'reversal_7' }, universe: 'all', start_date: start, end_date: end });
    expect(res.status).toBe(400);
    const e = await res.json();
    expect(e.error.message).toContain('params.factor');
    expect(e.error.message).toContain('/api/v1/factors/reversal_7/computations');
  });

  it('factor_rank holds the top 3 by momentum_20: the first day’s buys are the independent top 3, rebalanced every 10 days', async () => {
    env.as(env.users.analyst);
    const computed = await (await postJson(env.app, '/api/v1/factors/momentum_20/computations?wait=60', {})).json();
    expect(computed.status).toBe('succeeded');
    const res = await postJson(env.app, '/api/v1/backtests?wait=120', {
      strategy: 'factor_rank', params: { factor: 'momentum_20', top_n: 3, rebalance_days: 10 }, universe: 'all', start_date: start, end_date: end, benchmark: null,
    });
    const bt = await waitBacktest((await res.json()).id);
    expect(bt.status).toBe('succeeded');
    const orders = (await (await env.app.request(`/api/v1/backtests/${bt.id}/orders?limit=500`)).json()).orders as { code: string; placed_date: string; kind: string }[];
    // The first simulated day (2026-03-02, a Monday) places the first orders: the three highest momentum_20 among stocks trading that day.
    const first = orders.filter((o) => o.placed_date === start).map((o) => o.code).sort();
    const mom = await independentMomentum(20260302);
    const suspended = new Set((await env.market.query(`select ts_code from suspensions where trade_date = 20260302`)).map((r) => String(r.ts_code)));
    const expected = [...mom].filter(([c]) => !suspended.has(c)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([c]) => c).sort();
    expect(first).toEqual(expected);
    // Orders are placed only on rebalance days: every 10th trading day from the first.
    const days = (await env.market.query(`select distinct trade_date d from daily_bars where trade_date between 20260302 and 20260630 order by d`)).map((r) => Number(r.d));
    const rebalance = new Set(days.filter((_, i) => i % 10 === 0).map((d) => `${String(d).slice(0, 4)}-${String(d).slice(4, 6)}-${String(d).slice(6)}`));
    expect(orders.every((o) => rebalance.has(o.placed_date))).toBe(true);
  });

  it('a user strategy reads ctx.factor, a copy of today only', async () => {
    env.as(env.users.analyst);
    const code = `defineStrategy({ name: 'reads a factor', onDay(ctx) {
      const m = ctx.factor('momentum_20');
      m[0] = 12345;                                   // a copy: writing it changes nothing stored
      if (ctx.factor('momentum_20')[0] === 12345) throw new Error('not a copy');
      if (m.length !== ctx.codes.length) throw new Error('one value per stock');
      if (ctx.dayNumber === 1) ctx.log('first', ctx.codes[1], ctx.factor('momentum_20')[1]);
    } })`;
    const s = await postJson(env.app, '/api/v1/strategies', { name: 'factor reader', code });
    expect(s.status).toBe(201);
    const res = await postJson(env.app, '/api/v1/backtests', { strategy_id: (await s.json()).id, universe: 'all', start_date: start, end_date: end, benchmark: null });
    const bt = await waitBacktest((await res.json()).id);
    expect(bt.error ?? null).toBeNull();
    expect(bt.status).toBe('succeeded');
  });

  it('a backtest cannot read another analyst’s private factor', async () => {
    env.as(env.users.analyst2);
    const f = await (await postJson(env.app, '/api/v1/factors', { name: 'private', code: `defineFactor({ compute(ctx) { return ctx.bars.close; } })` })).json();
    expect((await postJson(env.app, `/api/v1/factors/${f.id}/computations?wait=60`, {})).status).toBe(200);
    env.as(env.users.analyst);
    const res = await postJson(env.app, '/api/v1/backtests', { strategy: 'factor_rank', params: { factor: `${f.id}v1` }, universe: 'all', start_date: start, end_date: end, benchmark: null });
    expect(res.status).toBe(202);
    const bt = await waitBacktest((await res.json()).id);
    expect(bt.status).toBe('failed');
    expect(JSON.stringify(bt)).toContain('was not found');
  });
});
