// Same inputs, same results, to the bit: the built-ins and a probe strategy that reads every view of
// the context and places every kind of order, on a synthetic market given delistings, a bonus issue,
// ST days and data limit prices, under three configurations. Each result is hashed (typed arrays by
// their bytes, the rest as JSON; a skipped day's stack only by its first line, since it names engine
// source lines). The expected hashes were recorded from the engine as one 1,000-line file (as at
// commit 58f4a94), before it was split into rooms — book, fill, corporate actions, limits, the
// strategy's views and orders, the record, and the day loop (issue 19) — so the split is shown to
// change nothing a backtest returns or a strategy sees.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OrderLimitError, runBacktestSync } from '../../src/engine/engine.ts';
import { defineStrategy } from '../../src/engine/strategy.ts';
import type { StrategyContext } from '../../src/engine/context.ts';
import type { BacktestConfig, BacktestResult, Order } from '../../src/engine/types.ts';
import type { Panel } from '../../src/engine/panel.ts';
import { builtinStrategies } from '../../src/engine/builtins/registry.ts';
import { syntheticPanel } from './synthetic-panel.ts';

function hashResult(r: BacktestResult): string {
  const skipped = r.skippedDays.map((s) => ({ ...s, stack: s.stack.split('\n')[0] }));
  const json = JSON.stringify({ ...r, skippedDays: skipped }, (_k, v: unknown) =>
    ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v,
  );
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

const { panel, benchmark } = syntheticPanel({ stocks: 60, days: 300, seed: 7, fields: true });

/** The synthetic market with what it lacks: a delisting, a bonus issue (10送5), ST days, the data's own limits. */
function eventfulPanel(): Panel {
  const base = syntheticPanel({ stocks: 40, days: 220, seed: 11, fields: true }).panel;
  const N = base.codes.length;
  const D = base.dates.length;
  const p = { ...base, listed: base.listed.slice(), st: base.st.slice(), adjFactor: base.adjFactor.slice(), upLimit: base.upLimit.slice(), downLimit: base.downLimit.slice() };
  for (let d = 0; d < D; d++) {
    const k = d * N;
    if (d >= 150) p.listed[k + 3] = 0; // stock 3 delists on day 150 (its bars stay: the engine checks `listed` first)
    if (d >= 90) p.listed[k + 8] = 0;
    if (d >= 80) p.adjFactor[k + 5] *= 1.5; // stock 5: 10送5 on day 80
    if (d >= 60) p.adjFactor[k + 9] *= 1.23; // stock 9: 10送2 plus cash
    if (d >= 50 && d < 120) p.st[k + 6] = 1;
    if (d >= 40 && d < 100) p.st[k + 7] = 1;
    const pc = base.preClose[k + 10];
    if (pc === pc) {
      p.upLimit[k + 10] = Math.round(pc * 101.5) / 100; // tight data limits: locked often
      p.downLimit[k + 10] = Math.round(pc * 98.5) / 100;
    }
  }
  return p;
}

/** FNV-1a of a string: the probe folds what it sees into one number a day, inside the log limits. */
const fnv = (h: number, s: string) => {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
};
const finite = (a: ArrayLike<number>) => {
  let x = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    x += v === v ? (Number.isFinite(v) ? v * ((i % 7) + 1) : 1e6 * ((i % 3) + 1)) : 0.5;
  }
  return x;
};

