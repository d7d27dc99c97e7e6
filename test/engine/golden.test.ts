// One golden scenario per A-share rule. Every expected number is computed by hand in the comment
// beside it from the defaults: commission 0.03% with a 5 CNY minimum, fills at the next day's open,
// and the dated schedules, whose sources are cited in src/engine/rules.ts:
// - transfer fee (过户费) both sides: 0.002% of value from 2015-08-01 to 2022-04-28 (中国结算, July
//   2015), 0.001% from 2022-04-29 (中国结算, April 2022); before 2015-08-01 Shanghai 0.0006 CNY per
//   share (from 2012-09-01), Shenzhen none. Most scenarios here trade in March 2021, so they pay
//   0.002%: until the schedule was dated the engine charged 0.001% on every date, and the numbers
//   below that changed (×2 transfer fee) changed because of that correction;
// - stamp duty on sells 0.1% from 2008-09-19, 0.05% from 2023-08-28 (财政部 税务总局公告2023年第39号).
import { describe, expect, it } from 'vitest';
import { runBacktestSync } from '../../src/engine/engine.ts';
import { defineStrategy } from '../../src/engine/strategy.ts';
import type { StrategyContext } from '../../src/engine/context.ts';
import type { BacktestConfig } from '../../src/engine/types.ts';
import { makePanel, tradingDates, type StockSpec } from './panel-builder.ts';

type Step = (ctx: StrategyContext) => void;
function script(steps: Record<number, Step>) {
  return defineStrategy<Record<string, unknown>>({
    name: 'script',
    params: { parse: () => ({}) },
    onDay(ctx) {
      steps[ctx.dayNumber]?.(ctx);
    },
  });
}
function run(dates: number[], stocks: StockSpec[], steps: Record<number, Step>, config: Partial<BacktestConfig> = {}) {
  return runBacktestSync({ panel: makePanel(dates, stocks), strategy: script(steps), config: { initialCash: 100_000, ...config } });
}
const flat = (v: number, n: number) => Array.from({ length: n }, () => v);
const days5 = tradingDates('2021-03-01', 5);

describe('lot rounding', () => {
  it('rounds a value order down to whole lots of 100 and charges the 5 CNY minimum', () => {
    const r = run(days5, [{ code: '600000.SH', close: flat(10, 5) }], { 1: (c) => c.orderValue('600000.SH', 15_550) });
    // 15,550 / 10 = 1,555 shares → 1,500 (15 lots). Value 15,000; commission max(4.5, 5) = 5;
    // transfer fee (2021: 0.002%) 15,000 × 0.00002 = 0.30. Cash 100,000 − 15,005.30 = 84,994.70.
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]).toMatchObject({ shares: 1500, price: 10, commission: 5, stampDuty: 0, side: 'buy', date: days5[1] });
    expect(r.fills[0].transferFee).toBeCloseTo(0.3, 10);
    expect(r.orders[0]).toMatchObject({ status: 'filled', reason: null });
    expect(r.cash[4]).toBeCloseTo(84_994.7, 6);
    expect(r.total[4]).toBeCloseTo(84_994.7 + 15_000, 6);
  });

  it('an explicit odd share count fills the whole lots and says lot_size; STAR needs 200 then steps of 1', () => {
    const r = run(days5, [{ code: '600000.SH', close: flat(10, 5) }, { code: '688001.SH', close: flat(10, 5) }], {
      1: (c) => {
        c.order('600000.SH', 150); // → 100 shares, partially filled (lot_size)
        c.order('688001.SH', 150); // STAR below 200 → rejected
        c.order('688001.SH', 251); // STAR ≥ 200 in steps of 1 → 251
      },
    });
    expect(r.orders.map((o) => [o.status, o.reason, o.filledShares])).toEqual([
      ['partially_filled', 'lot_size', 100],
      ['rejected', 'lot_size', 0],
      ['filled', null, 251],
    ]);
  });
});

