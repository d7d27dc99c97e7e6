/**
 * A stock's price limits on a day: the data's when the panel has them, else computed from the
 * previous close by the board's rules (rules.ts), with none on a new listing's unlimited first days
 * and none without a previous close. Read by the fills (limit locks, the slippage bound) and by the
 * strategy's `bars.upLimit` / `bars.downLimit`.
 */
import type { Book } from './book.ts';
import { downLimitCents, limitPercent, unlimitedDays, upLimitCents } from './rules.ts';

export interface Limits {
  /** Up limit of stock `i` on panel day `day` (`k` = day·N + i); Infinity when there is none. */
  upLimitAt(k: number, i: number, day: number): number;
  /** Down limit likewise; 0 when there is none. */
  downLimitAt(k: number, i: number, day: number): number;
}

export function makeLimits(book: Book): Limits {
  const { N, dates, boards } = book;
  const { upLimit, downLimit, preClose, listed, st } = book.panel;
  // First panel day each stock is listed (for the new-listing no-limit days when limits are computed).
  const listedSince = new Int32Array(N).fill(-1);

  function upLimitAt(k: number, i: number, day: number): number {
    const u = upLimit[k];
    if (u === u) return u;
    return computedLimit(k, i, day, 1);
  }
  function downLimitAt(k: number, i: number, day: number): number {
    const v = downLimit[k];
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

  return { upLimitAt, downLimitAt };
}
