/**
 * The market as the strategy sees it: today's bars, the history of a field, one stock's series and
 * the daily-basic fields. Every array handed out is a fresh copy or this room's per-day scratch
 * (a copy of the panel's row, filled lazily on first read each day), never a view of the panel, so
 * nothing after today is reachable (the no-look-ahead and realm tests).
 */
import type { Book } from './book.ts';
import { resolve } from './book.ts';
import type { BarField, Bars } from './context.ts';
import type { Limits } from './limits.ts';

// Captured at load, before any user code runs in the sandbox: panel memory is only ever indexed
// directly or read through these, never handed to a builtin a strategy could have replaced.
const hasOwn = Object.hasOwn;

export interface MarketViews {
  readonly bars: Bars;
  history(field: BarField | 'adjClose', window: number): Float64Array;
  series(field: BarField | 'adjClose', code: string | number, window: number): Float64Array;
  field(name: string): Float64Array;
  factor(name: string): Float64Array;
}

/** The panel field a stored factor is loaded into (src/backtests/plan.ts puts it there): `factor:<key>`. */
export const factorFieldPrefix = 'factor:';

// ctx.factor('momentum_20') / .factor("u12v3") with a string literal: the factors user code reads.
const factorCall = /\.factor\(\s*(['"`])([a-z][a-z0-9_]{0,39})\1\s*\)/g;

/** The stored factors user code names with a string literal in ctx.factor('…'), sorted: what a backtest loads for it. */
export function factorsInCode(source: string): string[] {
  return [...new Set([...source.matchAll(factorCall)].map((m) => m[2]))].sort();
}

export function makeMarketViews(book: Book, limits: Limits): MarketViews {
  const { N, panel } = book;
  const { open, high, low, close, preClose, volume, adjFactor, suspended, listed, st } = panel;
  const { upLimitAt, downLimitAt } = limits;
  const barScratch = new Map<string, Float64Array>();
  const barScratchDay = new Map<string, number>();
  const upToday = new Float64Array(N);
  const downToday = new Float64Array(N);
  let limitsDay = -1;
  const tradableScratch = new Uint8Array(N);
  const stScratch = new Uint8Array(N);
  let tradableDay = -1;
  let stDay = -1;

  function copyRow(src: Float64Array, into: Float64Array) {
    const base = book.today * N;
    for (let i = 0; i < N; i++) into[i] = src[base + i];
  }
  function barRow(name: string, src: Float64Array): Float64Array {
    let a = barScratch.get(name);
    if (!a) {
      a = new Float64Array(N);
      barScratch.set(name, a);
    }
    if (barScratchDay.get(name) !== book.today) {
      copyRow(src, a);
      barScratchDay.set(name, book.today);
    }
    return a;
  }
  function limitsRow() {
    const today = book.today;
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
      const today = book.today;
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
      const today = book.today;
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
  function history(field: BarField | 'adjClose', window: number): Float64Array {
    checkWindow(window);
    const src = fieldArray(field);
    const today = book.today;
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
    const i = resolve(book, code);
    const src = fieldArray(field);
    const today = book.today;
    const out = new Float64Array(window).fill(NaN);
    for (let w = 0; w < window; w++) {
      const day = today - window + 1 + w;
      if (day < 0) continue;
      const k = day * N + i;
      out[w] = src ? src[k] : close[k] * adjFactor[k];
    }
    return out;
  }
  function field(name: string): Float64Array {
    const out = new Float64Array(N).fill(NaN);
    if (typeof name === 'string' && hasOwn(panel.fields, name)) copyRow(panel.fields[name], out);
    return out;
  }

  function factor(name: string): Float64Array {
    const key = factorFieldPrefix + String(name);
    if (typeof name !== 'string' || !hasOwn(panel.fields, key)) {
      throw new Error(`factor "${String(name)}" is not loaded for this backtest: name it with a string literal, ctx.factor('momentum_20'), and compute it first (POST /api/v1/factors/{id}/computations)`);
    }
    return field(key);
  }

  return { bars, history, series, field, factor };
}

function checkWindow(window: number): number {
  if (!Number.isInteger(window) || window < 1) throw new Error(`window must be a positive integer, got ${window}`);
  return window;
}