describe('T+1', () => {
  it('shares bought today cannot be sold today; they can the next day', () => {
    const r = run(days5, [{ code: '600000.SH', close: flat(10, 5) }], {
      1: (c) => {
        c.order('600000.SH', 1000);
        c.order('600000.SH', -1000); // fills on day 2 right after the buy: T+1 blocks it
      },
      2: (c) => {
        expect(c.portfolio.position('600000.SH')?.sellable).toBe(0);
        c.order('600000.SH', -1000); // fills on day 3: allowed
      },
    });
    expect(r.orders.map((o) => [o.status, o.reason, o.doneDate])).toEqual([
      ['filled', null, days5[1]],
      ['rejected', 't1_locked', days5[1]],
      ['filled', null, days5[2]],
    ]);
  });
});

describe('price limits', () => {
  it('a buy at a sealed up-limit open is blocked; one tick below fills; a sell at the down-limit is blocked', () => {
    // preClose 10.00 on day 2 → main-board limits 11.00 / 9.00 (±10%, rounded to 0.01).
    const r = run(days5, [
      { code: '600000.SH', close: [10, 11, 11, 11, 11], open: [10, 11, 11, 11, 11] },
      { code: '600001.SH', close: [10, 10.99, 10.99, 10.99, 10.99], open: [10, 10.99, 10.99, 10.99, 10.99] },
      { code: '600002.SH', close: [10, 9, 9, 9, 9], open: [10, 9, 9, 9, 9] },
    ], {
      1: (c) => {
        c.order('600000.SH', 100);
        c.order('600001.SH', 100);
      },
    });
    expect(r.orders.map((o) => [o.code, o.status, o.reason])).toEqual([
      ['600000.SH', 'expired', 'limit_up_locked'],
      ['600001.SH', 'filled', null],
    ]);
    // The sell side: buy on day 1 at 10, then the stock opens at its down-limit 9.00 on day 3.
    const s = run(days5, [{ code: '600002.SH', close: [10, 10, 9, 9.5, 9.5], open: [10, 10, 9, 9.5, 9.5] }], {
      1: (c) => c.order('600002.SH', 100),
      2: (c) => c.order('600002.SH', -100), // day 3 opens at 9.00 = 10.00 × 0.9: locked
      3: (c) => c.order('600002.SH', -100), // day 4 opens at 9.50 (limit 8.10): fills
    });
    expect(s.orders.map((o) => [o.status, o.reason])).toEqual([['filled', null], ['expired', 'limit_down_locked'], ['filled', null]]);
  });

  it('uses the data limit when given, ST ±5%, ChiNext ±20% after 2020-08-24, Beijing ±30%', () => {
    const dates = tradingDates('2020-09-01', 3);
    const r = run(dates, [
      // Main-board ST ±5% (until 2025-07-04): 10.00 × 1.05 = 10.50 → locked.
      { code: '600003.SH', close: [10, 10.5, 10.5], open: [10, 10.5, 10.5], st: [1, 1, 1] },
      // ChiNext ±20% from 2020-08-24 (创业板交易特别规定): 10.00 × 1.2 = 12.00 → fills at 11.50.
      { code: '300001.SZ', close: [10, 11.5, 11.5], open: [10, 11.5, 11.5] },
      // Beijing ±30% (北京证券交易所交易规则): 10.00 × 1.3 = 13.00 → fills at 12.90.
      { code: '830001.BJ', close: [10, 12.9, 12.9], open: [10, 12.9, 12.9] },
      { code: '600004.SH', close: [10, 10.5, 10.5], open: [10, 10.5, 10.5], upLimit: [NaN, 10.5, NaN] }, // data says 10.50 → locked
    ], { 1: (c) => { for (const code of c.codes) c.order(code, 100); } });
    expect(r.orders.map((o) => [o.code, o.status, o.reason])).toEqual([
      ['600003.SH', 'expired', 'limit_up_locked'],
      ['300001.SZ', 'filled', null],
      ['830001.BJ', 'filled', null],
      ['600004.SH', 'expired', 'limit_up_locked'],
    ]);
  });
});

