// The executor's defence in depth behind the sealed realm (issue 16): a user-code backtest whose
// cached panel changes while it runs fails as `panel_altered`, the panel is evicted, and the next
// run of the same question reads the market store again and gets the untouched answer. The sandbox
// lets no user code write the panel (test/engine/sandbox/realm.test.ts), so the test plays the
// breach itself: it writes into the cached arrays from the host while the strategy is busy.
import { expect, it } from 'vitest';
import { panelKeyOf } from '../../src/backtests/backtest.executor.ts';
import { getBacktest } from '../../src/backtests/backtests.service.ts';
import { postJson, useBacktestEnv } from '../helpers/backtests.ts';

const env = useBacktestEnv();

const period = { universe: 'all', start_date: '2026-06-01', end_date: '2026-11-27', benchmark: null };

/** Spins for `ms` on its first day (so the test can act while it runs), then buys one stock. */
const slowFirstDay = (ms: number) => `
export default defineStrategy({
  name: 'slow',
  onDay(ctx) {
    if (ctx.dayNumber === 1) { const until = Date.now() + ${ms}; while (Date.now() < until) {} }
    if (ctx.dayNumber === 2) ctx.orderValue(0, 100000);
  },
});`;

async function waitDone(id: number): Promise<Awaited<ReturnType<typeof getBacktest>>> {
  for (let i = 0; i < 600; i++) {
    const b = await getBacktest(env.db.store.db, id);
    if (b && ['succeeded', 'failed', 'cancelled', 'abandoned'].includes(b.status)) return b;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`backtest ${id} did not finish`);
}

it('a cached panel written during a user-code run fails that run as panel_altered, is evicted, and the rerun reads clean data', async () => {
  const saved = await postJson(env.app, '/api/v1/strategies', { name: 'slow', code: slowFirstDay(3000), language: 'js' });
  expect(saved.status, await saved.clone().text()).toBe(201);
  const strategyId = (await saved.json()).id;
  const submit = () => postJson(env.app, '/api/v1/backtests', { strategy_id: strategyId, ...period });

  // A clean run first: its numbers are what the rerun after the breach must give again.
  const clean = await submit();
  expect(clean.status, await clean.clone().text()).toBe(202);
  const cleanDone = await waitDone((await clean.json()).id);
  expect(cleanDone!.status).toBe('succeeded');

  const cache = env.panels;
  const key = panelKeyOf(cleanDone!.spec);
  const { panel } = await cache.get(key); // warm: the same arrays the runs share
  const pristine = Float64Array.from(panel.close);

  const res = await submit();
  const id = (await res.json()).id;
  // Inside the strategy's busy first day: halve every price of the shared panel in place. The
  // executor reports 0 days done just before it seals the panel and starts the thread.
  for (let i = 0; i < 600 && !(await getBacktest(env.db.store.db, id))?.progress; i++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < panel.close.length; i++) panel.close[i] *= 0.5;
  const breached = await waitDone(id);
  expect(breached!.status).toBe('failed');
  expect(breached!.error).toMatchObject({ code: 'panel_altered' });

  const misses = cache.stats().misses;
  const again = await submit();
  const againDone = await waitDone((await again.json()).id);
  expect(againDone!.status).toBe('succeeded');
  expect(cache.stats().misses).toBe(misses + 1); // reloaded from DuckDB, not the altered arrays
  expect(againDone!.metrics).toEqual(cleanDone!.metrics);
  const reloaded = (await cache.get(key)).panel;
  expect(Array.from(reloaded.close)).toEqual(Array.from(pristine));
}, 120_000);
