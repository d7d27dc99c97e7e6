/**
 * The record of a run: each simulated day's close marks (cash, market value, total, and the
 * position snapshots when kept), and at the end the result built from them and the book — daily
 * returns, drawdown, the benchmark rebased to 1, the fills, orders, actions and round trips.
 */
import type { Book } from './book.ts';
import type { BenchmarkSeries } from './panel.ts';
import type { BacktestResult, SkippedDay } from './types.ts';

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

export interface DayRecord {
  /** Marks the held positions at today's close (suspended stocks keep their last price) and records day `book.t`. */
  markDay(): void;
  /** The result of the `book.t` days recorded, the first at panel day `first`. */
  result(first: number, benchmark: BenchmarkSeries | null | undefined, skippedDays: SkippedDay[], logs: string[]): BacktestResult;
}

export function makeRecord(book: Book, simDays: number): DayRecord {
  const { N, cfg, held, qty, markPrice } = book;
  const close = book.panel.close;
  const outCash = new Float64Array(simDays);
  const outMv = new Float64Array(simDays);
  const outTotal = new Float64Array(simDays);
  const snapOffsets = new Int32Array(simDays + 1);
  const snapIndex = new GrowI32();
  const snapShares = new GrowF64();
  const snapValue = new GrowF64();

  function markDay() {
    const base = book.today * N;
    const t = book.t;
    let mv = 0;
    const snapStart = snapIndex.n;
    for (let h = 0; h < book.heldCount; h++) {
      const i = held[h];
      const c = close[base + i];
      if (c === c) markPrice[i] = c;
      const v = qty[i] * markPrice[i];
      mv += v;
      if (cfg.keepSnapshots) {
        snapIndex.push(i);
        snapShares.push(qty[i]);
        snapValue.push(v);
      }
    }
    const cash = book.cash;
    outCash[t] = cash;
    outMv[t] = mv;
    outTotal[t] = cash + mv;
    snapOffsets[t] = snapStart;
    snapOffsets[t + 1] = snapIndex.n;
  }

  function result(first: number, benchmark: BenchmarkSeries | null | undefined, skippedDays: SkippedDay[], logs: string[]): BacktestResult {
    const { dates, codes } = book;
    const n = book.t;
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
    const b = benchmark;
    if (b) {
      let base = NaN;
      for (let j = 0; j < n; j++) {
        const v = b.close[first + j];
        if (base !== base && v === v) base = v;
        benchmarkNav[j] = v / base;
      }
    }
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
      fills: book.fills,
      orders: book.orders,
      corporateActions: book.actions,
      snapshots: { offsets: snapOffsets.slice(0, n + 1), index: snapIndex.done(), shares: snapShares.done(), value: snapValue.done(), codes },
      trades: book.trades,
      skippedDays,
      logs,
    };
  }

  return { markDay, result };
}
