// The order functions: targets resolve at fill time, rebalance sells before it buys, limit orders,
// cancel, onOrder callbacks, and the round trips and snapshots they leave.
import { describe, expect, it } from 'vitest';
import { OrderLimitError, parseOrderLimit, runBacktestSync } from '../../src/engine/engine.ts';
import { defineStrategy } from '../../src/engine/strategy.ts';
import type { StrategyContext } from '../../src/engine/context.ts';
import type { Order } from '../../src/engine/types.ts';
import { makePanel, tradingDates, type StockSpec } from './panel-builder.ts';

const days = tradingDates('2022-05-09', 6);
const flat = (v: number) => days.map(() => v);

function run(steps: Record<number, (ctx: StrategyContext) => void>, onOrder?: (o: Readonly<Order>) => void, stocks: StockSpec[] = [{ code: '600000.SH', close: flat(10) }, { code: '600001.SH', close: flat(20) }]) {
  return runBacktestSync({
    panel: makePanel(days, stocks),
    strategy: defineStrategy<Record<string, unknown>>({ name: 's', params: { parse: () => ({}) }, onDay: (c) => steps[c.dayNumber]?.(c), onOrder: onOrder && ((_, o) => onOrder(o)) }),
    config: { initialCash: 100_000 },
  });
}

describe('order functions', () => {
  it('orderTargetPercent and orderTargetValue size at the fill price against portfolio value', () => {
    const r = run({ 1: (c) => { c.orderTargetPercent('600000.SH', 0.5); c.orderTargetValue('600001.SH', 20_000); } });
    // 50% of 100,000 at 10 → 5,000 shares; 20,000 at 20 → 1,000 shares.
    expect(r.fills.map((f) => [f.code, f.shares])).toEqual([['600000.SH', 5000], ['600001.SH', 1000]]);
  });

  it('rebalance places sells before buys so the sale pays for the purchase', () => {
    const r = run({
      1: (c) => c.orderTargetPercent('600000.SH', 0.95),
      2: (c) => c.rebalance({ '600001.SH': 0.9 }),
    });
    const day3 = r.fills.filter((f) => f.date === days[2]).map((f) => [f.code, f.side]);
    expect(day3).toEqual([['600000.SH', 'sell'], ['600001.SH', 'buy']]);
    expect(r.orders.every((o) => o.status === 'filled')).toBe(true);
  });

  it('a limit buy fills at its limit when the bar trades through it, else expires', () => {
    const r = run({ 1: (c) => { c.order('600000.SH', 100, { limitPrice: 9.5 }); c.order('600001.SH', 100, { limitPrice: 18 }); } }, undefined, [
      { code: '600000.SH', close: flat(10), low: flat(9.4), open: flat(10) },
      { code: '600001.SH', close: flat(20), low: flat(19), open: flat(20) },
    ]);
    expect(r.orders.map((o) => [o.status, o.reason, o.avgPrice])).toEqual([['filled', null, 9.5], ['expired', 'limit_not_reached', 0]]);
    expect(r.fills[0].priceBasis).toBe('limit');
  });

  it('cancel stops a pending order; onOrder hears every fill and ending', () => {
    const heard: string[] = [];
    const r = run({
      1: (c) => {
        const id = c.order('600000.SH', 100);
        c.order('600001.SH', 100);
        expect(c.openOrders().map((o) => o.id)).toEqual([id, id + 1]);
        expect(c.cancel(id)).toBe(true);
        expect(c.cancel(id)).toBe(false);
      },
      2: (c) => c.order('600001.SH', -1000),
    }, (o) => heard.push(`${o.id}:${o.status}:${o.reason ?? ''}`));
    expect(r.orders.map((o) => o.status)).toEqual(['cancelled', 'filled', 'partially_filled']);
    expect(heard).toEqual(['2:filled:', '3:partially_filled:insufficient_position']);
  });

  it('leaves round trips with pnl net of fees, and compact daily snapshots', () => {
    const r = run({ 1: (c) => c.order('600000.SH', 1000), 3: (c) => c.orderTarget('600000.SH', 0) }, undefined, [{ code: '600000.SH', close: [10, 10, 11, 12, 12, 12] }]);
    // Buy 1,000 at 10 (day 2 open = close 10): fees 5 + 0.10. Sell at day 4 open 12: value 12,000,
    // fees 5 + 12 (stamp 0.1%) + 0.12. Pnl = 12,000 − 10,000 − 5.10 − 17.12 = 1,977.78.
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ code: '600000.SH', entryDate: days[1], exitDate: days[3], holdingDays: 2, boughtShares: 1000, avgEntryPrice: 10, avgExitPrice: 12 });
    expect(r.trades[0].pnl).toBeCloseTo(1977.78, 6);
    const o = r.snapshots.offsets;
    expect([o[1] - o[0], o[2] - o[1], o[3] - o[2], o[4] - o[3]]).toEqual([0, 1, 1, 0]);
    expect(r.snapshots.value[o[2]]).toBe(11_000);
  });

  it('rejects unknown codes and bad amounts with a message the author can act on', () => {
    expect(() => run({ 1: (c) => c.order('999999.SH', 100) })).toThrow(/unknown stock 999999.SH/);
    expect(() => run({ 1: (c) => c.order('600000.SH', NaN) })).toThrow(/finite number/);
  });
});

describe('order bounds', () => {
  const flood = (perDay: number, config: { maxOrders: number; maxOrdersPerDay: number; onError?: 'fail' | 'skip_day' }, swallow = false) =>
    runBacktestSync({
      panel: makePanel(days, [{ code: '600000.SH', close: flat(10) }]),
      strategy: defineStrategy<Record<string, unknown>>({
        name: 'flood', params: { parse: () => ({}) },
        onDay: (c) => {
          try {
            for (let k = 0; k < perDay; k++) c.order('600000.SH', 100, { limitPrice: 1 });
          } catch (err) {
            if (!swallow) throw err;
          }
        },
      }),
      config: { initialCash: 100_000, ...config },
    });

  it('fails the run past maxOrders, naming the limit and the day, whatever onError says', () => {
    // 4 a day: the 11th order is placed on the third day.
    const err = (() => { try { flood(4, { maxOrders: 10, maxOrdersPerDay: 100, onError: 'skip_day' }); } catch (e) { return e; } })() as OrderLimitError;
    expect(err).toBeInstanceOf(OrderLimitError);
    expect(err.scope).toBe('run');
    expect(err.date).toBe(days[2]);
    expect(err.message).toBe(`the strategy placed more than 10 orders in this backtest (by 2022-05-11)`);
    // What crosses the sandbox boundary is "name: message"; it parses back.
    expect(parseOrderLimit(`${err.name}: ${err.message}`)).toEqual({ scope: 'run', limit: 10, message: err.message });
  });

  it('fails past maxOrdersPerDay even when the strategy catches the error; under both bounds nothing changes', () => {
    expect(() => flood(6, { maxOrders: 1000, maxOrdersPerDay: 5 }, true)).toThrow('the strategy placed more than 5 orders on 2022-05-09');
    expect(parseOrderLimit('OrderLimitError: the strategy placed more than 5 orders on 2022-05-09')).toMatchObject({ scope: 'day', limit: 5 });
    expect(parseOrderLimit('Error: the strategy placed more than 5 orders on 2022-05-09')).toBeNull();
    expect(flood(5, { maxOrders: 30, maxOrdersPerDay: 5 }).orders.length).toBe(30);
  });
});
