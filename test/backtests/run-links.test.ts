// Issue 24: a backtest's run page linked nothing back and offered "Retry as a new run", which
// re-simulated the backtest behind its back (the backtest kept showing its old run). Now the run page
// names the backtest, its owner and task, offers "Rerun the backtest" instead, and the API refuses a
// plain retry of such a run, naming the rerun endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBacktestEnv, postJson, type BacktestEnv } from '../helpers/backtests.ts';

let env: BacktestEnv;
beforeAll(async () => {
  env = await makeBacktestEnv();
  env.as(env.users.analyst);
}, 60_000);
afterAll(() => env?.close());

describe("a backtest's run", () => {
  it('links its backtest and owner by name, and is run again through the backtest', async () => {
    const [stock] = await env.market.query(`select ts_code from stocks order by ts_code limit 1`);
    const res = await postJson(env.app, '/api/v1/backtests?wait=60', { strategy: 'dual_ma', name: 'links check', codes: [stock.ts_code], start_date: '2025-06-02', end_date: '2025-12-31' });
    const b = (await res.json()) as { id: number; run_id: number; status: string };
    expect(b.status).toBe('succeeded');

    const page = await (await env.app.request(`/runs/${b.run_id}`)).text();
    expect(page).toContain(`<a href="/backtests/${b.id}">links check</a>`);
    // The owner by name, linked to the runs they queued.
    expect(page).toContain(`by <a href="/runs?by=${env.users.analyst.userId}">${env.users.analyst.username}</a>`);
    expect(page).toContain(`action="/backtests/${b.id}/rerun"`);
    expect(page).toContain('Rerun the backtest');
    expect(page).not.toContain('Retry as a new run');
    // And the backtest's page links its run.
    expect(await (await env.app.request(`/backtests/${b.id}`)).text()).toContain(`href="/runs/${b.run_id}"`);

    const retry = await env.app.request(`/api/v1/runs/${b.run_id}/retry`, { method: 'POST' });
    expect(retry.status).toBe(409);
    const err = (await retry.json()) as { error: { code: string; message: string; details: Record<string, unknown> } };
    expect(err.error.code).toBe('retry_through_subject');
    expect(err.error.message).toContain(`POST /api/v1/backtests/${b.id}/rerun`);
    expect(err.error.details).toEqual({ backtest_id: b.id });
    // The run machinery made nothing new; the rerun makes a new backtest beside the old.
    const rerun = await env.app.request(`/api/v1/backtests/${b.id}/rerun`, { method: 'POST' });
    expect(rerun.status).toBe(202);
    expect(((await rerun.json()) as { id: number }).id).not.toBe(b.id);
  }, 90_000);
});
