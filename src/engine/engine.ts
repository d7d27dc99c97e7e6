/**
 * The day loop. For each panel day: feed today's adjusted closes to the indicators (warm-up days
 * before `startDate` too); then, inside the simulated range: apply corporate actions and delistings
 * to held positions, fill pending orders at the open (next_open), call the strategy with the day's
 * cross-section, fill today's orders at the close (same_close), mark to market at the close and
 * record the day.
 *
 * The rooms, each made once per backtest around the shared book (book.ts):
 * - fill.ts: order filling (fill rules, what "locked" means, limit prices, lots, volume cap, costs);
 * - corporate-actions.ts: ex-dates and delistings applied to held positions (the derivation of
 *   bonus shares and cash from the adj factor is in its header);
 * - limits.ts: the day's price limits (the data's, else computed by the board rules);
 * - market-views.ts, indicator-feed.ts, orders.ts: what the strategy sees and does (bars, history,
 *   indicators, the portfolio view and the order functions), put together in strategy-context.ts;
 * - record.ts: the daily marks and the result.
 */
import type { BenchmarkSeries, Panel } from './panel.ts';
import type { BacktestConfig, BacktestResult, Order, Progress, SkippedDay } from './types.ts';
import { defaultConfig } from './types.ts';
import type { StrategyDefinition } from './strategy.ts';
import { finish, makeBook } from './book.ts';
import { makeLimits } from './limits.ts';
import { makeFiller } from './fill.ts';
import { makeCorporateActions } from './corporate-actions.ts';
import { makeIndicatorFeed, type SharedIndicators } from './indicator-feed.ts';
import { makeMarketViews } from './market-views.ts';
import { makeOrderDesk } from './orders.ts';
import { makeStrategyContext } from './strategy-context.ts';
import { makeRecord } from './record.ts';

export { OrderLimitError, parseOrderLimit } from './orders.ts';

/** A strategy error, carrying the day it happened on. */
export class StrategyError extends Error {
  constructor(readonly date: number, readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
    this.name = 'StrategyError';
  }
}

export interface BacktestInput<P> {
  panel: Panel;
  benchmark?: BenchmarkSeries | null;
  strategy: StrategyDefinition<P>;
  /** Raw params; parsed (defaults filled) with the strategy's schema. */
  params?: unknown;
  config?: Partial<BacktestConfig>;
  /**
   * Indicators shared with other backtests of the same panel run in lockstep (runBacktestsInLockstep, run-backtest.ts): this
   * one then does not feed them; whoever drives it feeds day d once and calls `stepDay(d)` on each.
   */
  shared?: SharedIndicators;
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
  /** The last panel day it simulates (index into panel.dates; −1 when none). */
  readonly lastDay: number;
  /**
   * Lockstep (with `shared` indicators, already fed for day d): processes exactly panel day d, which
   * must be the next one; true when done. Throws as step does.
   */
  stepDay(d: number): boolean;
}

// The strategy's hooks, for callStrategy (a number rather than a closure made each day).
const INIT = 0;
const ON_DAY = 1;
const ON_ORDER = 2;

