// The fed pool (sweep-pool.ts startFedPool): what a process running part of a spread sweep hands
// its claims to. Its threads stay up across claims and run exactly the sets handed to them, each
// with the result the plain pool (runSetsOnThreads) gives; an abort ends a claim that waits.
import { describe, expect, it } from 'vitest';
import { runSetsOnThreads, startFedPool } from '../../src/sweeps/sweep-pool.ts';
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
});
