/**
 * The indicators a strategy asks for, and the feed that advances them. Every panel day (warm-up days
 * before `startDate` too) today's adjusted closes go into `adjClose`, carried forward over days
 * without a bar, and each registered indicator takes one step. An indicator is made on its first
 * request and caught up by replaying days 0..today, so a late registration sees the values an
 * early one would. `ctx.sma(n)` and the other one-window indicators are found by window in an
 * array (a strategy asks for them every day) rather than by building the key string for the map on
 * each call.
 */
import type { Book } from './book.ts';
import type { Panel } from './panel.ts';
import { makeBollinger, makeEma, makeMomentum, makeRsi, makeStd, type Indicator } from './indicators.ts';
import { feedSmas, makeSma, Sma, type History } from './sma.ts';

type Lag = 0 | 1 | undefined;

export interface IndicatorFeed {
  /** Today's backward-adjusted close per stock, carried forward (the strategy's ctx.adjClose). */
  readonly adjClose: Float64Array;
  /** Day `day`'s adjusted closes into adjClose, then every indicator advances one day. */
  feed(day: number): void;
  sma(n: number, lag: Lag): Float64Array;
  ema(n: number, lag: Lag): Float64Array;
  rsi(n: number, lag: Lag): Float64Array;
  std(n: number, lag: Lag): Float64Array;
  momentum(n: number, lag: Lag): Float64Array;
  bollinger(n: number, k: number, lag: Lag): { mid: Float64Array; upper: Float64Array; lower: Float64Array };
}

/** What a feed reads: the panel, its width, and the day being processed (a backtest's book, or a lockstep's clock). */
export type FeedClock = Pick<Book, 'panel' | 'N' | 'today'>;

/**
 * One feed for several backtests of the same panel advanced day by day together (runBacktestsInLockstep, run-backtest.ts): the
 * driver sets `clock.today` and calls `feed.feed(d)` once per day; every backtest reads the same
 * indicators. An indicator is the same arithmetic on the same inputs whichever backtest asked for it
 * first (made on first request, caught up from day 0), so each backtest sees the values it would
 * have computed alone, bit for bit.
 */
export interface SharedIndicators {
  readonly clock: FeedClock;
  readonly feed: IndicatorFeed;
}

export function makeSharedIndicators(panel: Panel): SharedIndicators {
  const clock = { panel, N: panel.codes.length, today: 0 };
  return { clock, feed: makeIndicatorFeed(clock) };
}

export function makeIndicatorFeed(book: FeedClock): IndicatorFeed {
  const N = book.N;
  const { close, adjFactor } = book.panel;
  const adjClose = new Float64Array(N).fill(NaN);
  const indicators = new Map<string, Indicator>();
  // The same indicators split for the feed: SMAs (the first two advance inside the feed pass) and the rest.
  const smas: Sma[] = [];
  const otherIndicators: Indicator[] = [];
  /** The SMAs' shared inputs (sma.ts, History): rows for the last days, as many as the longest window needs; none before the first SMA. */
  let history: History | null = null;

  /** Today's adjusted closes into adjClose (carried forward), then every indicator advances one day
   * (each reads only its own stock's adjClose, so the order among them does not matter). */
  function feed(day: number) {
    const base = day * N;
    if (history !== null) feedSmas(close, adjFactor, base, adjClose, history, day, smas[0], smas.length > 1 ? smas[1] : null);
    else {
      for (let i = 0; i < N; i++) {
        const v = close[base + i] * adjFactor[base + i];
        if (v === v) adjClose[i] = v;
      }
    }
    for (let j = 2; j < smas.length; j++) smas[j].update(adjClose);
    for (let j = 0; j < otherIndicators.length; j++) otherIndicators[j].update(adjClose);
  }

  /** The indicator registered under `key`, made and caught up on first use. */
  function register(key: string, make: () => Indicator): Indicator {
    let ind = indicators.get(key);
    if (!ind) {
      ind = make();
      // Replay the past (days 0..today) so a late registration sees the same values.
      const x = new Float64Array(N).fill(NaN);
      const today = book.today;
      for (let day = 0; day <= today; day++) {
        for (let i = 0; i < N; i++) {
          const k = day * N + i;
          const v = close[k] * adjFactor[k];
          if (v === v) x[i] = v;
        }
        ind.update(x);
      }
      indicators.set(key, ind);
      if (ind instanceof Sma) joinHistory(ind);
      else otherIndicators.push(ind);
    }
    return ind;
  }
  /**
   * A caught-up SMA joins the feed: from now on it reads the feed's history, which the feed writes.
   * Its own history (written by the replay) holds the same rows for its last len + 1 days; when
   * the feed's is too short for its window (or there is none yet) its own becomes the feed's, for
   * every SMA (the others' windows are shorter: their rows are in it too).
   */
  function joinHistory(sma: Sma) {
    if (history === null || history.cap < sma.history.cap) {
      history = sma.history;
      for (const other of smas) other.history = history;
    } else sma.history = history;
    sma.ownsHistory = false;
    smas.push(sma);
  }
  function indicator(key: string, make: () => Indicator, lag: Lag, output = 0): Float64Array {
    const ind = register(key, make);
    return (lag === 1 ? ind.prev : ind.cur)[output];
  }
  const smaByWindow: (Indicator | undefined)[] = [];
  const emaByWindow: (Indicator | undefined)[] = [];
  const rsiByWindow: (Indicator | undefined)[] = [];
  const stdByWindow: (Indicator | undefined)[] = [];
  const momentumByWindow: (Indicator | undefined)[] = [];
  function windowed(cache: (Indicator | undefined)[], kind: string, n: number, make: (len: number, stocks: number) => Indicator, lag: Lag): Float64Array {
    let ind = cache[checkLen(n)];
    if (ind === undefined) {
      ind = register(`${kind}:${n}`, () => make(n, N));
      cache[n] = ind;
    }
    return lag === 1 ? ind.prev[0] : ind.cur[0];
  }

  return {
    adjClose,
    feed,
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
  };
}

function checkLen(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 5000) throw new Error(`indicator window must be an integer 1–5000, got ${n}`);
  return n;
}