describe('suspension', () => {
  const stock = { code: '600000.SH', close: [10, NaN, 12, 12, 12], open: [10, NaN, 10.5, 12, 12] };
  it('expires orders on a suspended day by default, and values a held stock at its last price', () => {
    const r = run(days5, [{ code: '600000.SH', close: [10, 10, NaN, NaN, 12] }], { 1: (c) => c.order('600000.SH', 100), 2: (c) => c.order('600000.SH', -100) });
    expect(r.orders.map((o) => [o.status, o.reason])).toEqual([['filled', null], ['expired', 'suspended']]);
    // Bought 100 at 10 (fees 5 + 1,000 × 0.00002 = 0.02): total on suspended days = 100,000 − 5.02 (shares valued at 10).
    expect(r.total[2]).toBeCloseTo(99_994.98, 6);
    expect(r.total[3]).toBeCloseTo(99_994.98, 6);
    // Day 5 resumes at 12: + 100 × 2.
    expect(r.total[4]).toBeCloseTo(100_194.98, 6);
  });
  it('with suspendedOrders "wait" the order waits and fills at the first open after', () => {
    const r = run(days5, [stock], { 1: (c) => c.order('600000.SH', 100) }, { suspendedOrders: 'wait' });
    expect(r.orders[0]).toMatchObject({ status: 'filled', doneDate: days5[2], avgPrice: 10.5 });
  });
});

describe('costs', () => {
  it('minimum commission applies below 16,667 CNY; above it the rate', () => {
    const r = run(days5, [{ code: '600000.SH', close: flat(10, 5) }], { 1: (c) => { c.order('600000.SH', 100); c.order('600000.SH', 5000); } }, { initialCash: 1_000_000 });
    expect(r.fills[0].commission).toBe(5); // 1,000 × 0.0003 = 0.30 → 5
    expect(r.fills[1].commission).toBeCloseTo(15, 10); // 50,000 × 0.0003 = 15
  });

  it('stamp duty is 0.1% on sells before 2023-08-28 and 0.05% from that day; none on buys', () => {
    const dates = [20230823, 20230824, 20230825, 20230828, 20230829];
    const r = run(dates, [{ code: '600000.SH', close: flat(10, 5) }], {
      1: (c) => c.order('600000.SH', 2000),
      2: (c) => c.order('600000.SH', -1000), // fills 2023-08-25: 10,000 × 0.001 = 10
      3: (c) => c.order('600000.SH', -1000), // fills 2023-08-28: 10,000 × 0.0005 = 5
    });
    expect(r.fills.map((f) => [f.date, f.side, f.stampDuty])).toEqual([
      [20230824, 'buy', 0],
      [20230825, 'sell', 10],
      [20230828, 'sell', 5],
    ]);
  });

  it('transfer fee is 0.002% of value on both sides in 2021; slippage moves the price, not a fee', () => {
    const r = run(days5, [{ code: '600000.SH', close: flat(10, 5), high: flat(11, 5), low: flat(9, 5) }], {
      1: (c) => c.order('600000.SH', 10_000),
      2: (c) => c.order('600000.SH', -10_000),
    }, { initialCash: 1_000_000, slippageBps: 10 });
    // Buy at 10 × 1.001 = 10.01: value 100,100, transfer 100,100 × 0.00002 = 2.002; sell at 10 × 0.999 = 9.99:
    // value 99,900, transfer 1.998.
    expect(r.fills[0].price).toBeCloseTo(10.01, 10);
    expect(r.fills[0].transferFee).toBeCloseTo(2.002, 10);
    expect(r.fills[1].price).toBeCloseTo(9.99, 10);
    expect(r.fills[1].transferFee).toBeCloseTo(1.998, 10);
    // Round trip: −100,100 − 30.03 − 2.002 + 99,900 − 29.97 − 99.9 (stamp 0.1%) − 1.998 = −363.90
    expect(r.trades[0].pnl).toBeCloseTo(-363.9, 6);
    expect(r.total[4]).toBeCloseTo(1_000_000 - 363.9, 6);
  });
});

