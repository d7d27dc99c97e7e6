/**
 * A-share trading rules as small pure functions (facts in DESIGN.md): board of a code, limit
 * percentages, limit prices, lot sizes and the cost schedule.
 */

export type Board = 'main' | 'chinext' | 'star' | 'bse';

/** The board of a ts_code: 688xxx STAR, 300/301xxx ChiNext, *.BJ Beijing, otherwise main. */
export function boardOf(code: string): Board {
  if (code.endsWith('.BJ')) return 'bse';
  if (code.startsWith('688') || code.startsWith('689')) return 'star';
  if (code.startsWith('300') || code.startsWith('301')) return 'chinext';
  return 'main';
}

const CHINEXT_20PCT_FROM = 20200824;
const STAR_20PCT_FROM = 20190722;

/** Daily limit fraction from the previous close: main ±10% (ST ±5%), ChiNext ±20% from
 * 2020-08-24 (before: 10%, ST 5%), STAR ±20% since its opening 2019-07-22, Beijing ±30%. */
export function limitPct(board: Board, st: boolean, date: number): number {
  switch (board) {
    case 'bse':
      return 0.3;
    case 'star':
      return date >= STAR_20PCT_FROM ? 0.2 : st ? 0.05 : 0.1;
    case 'chinext':
      return date >= CHINEXT_20PCT_FROM ? 0.2 : st ? 0.05 : 0.1;
    case 'main':
      return st ? 0.05 : 0.1;
  }
}

/** Rounds a price to the 0.01 tick, half up (the exchanges' rule), robust to float error. */
export function roundTick(price: number): number {
  return Math.round(price * 100 + 1e-7) / 100;
}

/** Days after listing without price limits when computing them (the exchange data is preferred):
 * ChiNext (since the 2020 reform) and STAR: first 5 days; main board: the first day. */
export function unlimitedDays(board: Board, date: number): number {
  if (board === 'star') return 5;
  if (board === 'chinext' && date >= CHINEXT_20PCT_FROM) return 5;
  return 1;
}

/** Shares a buy of `shares` may take: main boards whole lots of 100; STAR at least 200, then steps of 1. */
export function roundBuyShares(board: Board, shares: number): number {
  const s = Math.floor(shares + 1e-9);
  if (board === 'star') return s >= 200 ? s : 0;
  return Math.floor(s / 100) * 100;
}

/** Shares a sell may take given the sellable holding: whole lots (STAR ≥200 then steps of 1), or
 * the whole sellable remainder when the order clears it (odd lots only leave in one go). */
export function roundSellShares(board: Board, shares: number, sellable: number): number {
  if (shares >= sellable) return sellable;
  const s = Math.floor(shares + 1e-9);
  if (board === 'star') return s >= 200 ? s : 0;
  return Math.floor(s / 100) * 100;
}

const STAMP_DUTY_HALVED_FROM = 20230828;

/** Stamp duty rate on sells: 0.1% before 2023-08-28, 0.05% from that day. */
export function stampDutyRate(date: number): number {
  return date >= STAMP_DUTY_HALVED_FROM ? 0.0005 : 0.001;
}