/** Reads every view the context offers and places every kind of order, logging what it saw. */
const probe = (throwEvery = 0) =>
  defineStrategy<Record<string, unknown>>({
    name: 'probe',
    params: { parse: () => ({}) },
    init(ctx) {
      ctx.state.cancelled = 0;
      ctx.state.h = 2166136261;
      ctx.log('init', ctx.date, ctx.codes.length, ctx.indexOf(ctx.codes[2]), ctx.indexOf('nope'));
    },
    onDay(ctx: StrategyContext) {
      const d = ctx.dayNumber;
      const N = ctx.codes.length;
      if (throwEvery > 0 && d % throwEvery === 0) {
        ctx.order(d % N, 100);
        throw new Error(`day ${d} fails`);
      }
      const b = ctx.bars;
      const seen = [
        finite(b.open), finite(b.high), finite(b.low), finite(b.close), finite(b.preClose), finite(b.volume), finite(b.amount),
        finite(b.adjFactor), finite(b.upLimit), finite(b.downLimit), finite(b.tradable), finite(b.st), finite(b.close), finite(ctx.adjClose),
        finite(ctx.history('adjClose', 3)), finite(ctx.history('upLimit', 2)), finite(ctx.history('open', 4)),
        finite(ctx.series('high', d % N, 4)), finite(ctx.series('adjClose', ctx.codes[(d * 7) % N], 3)),
        finite(ctx.sma(3)), finite(ctx.sma(3, 1)), finite(ctx.ema(4)), finite(ctx.std(6, 1)),
        finite(ctx.field('pe_ttm')), finite(ctx.field('nope')),
      ];
      if (d >= 10) seen.push(finite(ctx.rsi(5)), finite(ctx.momentum(7, 1)), finite(ctx.bollinger(8, 2).upper), finite(ctx.bollinger(8, 2, 1).lower));
      if (d >= 25) seen.push(finite(ctx.sma(12)), finite(ctx.rank(ctx.adjClose, d % 2 === 0)));
      const crossed = ctx.crossedAbove(ctx.sma(3), ctx.ema(4), ctx.sma(3, 1), ctx.ema(4, 1));
      const crossedDown = ctx.crossedBelow(ctx.sma(3), 10, ctx.sma(3, 1), 10);
      seen.push(finite(crossed), finite(crossedDown), +ctx.crossedAbove(1, 2, 0, 3), +ctx.above(1, 1 + 1e-14), +ctx.below(1, 2));
      const pf = ctx.portfolio;
      seen.push(pf.cash, pf.value, pf.marketValue, pf.count, finite(pf.shares()), finite(pf.sellable()), pf.sharesOf(d % N));
      const positions = pf.positions();
      const pos = pf.position(ctx.codes[(d * 3) % N]);
      const h = fnv(ctx.state.h as number, `${seen.map((v) => v.toPrecision(15)).join(',')} ${JSON.stringify(positions)} ${JSON.stringify(pos)} ${ctx.openOrders().length}`);
      ctx.log('day', d, h);

      const close = b.close;
      if (d % 5 === 1) {
        const weights: Record<string, number> = {};
        const r = ctx.rank(ctx.momentum(7), true);
        for (let i = 0; i < N; i++) if (r[i] <= 6) weights[ctx.codes[i]] = 0.15;
        ctx.rebalance(weights);
      }
      if (d % 7 === 3) {
        const i = (d * 5) % N;
        ctx.order(i, 150);
        ctx.order(ctx.codes[(i + 1) % N], 330, close[(i + 1) % N] > 0 ? { limitPrice: close[(i + 1) % N] * 0.99 } : undefined);
        ctx.orderValue((i + 2) % N, 25_000);
        for (const p of positions.slice(0, 2)) ctx.order(p.index, -Math.round(p.shares / 3), { limitPrice: p.price * 1.01 });
      }
      if (d % 11 === 0) {
        const id = ctx.orderTargetValue((d * 13) % N, 40_000);
        if (d % 22 === 0) ctx.state.cancelled = (ctx.state.cancelled as number) + +ctx.cancel(id);
        ctx.orderTarget((d * 17) % N, 300);
        ctx.cancel(999_999);
      }
      if (d % 13 === 6) for (const p of positions) if (p.sellable > 0 && p.index % 4 === 0) ctx.orderTarget(p.index, 0);
      if (d % 17 === 0) ctx.orderTargetPercent(3, 0.1); // the stock that delists
      if (d % 3 === 0) ctx.orderTargetPercent(10, 0.05, d % 6 === 0 ? { limitPrice: close[10] * 1.01 } : undefined);
      if (d % 3 === 1 && pf.sellable()[10] > 0) ctx.orderTarget(10, 0);
      if (d === 87 || d === 88 || d === 147 || d === 148) ctx.orderTarget(d > 100 ? 3 : 8, 1000); // held when they delist
      if (d % 19 === 0) {
        ctx.orderTargetPercent(5, 0.08);
        ctx.orderTargetPercent(9, 0.08);
        ctx.orderTargetPercent(10, 0.05);
        ctx.order(6, 1000);
      }
      ctx.state.h = fnv(h, JSON.stringify(ctx.openOrders()));
      if (d % 10 === 0) ctx.log({ d, cancelled: ctx.state.cancelled }, [1, 2], 'x');
    },
    onOrder(ctx, o: Readonly<Order>) {
      ctx.state.h = fnv(ctx.state.h as number, JSON.stringify(o));
    },
  });