export function makeBacktest<P>(input: BacktestInput<P>): Backtest {
  const cfg: BacktestConfig = { ...defaultConfig, ...input.config };
  const panel = input.panel;
  const strategy = input.strategy;
  const params = strategy.params.parse(input.params ?? {});
  const book = makeBook(panel, cfg);
  const { D, dates, held, boughtToday } = book;

  let first = 0;
  while (first < D && cfg.startDate !== undefined && dates[first] < cfg.startDate) first++;
  let last = D - 1;
  while (last >= 0 && cfg.endDate !== undefined && dates[last] > cfg.endDate) last--;
  const simDays = Math.max(0, last - first + 1);

  const limits = makeLimits(book);
  const { runFills } = makeFiller(book, limits);
  const { applyCorporateActions } = makeCorporateActions(book);
  const indicators = input.shared ? input.shared.feed : makeIndicatorFeed(book);
  const desk = makeOrderDesk(book);
  const { ctx, finishLogs } = makeStrategyContext(book, params, makeMarketViews(book, limits), indicators, desk);
  const record = makeRecord(book, simDays);
  const skippedDays: SkippedDay[] = [];
  let d = 0; // panel day being processed next

  /** Calls one of the strategy's hooks; false when it threw and the day is skipped (onError 'skip_day'). */
  function callStrategy(hook: typeof INIT | typeof ON_DAY | typeof ON_ORDER, o: Order | null): boolean {
    try {
      if (hook === ON_DAY) strategy.onDay(ctx);
      else if (hook === INIT) strategy.init!(ctx);
      else strategy.onOrder!(ctx, o!);
    } catch (err) {
      // An order limit ends the run whatever onError says, and is not the strategy's own error.
      const limitHit = desk.limitHit();
      if (limitHit) throw limitHit;
      if (cfg.onError === 'fail') throw new StrategyError(dates[book.today], err);
      const e = err instanceof Error ? err : new Error(String(err));
      skippedDays.push({ date: dates[book.today], message: e.message, stack: e.stack ?? '' });
      return false;
    }
    const limitHit = desk.limitHit();
    if (limitHit) throw limitHit;
    return true;
  }

  function notifyOrders() {
    if (book.changedToday.length === 0) return;
    const changed = book.changedToday;
    book.changedToday = [];
    if (!strategy.onOrder) return;
    for (const o of changed) callStrategy(ON_ORDER, o);
  }

  function simulateDay() {
    desk.startDay();
    for (let h = 0; h < book.heldCount; h++) boughtToday[held[h]] = 0;
    applyCorporateActions();
    if (cfg.fillTiming === 'next_open') {
      book.pending = runFills(book.pending, 'open');
      notifyOrders();
    }
    if (book.t === 0 && strategy.init) callStrategy(INIT, null);
    callStrategy(ON_DAY, null);
    if (cfg.fillTiming === 'same_close') {
      book.pending = runFills(book.pending.concat(book.placedToday), 'close');
      book.placedToday = [];
      notifyOrders();
    } else {
      for (const o of book.placedToday) if (o.status === 'pending') book.pending.push(o);
      book.placedToday = [];
    }
    record.markDay();
  }

  function step(maxDays: number, deadline?: number): boolean {
    if (input.shared) throw new Error('a backtest with shared indicators is driven by stepDay');
    let ran = 0;
    while (d <= last && ran < maxDays) {
      book.today = d;
      indicators.feed(d);
      if (d >= first) {
        simulateDay();
        book.t++;
        ran++;
      }
      d++;
      if (deadline !== undefined && (ran & 7) === 0 && Date.now() >= deadline) break;
    }
    if (d > last) d = D;
    return d > last;
  }

  function stepDay(day: number): boolean {
    if (!input.shared || day !== d) throw new Error(`stepDay(${day}) out of order: the next day is ${d}${input.shared ? '' : ' (and this backtest has its own indicators: use step)'}`);
    if (d <= last) {
      book.today = d;
      if (d >= first) {
        simulateDay();
        book.t++;
      }
      d++;
    }
    if (d > last) d = D;
    return d > last;
  }

  function result(): BacktestResult {
    book.today = Math.max(first, Math.min(last, D - 1));
    for (const o of book.pending.concat(book.placedToday)) if (o.status === 'pending') finish(book, o, 'expired', o.reason === 'suspended' ? 'suspended' : 'end_of_backtest');
    book.pending = [];
    book.placedToday = [];
    return record.result(first, input.benchmark, skippedDays, finishLogs());
  }

  return {
    step,
    currentDate: () => dates[book.today] ?? 0,
    progress: () => ({ done: book.t, total: simDays, date: book.t > 0 ? dates[first + book.t - 1] : first < D ? dates[first] : 0 }),
    result,
    lastDay: last,
    stepDay,
  };
}

/** Runs a whole backtest synchronously (tests, small runs). */
export function runBacktestSync<P>(input: BacktestInput<P>): BacktestResult {
  const bt = makeBacktest(input);
  while (!bt.step(Number.MAX_SAFE_INTEGER)) {
    /* all in one slice */
  }
  return bt.result();
}
