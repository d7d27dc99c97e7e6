/**
 * The day loop. For each panel day: feed today's adjusted closes to the indicators (warm-up days
 * before `startDate` too); then, inside the simulated range: apply corporate actions and delistings
 * to held positions, fill pending orders at the open (next_open), call the strategy with the day's
 * cross-section, fill today's orders at the close (same_close), mark to market at the close and
 * record the day. Orders are checked when they fill, not when placed, in the order they were placed.
 *
 * "Locked" (documented once): a buy is blocked when the fill price it would take — the open for
 * next_open fills, the close for same_close fills — is at or above the day's up-limit (the bar
 * opened / closed sealed at the limit, the queue is all buyers); a sell likewise at or below the
 * down-limit. A bar with high == low == limit is covered by the same test.
 *
 * Corporate actions (derivation): with the hfq factor f, a holder's adjusted wealth q·P·f is
 * unchanged across an ex-date. When f moves from f0 to f1 on day d (ratio r = f1/f0) the ex-right
 * reference price is P = lastClose·f0/f1. We split r into bonus shares s per share, counted in
 * tenths (the way A-share bonus/transfer issues are declared, "10送X"), s = floor(10(r−1))/10, and
 * a cash dividend per share c = lastClose − P·(1+s) ≥ 0. The position becomes floor(q(1+s)) shares
 * and cash q·lastClose − floor(q(1+s))·P (dividend plus cash in lieu of fractional shares), so
 * value before = value after exactly and NAV stays continuous. Dividend tax is not modelled.
 */
import type { BenchmarkSeries, Panel } from './panel.ts';
import type { BacktestConfig, BacktestResult, CorporateAction, Fill, Order, OrderKind, OrderReason, Progress, RoundTrip, SkippedDay } from './types.ts';
import { defaultConfig } from './types.ts';
import type { StrategyDefinition } from './strategy.ts';
import type { BarField, Bars, OrderOptions, PositionView, StrategyContext } from './context.ts';
import { boardOf, downLimitCents, exchangeOf, limitPercent, lotStep, roundBuyShares, roundSellShares, stampDutyRate, transferFee, unlimitedDays, upLimitCents, type Board, type Exchange } from './rules.ts';
import { above, below, crossedAbove, crossedAboveEach, crossedBelow, crossedBelowEach, seriesLength, type Series } from './compare.ts';
import { feedSmas, makeBollinger, makeEma, makeMomentum, makeRsi, makeSma, makeStd, rank, Sma, type Indicator } from './indicators.ts';

/** A strategy error, carrying the day it happened on. */
export class StrategyError extends Error {
  constructor(readonly date: number, readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
    this.name = 'StrategyError';
  }
}

/** A strategy placed more orders than `maxOrders` (scope `run`) or `maxOrdersPerDay` (scope `day`) allow. */
export class OrderLimitError extends Error {
  constructor(readonly scope: 'run' | 'day', readonly limit: number, readonly date: number) {
    const day = `${String(date).slice(0, 4)}-${String(date).slice(4, 6)}-${String(date).slice(6, 8)}`;
    super(scope === 'run' ? `the strategy placed more than ${limit} orders in this backtest (by ${day})` : `the strategy placed more than ${limit} orders on ${day}`);
    this.name = 'OrderLimitError';
  }
}

/** Reads scope and limit back from an OrderLimitError's text (all that crosses the sandbox boundary: "name: message"). */
export function parseOrderLimit(text: string): { scope: 'run' | 'day'; limit: number; message: string } | null {
  const m = /^OrderLimitError: (the strategy placed more than (\d+) orders (in this backtest|on) .*)$/.exec(text);
  return m ? { scope: m[3] === 'on' ? 'day' : 'run', limit: Number(m[2]), message: m[1] } : null;
}

const LOCK_EPS = 0.005;
// Captured at load, before any user code runs in the sandbox: panel memory is only ever indexed
// directly or read through these, never handed to a builtin a strategy could have replaced.
const hasOwn = Object.hasOwn;
const MAX_LOG_LINES = 1000;
const MAX_LOG_CHARS = 200_000;

