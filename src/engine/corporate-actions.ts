/**
 * Corporate actions and delistings applied to held positions, at the start of each simulated day
 * (before any fill).
 *
 * Corporate actions (derivation): with the hfq factor f, a holder's adjusted wealth q·P·f is
 * unchanged across an ex-date. When f moves from f0 to f1 on day d (ratio r = f1/f0) the ex-right
 * reference price is P = lastClose·f0/f1. We split r into bonus shares s per share, counted in
 * tenths (the way A-share bonus/transfer issues are declared, "10送X"), s = floor(10(r−1))/10, and
 * a cash dividend per share c = lastClose − P·(1+s) ≥ 0. The position becomes floor(q(1+s)) shares
 * and cash q·lastClose − floor(q(1+s))·P (dividend plus cash in lieu of fractional shares), so
 * value before = value after exactly and NAV stays continuous. Dividend tax is not modelled.
 *
 * Delistings: a held stock no longer listed is settled into cash at its last price
 * (delisting 'last_price') or written off ('zero'), recorded as a sell fill with priceBasis
 * 'delisting', and its round trip closed.
 */
import type { Book } from './book.ts';
import { closeTrip, removeHeld } from './book.ts';

/** The room: `applyCorporateActions()` settles today's ex-dates and delistings on the held positions. */
export function makeCorporateActions(book: Book): { applyCorporateActions(): void } {
  const { N, cfg, dates, codes, held, qty, boughtToday, costBasis, markPrice, heldFactor, tripCash, tripSellShares, tripSellValue, fills, actions } = book;
  const { adjFactor, listed } = book.panel;

  function applyCorporateActions() {
    const today = book.today;
    for (let h = book.heldCount - 1; h >= 0; h--) {
      const i = held[h];
      const k = today * N + i;
      if (listed[k] !== 1) {
        settleDelisted(i);
        continue;
      }
      const f1 = adjFactor[k];
      const f0 = heldFactor[i];
      if (!(f1 === f1) || !(f0 === f0) || f0 <= 0 || Math.abs(f1 / f0 - 1) < 1e-9) continue;
      const r = f1 / f0;
      const lastClose = markPrice[i];
      const p = (lastClose * f0) / f1;
      const s = r > 1 ? Math.floor((r - 1) * 10 + 1e-6) / 10 : r - 1;
      const q = qty[i];
      const after = Math.floor(q * (1 + s) + 1e-6);
      const paid = q * lastClose - after * p;
      book.cash += paid;
      tripCash[i] += paid;
      qty[i] = after;
      boughtToday[i] = Math.min(boughtToday[i], after);
      markPrice[i] = p;
      heldFactor[i] = f1;
      actions.push({ date: dates[today], code: codes[i], sharesBefore: q, sharesAfter: after, cash: paid, factorRatio: r });
      if (after === 0) {
        removeHeld(book, i);
        closeTrip(book, i, today);
      }
    }
  }

  function settleDelisted(i: number) {
    const today = book.today;
    const price = cfg.delisting === 'last_price' ? markPrice[i] : 0;
    const shares = qty[i];
    const value = shares * price;
    book.cash += value;
    tripSellShares[i] += shares;
    tripSellValue[i] += value;
    fills.push({ orderId: -1, date: dates[today], code: codes[i], side: 'sell', shares, price, value, commission: 0, stampDuty: 0, transferFee: 0, priceBasis: 'delisting' });
    qty[i] = 0;
    costBasis[i] = 0;
    removeHeld(book, i);
    closeTrip(book, i, today);
  }

  return { applyCorporateActions };
}
