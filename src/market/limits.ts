import type { Board } from './datasets.ts';

/**
 * Daily price-limit rules, used where the exchange's own limit prices (Tushare `stk_limit`, table
 * limit_prices) are missing for a day:
 * - main boards ±10%, ST/*ST on main boards ±5%;
 * - ChiNext (300xxx/301xxx) ±20% from the registration reform of 2020-08-24, before it ±10% (ST ±5%);
 * - STAR (688xxx) ±20% since it opened on 2019-07-22 (ST included);
 * - Beijing Stock Exchange (.BJ) ±30%.
 * Limits are computed from the day's pre_close (the exchange's reference price, which is the
 * previous close adjusted on ex-rights days) and rounded half-up to 0.01 CNY, in integer cents so
 * that 10.05 × 1.1 is 11.06 and not 11.05 from binary rounding. First days of new listings have
 * special rules that this fallback does not model (stored limit rows carry them).
 */
export const CHINEXT_REFORM_DATE = 20200824;
export const STAR_OPEN_DATE = 20190722;

/** The limit as a whole percentage of pre_close. */
export function limitPercent(board: Board, st: boolean, date: number): number {
  switch (board) {
    case 'bse':
      return 30;
    case 'star':
      return 20;
    case 'chinext':
      return date >= CHINEXT_REFORM_DATE ? 20 : st ? 5 : 10;
    case 'main':
      return st ? 5 : 10;
  }
}

/** Up-limit in cents from pre_close in cents: round half-up of preClose × (1 + p%). */
export function upLimitCents(preCloseCents: number, percent: number): number {
  return Math.floor((preCloseCents * (100 + percent) + 50) / 100);
}

export function downLimitCents(preCloseCents: number, percent: number): number {
  return Math.floor((preCloseCents * (100 - percent) + 50) / 100);
}

/** [up, down] in CNY from pre_close in CNY. */
export function limitPrices(preClose: number, board: Board, st: boolean, date: number): [number, number] {
  const cents = Math.round(preClose * 100);
  const p = limitPercent(board, st, date);
  return [upLimitCents(cents, p) / 100, downLimitCents(cents, p) / 100];
}
