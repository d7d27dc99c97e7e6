/**
 * The strategy's order desk and its view of the portfolio. Orders are placed here (checked for
 * their arguments and against the run's and the day's order limits) and wait in the book until
 * the fill room takes them up (fill.ts: orders are checked when they fill, not when placed).
 * `rebalance` places the sells before the buys, so the sales pay for the purchases.
 */
import type { Book } from './book.ts';
import { portfolioValue, resolve } from './book.ts';
import type { OrderOptions, Portfolio, PositionView } from './context.ts';
import { isoDay } from './days.ts';
import type { Order, OrderKind } from './types.ts';

/** A strategy placed more orders than `maxOrders` (scope `run`) or `maxOrdersPerDay` (scope `day`) allow. */
export class OrderLimitError extends Error {
  constructor(readonly scope: 'run' | 'day', readonly limit: number, readonly date: number) {
    const day = isoDay(date);
    super(scope === 'run' ? `the strategy placed more than ${limit} orders in this backtest (by ${day})` : `the strategy placed more than ${limit} orders on ${day}`);
    this.name = 'OrderLimitError';
  }
}

/** Reads scope and limit back from an OrderLimitError's text (all that crosses the sandbox boundary: "name: message"). */
export function parseOrderLimit(text: string): { scope: 'run' | 'day'; limit: number; message: string } | null {
  const m = /^OrderLimitError: (the strategy placed more than (\d+) orders (in this backtest|on) .*)$/.exec(text);
  return m ? { scope: m[3] === 'on' ? 'day' : 'run', limit: Number(m[2]), message: m[1] } : null;
}

export interface OrderDesk {
  place(code: string | number, kind: OrderKind, amount: number, opts?: OrderOptions): number;
  rebalance(weights: Record<string, number>): number[];
  cancel(id: number): boolean;
  openOrders(): Order[];
  readonly portfolio: Portfolio;
  /** A new day: the day's order count starts again. */
  startDay(): void;
  /** The order limit passed in this run, if any (sticky: once passed the run ends, even if the strategy caught the error and went on). */
  limitHit(): OrderLimitError | null;
}

export function makeOrderDesk(book: Book): OrderDesk {
  const { N, cfg, codes, dates, orders, qty, boughtToday, costBasis, markPrice, held } = book;
  let nextOrderId = 1;
  let ordersToday = 0;
  let orderLimitHit: OrderLimitError | null = null;

  function place(code: string | number, kind: OrderKind, amount: number, opts?: OrderOptions): number {
    if (orderLimitHit) throw orderLimitHit;
    if (orders.length >= cfg.maxOrders) throw (orderLimitHit = new OrderLimitError('run', cfg.maxOrders, dates[book.today]));
    if (ordersToday >= cfg.maxOrdersPerDay) throw (orderLimitHit = new OrderLimitError('day', cfg.maxOrdersPerDay, dates[book.today]));
    ordersToday++;
    const i = resolve(book, code);
    if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new Error(`order amount must be a finite number, got ${String(amount)}`);
    const lp = opts?.limitPrice;
    if (lp !== undefined && !(typeof lp === 'number' && lp > 0)) throw new Error(`limitPrice must be a positive number, got ${String(lp)}`);
    const o: Order = {
      id: nextOrderId++, code: codes[i], index: i, kind, amount, limitPrice: lp ?? null, placedDate: dates[book.today],
      status: 'pending', reason: null, requestedShares: 0, filledShares: 0, avgPrice: 0, costs: 0, doneDate: null,
    };
    orders.push(o);
    book.placedToday.push(o);
    return o.id;
  }

  function rebalance(weights: Record<string, number>): number[] {
    const target = new Map<number, number>();
    for (const [code, w] of Object.entries(weights)) target.set(resolve(book, code), w);
    const ids: number[] = [];
    // Sells first: stocks leaving, and those whose weight falls below their current weight.
    const total = portfolioValue(book);
    const buys: [number, number][] = [];
    for (let h = 0; h < book.heldCount; h++) if (!target.has(held[h])) target.set(held[h], 0);
    for (const [i, w] of target) {
      const currentW = total > 0 ? (qty[i] * (markPrice[i] === markPrice[i] ? markPrice[i] : 0)) / total : 0;
      if (w < currentW) ids.push(place(i, 'target_percent', w));
      else buys.push([i, w]);
    }
    for (const [i, w] of buys) ids.push(place(i, 'target_percent', w));
    return ids;
  }

  function cancel(id: number): boolean {
    const o = orders[id - 1];
    if (!o || o.status !== 'pending') return false;
    o.status = 'cancelled';
    o.reason = 'cancelled_by_strategy';
    o.doneDate = dates[book.today];
    return true;
  }

  function positionView(i: number): PositionView {
    return {
      code: codes[i], index: i, shares: qty[i], sellable: qty[i] - boughtToday[i],
      avgCost: qty[i] > 0 ? costBasis[i] / qty[i] : 0, price: markPrice[i], marketValue: qty[i] * markPrice[i],
    };
  }
  const portfolio: Portfolio = {
    get cash() { return book.cash; },
    get marketValue() { return portfolioValue(book) - book.cash; },
    get value() { return portfolioValue(book); },
    get count() { return book.heldCount; },
    shares() { return qty.slice(); },
    sharesOf(code: string | number) { return qty[resolve(book, code)]; },
    sellable() {
      const s = new Float64Array(N);
      for (let h = 0; h < book.heldCount; h++) s[held[h]] = qty[held[h]] - boughtToday[held[h]];
      return s;
    },
    positions() {
      const out: PositionView[] = [];
      for (let h = 0; h < book.heldCount; h++) out.push(positionView(held[h]));
      return out.sort((a, b) => a.index - b.index);
    },
    position(code: string | number) {
      const i = resolve(book, code);
      return qty[i] > 0 ? positionView(i) : null;
    },
  };

  return {
    place,
    rebalance,
    cancel,
    openOrders: () => book.pending.concat(book.placedToday).filter((o) => o.status === 'pending'),
    portfolio,
    startDay() {
      ordersToday = 0;
    },
    limitHit: () => orderLimitHit,
  };
}
