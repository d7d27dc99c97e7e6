/**
 * Forward returns on what could actually have been traded — the rule the analysis states everywhere
 * (API docs, the page, the README):
 *
 * - A factor value on day t is known after t's close. The position is entered at the OPEN of the
 *   next trading day t+1 (the engine's default fill, `next_open`), and left at the open of t+1+h for
 *   horizon h: an h-day open-to-open return.
 * - Entry on t+1 is impossible, and the stock is left out of that day's cross-section (every
 *   horizon), when it is not listed, suspended or has no open that day, or its open is at or above
 *   the up-limit (sealed limit-up: the queue is all buyers) — the test the engine's fills make
 *   (src/engine/fill.ts, "Locked": base price ≥ up-limit − 0.005).
 * - Exit on t+1+h is impossible when the stock is suspended or has no open that day, or opens at or
 *   below the down-limit (sealed limit-down); it then exits at the open of the first later day it can
 *   be sold. A stock that cannot be sold before the data ends (or is delisted) has no return for
 *   that horizon: it drops out of that horizon's IC and quantile means, not the others.
 * - Prices are back-adjusted (open × the cumulative adjustment factor), so dividends and splits
 *   between entry and exit do not show as returns; no costs.
 * - Limits are the panel's (the exchange's, or computed from the previous close by the board rules
 *   where the data has none, src/market/panel-finish.ts), as the engine reads them; NaN means none.
 */
import type { Panel } from '../../engine/panel.ts';

/** The engine's tolerance for "at the limit" (src/engine/fill.ts LOCK_EPS): half a cent. */
export const LOCK_EPS = 0.005;

/** The panel arrays the forward returns read. */
export type TradingArrays = Pick<Panel, 'dates' | 'codes' | 'open' | 'adjFactor' | 'upLimit' | 'downLimit' | 'suspended' | 'listed'>;

/** True when stock slot `k` (day·N + i) can be bought at that day's open. */
export function canBuyAt(m: TradingArrays, k: number): boolean {
  const o = m.open[k];
  if (m.listed[k] !== 1 || m.suspended[k] === 1 || !(o > 0)) return false;
  const up = m.upLimit[k];
  return !(up === up && o >= up - LOCK_EPS);
}

/** True when stock slot `k` can be sold at that day's open. */
export function canSellAt(m: TradingArrays, k: number): boolean {
  const o = m.open[k];
  if (m.listed[k] !== 1 || m.suspended[k] === 1 || !(o > 0)) return false;
  const down = m.downLimit[k];
  return !(down === down && o <= down + LOCK_EPS);
}

/**
 * For every slot (day d, stock i) the first day ≥ d on which the stock can be sold at the open, or −1
 * when none comes before the panel ends: one backward pass, day-major.
 */
export function nextSellDays(m: TradingArrays): Int32Array {
  const N = m.codes.length;
  const D = m.dates.length;
  const out = new Int32Array(D * N);
  const next = new Int32Array(N).fill(-1);
  for (let d = D - 1; d >= 0; d--) {
    const row = d * N;
    for (let i = 0; i < N; i++) {
      if (canSellAt(m, row + i)) next[i] = d;
      out[row + i] = next[i];
    }
  }
  return out;
}
