/**
 * Order filling: when a waiting order fills, how many shares, at what price, for what costs.
 *
 * Orders are checked when they fill, not when placed, in the order they were placed: at the open
 * (next_open) or at the close (same_close) of the fill day. In turn: the stock must be listed
 * (else rejected, not_listed) and trading (a suspended stock's order expires or, with
 * suspendedOrders 'wait', waits); the order resolves to signed shares at the fill price (targets
 * against the position and, for target_percent, the portfolio value at the marks before this fill
 * pass); then the side's rules below. A fill that could not take all it asked is partially_filled with the
 * reason that cut it (lot_size, volume_cap, insufficient_cash, insufficient_position, t1_locked).
 *
 * "Locked" (documented once): a buy is blocked when the fill price it would take — the open for
 * next_open fills, the close for same_close fills — is at or above the day's up-limit (the bar
 * opened / closed sealed at the limit, the queue is all buyers); a sell likewise at or below the
 * down-limit. A bar with high == low == limit is covered by the same test.
 *
 * Limit prices: a buy whose limit is below the base price fills at its limit when the bar traded
 * down to it (open fills only: a close fill has no later prices that day), else expires
 * (limit_not_reached); sells mirror this. Slippage moves the price against the order, bounded by
 * the bar's high / low and the limits. Lots (rules.ts): buys round down to the board's lots; sells
 * likewise, or take the whole sellable remainder when they clear it. Volume cap: one stock's fills
 * take at most `volumeCap` of the day's volume, summed over its orders. Costs (rules.ts for the
 * dated schedules): commission max(value × rate, minimum), stamp duty, transfer fee; a buy is cut to
 * the shares the cash pays for with its costs.
 */
import type { Book } from './book.ts';
import { addHeld, closeTrip, finish, portfolioValue, removeHeld } from './book.ts';
import type { Limits } from './limits.ts';
import type { Fill, Order, OrderReason } from './types.ts';
import { lotStep, roundBuyShares, roundSellShares, stampDutyRate, transferFee, type Board } from './rules.ts';

const LOCK_EPS = 0.005;

interface Fees {
  commission: number;
  stamp: number;
  transfer: number;
}