describe('corporate actions from the adj factor', () => {
  it('a cash dividend: factor 1 → 1.02 pays 1,000 × (10 − 10/1.02) = 196.08 and NAV stays continuous', () => {
    const r = run(days5, [{ code: '600000.SH', close: [10, 10, 10, 9.80392156862745, 9.80392156862745], open: [10, 10, 10, 9.80392156862745, 9.80392156862745], adjFactor: [1, 1, 1, 1.02, 1.02] }], {
      1: (c) => c.order('600000.SH', 1000),
    });
    expect(r.corporateActions).toHaveLength(1);
    expect(r.corporateActions[0]).toMatchObject({ sharesBefore: 1000, sharesAfter: 1000, date: days5[3] });
    expect(r.corporateActions[0].cash).toBeCloseTo(1000 * (10 - 10 / 1.02), 6); // 196.0784
    // Ex-date closes at the reference price: NAV unchanged from the day before.
    expect(r.total[3]).toBeCloseTo(r.total[2], 6);
  });

  it('10-for-10 bonus shares (factor × 2) double the position at half the price; 10送5派2 splits into shares and cash', () => {
    const r = run(days5, [
      { code: '600000.SH', close: [10, 10, 10, 5, 5], adjFactor: [1, 1, 1, 2, 2] },
      // Last close 10.20; ex price (10.20 − 0.20)/1.5 = 6.6667; factor ratio 10.2/6.6667 = 1.53.
      { code: '600001.SH', close: [10.2, 10.2, 10.2, 10 / 1.5, 10 / 1.5], adjFactor: [1, 1, 1, 1.53, 1.53] },
    ], { 1: (c) => { c.order('600000.SH', 1000); c.order('600001.SH', 1000); } });
    const [split, mixed] = [...r.corporateActions].sort((a, b) => a.code.localeCompare(b.code));
    expect(split).toMatchObject({ code: '600000.SH', sharesBefore: 1000, sharesAfter: 2000 });
    expect(split.cash).toBeCloseTo(0, 9);
    // s = floor(10 × 0.53)/10 = 0.5 → 1,500 shares; cash = 1,000 × 10.20 − 1,500 × 6.6667 = 200 (0.20 per share).
    expect(mixed).toMatchObject({ code: '600001.SH', sharesBefore: 1000, sharesAfter: 1500 });
    expect(mixed.cash).toBeCloseTo(200, 6);
    expect(r.total[3]).toBeCloseTo(r.total[2], 6);
    // The round trip is still open; the snapshot of the last day shows the new share counts.
    const o = r.snapshots.offsets;
    expect(Array.from(r.snapshots.shares.slice(o[4], o[5])).sort()).toEqual([1500, 2000]);
  });
});

describe('cash constraint and volume cap', () => {
  it('buys only what the cash pays for, fees included', () => {
    // 1,000 × 10 = 10,000 + 5 + 0.20 (0.002%) > 10,000 → 900 shares: 9,000 + 5 + 0.18 = 9,005.18.
    const r = run(days5, [{ code: '600000.SH', close: flat(10, 5) }], { 1: (c) => c.order('600000.SH', 1000) }, { initialCash: 10_000 });
    expect(r.orders[0]).toMatchObject({ status: 'partially_filled', reason: 'insufficient_cash', filledShares: 900 });
    expect(r.cash[4]).toBeCloseTo(10_000 - 9_005.18, 6);
  });
  it('caps a stock\'s fills at a share of the bar volume, in lots', () => {
    // Volume 5,000 × 10% = 500 shares.
    const r = run(days5, [{ code: '600000.SH', close: flat(10, 5), volume: flat(5000, 5) }], { 1: (c) => c.order('600000.SH', 1000) }, { volumeCap: 0.1 });
    expect(r.orders[0]).toMatchObject({ status: 'partially_filled', reason: 'volume_cap', filledShares: 500 });
  });
});