class GrowF64 {
  a = new Float64Array(1024);
  n = 0;
  push(v: number) {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  done() {
    return this.a.slice(0, this.n);
  }
}
class GrowI32 {
  a = new Int32Array(1024);
  n = 0;
  push(v: number) {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  done() {
    return this.a.slice(0, this.n);
  }
}

export interface BacktestInput<P> {
  panel: Panel;
  benchmark?: BenchmarkSeries | null;
  strategy: StrategyDefinition<P>;
  /** Raw params; parsed (defaults filled) with the strategy's schema. */
  params?: unknown;
  config?: Partial<BacktestConfig>;
}

/** A backtest you advance in slices (so a driver can report progress and honour cancellation). */
export interface Backtest {
  /** Runs days until done, `maxDays` more days ran, or `deadline` (Date.now() ms) passed; true when done. */
  step(maxDays: number, deadline?: number): boolean;
  progress(): Progress;
  /** The day being simulated (YYYYMMDD), for log lines. */
  currentDate(): number;
  /** The result; call after step returned true. */
  result(): BacktestResult;
}

export function makeBacktest<P>(input: BacktestInput<P>): Backtest {
  const cfg: BacktestConfig = { ...defaultConfig, ...input.config };
  const panel = input.panel;
  const strategy = input.strategy;
  const params = strategy.params.parse(input.params ?? {});
  const N = panel.codes.length;
  const D = panel.dates.length;
  const codes = panel.codes;
  const dates = panel.dates;
  const { open, high, low, close, preClose, volume, adjFactor, suspended, listed, st } = panel;

  let first = 0;
  while (first < D && cfg.startDate !== undefined && dates[first] < cfg.startDate) first++;
  let last = D - 1;
  while (last >= 0 && cfg.endDate !== undefined && dates[last] > cfg.endDate) last--;
  const simDays = Math.max(0, last - first + 1);

  const codeIndex = new Map<string, number>();
  for (let i = 0; i < N; i++) codeIndex.set(codes[i], i);
  const boards: Board[] = codes.map(boardOf);
  const exchanges: Exchange[] = codes.map(exchangeOf);
  // First panel day each stock is listed (for the new-listing no-limit days when limits are computed).
  const listedSince = new Int32Array(N).fill(-1);

  // Portfolio state, one slot per stock.
  let cash = cfg.initialCash;
  const qty = new Float64Array(N);
  const boughtToday = new Float64Array(N);
  const costBasis = new Float64Array(N);
  const markPrice = new Float64Array(N).fill(NaN);
  const heldFactor = new Float64Array(N).fill(NaN);
  const volUsed = new Float64Array(N);
  const volUsedDay = new Int32Array(N).fill(-1);
  const held = new Int32Array(N);
  const heldPos = new Int32Array(N).fill(-1);
  let heldCount = 0;
  // Round-trip accumulators.
  const tripEntry = new Int32Array(N).fill(-1);
  const tripBuyShares = new Float64Array(N);
  const tripBuyValue = new Float64Array(N);
  const tripSellShares = new Float64Array(N);
  const tripSellValue = new Float64Array(N);
  const tripFees = new Float64Array(N);
  const tripCash = new Float64Array(N);

  // Outputs.
  const outCash = new Float64Array(simDays);
  const outMv = new Float64Array(simDays);
  const outTotal = new Float64Array(simDays);
  const snapOffsets = new Int32Array(simDays + 1);
  const snapIndex = new GrowI32();
  const snapShares = new GrowF64();
  const snapValue = new GrowF64();
  const fills: Fill[] = [];
  const orders: Order[] = [];
  const actions: CorporateAction[] = [];
  const trades: RoundTrip[] = [];
  const skippedDays: SkippedDay[] = [];
  const logs: string[] = [];
  let logChars = 0;
  let logsDropped = 0;
  let pending: Order[] = [];
  let placedToday: Order[] = [];
  let changedToday: Order[] = [];

  // Per-day scratch the strategy sees (copies of the panel's row, filled lazily).
  const adjClose = new Float64Array(N).fill(NaN);
  const barScratch = new Map<string, Float64Array>();
  const barScratchDay = new Map<string, number>();
  const upToday = new Float64Array(N);
  const downToday = new Float64Array(N);
  let limitsDay = -1;
  const tradableScratch = new Uint8Array(N);
  const stScratch = new Uint8Array(N);
  let tradableDay = -1;
  let stDay = -1;

  const indicators = new Map<string, Indicator>();
  // The same indicators split for the feed: SMAs (the first two advance inside the feed pass) and the rest.
  const smas: Sma[] = [];
  const otherIndicators: Indicator[] = [];
  let d = 0; // panel day being processed next
  let t = 0; // simulated days done
  let today = 0; // panel index of the current day
  let marketValue = 0;

  // ---- limits -------------------------------------------------------------------------------
  function upLimitAt(k: number, i: number, day: number): number {
    const u = panel.upLimit[k];
    if (u === u) return u;
    return computedLimit(k, i, day, 1);
  }
  function downLimitAt(k: number, i: number, day: number): number {
    const v = panel.downLimit[k];
    if (v === v) return v;
    return computedLimit(k, i, day, -1);
  }
  function computedLimit(k: number, i: number, day: number, sign: 1 | -1): number {
    const pc = preClose[k];
    const date = dates[day];
    // A bar with a previous close means the stock is listed today, so the scan below ends by `day` and is cached.
    if (pc !== pc) return sign > 0 ? Infinity : 0;
    // A stock listed on the panel's first day may have listed long before: only a listing seen
    // inside the panel counts as new (the loader's warm-up days come first in real runs).
    const since = firstListedDay(i, day);
    if (since < 0 || (since > 0 && day - since < unlimitedDays(boards[i], dates[since]))) return sign > 0 ? Infinity : 0;
    const cents = Math.round(pc * 100);
    const p = limitPercent(boards[i], st[k] === 1, date);
    return (sign > 0 ? upLimitCents(cents, p) : downLimitCents(cents, p)) / 100;
  }

  /** First panel day (≤ `day`) the stock is listed, found by scanning the past once; −1 if none yet. */
  function firstListedDay(i: number, day: number): number {
    if (listedSince[i] >= 0) return listedSince[i];
    for (let x = 0; x <= day; x++) {
      if (listed[x * N + i] === 1) {
        listedSince[i] = x;
        return x;
      }
    }
    return -1;
  }

  // ---- positions ----------------------------------------------------------------------------
  function addHeld(i: number) {
    if (heldPos[i] >= 0) return;
    heldPos[i] = heldCount;
    held[heldCount++] = i;
  }
  function removeHeld(i: number) {
    const p = heldPos[i];
    if (p < 0) return;
    const lastI = held[--heldCount];
    held[p] = lastI;
    heldPos[lastI] = p;
    heldPos[i] = -1;
  }
  function closeTrip(i: number, exitDay: number) {
    const buyV = tripBuyValue[i];
    const pnl = tripSellValue[i] + tripCash[i] - buyV - tripFees[i];
    trades.push({
      code: codes[i],
      entryDate: dates[tripEntry[i]],
      exitDate: dates[exitDay],
      holdingDays: exitDay - tripEntry[i],
      boughtShares: tripBuyShares[i],
      avgEntryPrice: tripBuyShares[i] > 0 ? buyV / tripBuyShares[i] : 0,
      avgExitPrice: tripSellShares[i] > 0 ? tripSellValue[i] / tripSellShares[i] : 0,
      pnl,
      returnPct: buyV > 0 ? pnl / buyV : 0,
    });
    tripEntry[i] = -1;
    tripBuyShares[i] = tripBuyValue[i] = tripSellShares[i] = tripSellValue[i] = tripFees[i] = tripCash[i] = 0;
  }

  /** Costs of one fill of `shares` of stock `i` worth `value` (rules.ts for the dated schedules). */
  function feesOf(i: number, shares: number, value: number, side: 'buy' | 'sell', date: number) {
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

  function finish(o: Order, status: Order['status'], reason: OrderReason | null) {
    o.status = status;
    o.reason = reason;
    o.doneDate = dates[today];
    changedToday.push(o);
  }

  // ---- order matching -----------------------------------------------------------------------
  /** Tries to fill `o` today at the open or the close; returns true when the order is done. */
  function tryFill(o: Order, basis: 'open' | 'close', totalForTargets: number): boolean {
    const i = o.index;
    const k = today * N + i;
    const date = dates[today];
    if (listed[k] !== 1) {
      finish(o, 'rejected', 'not_listed');
      return true;
    }
    const base = basis === 'open' ? open[k] : close[k];
    if (suspended[k] === 1 || base !== base || !(base > 0)) {
      if (cfg.suspendedOrders === 'expire') {
        finish(o, 'expired', 'suspended');
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
    finish(o, o.kind === 'shares' || o.kind === 'value' ? 'rejected' : 'filled', o.kind === 'shares' || o.kind === 'value' ? 'lot_size' : null);
    return true;
  }

  function fillBuy(o: Order, i: number, k: number, base: number, basis: 'open' | 'close', board: Board, volLeft: number, date: number): boolean {
    const up = upLimitAt(k, i, today);
    if (base >= up - LOCK_EPS) {
      finish(o, 'expired', 'limit_up_locked');
      return true;
    }
    let price = base;
    let priceBasis: Fill['priceBasis'] = basis;
    if (o.limitPrice !== null && base > o.limitPrice) {
      if (basis === 'open' && low[k] <= o.limitPrice) {
        price = o.limitPrice;
        priceBasis = 'limit';
      } else {
        finish(o, 'expired', 'limit_not_reached');
        return true;
      }
    }
    if (cfg.slippageBps !== 0) price = Math.min(price * (1 + cfg.slippageBps / 1e4), high[k], up);
    const wanted = roundBuyShares(board, o.requestedShares);
    if (wanted === 0) {
      finish(o, 'rejected', 'lot_size');
      return true;
    }
    let shares = wanted;
    let reason: OrderReason | null = o.kind === 'shares' && wanted < o.requestedShares ? 'lot_size' : null;
    if (shares > volLeft) {
      shares = roundBuyShares(board, Math.max(0, volLeft));
      reason = 'volume_cap';
    }
    const canAfford = affordable(i, board, price, cash, date);
    if (shares > canAfford) {
      shares = canAfford;
      reason = 'insufficient_cash';
    }
    if (shares === 0) {
      finish(o, reason === 'volume_cap' ? 'expired' : 'rejected', reason);
      return true;
    }
    const value = shares * price;
    const f = feesOf(i, shares, value, 'buy', date);
    const fees = f.commission + f.stamp + f.transfer;
    cash -= value + fees;
    if (qty[i] === 0) {
      tripEntry[i] = today;
      heldFactor[i] = adjFactor[k];
      addHeld(i);
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
    finish(o, reason === null ? 'filled' : 'partially_filled', reason);
    return true;
  }

  function fillSell(o: Order, i: number, k: number, base: number, basis: 'open' | 'close', board: Board, volLeft: number, date: number): boolean {
    const want = -o.requestedShares;
    if (qty[i] <= 0) {
      finish(o, 'rejected', 'insufficient_position');
      return true;
    }
    const down = downLimitAt(k, i, today);
    if (base <= down + LOCK_EPS) {
      finish(o, 'expired', 'limit_down_locked');
      return true;
    }
    let price = base;
    let priceBasis: Fill['priceBasis'] = basis;
    if (o.limitPrice !== null && base < o.limitPrice) {
      if (basis === 'open' && high[k] >= o.limitPrice) {
        price = o.limitPrice;
        priceBasis = 'limit';
      } else {
        finish(o, 'expired', 'limit_not_reached');
        return true;
      }
    }
    if (cfg.slippageBps !== 0) price = Math.max(price * (1 - cfg.slippageBps / 1e4), low[k], down);
    const sellable = qty[i] - boughtToday[i];
    if (sellable <= 0) {
      finish(o, 'rejected', 't1_locked');
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
      finish(o, reason === 'volume_cap' ? 'expired' : 'rejected', reason ?? 'lot_size');
      return true;
    }
    const value = rounded * price;
    const f = feesOf(i, rounded, value, 'sell', date);
    const fees = f.commission + f.stamp + f.transfer;
    cash += value - fees;
    costBasis[i] *= (qty[i] - rounded) / qty[i];
    qty[i] -= rounded;
    markPrice[i] = price;
    volUsed[i] += rounded;
    tripSellShares[i] += rounded;
    tripSellValue[i] += value;
    tripFees[i] += fees;
    recordFill(o, 'sell', rounded, price, value, f, priceBasis);
    if (qty[i] === 0) {
      removeHeld(i);
      closeTrip(i, today);
    }
    finish(o, reason === null ? 'filled' : 'partially_filled', reason);
    return true;
  }

  function recordFill(o: Order, side: 'buy' | 'sell', shares: number, price: number, value: number, f: { commission: number; stamp: number; transfer: number }, priceBasis: Fill['priceBasis']) {
    const fees = f.commission + f.stamp + f.transfer;
    o.avgPrice = (o.avgPrice * o.filledShares + price * shares) / (o.filledShares + shares);
    o.filledShares += shares;
    o.costs += fees;
    fills.push({ orderId: o.id, date: dates[today], code: codes[o.index], side, shares, price, value, commission: f.commission, stampDuty: f.stamp, transferFee: f.transfer, priceBasis });
  }

  function portfolioValue(): number {
    let mv = 0;
    for (let h = 0; h < heldCount; h++) {
      const i = held[h];
      mv += qty[i] * markPrice[i];
    }
    return cash + mv;
  }

  function runFills(list: Order[], basis: 'open' | 'close'): Order[] {
    if (list.length === 0) return list;
    const total = portfolioValue();
    const keep: Order[] = [];
    for (const o of list) {
      if (o.status !== 'pending') continue;
      if (!tryFill(o, basis, total)) keep.push(o);
    }
    return keep;
  }

  // ---- corporate actions and delistings on held positions --------------------------------------
  function applyCorporateActions() {
    for (let h = heldCount - 1; h >= 0; h--) {
      const i = held[h];
      const k = today * N + i;
      if (listed[k] !== 1) {
        settleDelisted(i);
        continue;
      }
      const f1 = adjFactor[k];
      const f0 = heldFactor[i];
      if (!(f1 === f1) || !(f0 === f0) || f0 <= 0 || Math.abs(f1 / f0 - 1) < 1e-9) continue;
      const r = f1 / f0;
      const lastClose = markPrice[i];
      const p = (lastClose * f0) / f1;
      const s = r > 1 ? Math.floor((r - 1) * 10 + 1e-6) / 10 : r - 1;
      const q = qty[i];
      const after = Math.floor(q * (1 + s) + 1e-6);
      const paid = q * lastClose - after * p;
      cash += paid;
      tripCash[i] += paid;
      qty[i] = after;
      boughtToday[i] = Math.min(boughtToday[i], after);
      markPrice[i] = p;
      heldFactor[i] = f1;
      actions.push({ date: dates[today], code: codes[i], sharesBefore: q, sharesAfter: after, cash: paid, factorRatio: r });
      if (after === 0) {
        removeHeld(i);
        closeTrip(i, today);
      }
    }
  }

  function settleDelisted(i: number) {
    const price = cfg.delisting === 'last_price' ? markPrice[i] : 0;
    const shares = qty[i];
    const value = shares * price;
    cash += value;
    tripSellShares[i] += shares;
    tripSellValue[i] += value;
    fills.push({ orderId: -1, date: dates[today], code: codes[i], side: 'sell', shares, price, value, commission: 0, stampDuty: 0, transferFee: 0, priceBasis: 'delisting' });
    qty[i] = 0;
    costBasis[i] = 0;
    removeHeld(i);
    closeTrip(i, today);
  }

  // ---- the strategy's view -------------------------------------------------------------------
  function copyRow(src: Float64Array, into: Float64Array) {
    const base = today * N;
    for (let i = 0; i < N; i++) into[i] = src[base + i];
  }
  function barRow(name: string, src: Float64Array): Float64Array {
    let a = barScratch.get(name);
    if (!a) {
      a = new Float64Array(N);
      barScratch.set(name, a);
    }
    if (barScratchDay.get(name) !== today) {
      copyRow(src, a);
      barScratchDay.set(name, today);
    }
    return a;
  }
  function limitsRow() {
    if (limitsDay !== today) {
      for (let i = 0; i < N; i++) {
        const k = today * N + i;
        upToday[i] = upLimitAt(k, i, today);
        downToday[i] = downLimitAt(k, i, today);
      }
      limitsDay = today;
    }
  }
  const bars: Bars = {
    get open() { return barRow('open', open); },
    get high() { return barRow('high', high); },
    get low() { return barRow('low', low); },
    get close() { return barRow('close', close); },
    get preClose() { return barRow('preClose', preClose); },
    get volume() { return barRow('volume', volume); },
    get amount() { return barRow('amount', panel.amount); },
    get adjFactor() { return barRow('adjFactor', adjFactor); },
    get upLimit() { limitsRow(); return upToday; },
    get downLimit() { limitsRow(); return downToday; },
    get tradable() {
      if (tradableDay !== today) {
        for (let i = 0; i < N; i++) {
          const k = today * N + i;
          tradableScratch[i] = listed[k] === 1 && suspended[k] !== 1 && close[k] === close[k] ? 1 : 0;
        }
        tradableDay = today;
      }
      return tradableScratch;
    },
    get st() {
      if (stDay !== today) {
        for (let i = 0; i < N; i++) stScratch[i] = st[today * N + i];
        stDay = today;
      }
      return stScratch;
    },
  };

  function fieldArray(field: BarField | 'adjClose'): Float64Array | null {
    switch (field) {
      case 'open': return open;
      case 'high': return high;
      case 'low': return low;
      case 'close': return close;
      case 'preClose': return preClose;
      case 'volume': return volume;
      case 'amount': return panel.amount;
      case 'adjFactor': return adjFactor;
      case 'upLimit': return panel.upLimit;
      case 'downLimit': return panel.downLimit;
      case 'adjClose': return null;
      default: throw new Error(`unknown field "${String(field)}": use open, high, low, close, preClose, volume, amount, adjFactor, upLimit, downLimit or adjClose`);
    }
  }
  function checkWindow(window: number): number {
    if (!Number.isInteger(window) || window < 1) throw new Error(`window must be a positive integer, got ${window}`);
    return window;
  }
  function history(field: BarField | 'adjClose', window: number): Float64Array {
    checkWindow(window);
    const src = fieldArray(field);
    const out = new Float64Array(window * N).fill(NaN);
    for (let w = 0; w < window; w++) {
      const day = today - window + 1 + w;
      if (day < 0) continue;
      for (let i = 0; i < N; i++) {
        const k = day * N + i;
        out[w * N + i] = src ? src[k] : close[k] * adjFactor[k];
      }
    }
    return out;
  }
  function series(field: BarField | 'adjClose', code: string | number, window: number): Float64Array {
    checkWindow(window);
    const i = resolve(code);
    const src = fieldArray(field);
    const out = new Float64Array(window).fill(NaN);
    for (let w = 0; w < window; w++) {
      const day = today - window + 1 + w;
      if (day < 0) continue;
      const k = day * N + i;
      out[w] = src ? src[k] : close[k] * adjFactor[k];
    }
    return out;
  }
  /** The indicator registered under `key`, made and caught up on first use. */
  function register(key: string, make: () => Indicator): Indicator {
    let ind = indicators.get(key);
    if (!ind) {
      ind = make();
      // Replay the past (days 0..today) so a late registration sees the same values.
      const x = new Float64Array(N).fill(NaN);
      for (let day = 0; day <= today; day++) {
        for (let i = 0; i < N; i++) {
          const k = day * N + i;
          const v = close[k] * adjFactor[k];
          if (v === v) x[i] = v;
        }
        ind.update(x);
      }
      indicators.set(key, ind);
      if (ind instanceof Sma) smas.push(ind);
      else otherIndicators.push(ind);
    }
    return ind;
  }
  function indicator(key: string, make: () => Indicator, lag: 0 | 1 | undefined, output = 0): Float64Array {
    const ind = register(key, make);
    return (lag === 1 ? ind.prev : ind.cur)[output];
  }
  // ctx.sma(n) and the other one-window indicators, found by window in an array (a strategy asks
  // for them every day) rather than by building the key string for the map on each call.
  const smaByWindow: (Indicator | undefined)[] = [];
  const emaByWindow: (Indicator | undefined)[] = [];
  const rsiByWindow: (Indicator | undefined)[] = [];
  const stdByWindow: (Indicator | undefined)[] = [];
  const momentumByWindow: (Indicator | undefined)[] = [];
  function windowed(cache: (Indicator | undefined)[], kind: string, n: number, make: (len: number, stocks: number) => Indicator, lag: 0 | 1 | undefined): Float64Array {
    let ind = cache[checkLen(n)];
    if (ind === undefined) {
      ind = register(`${kind}:${n}`, () => make(n, N));
      cache[n] = ind;
    }
    return lag === 1 ? ind.prev[0] : ind.cur[0];
  }
  function checkLen(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 5000) throw new Error(`indicator window must be an integer 1–5000, got ${n}`);
    return n;
  }
  function resolve(code: string | number): number {
    const i = typeof code === 'number' ? code : codeIndex.get(code);
    if (i === undefined || !Number.isInteger(i) || i < 0 || i >= N) throw new Error(`unknown stock ${String(code)}: not in this backtest's universe`);
    return i;
  }
  let nextOrderId = 1;
  let ordersToday = 0;
  // Sticky: once a limit is passed the run ends, even if the strategy caught the error and went on.
  let orderLimitHit: OrderLimitError | null = null;
  function place(code: string | number, kind: OrderKind, amount: number, opts?: OrderOptions): number {
    if (orderLimitHit) throw orderLimitHit;
    if (orders.length >= cfg.maxOrders) throw (orderLimitHit = new OrderLimitError('run', cfg.maxOrders, dates[today]));
    if (ordersToday >= cfg.maxOrdersPerDay) throw (orderLimitHit = new OrderLimitError('day', cfg.maxOrdersPerDay, dates[today]));
    ordersToday++;
    const i = resolve(code);
    if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new Error(`order amount must be a finite number, got ${String(amount)}`);
    const lp = opts?.limitPrice;
    if (lp !== undefined && !(typeof lp === 'number' && lp > 0)) throw new Error(`limitPrice must be a positive number, got ${String(lp)}`);
    const o: Order = {
      id: nextOrderId++, code: codes[i], index: i, kind, amount, limitPrice: lp ?? null, placedDate: dates[today],
      status: 'pending', reason: null, requestedShares: 0, filledShares: 0, avgPrice: 0, costs: 0, doneDate: null,
    };
    orders.push(o);
    placedToday.push(o);
    return o.id;
  }
  function positionView(i: number): PositionView {
    return {
      code: codes[i], index: i, shares: qty[i], sellable: qty[i] - boughtToday[i],
      avgCost: qty[i] > 0 ? costBasis[i] / qty[i] : 0, price: markPrice[i], marketValue: qty[i] * markPrice[i],
    };
  }
  const portfolio = {
    get cash() { return cash; },
    get marketValue() { return portfolioValue() - cash; },
    get value() { return portfolioValue(); },
    get count() { return heldCount; },
    shares() { return qty.slice(); },
    sharesOf(code: string | number) { return qty[resolve(code)]; },
    sellable() {
      const s = new Float64Array(N);
      for (let h = 0; h < heldCount; h++) s[held[h]] = qty[held[h]] - boughtToday[held[h]];
      return s;
    },
    positions() {
      const out: PositionView[] = [];
      for (let h = 0; h < heldCount; h++) out.push(positionView(held[h]));
      return out.sort((a, b) => a.index - b.index);
    },
    position(code: string | number) {
      const i = resolve(code);
      return qty[i] > 0 ? positionView(i) : null;
    },
  };
  const state: Record<string, unknown> = {};
  const ctx: StrategyContext<typeof params> = {
    params,
    get date() { return dates[today]; },
    get dayNumber() { return t + 1; },
    codes,
    indexOf: (code) => codeIndex.get(code) ?? -1,
    bars,
    get adjClose() { return adjClose; },
    history,
    series,
    sma: (n, lag) => windowed(smaByWindow, 'sma', n, makeSma, lag),
    ema: (n, lag) => windowed(emaByWindow, 'ema', n, makeEma, lag),
    rsi: (n, lag) => windowed(rsiByWindow, 'rsi', n, makeRsi, lag),
    std: (n, lag) => windowed(stdByWindow, 'std', n, makeStd, lag),
    momentum: (n, lag) => windowed(momentumByWindow, 'momentum', n, makeMomentum, lag),
    bollinger(n, k, lag) {
      const key = `bollinger:${checkLen(n)}:${k}`;
      const make = () => makeBollinger(n, k, N);
      return { mid: indicator(key, make, lag, 0), upper: indicator(key, make, lag, 1), lower: indicator(key, make, lag, 2) };
    },
    rank,
    above,
    below,
    crossedAbove: ((a: Series, b: Series, aPrev: Series, bPrev: Series) => {
      const n = seriesLength(a, b, aPrev, bPrev);
      return n < 0 ? crossedAbove(a as number, b as number, aPrev as number, bPrev as number) : crossedAboveEach(a, b, aPrev, bPrev, n);
    }) as StrategyContext['crossedAbove'],
    crossedBelow: ((a: Series, b: Series, aPrev: Series, bPrev: Series) => {
      const n = seriesLength(a, b, aPrev, bPrev);
      return n < 0 ? crossedBelow(a as number, b as number, aPrev as number, bPrev as number) : crossedBelowEach(a, b, aPrev, bPrev, n);
    }) as StrategyContext['crossedBelow'],
    field(name) {
      const out = new Float64Array(N).fill(NaN);
      if (typeof name === 'string' && hasOwn(panel.fields, name)) copyRow(panel.fields[name], out);
      return out;
    },
    portfolio,
    order: (code, shares, opts) => place(code, 'shares', shares, opts),
    orderValue: (code, value, opts) => place(code, 'value', value, opts),
    orderTarget: (code, shares, opts) => place(code, 'target_shares', shares, opts),
    orderTargetValue: (code, value, opts) => place(code, 'target_value', value, opts),
    orderTargetPercent: (code, pct, opts) => place(code, 'target_percent', pct, opts),
    rebalance(weights) {
      const target = new Map<number, number>();
      for (const [code, w] of Object.entries(weights)) target.set(resolve(code), w);
      const ids: number[] = [];
      // Sells first: stocks leaving, and those whose weight falls below their current weight.
      const total = portfolioValue();
      const buys: [number, number][] = [];
      for (let h = 0; h < heldCount; h++) if (!target.has(held[h])) target.set(held[h], 0);
      for (const [i, w] of target) {
        const currentW = total > 0 ? (qty[i] * (markPrice[i] === markPrice[i] ? markPrice[i] : 0)) / total : 0;
        if (w < currentW) ids.push(place(i, 'target_percent', w));
        else buys.push([i, w]);
      }
      for (const [i, w] of buys) ids.push(place(i, 'target_percent', w));
      return ids;
    },
    cancel(id) {
      const o = orders[id - 1];
      if (!o || o.status !== 'pending') return false;
      o.status = 'cancelled';
      o.reason = 'cancelled_by_strategy';
      o.doneDate = dates[today];
      return true;
    },
    openOrders: () => pending.concat(placedToday).filter((o) => o.status === 'pending'),
    state,
    log(...args) {
      const line = `${dates[today]} ${args.map((a) => (typeof a === 'string' ? a : safeString(a))).join(' ')}`;
      if (logs.length >= MAX_LOG_LINES || logChars + line.length > MAX_LOG_CHARS) {
        logsDropped++;
        return;
      }
      logs.push(line);
      logChars += line.length;
    },
  };

  function callStrategy(fn: () => void): boolean {
    try {
      fn();
    } catch (err) {
      // An order limit ends the run whatever onError says, and is not the strategy's own error.
      if (orderLimitHit) throw orderLimitHit;
      if (cfg.onError === 'fail') throw new StrategyError(dates[today], err);
      const e = err instanceof Error ? err : new Error(String(err));
      skippedDays.push({ date: dates[today], message: e.message, stack: e.stack ?? '' });
      return false;
    }
    if (orderLimitHit) throw orderLimitHit;
    return true;
  }

  function notifyOrders() {
    if (changedToday.length === 0) return;
    const changed = changedToday;
    changedToday = [];
    if (!strategy.onOrder) return;
    for (const o of changed) callStrategy(() => strategy.onOrder!(ctx, o));
  }

  // ---- the loop ------------------------------------------------------------------------------
  /** Today's adjusted closes into adjClose (carried forward), then every indicator advances one day
   * (each reads only its own stock's adjClose, so the order among them does not matter). */
  function feedIndicators(day: number) {
    const base = day * N;
    if (smas.length > 0) feedSmas(close, adjFactor, base, adjClose, smas[0], smas.length > 1 ? smas[1] : null);
    else {
      for (let i = 0; i < N; i++) {
        const v = close[base + i] * adjFactor[base + i];
        if (v === v) adjClose[i] = v;
      }
    }
    for (let j = 2; j < smas.length; j++) smas[j].update(adjClose);
    for (let j = 0; j < otherIndicators.length; j++) otherIndicators[j].update(adjClose);
  }

  function simulateDay() {
    const date = dates[today];
    ordersToday = 0;
    for (let h = 0; h < heldCount; h++) boughtToday[held[h]] = 0;
    applyCorporateActions();
    if (cfg.fillTiming === 'next_open') {
      pending = runFills(pending, 'open');
      notifyOrders();
    }
    if (t === 0 && strategy.init) callStrategy(() => strategy.init!(ctx));
    callStrategy(() => strategy.onDay(ctx));
    if (cfg.fillTiming === 'same_close') {
      pending = runFills(pending.concat(placedToday), 'close');
      placedToday = [];
      notifyOrders();
    } else {
      for (const o of placedToday) if (o.status === 'pending') pending.push(o);
      placedToday = [];
    }
    // Mark to market at the close; suspended stocks keep their last price.
    let mv = 0;
    const snapStart = snapIndex.n;
    for (let h = 0; h < heldCount; h++) {
      const i = held[h];
      const c = close[today * N + i];
      if (c === c) markPrice[i] = c;
      const v = qty[i] * markPrice[i];
      mv += v;
      if (cfg.keepSnapshots) {
        snapIndex.push(i);
        snapShares.push(qty[i]);
        snapValue.push(v);
      }
    }
    marketValue = mv;
    outCash[t] = cash;
    outMv[t] = mv;
    outTotal[t] = cash + mv;
    snapOffsets[t] = snapStart;
    snapOffsets[t + 1] = snapIndex.n;
    void date;
  }

  function step(maxDays: number, deadline?: number): boolean {
    let ran = 0;
    while (d <= last && ran < maxDays) {
      today = d;
      feedIndicators(d);
      if (d >= first) {
        simulateDay();
        t++;
        ran++;
      }
      d++;
      if (deadline !== undefined && (ran & 7) === 0 && Date.now() >= deadline) break;
    }
    if (d > last) d = D;
    return d > last;
  }

  function result(): BacktestResult {
    today = Math.max(first, Math.min(last, D - 1));
    for (const o of pending.concat(placedToday)) if (o.status === 'pending') finish(o, 'expired', o.reason === 'suspended' ? 'suspended' : 'end_of_backtest');
    pending = [];
    placedToday = [];
    const n = t;
    const simDates = new Int32Array(n);
    for (let j = 0; j < n; j++) simDates[j] = dates[first + j];
    const returns = new Float64Array(n);
    const drawdown = new Float64Array(n);
    let peak = -Infinity;
    for (let j = 0; j < n; j++) {
      returns[j] = j === 0 ? outTotal[0] / cfg.initialCash - 1 : outTotal[j] / outTotal[j - 1] - 1;
      if (outTotal[j] > peak) peak = outTotal[j];
      drawdown[j] = outTotal[j] / peak - 1;
    }
    const benchmarkNav = new Float64Array(n).fill(NaN);
    const b = input.benchmark;
    if (b) {
      let base = NaN;
      for (let j = 0; j < n; j++) {
        const v = b.close[first + j];
        if (base !== base && v === v) base = v;
        benchmarkNav[j] = v / base;
      }
    }
    if (logsDropped > 0) logs.push(`… ${logsDropped} more log lines dropped (limit ${MAX_LOG_LINES} lines / ${MAX_LOG_CHARS} chars)`);
    return {
      fillTiming: cfg.fillTiming,
      fillTimingLabel: cfg.fillTiming === 'next_open' ? 'orders fill at the next day\'s open' : 'orders fill at the same day\'s close (optimistic: the signal saw that close)',
      dates: simDates,
      cash: outCash.slice(0, n),
      marketValue: outMv.slice(0, n),
      total: outTotal.slice(0, n),
      returns,
      drawdown,
      benchmarkNav,
      benchmarkCode: b ? b.code : null,
      fills,
      orders,
      corporateActions: actions,
      snapshots: { offsets: snapOffsets.slice(0, n + 1), index: snapIndex.done(), shares: snapShares.done(), value: snapValue.done(), codes },
      trades,
      skippedDays,
      logs,
    };
  }

  void marketValue;
  return {
    step,
    currentDate: () => dates[today] ?? 0,
    progress: () => ({ done: t, total: simDays, date: t > 0 ? dates[first + t - 1] : first < D ? dates[first] : 0 }),
    result,
  };
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  } catch {
    return String(v);
  }
}

/** Runs a whole backtest synchronously (tests, small runs). */
export function runBacktestSync<P>(input: BacktestInput<P>): BacktestResult {
  const bt = makeBacktest(input);
  while (!bt.step(Number.MAX_SAFE_INTEGER)) {
    /* all in one slice */
  }
  return bt.result();
}
