// The fed pool (sweep-pool.ts startFedPool): what a process running part of a spread sweep hands
// its claims to. Its threads stay up across claims and run exactly the sets handed to them, each
// with the result the plain pool (runSetsOnThreads) gives; an abort ends a claim that waits.
import { describe, expect, it } from 'vitest';
import { runSetsOnThreads, startFedPool } from '../../src/sweeps/sweep-pool.ts';
import { claimSizes } from '../../src/sweeps/set-spread.ts';
import type { SweepThreadSet, SweepThreadSetResult } from '../../src/sweeps/sweep.thread.ts';
import { syntheticPanel } from '../engine/synthetic-panel.ts';

const { panel, benchmark } = syntheticPanel({ stocks: 60, days: 300, seed: 7 });
const input = { panel, benchmark, strategy: { kind: 'builtin' as const, name: 'dual_ma' }, config: {}, capital: 1_000_000 };
const sets: SweepThreadSet[] = Array.from({ length: 24 }, (_, k) => ({ ordinal: k, windowIndex: null, gridIndex: k, params: { short_window: 2 + (k % 8), long_window: 20 + 5 * Math.floor(k / 8) } }));

describe('the fed pool', () => {
  it('runs the claims handed to it, only those, with the plain pool’s results', async () => {
    const plain = new Map<number, SweepThreadSetResult>();
    await runSetsOnThreads(input, sets, { threads: 2, signal: new AbortController().signal, onSet: (r) => plain.set(r.ordinal, r) });
    expect(plain.size).toBe(24);

    const fed = new Map<number, SweepThreadSetResult>();
    const pool = startFedPool(input, sets, { threads: 2, batch: 4, signal: new AbortController().signal, onSet: (r) => fed.set(r.ordinal, r) });
    // A claim out of order (as claims come: the lowest unclaimed by anyone), then the rest.
    const first = [sets[5], sets[9], sets[10], sets[17], sets[2]];
    await pool.run(first);
    expect([...fed.keys()].sort((a, b) => a - b)).toEqual([2, 5, 9, 10, 17]);
    const rest = sets.filter((s) => !first.includes(s));
    await pool.run(rest.slice(0, 11));
    await pool.run(rest.slice(11));
    await pool.close();
    expect(fed.size).toBe(24);
    for (const [ordinal, r] of plain) {
      expect(fed.get(ordinal)!.metricsJson, `set ${ordinal}`).toBe(r.metricsJson);
      expect(fed.get(ordinal)!.error).toBeNull();
    }
  }, 60_000);

  it('stops its threads waiting for a claim on abort; a claim then ends at once instead of waiting forever', async () => {
    const abort = new AbortController();
    let ran = 0;
    const pool = startFedPool(input, sets, { threads: 1, batch: 24, signal: abort.signal, onSet: () => ran++ });
    // The thread starts and waits on the empty feed (without blocking its event loop, so it reads the abort).
    await new Promise((r) => setTimeout(r, 300));
    abort.abort(new Error('cancelled by the test'));
    // The thread answers (it ran nothing) and stops; a claim handed over now ends with the abort's reason.
    await pool.close();
    await expect(pool.run(sets)).rejects.toThrow(/cancelled by the test/);
    expect(ran).toBe(0);
  }, 60_000);

  it('refuses a set it was not started with', async () => {
    const pool = startFedPool(input, sets.slice(0, 4), { threads: 1, batch: 4, signal: new AbortController().signal, onSet: () => {} });
    await expect(pool.run([sets[10]])).rejects.toThrow(/not one the pool was started with/);
    await pool.close();
  }, 60_000);

  it('sizes claims so every participant gets as many, each at most a full lockstep batch per thread', () => {
    // 100 sets, one thread, 16 a batch, 2 processes: 7 claims of 16 would leave one process a short 8th; 8 claims of 13.
    expect(claimSizes(100, 1, 2, 16)).toEqual({ claim: 13, batch: 13 });
    // Alone, the same sets take full batches (100 = 6 × 16 + 4 → 7 claims of 15).
    expect(claimSizes(100, 1, 1, 16)).toEqual({ claim: 15, batch: 15 });
    // Two threads: a claim is a batch for each thread.
    expect(claimSizes(40, 2, 2, 32)).toEqual({ claim: 20, batch: 10 });
    expect(claimSizes(3, 4, 2, 64)).toEqual({ claim: 2, batch: 1 });
    for (const [n, t, p, u] of [[100, 1, 2, 16], [1000, 2, 3, 32], [7, 1, 4, 16], [64, 2, 2, 32]]) {
      const { claim, batch } = claimSizes(n, t, p, u);
      expect(claim).toBeLessThanOrEqual(u);
      expect(batch * t).toBeGreaterThanOrEqual(claim);
      expect(batch).toBeLessThanOrEqual(u / t);
    }
  });
});
