import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBacktestEnv, postJson, type BacktestEnv } from '../helpers/backtests.ts';

let env: BacktestEnv;
beforeAll(async () => {
  env = await makeBacktestEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

const body = { strategy: 'dual_ma', params: { short_window: 5 }, universe: 'all', start_date: '2025-06-02', end_date: '2026-11-27' };

describe('backtests API', () => {
  it('submits, answers 202 at once with links, and ?wait returns the finished result', async () => {
    env.as(env.users.analyst);
    const res = await postJson(env.app, '/api/v1/backtest/run', body);
    expect(res.status).toBe(202);
    const b = await res.json();
    expect(b.id).toBeGreaterThan(0);
    expect(b.links.events).toBe(`/api/v1/runs/${b.runId}/events`);
    expect(b.links.result).toBe(`/api/v1/backtests/${b.id}/result`);

    const w = await postJson(env.app, '/api/v1/backtests?wait=60', body);
    expect(w.status).toBe(200);
    const done = await w.json();
    expect(done.status).toBe('succeeded');
    expect(done.result.series.dates.length).toBeGreaterThan(300);
    expect(done.result.metrics.totalReturn).toBeTypeOf('number');
  }, 90_000);
});