/** The fill room: `runFills(list, basis)` tries every pending order of `list` today and returns those still waiting. */
export function makeFiller(book: Book, limits: Limits): { runFills(list: Order[], basis: 'open' | 'close'): Order[] } {
  const { N, cfg, dates, codes, boards, exchanges, qty, boughtToday, costBasis, markPrice, heldFactor, volUsed, volUsedDay } = book;
  const { tripEntry, tripBuyShares, tripBuyValue, tripSellShares, tripSellValue, tripFees, fills } = book;
  const { open, high, low, close, volume, adjFactor, suspended, listed } = book.panel;
  const { upLimitAt, downLimitAt } = limits;

  /** Costs of one fill of `shares` of stock `i` worth `value` (rules.ts for the dated schedules). */
  function feesOf(i: number, shares: number, value: number, side: 'buy' | 'sell', date: number): Fees {
    const commission = value > 0 ? Math.max(value * cfg.commissionRate, cfg.minCommission) : 0;
    const stamp = cfg.stampDuty === 'schedule' ? value * stampDutyRate(date, side) : side === 'sell' ? value * cfg.stampDuty : 0;
    const transfer = cfg.transferFee === 'schedule' ? transferFee(exchanges[i], date, shares, value) : value * cfg.transferFee;
    return { commission, stamp, transfer };
  }

  /** Largest share count of stock `i` whose cost (value plus fees) fits in `budget` at `price`. */
  function affordable(i: number, board: Board, price: number, budget: number, date: number): number {
    // Stamp duty and the transfer fee are linear in the shares (by value, or per share): the cost of one
    // share gives the first guess exactly, and the step-down loop only deals with the minimum commission.
    const unit = feesOf(i, 1, price, 'buy', date);
    let s = roundBuyShares(board, budget / (price * (1 + cfg.commissionRate) + unit.stamp + unit.transfer));
    const step = lotStep(board);
    while (s > 0) {
      const v = s * price;
      const f = feesOf(i, s, v, 'buy', date);
      if (v + f.commission + f.stamp + f.transfer <= budget + 1e-9) return s;
      s = roundBuyShares(board, s - step);
    }
    return 0;
  }

  /** Tries to fill `o` today at the open or the close; returns true when the order is done. */
  function tryFill(o: Order, basis: 'open' | 'close', totalForTargets: number): boolean {
    const i = o.index;
    const today = book.today;
    const k = today * N + i;
    const date = dates[today];
    if (listed[k] !== 1) {
      finish(book, o, 'rejected', 'not_listed');
      return true;
    }
    const base = basis === 'open' ? open[k] : close[k];
    if (suspended[k] === 1 || base !== base || !(base > 0)) {
      if (cfg.suspendedOrders === 'expire') {
        finish(book, o, 'expired', 'suspended');
        return true;
      }
      o.reason = 'suspended';
      return false;
    }
    let want: number;
    switch (o.kind) {
      case 'shares':
        want = o.amount;
        break;
      case 'value':
        want = o.amount / base;
        break;
      case 'target_shares':
        want = o.amount - qty[i];
        break;
      case 'target_value':
        want = o.amount / base - qty[i];
        break;
      case 'target_percent':
        want = (o.amount * totalForTargets) / base - qty[i];
        break;
    }
    o.requestedShares = want > 0 ? Math.floor(want + 1e-9) : -Math.floor(-want + 1e-9);
    if (volUsedDay[i] !== today) {
      volUsedDay[i] = today;
      volUsed[i] = 0;
    }
    const volLeft = cfg.volumeCap === null ? Infinity : Math.floor(volume[k] * cfg.volumeCap) - volUsed[i];
    const board = boards[i];
    if (o.requestedShares > 0) return fillBuy(o, i, k, base, basis, board, volLeft, date);
    if (o.requestedShares < 0) return fillSell(o, i, k, base, basis, board, volLeft, date);
    // Target already met (or a value below one share).
    finish(book, o, o.kind === 'shares' || o.kind === 'value' ? 'rejected' : 'filled', o.kind === 'shares' || o.kind === 'value' ? 'lot_size' : null);
    return true;
  }

  function fillBuy(o: Order, i: number, k: number, base: number, basis: 'open' | 'close', board: Board, volLeft: number, date: number): boolean {
    const today = book.today;
    const up = upLimitAt(k, i, today);
    if (base >= up - LOCK_EPS) {
      finish(book, o, 'expired', 'limit_up_locked');
      return true;
    }
    let price = base;
    let priceBasis: Fill['priceBasis'] = basis;
    if (o.limitPrice !== null && base > o.limitPrice) {
      if (basis === 'open' && low[k] <= o.limitPrice) {
        price = o.limitPrice;
        priceBasis = 'limit';
      } else {
        finish(book, o, 'expired', 'limit_not_reached');
        return true;
      }
    }
    if (cfg.slippageBps !== 0) price = Math.min(price * (1 + cfg.slippageBps / 1e4), high[k], up);
    const wanted = roundBuyShares(board, o.requestedShares);
    if (wanted === 0) {
      finish(book, o, 'rejected', 'lot_size');
      return true;
    }
    let shares = wanted;
    let reason: OrderReason | null = o.kind === 'shares' && wanted < o.requestedShares ? 'lot_size' : null;
    if (shares > volLeft) {
      shares = roundBuyShares(board, Math.max(0, volLeft));
      reason = 'volume_cap';
    }
    const canAfford = affordable(i, board, price, book.cash, date);
    if (shares > canAfford) {
      shares = canAfford;
      reason = 'insufficient_cash';
    }
    if (shares === 0) {
      finish(book, o, reason === 'volume_cap' ? 'expired' : 'rejected', reason);
      return true;
    }
    const value = shares * price;
    const f = feesOf(i, shares, value, 'buy', date);
    const fees = f.commission + f.stamp + f.transfer;
    book.cash -= value + fees;
    if (qty[i] === 0) {
      tripEntry[i] = today;
      heldFactor[i] = adjFactor[k];
      addHeld(book, i);
    }
    qty[i] += shares;
    boughtToday[i] += shares;
    costBasis[i] += value + fees;
    markPrice[i] = price;
    volUsed[i] += shares;
    tripBuyShares[i] += shares;
    tripBuyValue[i] += value;
    tripFees[i] += fees;
    recordFill(o, 'buy', shares, price, value, f, priceBasis);
    finish(book, o, reason === null ? 'filled' : 'partially_filled', reason);
    return true;
  }

  function fillSell(o: Order, i: number, k: number, base: number, basis: 'open' | 'close', board: Board, volLeft: number, date: number): boolean {
    const today = book.today;
    const want = -o.requestedShares;
    if (qty[i] <= 0) {
      finish(book, o, 'rejected', 'insufficient_position');
      return true;
    }
    const down = downLimitAt(k, i, today);
    if (base <= down + LOCK_EPS) {
      finish(book, o, 'expired', 'limit_down_locked');
      return true;
    }
    let price = base;
    let priceBasis: Fill['priceBasis'] = basis;
    if (o.limitPrice !== null && base < o.limitPrice) {
      if (basis === 'open' && high[k] >= o.limitPrice) {
        price = o.limitPrice;
        priceBasis = 'limit';
      } else {
        finish(book, o, 'expired', 'limit_not_reached');
        return true;
      }
    }
    if (cfg.slippageBps !== 0) price = Math.max(price * (1 - cfg.slippageBps / 1e4), low[k], down);
    const sellable = qty[i] - boughtToday[i];
    if (sellable <= 0) {
      finish(book, o, 'rejected', 't1_locked');
      return true;
    }
    let reason: OrderReason | null = null;
    let shares = want;
    if (shares > qty[i]) {
      shares = qty[i];
      reason = 'insufficient_position';
    }
    if (shares > sellable) {
      shares = sellable;
      reason = 't1_locked';
    }
    let rounded = roundSellShares(board, shares, sellable);
    if (rounded < shares && reason === null && o.kind === 'shares') reason = 'lot_size';
    if (rounded > volLeft) {
      rounded = roundSellShares(board, Math.max(0, volLeft), sellable);
      if (rounded > volLeft) rounded = 0;
      reason = 'volume_cap';
    }
    if (rounded === 0) {
      finish(book, o, reason === 'volume_cap' ? 'expired' : 'rejected', reason ?? 'lot_size');
      return true;
    }
    const value = rounded * price;
    const f = feesOf(i, rounded, value, 'sell', date);
    const fees = f.commission + f.stamp + f.transfer;
    book.cash += value - fees;
    costBasis[i] *= (qty[i] - rounded) / qty[i];
    qty[i] -= rounded;
    markPrice[i] = price;
    volUsed[i] += rounded;
    tripSellShares[i] += rounded;
    tripSellValue[i] += value;
    tripFees[i] += fees;
    recordFill(o, 'sell', rounded, price, value, f, priceBasis);
    if (qty[i] === 0) {
      removeHeld(book, i);
      closeTrip(book, i, today);
    }
    finish(book, o, reason === null ? 'filled' : 'partially_filled', reason);
    return true;
  }

  function recordFill(o: Order, side: 'buy' | 'sell', shares: number, price: number, value: number, f: Fees, priceBasis: Fill['priceBasis']) {
    const fees = f.commission + f.stamp + f.transfer;
    o.avgPrice = (o.avgPrice * o.filledShares + price * shares) / (o.filledShares + shares);
    o.filledShares += shares;
    o.costs += fees;
    fills.push({ orderId: o.id, date: dates[book.today], code: codes[o.index], side, shares, price, value, commission: f.commission, stampDuty: f.stamp, transferFee: f.transfer, priceBasis });
  }

  function runFills(list: Order[], basis: 'open' | 'close'): Order[] {
    if (list.length === 0) return list;
    const total = portfolioValue(book);
    const keep: Order[] = [];
    for (const o of list) {
      if (o.status !== 'pending') continue;
      if (!tryFill(o, basis, total)) keep.push(o);
    }
    return keep;
  }

  return { runFills };
}