describe('listing and delisting', () => {
  it('rejects orders before listing, settles a delisted position at its last price', () => {
    const r = run(days5, [
      { code: '600000.SH', close: [10, 10, 8, NaN, NaN], listed: [1, 1, 1, 0, 0] },
      { code: '600009.SH', close: [NaN, NaN, 10, 10, 10], listed: [0, 0, 1, 1, 1] },
    ], {
      1: (c) => { c.order('600000.SH', 1000); c.order('600009.SH', 100); },
      4: (c) => c.order('600000.SH', -1000),
    });
    expect(r.orders.map((o) => [o.code, o.status, o.reason])).toEqual([
      ['600000.SH', 'filled', null],
      ['600009.SH', 'rejected', 'not_listed'],
      ['600000.SH', 'rejected', 'not_listed'],
    ]);
    // Settled on day 4 at the last close 8: 1,000 × 8 = 8,000 in cash; loss 2,000 + fees 5 + 10,000 × 0.00002 = 5.2.
    const settle = r.fills.find((f) => f.priceBasis === 'delisting')!;
    expect(settle).toMatchObject({ date: days5[3], shares: 1000, price: 8, value: 8000 });
    expect(r.total[4]).toBeCloseTo(100_000 - 2000 - 5.2, 6);
    expect(r.trades[0].pnl).toBeCloseTo(-2005.2, 6);
  });
});

describe('same-day close fills', () => {
  it('are chosen explicitly and labelled', () => {
    const r = run(days5, [{ code: '600000.SH', close: [10, 11, 12, 13, 14], open: [9, 10, 11, 12, 13] }], { 1: (c) => c.order('600000.SH', 100) }, { fillTiming: 'same_close' });
    expect(r.fills[0]).toMatchObject({ date: days5[0], price: 10, priceBasis: 'close' });
    expect(r.fillTimingLabel).toContain('same day');
  });
});

