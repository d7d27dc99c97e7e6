/**
 * The sweep pages over HTTP on the demo market (the browser test walks the journey; this checks the
 * fragments' content): the live count's wording in grid, random and over-the-maximum cases, the
 * heatmap of a three-parameter sweep with the third fixed or averaged (values equal to the sets'
 * own), the table's server-side sort and filter, and the exports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { makeBacktestEnv, postJson, type BacktestEnv } from '../helpers/backtests.ts';
import { insertSweep, setSweepRun } from '../../src/sweeps/sweeps.repository.ts';

interface ApiSet { ordinal: number; params: Record<string, number>; metrics: Record<string, number | null> }

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
const titles = (html: string) => [...html.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]);

describe('sweep pages', () => {
  let env: BacktestEnv;
  let id: number;
  let sets: ApiSet[];

  beforeAll(async () => {
    env = await makeBacktestEnv();
    env.as(env.users.analyst);
    const r = await postJson(env.app, '/api/v1/sweeps?wait=60', {
      strategy: 'dual_ma', universe: 'all', start_date: '2025-06-02', end_date: '2026-11-27', name: 'three axes',
      space: { short_window: { values: [3, 5] }, long_window: { values: [20, 30] }, max_positions: { values: [5, 10] } },
    });
    expect(r.status).toBe(200);
    id = ((await r.json()) as { id: number }).id;
    sets = ((await (await env.app.request(`/api/v1/sweeps/${id}/results?limit=100`)).json()) as { sets: ApiSet[] }).sets;
    expect(sets).toHaveLength(8);
  }, 120_000);
  afterAll(async () => {
    env?.rt.bus.closeAll();
    await env?.close();
  });

  it('counts as the user types: skipped combinations, a random budget, and the refusal naming the count', async () => {
    const count = async (q: Record<string, string>) => text(await (await env.app.request(`/sweeps/new/count?${new URLSearchParams({ strategy: 'dual_ma', ...q })}`)).text());
    const range = (p: string, from: number, to: number, step: number) => ({ [`ax.${p}.kind`]: 'range', [`ax.${p}.from`]: String(from), [`ax.${p}.to`]: String(to), [`ax.${p}.step`]: String(step) });
    // short 2–20 × long 10–60 by 5: 19 × 11 = 209 points; short ≥ long at short 10–20 with long 10, 15, 20: 11 + 6 + 1 = 18 skipped.
    expect(await count({ ...range('short_window', 2, 20, 1), ...range('long_window', 10, 60, 5) })).toBe('209 sets (191 valid, 18 skipped by constraints)');
    expect(await count({ ...range('short_window', 2, 20, 1), ...range('long_window', 10, 60, 5), mode: 'random', budget: '50' })).toBe('209 sets (191 valid, 18 skipped by constraints) · random runs 50 of them');
    expect(await count({ ...range('short_window', 1, 2000, 1), ...range('long_window', 2, 2001, 1) })).toMatch(/^4,000,000 sets \(.*\) — refused: space: the grid has 4,000,000 parameter sets \(short_window 2,000 × long_window 2,000\), over the maximum of 10,000/);
    expect(await count({ ...range('short_window', 3, 6, 0.5) })).toContain('short_window');
  });

  it('draws the heatmap of two parameters with the third fixed or averaged, values equal to the sets', async () => {
    const fixed = await (await env.app.request(`/sweeps/${id}/heatmap?x=long_window&y=short_window&metric=total_return&agg=fixed&fix.max_positions=5`)).text();
    const cells = titles(fixed).filter((t) => t.startsWith('long_window'));
    expect(cells).toHaveLength(4);
    const pct = (v: number | null) => `${((v ?? NaN) * 100).toFixed(2)}%`;
    for (const s of sets.filter((x) => x.params.max_positions === 5)) {
      expect(cells).toContain(`long_window ${s.params.long_window}, short_window ${s.params.short_window}: Total return ${pct(s.metrics.total_return)}`);
    }
    // The picker keeps the choice.
    expect(fixed).toMatch(/<option value="5" selected="">5<\/option>/);
    const mean = await (await env.app.request(`/sweeps/${id}/heatmap?x=long_window&y=short_window&metric=sharpe&agg=mean`)).text();
    const at = (short: number, long: number) => sets.filter((s) => s.params.short_window === short && s.params.long_window === long).map((s) => s.metrics.sharpe!);
    const m = at(3, 20);
    expect(titles(mean)).toContain(`long_window 20, short_window 3: Sharpe ${((m[0] + m[1]) / 2).toFixed(2)} (mean of 2 sets)`);
  });

  it('sorts and filters the table on the server', async () => {
    const html = await (await env.app.request(`/sweeps/${id}/sets?sort=sharpe&dir=desc&fm=sharpe&fmin=-100`)).text();
    const ordinals = [...html.matchAll(/data-ordinal="(\d+)"/g)].map((x) => Number(x[1]));
    const bySharpe = [...sets].sort((a, b) => b.metrics.sharpe! - a.metrics.sharpe! || a.ordinal - b.ordinal).map((s) => s.ordinal);
    expect(ordinals).toEqual(bySharpe);
    const median = [...sets].map((s) => s.metrics.sharpe!).sort((a, b) => a - b)[4];
    const top = await (await env.app.request(`/sweeps/${id}/sets?fm=sharpe&fmin=${median}`)).text();
    expect([...top.matchAll(/data-ordinal="(\d+)"/g)].map((x) => Number(x[1])).sort()).toEqual(sets.filter((s) => s.metrics.sharpe! >= median).map((s) => s.ordinal).sort());
    expect((await env.app.request(`/sweeps/${id}/sets?fmin=abc`)).status).toBe(400);
  });

  it('exports the table as CSV and JSON, and the page shows the statistics and robustness', async () => {
    const csv = await (await env.app.request(`/sweeps/${id}/export/sets.csv`)).text();
    expect(csv.split('\n')[0]).toMatch(/^ordinal,short_window,long_window,max_positions,status,total_return/);
    expect(csv.trim().split('\n')).toHaveLength(9);
    const json = (await (await env.app.request(`/sweeps/${id}/export/sets.json`)).json()) as { sets: ApiSet[] };
    expect(json.sets.map((s) => s.ordinal)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const page = await (await env.app.request(`/sweeps/${id}`)).text();
    expect(page).toContain('id="sweep-dsr"');
    expect(page).toContain('Bailey and López de Prado');
    expect((page.match(/<tr class="robust-/g) ?? []).length).toBe(8);
  });

  it('shows a running sweep live: sets done of planned, the best so far, the ETA, pause/resume and cancel buttons, polling every second', async () => {
    // A run that looks held by a live worker (a lease an hour long), so no worker of this app claims it and no reaper ends it.
    const db = env.db.store.db;
    const eta = new Date(Date.now() + 42_000).toISOString();
    const progress = JSON.stringify({ fraction: 0.5, processed: 2, total: 4, current: null, etaAt: eta });
    const run = await db.insertInto('runs').values({
      executor: 'sweep', params: sql`'{}'::jsonb` as never, status: 'running', queued_by: env.users.analyst.userId, started_at: new Date(),
      lease_owner: 'elsewhere', lease_expires_at: new Date(Date.now() + 3_600_000), progress: sql`${progress}::jsonb` as never,
    }).returning('id').executeTakeFirstOrThrow();
    const spec = { strategy: { kind: 'builtin', name: 'dual_ma', strategyId: null, versionId: null, version: null }, params: {}, capital: 1e6, benchmark: null, adjust: 'hfq', fillTiming: 'next_open', costs: {}, universe: { kind: 'all', boards: null, excludeSt: false }, startDate: 20250602, endDate: 20251231 };
    const sid = await insertSweep(db, {
      owner_id: env.users.analyst.userId, name: 'running', kind: 'sweep', strategy_kind: 'builtin', strategy_name: 'dual_ma', strategy_id: null, strategy_version_id: null,
      spec: JSON.stringify(spec), space: JSON.stringify([['short_window', { values: [3, 5] }], ['long_window', { values: [10, 20] }]]), mode: 'grid', budget: null, seed: 0, objective: 'sharpe', windows: null, grid_count: '4', planned_sets: 4,
    });
    await setSweepRun(db, sid, Number(run.id));
    await db.updateTable('sweeps').set({ sets_done: 2, best_ordinal: 1, best_value: 0.42 }).where('id', '=', sid).execute();
    const live = await (await env.app.request(`/sweeps/${sid}/live`)).text();
    const m = /2 of 4 sets · best Sharpe so far 0\.42 \(set 1\) · ETA (\d+) s/.exec(text(live));
    // 42 s ahead when written, read a moment later (seconds on a loaded machine).
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(30);
    expect(Number(m?.[1])).toBeLessThanOrEqual(42);
    expect(live).toContain(`hx-get="/sweeps/${sid}/live" hx-trigger="every 1s"`);
    expect(live).toContain(`action="/sweeps/${sid}/cancel"`);
    // Pause: the run is asked to stop after the sets in hand; the page then offers Resume (which withdraws the ask).
    expect(live).toContain(`action="/sweeps/${sid}/pause"`);
    const paused = await env.app.request(`/sweeps/${sid}/pause`, { method: 'POST' });
    expect(paused.status).toBe(303);
    expect((await db.selectFrom('runs').select('control').where('id', '=', Number(run.id)).executeTakeFirstOrThrow()).control).toBe('pause');
    const after = await (await env.app.request(`/sweeps/${sid}/live`)).text();
    expect(after).toContain(`action="/sweeps/${sid}/resume"`);
    expect(after).not.toContain(`action="/sweeps/${sid}/pause"`);
    expect((await env.app.request(`/sweeps/${sid}/resume`, { method: 'POST' })).status).toBe(303);
    expect((await db.selectFrom('runs').select('control').where('id', '=', Number(run.id)).executeTakeFirstOrThrow()).control).toBeNull();
  });
});
