/**
 * Incremental indicators over the backward-adjusted (hfq) close, one value per stock per day.
 * Each is fed one cross-section per day (in day order, past only), so nothing it holds can come
 * from after today. The input is the hfq close carried forward over suspensions; a stock with no
 * price yet has NaN, and an indicator is NaN until its window is full.
 *
 * Definitions (once):
 * - SMA(n): mean of the last n inputs.
 * - EMA(n): α = 2/(n+1), seeded with the SMA of the first n inputs, then α·x + (1−α)·EMA.
 * - RSI(n), Wilder: change c = x_t − x_{t−1}; the first average gain/loss is the simple mean of the
 *   first n gains/losses, then avg = (avg·(n−1) + current)/n; RSI = 100 − 100/(1 + avgGain/avgLoss),
 *   100 when avgLoss = 0 < avgGain, 50 when both are 0.
 * - STD(n): sample standard deviation (n−1 divisor, as pandas' rolling std) of the last n inputs.
 * - Bollinger(n, k): mid = SMA(n), upper/lower = mid ± k·STD(n).
 * - Momentum(n): x_t / x_{t−n} − 1.
 * Every indicator keeps today's values and yesterday's (lag 1); arrays are valid for the day.
 * The SMA, the feed's hot path, is in sma.ts.
 * Compare them with the tolerant functions of compare.ts (ctx.above, ctx.crossedAbove…): running
 * sums leave float noise of ~1e-15 of the value, so exactly equal averages may differ in the last bits.
 */

export type IndicatorKind = 'sma' | 'ema' | 'rsi' | 'std' | 'bollinger' | 'momentum';

export interface Indicator {
  readonly key: string;
  /** Today's outputs (one for most kinds; mid, upper, lower for Bollinger). */
  cur: Float64Array[];
  /** Yesterday's outputs. */
  prev: Float64Array[];
  update(x: Float64Array): void;
}

export function outputs(count: number, n: number): Float64Array[] {
  const r: Float64Array[] = [];
  for (let k = 0; k < count; k++) r.push(new Float64Array(n).fill(NaN));
  return r;
}

export function swap(ind: { cur: Float64Array[]; prev: Float64Array[] }): void {
  const t = ind.prev;
  ind.prev = ind.cur;
  ind.cur = t;
}

/** The last `len` inputs per stock, with the running sum and count of finite values. */
class Ring {
  readonly buf: Float64Array;
  readonly sum: Float64Array;
  /** Float64Array like the sums, so windowStep sees one array type (monomorphic in the hot loops). */
  readonly count: Float64Array;
  /** Row written last. */
  pos = -1;
  days = 0;
  constructor(readonly len: number, readonly n: number) {
    this.buf = new Float64Array(len * n).fill(NaN);
    this.sum = new Float64Array(n);
    this.count = new Float64Array(n);
  }
  /** Pushes today's row over the oldest one. */
  push(x: Float64Array): void {
    const { n, len, buf, sum, count } = this;
    this.pos = (this.pos + 1) % len;
    const off = this.pos * n;
    for (let i = 0; i < n; i++) windowStep(buf, off + i, x[i], sum, i, count, i);
    if (++this.days % 512 === 0) this.resum();
  }
  /** Re-sums the window so float error from add/subtract cannot accumulate over decades. */
  resum(): void {
    const { n, len, buf, sum } = this;
    {
      sum.fill(0);
      for (let r = 0; r < len; r++) {
        const o = r * n;
        for (let i = 0; i < n; i++) {
          const v = buf[o + i];
          if (v === v) sum[i] += v;
        }
      }
    }
  }
}

/**
 * One stock's step of a rolling window: v is written over the ring slot buf[at], the value there
 * leaves, and the running sum (sums[si]) and count of numbers (counts[ci]) follow; NaN neither
 * enters nor leaves. Ring keeps sums and counts in two arrays.
 * Small enough for V8 to inline into the per-stock loops (the engine's hot path).
 */
function windowStep(buf: Float64Array, at: number, v: number, sums: Float64Array, si: number, counts: Float64Array, ci: number): void {
  const old = buf[at];
  buf[at] = v;
  let s = sums[si];
  let c = counts[ci];
  if (old === old) {
    s -= old;
    c--;
  }
  if (v === v) {
    s += v;
    c++;
  }
  sums[si] = s;
  counts[ci] = c;
}

