/**
 * The context handed to the strategy (context.ts has its contract), put together from the rooms
 * that serve it: the market views (market-views.ts), the indicators (indicator-feed.ts), the
 * comparisons (compare.ts), the portfolio and the order functions (orders.ts); plus the strategy's
 * own state and its log. The context holds nothing but closures and copies: no property of it
 * leads to the book or the panel.
 */
import type { Book } from './book.ts';
import type { StrategyContext } from './context.ts';
import { above, below, crossedAbove, crossedAboveEach, crossedBelow, crossedBelowEach, seriesLength, type Series } from './compare.ts';
import type { IndicatorFeed } from './indicator-feed.ts';
import { rank } from './rank.ts';
import type { MarketViews } from './market-views.ts';
import type { OrderDesk } from './orders.ts';

const MAX_LOG_LINES = 1000;
const MAX_LOG_CHARS = 200_000;

export interface StrategyContextRoom<P> {
  readonly ctx: StrategyContext<P>;
  /** The log lines kept, with a last line counting those dropped past the limits (if any); call once, at the end. */
  finishLogs(): string[];
}

export function makeStrategyContext<P>(book: Book, params: P, views: MarketViews, ind: IndicatorFeed, desk: OrderDesk): StrategyContextRoom<P> {
  const { dates, codes, codeIndex } = book;
  const adjClose = ind.adjClose;
  const { history, series } = views;
  const logs: string[] = [];
  let logChars = 0;
  let logsDropped = 0;
  const state: Record<string, unknown> = {};
  const ctx: StrategyContext<P> = {
    params,
    get date() { return dates[book.today]; },
    get dayNumber() { return book.t + 1; },
    codes,
    indexOf: (code) => codeIndex.get(code) ?? -1,
    bars: views.bars,
    get adjClose() { return adjClose; },
    history,
    series,
    sma: (n, lag) => ind.sma(n, lag),
    ema: (n, lag) => ind.ema(n, lag),
    rsi: (n, lag) => ind.rsi(n, lag),
    std: (n, lag) => ind.std(n, lag),
    momentum: (n, lag) => ind.momentum(n, lag),
    bollinger(n, k, lag) {
      return ind.bollinger(n, k, lag);
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
      return views.field(name);
    },
    factor(name) {
      return views.factor(name);
    },
    portfolio: desk.portfolio,
    order: (code, shares, opts) => desk.place(code, 'shares', shares, opts),
    orderValue: (code, value, opts) => desk.place(code, 'value', value, opts),
    orderTarget: (code, shares, opts) => desk.place(code, 'target_shares', shares, opts),
    orderTargetValue: (code, value, opts) => desk.place(code, 'target_value', value, opts),
    orderTargetPercent: (code, pct, opts) => desk.place(code, 'target_percent', pct, opts),
    rebalance(weights) {
      return desk.rebalance(weights);
    },
    cancel(id) {
      return desk.cancel(id);
    },
    openOrders: () => desk.openOrders(),
    state,
    log(...args) {
      const line = `${dates[book.today]} ${args.map((a) => (typeof a === 'string' ? a : safeString(a))).join(' ')}`;
      if (logs.length >= MAX_LOG_LINES || logChars + line.length > MAX_LOG_CHARS) {
        logsDropped++;
        return;
      }
      logs.push(line);
      logChars += line.length;
    },
  };

  function finishLogs(): string[] {
    if (logsDropped > 0) logs.push(`… ${logsDropped} more log lines dropped (limit ${MAX_LOG_LINES} lines / ${MAX_LOG_CHARS} chars)`);
    return logs;
  }

  return { ctx, finishLogs };
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  } catch {
    return String(v);
  }
}