const eventful = eventfulPanel();
const tight: Partial<BacktestConfig> = {
  fillTiming: 'same_close', slippageBps: 7, volumeCap: 0.00005, stampDuty: 0.001, transferFee: 0.00002, delisting: 'zero',
  suspendedOrders: 'wait', initialCash: 2_000_000, commissionRate: 0.00025, minCommission: 1,
};

/** Recorded from the engine before the split (see the header); a change here is a change in results. */
const expected: Record<string, string> = {
  "builtin simple_ma": 'f1c53be2818ce7d3',
  "builtin simple_ma same_close tight": 'b1845a8ad93ae569',
  "builtin dual_ma": '11626d845710a51e',
  "builtin dual_ma same_close tight": '97b050daa7b64c9a',
  "builtin momentum": 'a4d7896e6a0f0719',
  "builtin momentum same_close tight": 'faefd2784caf52dc',
  "builtin mean_reversion": 'defd9026c6d64eaf',
  "builtin mean_reversion same_close tight": '55e98e3b5be9edac',
  "builtin bollinger": 'defd9026c6d64eaf',
  "builtin bollinger same_close tight": '55e98e3b5be9edac',
  "builtin rsi": 'de8c9fc97767f71e',
  "builtin rsi same_close tight": '43c0c4d4c93da0ef',
  "builtin grid": 'e3a7bad503da02ea',
  "builtin grid same_close tight": '400fea03c5016680',
  "builtin pe_pb_value": '42e5b2d6ec178d38',
  "builtin pe_pb_value same_close tight": '3d38178482185d21',
  "builtin turnover_rate": '8591a51cf9a43b8f',
  "builtin turnover_rate same_close tight": '952a261b2c8307b2',
  "builtin factor_rank": 'ca0528e34c784d47',
  "builtin factor_rank same_close tight": '3798290ba7191595',
  "momentum full book": '70a27aee3380e9e5',
  "probe default": 'f312704508c6274b',
  "probe tight, dated window": '85a188e961d0dcf6',
  "probe last_price delisting, waiting orders, skip_day errors, no snapshots": '4cb57b5895292ff9',
};

describe('results are identical for the same inputs', () => {
  const cases: [string, () => BacktestResult][] = [];
  for (const [name, strategy] of Object.entries(builtinStrategies)) {
    cases.push([`builtin ${name}`, () => runBacktestSync({ panel, benchmark, strategy })]);
    cases.push([`builtin ${name} same_close tight`, () => runBacktestSync({ panel: eventful, strategy, config: tight })]);
  }
  cases.push(['momentum full book', () => runBacktestSync({ panel, benchmark, strategy: builtinStrategies.momentum, params: { lookback: 10, top_n: 20, rebalance_days: 1 } })]);
  cases.push(['probe default', () => runBacktestSync({ panel: eventful, strategy: probe() })]);
  cases.push(['probe tight, dated window', () => runBacktestSync({ panel: eventful, strategy: probe(), config: { ...tight, startDate: eventful.dates[30], endDate: eventful.dates[200] } })]);
  cases.push(['probe last_price delisting, waiting orders, skip_day errors, no snapshots', () =>
    runBacktestSync({ panel: eventful, strategy: probe(9), config: { suspendedOrders: 'wait', onError: 'skip_day', keepSnapshots: false, slippageBps: 3, volumeCap: 0.0001 } })]);
  for (const [name, run] of cases) {
    it(name, () => {
      const h = hashResult(run());
      if (process.env.RECORD_IDENTITY) console.log(`  ${JSON.stringify(name)}: '${h}',`);
      else expect(h).toBe(expected[name]);
    });
  }

  it('an order limit ends the run the same way', () => {
    let err: unknown;
    try {
      runBacktestSync({ panel: eventful, strategy: probe(), config: { maxOrdersPerDay: 5 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OrderLimitError);
    expect((err as Error).message).toBe('the strategy placed more than 5 orders on 2014-01-16');
  });
});
