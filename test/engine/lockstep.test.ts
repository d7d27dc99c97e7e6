// Backtests run in lockstep on one shared indicator feed (runBacktestsInLockstep, what a sweep's
// threads do) give each member exactly what it gets alone (runBacktest): the same result to the bit
// and the same metrics. The members mix strategies, windows and simulated ranges, so an indicator
// one member registers late (after another's warm-up fed days without it) and windows several
// members share are both exercised; a member that fails ends alone.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runBacktest, runBacktestsInLockstep, type RunOutcome } from '../../src/engine/run-backtest.ts';
import type { BacktestConfig, BacktestResult } from '../../src/engine/types.ts';
import { syntheticPanel } from './synthetic-panel.ts';

const { panel, benchmark } = syntheticPanel({ stocks: 80, days: 400, seed: 19, fields: true });
const d = (i: number) => panel.dates[i];

function hashResult(r: BacktestResult): string {
  const json = JSON.stringify(r, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v));
  return createHash('sha256').update(json).digest('hex');
}

const members: Array<{ name: string; params?: Record<string, unknown>; config?: Partial<BacktestConfig> }> = [
  { name: 'dual_ma', params: { short_window: 5, long_window: 20 } },
  { name: 'dual_ma', params: { short_window: 5, long_window: 30 } },
  { name: 'dual_ma', params: { short_window: 8, long_window: 20 }, config: { startDate: d(120), endDate: d(300) } },
  { name: 'dual_ma', params: { short_window: 3, long_window: 60, max_positions: 4 }, config: { startDate: d(250) } },
  { name: 'dual_ma', params: { short_window: 12, long_window: 40 }, config: { fillTiming: 'same_close' } },
  { name: 'simple_ma', config: { endDate: d(200) } },
  { name: 'momentum' },
  { name: 'bollinger', config: { startDate: d(50) } },
  { name: 'rsi' },
  { name: 'mean_reversion' },
  { name: 'pe_pb_value' },
  { name: 'turnover_rate', config: { startDate: d(10), endDate: d(390) } },
];

describe('runBacktestsInLockstep', () => {
  it('gives every member the result and metrics it gets alone', async () => {
    const together = new Map<number, RunOutcome>();
    const finished = await runBacktestsInLockstep({ panel, benchmark, members, onOutcome: (i, o) => together.set(i, o) });
    expect(finished).toBe(true);
    expect([...together.keys()].sort((a, b) => a - b)).toEqual(members.map((_, i) => i));
    for (const [i, m] of members.entries()) {
      const alone = await runBacktest({ panel, benchmark, strategy: { kind: 'builtin', name: m.name, params: m.params ?? {} }, config: m.config });
      const t = together.get(i)!;
      expect(alone.ok, `${i} ${m.name} alone`).toBe(true);
      expect(t.ok, `${i} ${m.name} in lockstep`).toBe(true);
      if (!alone.ok || !t.ok) continue;
      // Not vacuous: each member traded.
      expect(alone.result.fills.length, `${i} ${m.name} fills`).toBeGreaterThan(0);
      expect(hashResult(t.result), `${i} ${m.name} result`).toBe(hashResult(alone.result));
      expect(t.metrics, `${i} ${m.name} metrics`).toEqual(alone.metrics);
    }
  });

  it('reports members as they end, a failing one alone, and stops when aborted', async () => {
    const order: number[] = [];
    const outcomes = new Map<number, RunOutcome>();
    await runBacktestsInLockstep({
      panel, benchmark,
      members: [
        { name: 'dual_ma', params: { short_window: 5, long_window: 20 } },
        { name: 'dual_ma', params: { short_window: 30, long_window: 20 } }, // refused by the schema's refinement
        { name: 'dual_ma', params: { short_window: 5, long_window: 20 }, config: { endDate: d(100) } },
        { name: 'no_such_strategy' },
        { name: 'dual_ma', params: { short_window: 5, long_window: 20 }, config: { maxOrders: 3 } }, // hits the order limit
      ],
      onOutcome: (i, o) => {
        order.push(i);
        outcomes.set(i, o);
      },
    });
    // The refused and unknown ones first (before any day), then the short range, the order limit, and the full run last.
    expect(order.slice(0, 2)).toEqual([1, 3]);
    expect(order.indexOf(2)).toBeLessThan(order.indexOf(0));
    expect(order[order.length - 1]).toBe(0);
    const err = (i: number) => { const o = outcomes.get(i)!; return o.ok ? null : o.error.code; };
    expect(err(1)).toBe('invalid_params');
    expect(err(3)).toBe('unknown_strategy');
    expect(err(4)).toBe('order_limit');
    expect(outcomes.get(0)!.ok && outcomes.get(2)!.ok).toBe(true);

    const ac = new AbortController();
    ac.abort();
    const seen: number[] = [];
    const finished = await runBacktestsInLockstep({ panel, benchmark, members: members.slice(0, 3), signal: ac.signal, sliceMs: 0, onOutcome: (i) => seen.push(i) });
    expect(finished).toBe(false);
    expect(seen).toEqual([]);
  });
});
