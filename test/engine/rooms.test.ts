// The engine's rooms on their own, around a book made by hand (issue 19): each can be driven
// without the day loop, so its rules can be checked where they live.
import { describe, expect, it } from 'vitest';
import { makeBook, type Book } from '../../src/engine/book.ts';
import { makeCorporateActions } from '../../src/engine/corporate-actions.ts';
import { makeFiller } from '../../src/engine/fill.ts';
import { makeLimits } from '../../src/engine/limits.ts';
import { makeOrderDesk } from '../../src/engine/orders.ts';
import { defaultConfig, type BacktestConfig } from '../../src/engine/types.ts';
import { makePanel, tradingDates, type StockSpec } from './panel-builder.ts';

const days = tradingDates('2021-03-01', 4);

function book(stocks: StockSpec[], config: Partial<BacktestConfig> = {}): Book {
  return makeBook(makePanel(days, stocks), { ...defaultConfig, initialCash: 100_000, ...config });
}
/** Gives the book a position as a fill on day 0 would have: `shares` of stock `i` at `price`. */
function hold(b: Book, i: number, shares: number, price: number) {
  b.qty[i] = shares;
  b.costBasis[i] = shares * price;
  b.markPrice[i] = price;
  b.heldFactor[i] = b.panel.adjFactor[i];
  b.tripEntry[i] = 0;
  b.tripBuyShares[i] = shares;
  b.tripBuyValue[i] = shares * price;
  b.heldPos[i] = b.heldCount;
  b.held[b.heldCount++] = i;
}

describe('corporate-actions.ts', () => {
  it('10送5 with a dividend: floor(q·1.5) shares, the rest in cash, value unchanged', () => {
    // Factor 1 → 1.56 on day 1: r = 1.56, s = floor(5.6)/10 = 0.5 bonus shares per share; the ex-right
    // price P = 10 / 1.56. 1,001 shares become floor(1,501.5) = 1,501; cash 10,010 − 1,501·P.
    const b = book([{ code: '600000.SH', close: [10, 6.5, 6.5, 6.5], adjFactor: [1, 1.56, 1.56, 1.56] }]);
    hold(b, 0, 1001, 10);
    b.today = 1;
    makeCorporateActions(b).applyCorporateActions();
    const p = 10 / 1.56;
    expect(b.qty[0]).toBe(1501);
    expect(b.markPrice[0]).toBe(p);
    expect(b.cash - 100_000).toBeCloseTo(10_010 - 1501 * p, 9);
    expect(b.cash - 100_000 + b.qty[0] * b.markPrice[0]).toBeCloseTo(10_010, 9);
    expect(b.actions).toMatchObject([{ date: days[1], code: '600000.SH', sharesBefore: 1001, sharesAfter: 1501, factorRatio: 1.56 }]);
    expect(b.actions[0].cash).toBe(1001 * 10 - 1501 * p);
  });

  it('a delisted holding is settled at its last price, or written off', () => {
    for (const delisting of ['last_price', 'zero'] as const) {
      const b = book([{ code: '600000.SH', close: [10, NaN, NaN, NaN], listed: [1, 0, 0, 0] }], { delisting });
      hold(b, 0, 500, 10);
      b.today = 1;
      makeCorporateActions(b).applyCorporateActions();
      expect(b.heldCount).toBe(0);
      expect(b.cash).toBe(delisting === 'zero' ? 100_000 : 105_000);
      expect(b.fills[0]).toMatchObject({ orderId: -1, side: 'sell', shares: 500, priceBasis: 'delisting' });
      expect(b.trades[0]).toMatchObject({ entryDate: days[0], exitDate: days[1], pnl: delisting === 'zero' ? -5000 : 0 });
    }
  });
});

describe('fill.ts', () => {
  it('the volume cap is shared by the day\'s orders of one stock', () => {
    const b = book([{ code: '600000.SH', close: [10, 10, 10, 10], volume: [10_000, 10_000, 10_000, 10_000] }], { volumeCap: 0.25 });
    const desk = makeOrderDesk(b);
    desk.place(0, 'shares', 1500);
    desk.place(0, 'shares', 1500);
    b.today = 1;
    const waiting = makeFiller(b, makeLimits(b)).runFills(b.placedToday, 'open');
    expect(waiting).toEqual([]);
    // 25% of 10,000 = 2,500 shares for the day: 1,500, then the 1,000 left.
    expect(b.orders.map((o) => [o.status, o.reason, o.filledShares])).toEqual([
      ['filled', null, 1500],
      ['partially_filled', 'volume_cap', 1000],
    ]);
    expect(b.changedToday).toHaveLength(2);
  });

  it('a buy opening at the computed up-limit is locked; an ST stock\'s limit is 5% (before 2025-07-07)', () => {
    const b = book([
      { code: '600000.SH', close: [10, 11, 11, 11], open: [10, 11, 11, 11] },
      { code: '600001.SH', close: [10, 10.5, 10.5, 10.5], open: [10, 10.5, 10.5, 10.5], st: [1, 1, 1, 1] },
    ]);
    const desk = makeOrderDesk(b);
    desk.place(0, 'shares', 100);
    desk.place(1, 'shares', 100);
    b.today = 1;
    const limits = makeLimits(b);
    expect([limits.upLimitAt(b.N, 0, 1), limits.upLimitAt(b.N + 1, 1, 1)]).toEqual([11, 10.5]);
    makeFiller(b, limits).runFills(b.placedToday, 'open');
    expect(b.orders.map((o) => [o.status, o.reason])).toEqual([
      ['expired', 'limit_up_locked'],
      ['expired', 'limit_up_locked'],
    ]);
    expect(b.cash).toBe(100_000);
  });

  it('orders wait on a suspended stock when told to, and are not filled', () => {
    const b = book([{ code: '600000.SH', close: [10, NaN, 10, 10] }], { suspendedOrders: 'wait' });
    makeOrderDesk(b).place(0, 'value', 5_000);
    b.today = 1;
    const filler = makeFiller(b, makeLimits(b));
    const waiting = filler.runFills(b.placedToday, 'open');
    expect(waiting.map((o) => [o.status, o.reason])).toEqual([['pending', 'suspended']]);
    b.today = 2;
    expect(filler.runFills(waiting, 'open')).toEqual([]);
    expect(b.fills).toMatchObject([{ shares: 500, price: 10, priceBasis: 'open' }]);
  });
});