export function makeEma(len: number, n: number): Indicator {
  const alpha = 2 / (len + 1);
  const seen = new Int32Array(n);
  const seed = new Float64Array(n);
  const ind = {
    key: `ema:${len}`,
    cur: outputs(1, n),
    prev: outputs(1, n),
    update(x: Float64Array) {
      swap(ind);
      const out = ind.cur[0];
      const last = ind.prev[0];
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v !== v) {
          out[i] = last[i];
          continue;
        }
        const k = ++seen[i];
        if (k < len) {
          seed[i] += v;
          out[i] = NaN;
        } else if (k === len) out[i] = (seed[i] + v) / len;
        else out[i] = alpha * v + (1 - alpha) * last[i];
      }
    },
  };
  return ind;
}

export function makeRsi(len: number, n: number): Indicator {
  const lastX = new Float64Array(n).fill(NaN);
  const changes = new Int32Array(n);
  const gain = new Float64Array(n);
  const loss = new Float64Array(n);
  const ind = {
    key: `rsi:${len}`,
    cur: outputs(1, n),
    prev: outputs(1, n),
    update(x: Float64Array) {
      swap(ind);
      const out = ind.cur[0];
      const yesterday = ind.prev[0];
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const p = lastX[i];
        lastX[i] = v === v ? v : p;
        if (v !== v || p !== p) {
          out[i] = yesterday[i];
          continue;
        }
        const c = v - p;
        const g = c > 0 ? c : 0;
        const l = c < 0 ? -c : 0;
        const k = ++changes[i];
        if (k <= len) {
          gain[i] += g;
          loss[i] += l;
          if (k < len) {
            out[i] = NaN;
            continue;
          }
          gain[i] /= len;
          loss[i] /= len;
        } else {
          gain[i] = (gain[i] * (len - 1) + g) / len;
          loss[i] = (loss[i] * (len - 1) + l) / len;
        }
        const ag = gain[i];
        const al = loss[i];
        out[i] = al === 0 ? (ag === 0 ? 50 : 100) : 100 - 100 / (1 + ag / al);
      }
    },
  };
  return ind;
}

function stdFromRing(ring: Ring, len: number, i: number, mean: number): number {
  const { buf, n } = ring;
  let ss = 0;
  for (let r = 0; r < len; r++) {
    const d = buf[r * n + i] - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / (len - 1));
}

export function makeStd(len: number, n: number): Indicator {
  const ring = new Ring(len, n);
  const ind = {
    key: `std:${len}`,
    cur: outputs(1, n),
    prev: outputs(1, n),
    update(x: Float64Array) {
      swap(ind);
      ring.push(x);
      const out = ind.cur[0];
      const { sum, count } = ring;
      for (let i = 0; i < n; i++) out[i] = count[i] === len && len > 1 ? stdFromRing(ring, len, i, sum[i] / len) : NaN;
    },
  };
  return ind;
}

export function makeBollinger(len: number, k: number, n: number): Indicator {
  const ring = new Ring(len, n);
  const ind = {
    key: `bollinger:${len}:${k}`,
    cur: outputs(3, n),
    prev: outputs(3, n),
    update(x: Float64Array) {
      swap(ind);
      ring.push(x);
      const [mid, upper, lower] = ind.cur;
      const { sum, count } = ring;
      for (let i = 0; i < n; i++) {
        if (count[i] !== len || len < 2) {
          mid[i] = upper[i] = lower[i] = NaN;
          continue;
        }
        const m = sum[i] / len;
        const s = stdFromRing(ring, len, i, m);
        mid[i] = m;
        upper[i] = m + k * s;
        lower[i] = m - k * s;
      }
    },
  };
  return ind;
}

export function makeMomentum(len: number, n: number): Indicator {
  // The last len+1 inputs, one row per day; the row after today's holds the input of len days ago.
  const rows = len + 1;
  const buf = new Float64Array(rows * n).fill(NaN);
  let pos = -1;
  let days = 0;
  const ind = {
    key: `momentum:${len}`,
    cur: outputs(1, n),
    prev: outputs(1, n),
    update(x: Float64Array) {
      swap(ind);
      pos = (pos + 1) % rows;
      days++;
      const off = pos * n;
      const baseOff = ((pos + 1) % rows) * n;
      const ready = days > len;
      const out = ind.cur[0];
      for (let i = 0; i < n; i++) {
        const v = x[i];
        buf[off + i] = v;
        const base = buf[baseOff + i];
        out[i] = ready && base === base && base !== 0 ? v / base - 1 : NaN;
      }
    },
  };
  return ind;
}