// Each dated rule on the last trading day before its change and the first day of it (sources in
// src/engine/rules.ts). Orders placed on one day fill at the next day's open; open = close.
describe('dated rules at their boundaries', () => {
  const fees = (r: ReturnType<typeof run>) => r.fills.map((f) => [f.date, f.code, f.side, f.stampDuty, Number(f.transferFee.toFixed(6))]);

  it('transfer fee 2015-07-31 → 2015-08-03: Shanghai per share (0.6 CNY / 1,000 shares), Shenzhen none → 0.002% of value on both', () => {
    const dates = [20150730, 20150731, 20150803, 20150804];
    const r = run(dates, [{ code: '600000.SH', close: flat(10, 4) }, { code: '000001.SZ', close: flat(10, 4) }], {
      1: (c) => { c.order('600000.SH', 10_000); c.order('000001.SZ', 10_000); },
      2: (c) => { c.order('600000.SH', 10_000); c.order('000001.SZ', 10_000); },
    }, { initialCash: 1_000_000 });
    expect(fees(r)).toEqual([
      [20150731, '600000.SH', 'buy', 0, 6], // 10,000 shares × 0.0006 CNY (SH from 2012-09-01 to 2015-07-31)
      [20150731, '000001.SZ', 'buy', 0, 0], // Shenzhen charged no transfer fee before 2015-08-01
      [20150803, '600000.SH', 'buy', 0, 2], // 100,000 CNY × 0.00002 (0.02‰ from 2015-08-01)
      [20150803, '000001.SZ', 'buy', 0, 2],
    ]);
  });

  it('transfer fee 2022-04-28 → 2022-04-29: 0.002% → 0.001% of value, buys and sells', () => {
    const dates = [20220427, 20220428, 20220429, 20220505];
    const r = run(dates, [{ code: '600000.SH', close: flat(10, 4) }, { code: '000001.SZ', close: flat(10, 4) }], {
      1: (c) => { c.order('600000.SH', 20_000); c.order('000001.SZ', 10_000); },
      2: (c) => { c.order('600000.SH', -10_000); c.order('000001.SZ', 10_000); },
    }, { initialCash: 1_000_000 });
    expect(fees(r)).toEqual([
      [20220428, '600000.SH', 'buy', 0, 4], // 200,000 × 0.00002
      [20220428, '000001.SZ', 'buy', 0, 2], // 100,000 × 0.00002
      [20220429, '600000.SH', 'sell', 100, 1], // 100,000 × 0.00001; stamp duty 100,000 × 0.001
      [20220429, '000001.SZ', 'buy', 0, 1], // 100,000 × 0.00001
    ]);
  });

  it('stamp duty 2008-09-18 → 2008-09-19: both sides → sells only (0.1%)', () => {
    const dates = [20080917, 20080918, 20080919, 20080922];
    const r = run(dates, [{ code: '600000.SH', close: flat(10, 4) }], {
      1: (c) => c.order('600000.SH', 1000),
      2: (c) => { c.order('600000.SH', 1000); c.order('600000.SH', -500); },
    });
    expect(fees(r)).toEqual([
      [20080918, '600000.SH', 'buy', 10, 1], // stamp 10,000 × 0.001 on the buy too; transfer 1,000 shares × 0.001 CNY (SH before 2012-09-01)
      [20080919, '600000.SH', 'buy', 0, 1], // buys pay no stamp duty from 2008-09-19
      [20080919, '600000.SH', 'sell', 5, 0.5], // 5,000 × 0.001; 500 shares × 0.001
    ]);
  });

  it('ST main-board limit 2025-07-04 → 2025-07-07: ±5% → ±10%', () => {
    // Previous close 10.00 both days (set explicitly), the stock opens at 10.50: the 5% up-limit 10.50 locks the buy
    // on 2025-07-04; from 2025-07-07 the limit is 11.00 and the buy fills at 10.50.
    const dates = [20250703, 20250704, 20250707];
    const r = run(dates, [{ code: '600001.SH', close: [10, 10.5, 10.5], preClose: [10, 10, 10], st: [1, 1, 1] }], {
      1: (c) => c.order('600001.SH', 100),
      2: (c) => {
        expect([c.bars.upLimit[0], c.bars.downLimit[0]]).toEqual([10.5, 9.5]);
        c.order('600001.SH', 100);
      },
      3: (c) => expect([c.bars.upLimit[0], c.bars.downLimit[0]]).toEqual([11, 9]),
    });
    expect(r.orders.map((o) => [o.doneDate, o.status, o.reason, o.avgPrice])).toEqual([
      [20250704, 'expired', 'limit_up_locked', 0],
      [20250707, 'filled', null, 10.5],
    ]);
  });

  it('Beijing lots: at least 100 shares, then steps of 1 (150 → 150, 99 → 0)', () => {
    const r = run(days5, [{ code: '830799.BJ', close: flat(10, 5) }], {
      1: (c) => { c.order('830799.BJ', 150); c.order('830799.BJ', 99); c.orderValue('830799.BJ', 1_555); },
    });
    expect(r.orders.map((o) => [o.status, o.reason, o.filledShares])).toEqual([
      ['filled', null, 150],
      ['rejected', 'lot_size', 0],
      ['filled', null, 155], // 1,555 / 10 = 155.5 → 155 shares
    ]);
    // Beijing trades pay no transfer fee under the schedule (rules.ts).
    expect(r.fills.map((f) => f.transferFee)).toEqual([0, 0]);
  });

  it('transferFee 0 turns it off; a number is a fixed rate of value on both sides, every date; stampDuty a fixed rate on sells', () => {
    const steps = { 1: (c: StrategyContext) => c.order('600000.SH', 10_000), 2: (c: StrategyContext) => c.order('600000.SH', -10_000) };
    const stock = [{ code: '600000.SH', close: flat(10, 5) }];
    const off = run(days5, stock, steps, { initialCash: 1_000_000, transferFee: 0 });
    expect(fees(off)).toEqual([[days5[1], '600000.SH', 'buy', 0, 0], [days5[2], '600000.SH', 'sell', 100, 0]]);
    const fixed = run(days5, stock, steps, { initialCash: 1_000_000, transferFee: 0.0001, stampDuty: 0.002 });
    // 100,000 × 0.0001 = 10 each side; stamp 100,000 × 0.002 = 200 on the sell only.
    expect(fees(fixed)).toEqual([[days5[1], '600000.SH', 'buy', 0, 10], [days5[2], '600000.SH', 'sell', 200, 10]]);
  });
});
