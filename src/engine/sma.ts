/**
 * SMA(n), the indicator the engine's day loop advances most (indicators.ts has the definitions of
 * them all): a running sum per stock over a history of inputs the SMAs of one feed share, advanced
 * inside the feed's own pass over the stocks two at a time (feedSmas).
 */
import { outputs, swap, type Indicator } from './indicators.ts';

/**
 * The recent inputs of the SMAs of one feed, one row of n per day: day d's row at (d mod cap)·n, and
 * after the `cap` rows one row of NaN standing for the days before day 0. All the feed's SMAs read
 * the value leaving their window from here, so a batch of SMAs of many windows keeps one copy of the
 * last `cap` days instead of a ring per window (a lockstep batch's rings were ~18 MB for the full
 * market, read and written a row per window per day; this is ~2.4 MB, written once a day: what two
 * processes running sweeps on one machine's shared cache mostly fought over). Beside the rows, the
 * last day each stock's input was NaN (−1 before any day: the days before day 0 count as NaN): an
 * SMA's window holds `len` numbers exactly when that day is before the window, so the SMAs keep no
 * count of their own.
 */
export class History {
  readonly buf: Float64Array;
  /** Per stock: the last day (≤ `day`) its input was NaN; −1 when none was. */
  readonly lastNaN: Int32Array;
  /** The last day written. */
  day = -1;
  constructor(readonly n: number, readonly cap: number) {
    this.buf = new Float64Array((cap + 1) * n).fill(NaN);
    this.lastNaN = new Int32Array(n).fill(-1);
  }
  /** Offset of day d's row (the NaN row for d < 0). */
  row(d: number): number {
    return d < 0 ? this.cap * this.n : (d % this.cap) * this.n;
  }
  /** Writes x as the next day's row. */
  push(x: Float64Array): void {
    const d = ++this.day;
    this.buf.set(x, this.row(d));
    const { lastNaN } = this;
    for (let i = 0; i < this.n; i++) if (x[i] !== x[i]) lastNaN[i] = d;
  }
}

/**
 * SMA(len). Its state is open so the engine can advance it inside the adjusted-close feed, two at
 * a time (feedSmas): the day loop's hot path. `update` is the same arithmetic on its own. The inputs
 * in its window are read from a History (cap > len): the feed's, shared by its SMAs and written by
 * the feed; or, made alone (makeSma), one of its own that `update` writes.
 */
export class Sma implements Indicator {
  readonly key: string;
  cur: Float64Array[];
  prev: Float64Array[];
  /** Per stock: the sum of the numbers in the window (NaN inputs neither enter nor leave it). */
  readonly sum: Float64Array;
  /** Whether `update` writes the input into the history (an SMA alone) or the feed does. */
  ownsHistory = true;
  history: History;
  constructor(readonly len: number, readonly n: number) {
    this.key = `sma:${len}`;
    this.cur = outputs(1, n);
    this.prev = outputs(1, n);
    this.sum = new Float64Array(n);
    this.history = new History(n, len + 1);
  }

  /** Starts day `history.day` (its input already in the history): swaps today's outputs into yesterday's; returns the offset of the row leaving the window. */
  begin(): number {
    swap(this);
    return this.history.row(this.history.day - this.len);
  }

  /**
   * Ends a day: every 512 days (an SMA is fed from day 0, caught up when made late) re-sums the
   * window so float error from add/subtract cannot accumulate over decades. The rows are added in the order a ring of `len` rows written from day 0 holds them
   * (row r: the day ≡ r mod len), as the SMA summed when each window kept its own ring: the same sums to the bit.
   */
  end(): void {
    const { n, len, sum, history } = this;
    const d = history.day;
    if ((d + 1) % 512 !== 0) return;
    const { buf } = history;
    sum.fill(0);
    for (let r = 0; r < len; r++) {
      const o = history.row(d - (((d - r) % len) + len) % len);
      for (let i = 0; i < n; i++) {
        const v = buf[o + i];
        if (v === v) sum[i] += v;
      }
    }
  }

  update(x: Float64Array): void {
    const h = this.history;
    if (this.ownsHistory) h.push(x);
    const off = this.begin();
    const { n, len, sum } = this;
    const { buf, lastNaN } = h;
    const lim = h.day - len;
    const out = this.cur[0];
    for (let i = 0; i < n; i++) smaStep(buf, sum, out, off, len, lastNaN, lim, i, x[i]);
    this.end();
  }
}

/**
 * One stock's step of an SMA: v enters, the history's value at `off + i` (the day leaving the window)
 * leaves, and the running sum follows (NaN neither enters nor leaves). out[i] is the mean once the
 * window holds `len` numbers — no NaN input after day `lim` = today − len — and NaN before.
 */
function smaStep(buf: Float64Array, sum: Float64Array, out: Float64Array, off: number, len: number, lastNaN: Int32Array, lim: number, i: number, v: number): void {
  const old = buf[off + i];
  let s = sum[i];
  if (old === old) s -= old;
  if (v === v) s += v;
  sum[i] = s;
  out[i] = lastNaN[i] <= lim ? s / len : NaN;
}

/**
 * One stock's input for day `day`: close·adjFactor at `base + i` when that is a number, else the
 * last one (carried forward in x); written into x and the history row at `now`, and the day kept as
 * the stock's last NaN while it has had no number yet. Small enough for V8 to inline into feedSmas's loops.
 */
function feedStock(close: Float64Array, adjFactor: Float64Array, base: number, x: Float64Array, buf: Float64Array, now: number, lastNaN: Int32Array, day: number, i: number): number {
  let v = close[base + i] * adjFactor[base + i];
  if (v === v) x[i] = v;
  else {
    v = x[i];
    if (v !== v) lastNaN[i] = day;
  }
  buf[now + i] = v;
  return v;
}

export function makeSma(len: number, n: number): Sma {
  return new Sma(len, n);
}

/**
 * The engine's per-day feed fused with up to two SMA updates, in one pass over the stocks:
 * x[i] ← close·adjFactor at row `base` when that is a number, else x[i] is kept (carried forward),
 * and x[i] goes into the history as day `day`'s row; then `a` and `b` (when given, on that history)
 * take x[i] exactly as Sma.update would. Same results as the feed followed by a.update(x) and
 * b.update(x), without re-reading x and the loop overhead per pass.
 */
export function feedSmas(close: Float64Array, adjFactor: Float64Array, base: number, x: Float64Array, h: History, day: number, a: Sma, b: Sma | null): void {
  h.day = day;
  const { buf, lastNaN } = h;
  const now = h.row(day);
  const n = x.length;
  const offA = a.begin();
  const lenA = a.len;
  const sumA = a.sum;
  const outA = a.cur[0];
  const limA = day - lenA;
  if (b === null) {
    for (let i = 0; i < n; i++) smaStep(buf, sumA, outA, offA, lenA, lastNaN, limA, i, feedStock(close, adjFactor, base, x, buf, now, lastNaN, day, i));
    a.end();
    return;
  }
  const offB = b.begin();
  const lenB = b.len;
  const sumB = b.sum;
  const outB = b.cur[0];
  const limB = day - lenB;
  for (let i = 0; i < n; i++) {
    const v = feedStock(close, adjFactor, base, x, buf, now, lastNaN, day, i);
    smaStep(buf, sumA, outA, offA, lenA, lastNaN, limA, i, v);
    smaStep(buf, sumB, outB, offB, lenB, lastNaN, limB, i, v);
  }
  a.end();
  b.end();
}
