/**
 * Sweeps over HTTP on the seeded demo market (30 stocks × 2 years, test/helpers/backtests.ts), with
 * the server's own executors on worker threads: submit, follow the run's events, read the table,
 * the heatmap and the statistics; a set's metrics equal the same params run as a normal backtest;
 * refusals; walk-forward windows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkForwardWindows } from '../../src/sweeps/walk-forward.ts';
import { makeBacktestEnv, postJson, type BacktestEnv } from '../helpers/backtests.ts';

let env: BacktestEnv;
beforeAll(async () => {
  env = await makeBacktestEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

const period = { universe: 'all', start_date: '2025-06-02', end_date: '2026-11-27' };

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

const waitRun = (runId: number) => env.rt.service.waitForRun(runId, { timeoutMs: 120_000 });

describe('sweeps API', () => {
  let sweepId = 0;

  it('runs a dual_ma grid: 202 with links, progress events to done, invalid combinations skipped and counted, table, heatmap, DSR and PBO', async () => {
    env.as(env.users.analyst);
    // short ∈ {5, 10, 20} × long ∈ {10, 20, 40}: dual_ma refuses short ≥ long, i.e. (10,10), (20,10), (20,20): 9 points, 6 valid.
    const res = await postJson(env.app, '/api/v1/sweeps', {
      strategy: 'dual_ma', ...period, space: { short_window: { values: [5, 10, 20] }, long_window: { values: [10, 20, 40] } },
    });
    expect(res.status).toBe(202);
    const s = await res.json();
    sweepId = s.id;
    expect(['queued', 'running']).toContain(s.status);
    expect(s.links).toMatchObject({ events: `/api/v1/runs/${s.run_id}/events`, results: `/api/v1/sweeps/${s.id}/results` });
    expect(s.counts).toMatchObject({ grid: '9', planned: 9 });

    const events = await readSse(await env.app.request(s.links.events));
    const progress = events.filter((e) => e.event === 'progress').map((e) => JSON.parse(e.data));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ processed: 6, total: 6 });
    expect(progress.some((p) => /best sharpe/.test(p.current ?? ''))).toBe(true);
    expect(events.at(-1)!.event).toBe('done');
    expect(JSON.parse(events.at(-1)!.data).status).toBe('succeeded');

    const done = await (await env.app.request(`/api/v1/sweeps/${s.id}`)).json();
    expect(done.status).toBe('succeeded');
    expect(done.counts).toMatchObject({ done: 6, failed: 0, skipped: 3 });
    expect(done.counts.skip_reasons.reduce((a: number, r: { count: number }) => a + r.count, 0)).toBe(3);

    const table = await (await env.app.request(`/api/v1/sweeps/${s.id}/results?sort=sharpe&dir=desc&limit=100`)).json();
    expect(table.total).toBe(6);
    const pairs = table.sets.map((x: { params: { short_window: number; long_window: number } }) => `${x.params.short_window}/${x.params.long_window}`).sort();
    expect(pairs).toEqual(['10/20', '10/40', '20/40', '5/10', '5/20', '5/40']);
    const sharpes = table.sets.map((x: { metrics: { sharpe: number } }) => x.metrics.sharpe);
    expect(sharpes).toEqual([...sharpes].sort((a, b) => b - a));
    // The best is the top of the table by the objective.
    expect(done.best).toMatchObject({ ordinal: table.sets[0].ordinal, value: table.sets[0].metrics.sharpe, params: table.sets[0].params });
    // Six trials over ~370 days: both statistics computed (values: overfitting.test.ts and pbo.test.ts check the formulas).
    expect(done.dsr.trials).toBe(6);
    expect(done.dsr.dsr).toBeGreaterThanOrEqual(0);
    expect(done.dsr.dsr).toBeLessThanOrEqual(1);
    expect(done.pbo).toMatchObject({ partitions: 16, combinations: 12870, configurations: 6 });

    // Filters: min_sharpe keeps the sets at or above it.
    const cut = sharpes[2];
    const filtered = await (await env.app.request(`/api/v1/sweeps/${s.id}/results?min_sharpe=${cut}`)).json();
    expect(filtered.total).toBe(sharpes.filter((v: number) => v >= cut).length);

    const heat = await (await env.app.request(`/api/v1/sweeps/${s.id}/heatmap?x=short_window&y=long_window&metric=sharpe`)).json();
    expect(heat.x.values).toEqual([5, 10, 20]);
    expect(heat.y.values).toEqual([10, 20, 40]);
    // Refused combinations have no cell; the others carry their set's Sharpe.
    expect(heat.cells[0]).toEqual([expect.any(Number), null, null]);
    expect(heat.cells[1][2]).toBeNull();
    const s5l40 = table.sets.find((x: { params: { short_window: number; long_window: number } }) => x.params.short_window === 5 && x.params.long_window === 40);
    expect(heat.cells[2][0]).toBe(s5l40.metrics.sharpe);

    const csv = await env.app.request(`/api/v1/sweeps/${s.id}/results?format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^ordinal,short_window,long_window,status,total_return,/);
    expect(lines).toHaveLength(7);
  }, 120_000);

  it('gives the same metrics as the same params run as normal backtests', async () => {
    env.as(env.users.analyst);
    const res = await postJson(env.app, '/api/v1/sweeps?wait=120', {
      strategy: 'dual_ma', ...period, mode: 'random', budget: 10, seed: 3, space: { short_window: { from: 2, to: 21, step: 1 }, long_window: { from: 10, to: 60, step: 5 } },
    });
    expect(res.status).toBe(200);
    const s = await res.json();
    expect(s.status).toBe('succeeded');
    expect(s.counts.done).toBe(10);
    const { sets } = await (await env.app.request(`/api/v1/sweeps/${s.id}/results?limit=100`)).json();
    expect(sets).toHaveLength(10);
    for (const set of sets) {
      const r = await env.app.request(`/api/v1/sweeps/${s.id}/sets/${set.ordinal}/backtest`, { method: 'POST' });
      expect(r.status).toBe(202);
      const b = await r.json();
      expect(b.params).toEqual(set.params);
      await waitRun(b.run_id);
      const bt = await (await env.app.request(`/api/v1/backtests/${b.id}`)).json();
      expect(bt.status).toBe('succeeded');
      // Exactly equal: the same engine, panel and metrics code. The sweep ran its sets in lockstep batches
      // on one shared indicator feed (each SMA window computed once a day per batch), the backtest alone.
      for (const k of ['total_return', 'annualized_return', 'sharpe', 'max_drawdown', 'volatility', 'excess_return', 'final_value', 'trade_count'] as const) {
        expect(set.metrics[k], `${k} of set ${set.ordinal}`).toBe(bt.metrics[k]);
      }
    }
  }, 180_000);

  it('refuses a grid over SWEEP_MAX_SETS with the count, a strategy not the caller’s, and a bad axis, naming the field', async () => {
    env.as(env.users.analyst);
    // 199 × 299 = 59,501 points, over the default 10,000.
    const big = { strategy: 'dual_ma', ...period, space: { short_window: { from: 2, to: 200, step: 1 }, long_window: { from: 2, to: 300, step: 1 } } };
    const r1 = await postJson(env.app, '/api/v1/sweeps', big);
    expect(r1.status).toBe(400);
    const e1 = (await r1.json()).error;
    expect(e1.message).toContain('59,501');
    expect(e1.message).toContain('10,000');
    const count = await (await postJson(env.app, '/api/v1/sweeps/count', { strategy: 'dual_ma', space: big.space })).json();
    expect(count).toMatchObject({ total: '59501', planned_sets: null, max_sets: 10000, exact: false });
    expect(count.refused).toContain('59,501');
    // Exact count of valid points for a small space: short 2..5 × long 3..6 with short < long → 4+3+2+1 = 10 of 16.
    const small = await (await postJson(env.app, '/api/v1/sweeps/count', { strategy: 'dual_ma', space: { short_window: { from: 2, to: 5, step: 1 }, long_window: { from: 3, to: 6, step: 1 } } })).json();
    expect(small).toMatchObject({ total: '16', estimated_valid: '10', exact: true, planned_sets: 16, refused: null });

    // A strategy id that is not the caller's (none here) is refused naming the field.
    const r2 = await postJson(env.app, '/api/v1/sweeps', { strategy_id: 999_999, ...period, space: {} });
    expect(r2.status).toBe(400);
    expect((await r2.json()).error).toMatchObject({ details: { field: 'strategy_id' }, message: expect.stringContaining('you have no strategy 999999') });

    const r3 = await postJson(env.app, '/api/v1/sweeps', { strategy: 'dual_ma', ...period, space: { shortwindow: { values: [3] } } });
    expect(r3.status).toBe(400);
    expect((await r3.json()).error).toMatchObject({ details: { field: 'space.shortwindow' } });

    const r4 = await postJson(env.app, '/api/v1/sweeps', { strategy: 'dual_ma', ...period, mode: 'random', space: { short_window: { values: [3, 4] } } });
    expect(r4.status).toBe(400);
    expect((await r4.json()).error.details.field).toBe('budget');
  });

  it('cancels a running sweep: the run ends cancelled, the sets stored so far are kept, no statistics', async () => {
    env.as(env.users.analyst);
    // short 2..21 × long 22..61: 800 sets, all valid, long enough to cancel in the middle (also on a thread kept warm from an earlier sweep).
    const res = await postJson(env.app, '/api/v1/sweeps', { strategy: 'dual_ma', ...period, space: { short_window: { from: 2, to: 21, step: 1 }, long_window: { from: 22, to: 61, step: 1 } } });
    const s = await res.json();
    const until = performance.now() + 60_000;
    while ((await env.db.store.db.selectFrom('sweep_sets').select('ordinal').where('sweep_id', '=', s.id).execute()).length === 0) {
      if (performance.now() > until) throw new Error('no set stored in 60 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    const c = await env.app.request(`/api/v1/sweeps/${s.id}/cancel`, { method: 'POST' });
    expect(c.status).toBe(202);
    await waitRun(s.run_id);
    const done = await (await env.app.request(`/api/v1/sweeps/${s.id}`)).json();
    expect(done.status).toBe('cancelled');
    const stored = await (await env.app.request(`/api/v1/sweeps/${s.id}/results?limit=1`)).json();
    expect(stored.total).toBeGreaterThan(0);
    expect(stored.total).toBeLessThan(800);
    expect(done.dsr).toBeNull();
    expect((await env.app.request(`/api/v1/sweeps/${s.id}/cancel`, { method: 'POST' })).status).toBe(409);
  }, 120_000);

  it('pauses and resumes: the sets stored before the pause are kept, the rest run after resume', async () => {
    env.as(env.users.analyst);
    // 800 sets: enough that the pause lands mid-sweep also on a thread kept warm from an earlier sweep.
    const res = await postJson(env.app, '/api/v1/sweeps', { strategy: 'dual_ma', ...period, space: { short_window: { from: 2, to: 21, step: 1 }, long_window: { from: 22, to: 61, step: 1 } } });
    const s = await res.json();
    const rows = () => env.db.store.db.selectFrom('sweep_sets').select(['ordinal', 'created_at']).where('sweep_id', '=', s.id).orderBy('ordinal').execute();
    const until = performance.now() + 60_000;
    while ((await rows()).length === 0) {
      if (performance.now() > until) throw new Error('no set stored in 60 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    // Resuming what is not paused is refused; pausing answers 202 with the sweep.
    expect((await postJson(env.app, `/api/v1/sweeps/${s.id}/resume`, {})).status).toBe(409);
    const paused = await postJson(env.app, `/api/v1/sweeps/${s.id}/pause`, {});
    expect(paused.status).toBe(202);
    expect((await paused.json()).id).toBe(s.id);
    while ((await env.rt.service.getRun(s.run_id))!.status !== 'paused') {
      if (performance.now() > until) throw new Error('not paused in 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = await rows();
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(800);
    // Another analyst cannot resume it (404: not theirs to see); the owner can.
    env.as(env.users.analyst2);
    expect((await postJson(env.app, `/api/v1/sweeps/${s.id}/resume`, {})).status).toBe(404);
    env.as(env.users.analyst);
    expect((await postJson(env.app, `/api/v1/sweeps/${s.id}/resume`, {})).status).toBe(202);
    await waitRun(s.run_id);
    expect((await postJson(env.app, `/api/v1/sweeps/${s.id}/pause`, {})).status).toBe(409);
    const done = await (await env.app.request(`/api/v1/sweeps/${s.id}`)).json();
    expect(done.status).toBe('succeeded');
    const after = await rows();
    expect(after.map((r) => r.ordinal)).toEqual(Array.from({ length: 800 }, (_, k) => k));
    const at = new Map(after.map((r) => [r.ordinal, r.created_at.getTime()]));
    for (const b of before) expect(at.get(b.ordinal)).toBe(b.created_at.getTime());
  }, 120_000);

  it('keeps sweeps to their owners: another analyst gets 404, a viewer cannot submit', async () => {
    env.as(env.users.analyst2);
    expect((await env.app.request(`/api/v1/sweeps/${sweepId}`)).status).toBe(404);
    expect((await env.app.request(`/api/v1/sweeps/${sweepId}/results`)).status).toBe(404);
    env.as(env.users.viewer);
    expect((await postJson(env.app, '/api/v1/sweeps', { strategy: 'dual_ma', ...period, space: {} })).status).toBe(403);
    env.as(env.users.admin);
    expect((await env.app.request(`/api/v1/sweeps/${sweepId}`)).status).toBe(200);
  });

  it('runs a walk-forward: windows by trading days, the in-sample winner per window, its out-of-sample run, the chained curve', async () => {
    env.as(env.users.analyst);
    const res = await postJson(env.app, '/api/v1/walk-forwards?wait=120', {
      strategy: 'dual_ma', ...period, space: { short_window: { values: [3, 5, 8] }, long_window: { values: [20, 40] } },
      windows: { kind: 'rolling', in_sample_days: 120, out_of_sample_days: 60 },
    });
    expect(res.status).toBe(200);
    const s = await res.json();
    expect(s.status).toBe('succeeded');
    expect(s.kind).toBe('walk_forward');
    // The expected windows from the window arithmetic over the period's trading days (the calendar the demo market seeded).
    const days = (await (await env.app.request('/api/v1/market/calendar?exchange=SSE&start_date=2025-06-02&end_date=2026-11-27&is_open=1')).json()) as { cal_date?: string[] } & Record<string, unknown>;
    const wf = s.walk_forward;
    const n = wf.windows.length;
    expect(n).toBeGreaterThan(1);
    expect(s.counts.done).toBe(6 * n);
    for (const [i, w] of wf.windows.entries()) {
      expect(w.index).toBe(i);
      expect(w.params).not.toBeNull();
      // The winner is the best in-sample set of its window.
      const top = await (await env.app.request(`/api/v1/sweeps/${s.id}/results?window=${i}&sort=sharpe&dir=desc&limit=1`)).json();
      expect(top.total).toBe(6);
      expect(w.params).toEqual(top.sets[0].params);
      expect(w.in_sample_metrics.sharpe).toBe(top.sets[0].metrics.sharpe);
      expect(w.out_of_sample_metrics).not.toBeNull();
      // Contiguous: each out-of-sample segment starts the trading day after the in-sample one ends.
      expect(w.out_of_sample.start_date > w.in_sample.end_date).toBe(true);
      if (i > 0) expect(w.out_of_sample.start_date > wf.windows[i - 1].out_of_sample.end_date).toBe(true);
    }
    // The chained curve: one point per out-of-sample day plus the start, beginning at 1.
    expect(wf.curve.values[0]).toBe(1);
    expect(wf.curve.dates.at(-1)).toBe(wf.windows.at(-1).out_of_sample.end_date);
    const plan = walkForwardWindows(wf.curve.dates.length - 1 + 120, { kind: 'rolling', inSampleDays: 120, outOfSampleDays: 60 });
    expect(plan.windows).toHaveLength(n);
    expect(wf.curve.dates).toHaveLength(60 * n + 1);
    // Its total return is the product of the segments' returns (chainSegments compounds them).
    const product = wf.windows.reduce((a: number, w: { out_of_sample_metrics: { total_return: number } }) => a * (1 + w.out_of_sample_metrics.total_return), 1) - 1;
    expect(wf.metrics.total_return).toBeCloseTo(product, 10);
    void days;
  }, 180_000);
});
