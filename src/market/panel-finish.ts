/**
 * The passes that complete a panel after the loader's queries have scattered their rows into it
 * (panel.ts): NaN where no row came, the listed and suspended flags, ST days, adj factors carried
 * forward, and limit prices where the exchange's are missing. Typed arrays only, no I/O.
 *
 * Every pass walks the arrays day-major (d outer, stock inner): contiguous memory, per-stock state
 * in small typed arrays. A stock-major walk strides N × 8 bytes and costs ~10× on 5,000 stocks.
 */
import type { Panel } from '../engine/panel.ts';
import { downLimitCents, limitPercent, upLimitCents } from '../engine/rules.ts';
import type { Board } from './datasets.ts';

/** A panel column's stock: its board, and its list and delist dates (YYYYMMDD; listDate null: not in the stock list). */
export interface PanelStock {
  code: string;
  board: Board;
  listDate: number | null;
  delistDate: number | null;
}

/** Per table, 1 on every slot a row reached (hasBasic null when no daily_basic field was asked for). */
export interface Presence {
  hasBar: Uint8Array;
  hasAdj: Uint8Array;
  hasLimit: Uint8Array;
  hasBasic: Uint8Array | null;
}

/** An ST period of panel stock i: [start, end) in YYYYMMDD, end null while it lasts. */
export type StRow = [i: number, start: number, end: number | null];

/**
 * Completes the scattered panel in place. `adjFirst` is each stock's first adj factor in the range
 * (NaN: none) when the loader read the factors as runs, or null when it read them row by row (then
 * they are looked up here).
 */
export function finishPanel(p: Panel, stocks: readonly PanelStock[], present: Presence, stRows: readonly StRow[], adjFirst: Float64Array | null): void {
  const { dates, open, high, low, close, preClose, volume, amount, adjFactor, upLimit, downLimit, suspended, listed, st } = p;
  const { hasBar, hasAdj, hasLimit, hasBasic } = present;
  const D = dates.length;
  const N = stocks.length;

  // daily_basic fields: NaN where no row was (bars get theirs in the sweep below).
  if (hasBasic) {
    const arrays = Object.values(p.fields);
    for (let k = 0; k < D * N; k++) if (!hasBasic[k]) for (const a of arrays) a[k] = NaN;
  }
  const { fromIdx, toIdx } = listedDays(stocks, dates, hasBar, close);
  for (const [i, s, e] of stRows) {
    const to = e === null ? D : lowerBound(dates, e);
    for (let d = lowerBound(dates, s); d < to; d++) st[d * N + i] = 1;
  }
  // adjFactor's lead-in: each stock's first known factor; 1 when none is known.
  const cur = adjFirst ?? firstAdjFactors(adjFactor, hasAdj, D, N);
  for (let i = 0; i < N; i++) if (cur[i] !== cur[i]) cur[i] = 1;
  // Limits where the exchange's are missing come from pre_close by board rules (engine/rules.ts); the
  // percentage depends on (board, ST, date) only: a per-day table of the 8 cases.
  const boardCode = new Uint8Array(N);
  for (let i = 0; i < N; i++) boardCode[i] = boardCodes.indexOf(stocks[i].board);
  const pct = new Float64Array(8);
  // One sweep over every slot for the rest, as each pass over ~1 GB costs 0.1–0.3 s: NaN bars
  // where no row was, listed and suspended flags, adjFactor carried forward, missing limits.
  for (let d = 0; d < D; d++) {
    for (let b = 0; b < 4; b++) {
      pct[b * 2] = limitPercent(boardCodes[b], false, dates[d]);
      pct[b * 2 + 1] = limitPercent(boardCodes[b], true, dates[d]);
    }
    const row = d * N;
    for (let i = 0; i < N; i++) {
      const k = row + i;
      if (!hasBar[k]) open[k] = high[k] = low[k] = close[k] = preClose[k] = volume[k] = amount[k] = NaN;
      if (d >= fromIdx[i] && d < toIdx[i]) {
        listed[k] = 1;
        if (close[k] !== close[k]) suspended[k] = 1;
      }
      const v = adjFactor[k];
      if (hasAdj[k] && v === v) cur[i] = v;
      else adjFactor[k] = cur[i];
      if (hasLimit[k]) continue;
      const pc = preClose[k];
      if (pc !== pc) {
        upLimit[k] = downLimit[k] = NaN;
        continue;
      }
      const cents = Math.round(pc * 100);
      const lp = pct[boardCode[i] * 2 + st[k]];
      upLimit[k] = upLimitCents(cents, lp) / 100;
      downLimit[k] = downLimitCents(cents, lp) / 100;
    }
  }
}

/**
 * Each stock's listed days [fromIdx, toIdx) from its list and delist dates; for stocks missing from
 * the stock list, its first bar through the day after its last bar.
 */
function listedDays(stocks: readonly PanelStock[], dates: Int32Array, hasBar: Uint8Array, close: Float64Array): { fromIdx: Int32Array; toIdx: Int32Array } {
  const D = dates.length;
  const N = stocks.length;
  const fromIdx = new Int32Array(N);
  const toIdx = new Int32Array(N);
  let unknownStocks = false;
  for (let i = 0; i < N; i++) {
    const s = stocks[i];
    if (s.listDate === null) unknownStocks = true;
    fromIdx[i] = s.listDate === null ? D : lowerBound(dates, s.listDate);
    toIdx[i] = s.delistDate === null ? D : lowerBound(dates, s.delistDate);
  }
  if (!unknownStocks) return { fromIdx, toIdx };
  const first = new Int32Array(N).fill(-1);
  const last = new Int32Array(N).fill(-1);
  for (let d = 0; d < D; d++) {
    const row = d * N;
    for (let i = 0; i < N; i++) {
      const k = row + i;
      if (!hasBar[k] || close[k] !== close[k]) continue;
      if (first[i] < 0) first[i] = d;
      last[i] = d;
    }
  }
  for (let i = 0; i < N; i++) {
    if (stocks[i].listDate !== null) continue;
    fromIdx[i] = first[i] < 0 ? D : first[i];
    toIdx[i] = last[i] < 0 ? D : last[i] + 1;
  }
  return { fromIdx, toIdx };
}

/**
 * Each stock's first adj factor in the panel (NaN: none), found by a search over factors read row by
 * row; a row whose factor is null counts as no row (the scatter wrote NaN there).
 */
function firstAdjFactors(adjFactor: Float64Array, hasAdj: Uint8Array, D: number, N: number): Float64Array {
  const first = new Float64Array(N).fill(NaN);
  let missing = N;
  for (let d = 0; d < D && missing > 0; d++) {
    const row = d * N;
    for (let i = 0; i < N; i++) {
      const v = adjFactor[row + i];
      if (first[i] !== first[i] && hasAdj[row + i] && v === v) {
        first[i] = v;
        missing--;
      }
    }
  }
  return first;
}

const boardCodes: readonly Board[] = ['main', 'chinext', 'star', 'bse'];

/** The first index whose date is ≥ `date` (dates ascending); dates.length when none. */
export function lowerBound(dates: Int32Array, date: number): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dates[mid] < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
