// Proof that nothing after today is reachable from a strategy: two markets identical up to day K
// and different after it. A strategy fingerprints everything it can reach each day — every bar
// field, adjClose, full-depth history and series, every indicator (today and lag 1), daily-basic
// fields, the portfolio — hashing the WHOLE underlying ArrayBuffer of every typed array (so a
// view into a bigger panel buffer would be caught). Fingerprints up to day K must be equal; day
// K+1 must differ (the test can fail).
import { describe, expect, it } from 'vitest';
import { runBacktestSync } from '../../src/engine/engine.ts';
import { defineStrategy } from '../../src/engine/strategy.ts';
import type { StrategyContext } from '../../src/engine/context.ts';
import type { Panel } from '../../src/engine/panel.ts';
import { mulberry32, syntheticPanel } from './synthetic-panel.ts';

const D = 60;
const K = 40;

function hashBuffer(a: ArrayBufferView, h: number): number {
  const bytes = new Uint8Array(a.buffer);
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619);
  return h >>> 0;
}
function hashValue(v: unknown, h: number): number {
  if (ArrayBuffer.isView(v)) return hashBuffer(v, h);
  if (Array.isArray(v)) return v.reduce((acc: number, x) => hashValue(x, acc), h);
  if (v && typeof v === 'object') return Object.entries(v).reduce((acc: number, [k, x]) => hashValue(x, hashValue(k, acc)), h);
  const s = String(v);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function fingerprint(ctx: StrategyContext): number {
  let h = 2166136261;
  const b = ctx.bars;
  for (const f of ['open', 'high', 'low', 'close', 'preClose', 'volume', 'amount', 'adjFactor', 'upLimit', 'downLimit', 'tradable', 'st'] as const) h = hashValue(b[f], h);
  h = hashValue(ctx.adjClose, h);
  for (const f of ['open', 'high', 'low', 'close', 'preClose', 'volume', 'amount', 'adjFactor', 'upLimit', 'downLimit', 'adjClose'] as const) {
    h = hashValue(ctx.history(f, D + 5), h);
    h = hashValue(ctx.series(f, 0, D + 5), h);
  }
  for (const lag of [0, 1] as const) {
    h = hashValue([ctx.sma(5, lag), ctx.ema(5, lag), ctx.rsi(5, lag), ctx.std(5, lag), ctx.momentum(5, lag), ctx.bollinger(5, 2, lag)], h);
  }
  h = hashValue([ctx.field('pe_ttm'), ctx.field('pb'), ctx.portfolio.shares(), ctx.portfolio.sellable(), ctx.portfolio.positions(), ctx.portfolio.cash, ctx.openOrders()], h);
  return h;
}

function perturbAfter(p: Panel, day: number, seed: number): Panel {
  const rnd = mulberry32(seed);
  const N = p.codes.length;
  const copy = <T extends Float64Array | Uint8Array>(a: T, f: (x: number) => number): T => {
    const c = a.slice() as T;
    for (let k = (day + 1) * N; k < c.length; k++) c[k] = f(c[k]);
    return c;
  };
  const m = (x: number) => x * (0.9 + 0.2 * rnd());
  return {
    ...p,
    open: copy(p.open, m), high: copy(p.high, m), low: copy(p.low, m), close: copy(p.close, m), preClose: copy(p.preClose, m),
    volume: copy(p.volume, m), amount: copy(p.amount, m), adjFactor: copy(p.adjFactor, m), upLimit: copy(p.upLimit, () => 99),
    downLimit: copy(p.downLimit, () => 1), suspended: copy(p.suspended, () => 0), st: copy(p.st, () => 1),
    fields: Object.fromEntries(Object.entries(p.fields).map(([k, v]) => [k, copy(v, m)])),
  };
}

function prints(panel: Panel): number[] {
  const out: number[] = [];
  const strategy = defineStrategy<Record<string, unknown>>({
    name: 'peek',
    params: { parse: () => ({}) },
    onDay(ctx) {
      out.push(fingerprint(ctx));
      // Trade a little so the portfolio is part of what is compared.
      if (ctx.dayNumber % 7 === 1) ctx.orderTargetPercent(ctx.dayNumber % ctx.codes.length, 0.2);
    },
  });
  runBacktestSync({ panel, strategy });
  return out;
}

describe('no look-ahead', () => {
  it('a strategy sees the same world up to day K whatever happens after K', () => {
    const { panel } = syntheticPanel({ stocks: 8, days: D, seed: 3, fields: true });
    const a = prints(panel);
    const b = prints(perturbAfter(panel, K, 99));
    expect(a.length).toBe(D);
    expect(b.slice(0, K + 1)).toEqual(a.slice(0, K + 1));
    expect(b[K + 1]).not.toEqual(a[K + 1]);
  });
});
