import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/engine/run-backtest.ts';
import { runBacktestInWorker } from '../../src/engine/worker/run-in-worker.ts';
import { syntheticPanel } from './synthetic-panel.ts';
import { userDualMaSource } from './sandbox/user-dual-ma.ts';

const { panel, benchmark } = syntheticPanel({ stocks: 50, days: 250, seed: 5, shared: true });

describe('runBacktest', () => {
  it('runs a built-in in slices with progress, and returns metrics', async () => {
    const seen: number[] = [];
    const out = await runBacktest({ panel, benchmark, strategy: { kind: 'builtin', name: 'dual_ma' }, sliceMs: 0, onProgress: (p) => seen.push(p.done) });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1]).toBe(250);
    expect(out.metrics.periods).toBe(250);
    expect(out.metrics.totalReturn).toBeCloseTo(out.result.total[249] / 1_000_000 - 1, 12);
  });

  it('stops at the next slice when aborted, and names bad params and unknown strategies', async () => {
    const ac = new AbortController();
    const out = await runBacktest({ panel, strategy: { kind: 'builtin', name: 'dual_ma' }, sliceMs: 0, signal: ac.signal, onProgress: (p) => { if (p.done >= 10) ac.abort(); } });
    expect(out).toMatchObject({ ok: false, error: { code: 'aborted' } });
    expect(await runBacktest({ panel, strategy: { kind: 'builtin', name: 'dual_ma', params: { short_window: 50 } } })).toMatchObject({ ok: false, error: { code: 'invalid_params', message: expect.stringContaining('short_window') } });
    expect(await runBacktest({ panel, strategy: { kind: 'builtin', name: 'nope' } })).toMatchObject({ ok: false, error: { code: 'unknown_strategy' } });
  });
});

describe('runBacktestInWorker', () => {
  it('runs built-in and user strategies on a worker thread with the same result as in-process', async () => {
    const local = await runBacktest({ panel, benchmark, strategy: { kind: 'builtin', name: 'dual_ma' } });
    const progress: number[] = [];
    const remote = await runBacktestInWorker({ panel, benchmark, strategy: { kind: 'builtin', name: 'dual_ma' } }, { onProgress: (p) => progress.push(p.done) });
    expect(remote.ok && local.ok).toBe(true);
    if (!remote.ok || !local.ok) return;
    expect(Array.from(remote.result.total)).toEqual(Array.from(local.result.total));
    expect(progress[progress.length - 1]).toBe(250);
    const user = await runBacktestInWorker({ panel, benchmark, strategy: { kind: 'user', source: userDualMaSource, language: 'js' } });
    expect(user.ok && Array.from(user.result.total)).toEqual(Array.from(local.result.total));
  });

  it('cancels through the AbortSignal', async () => {
    const ac = new AbortController();
    const src = `export default defineStrategy({ name: 'spin', params: z.object({}), onDay(ctx) { if (ctx.dayNumber === 3) for (;;) {} } });`;
    const p = runBacktestInWorker({ panel, strategy: { kind: 'user', source: src, timeoutMs: 60_000 } }, { signal: ac.signal, onProgress: () => {} });
    setTimeout(() => ac.abort(), 500);
    expect(await p).toMatchObject({ ok: false, error: { code: 'aborted' } });
  });
});

describe('backtestConfigSchema', async () => {
  const { backtestConfigSchema } = await import('../../src/engine/config.schema.ts');
  const { defaultConfig } = await import('../../src/engine/types.ts');
  it('fills the engine defaults and names a bad field', () => {
    // The order bounds are the server's (BACKTEST_MAX_ORDERS, …_PER_DAY), not fields a request may set.
    const { maxOrders: _m, maxOrdersPerDay: _d, ...settable } = defaultConfig;
    expect(backtestConfigSchema.parse({})).toEqual(settable);
    const bad = backtestConfigSchema.safeParse({ fillTiming: 'tomorrow' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(['fillTiming']);
  });
});
