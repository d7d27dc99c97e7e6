/**
 * Comparisons of indicator values that treat two numbers as equal when they differ by no more than
 * TOLERANCE of the larger magnitude. Why: the SMA keeps a running sum, so two averages that are
 * exactly equal in decimal arithmetic can come out 1e-15…1e-13 apart (SMA5 10.006000000000004 vs
 * SMA20 10.006 for prices whose exact averages are both 10.006), and a strict `>` trades on that
 * noise. Real differences between indicators of cent prices are about 1e-5 of the price or more, so
 * 1e-12 relative separates the two by seven orders of magnitude. NaN compares as neither above,
 * below nor equal: every function here is false when an input is NaN.
 *
 * The same functions back ctx.above / ctx.below / ctx.crossedAbove / ctx.crossedBelow (context.ts),
 * so built-in and user strategies decide crossings the same way.
 */

/** Relative tolerance: |a − b| ≤ TOLERANCE · max(|a|, |b|) counts as equal. */
export const TOLERANCE = 1e-12;

/** a > b by more than the tolerance (false when either is NaN). */
export function above(a: number, b: number): boolean {
  return a - b > TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** a < b by more than the tolerance (false when either is NaN). */
export function below(a: number, b: number): boolean {
  return b - a > TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** a ≤ b within the tolerance, i.e. not above (false when either is NaN). */
export function atOrBelow(a: number, b: number): boolean {
  return a - b <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** a ≥ b within the tolerance, i.e. not below (false when either is NaN). */
export function atOrAbove(a: number, b: number): boolean {
  return b - a <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** Within the tolerance of each other (false when either is NaN). */
export function tied(a: number, b: number): boolean {
  return Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** `a` crossed above `b` today: at or below it yesterday (aPrev ≤ bPrev within the tolerance), above
 * it today by more than the tolerance. A tie today is not a crossing; a tie yesterday followed by a
 * real rise is. */
export function crossedAbove(a: number, b: number, aPrev: number, bPrev: number): boolean {
  return atOrBelow(aPrev, bPrev) && above(a, b);
}

/** `a` crossed below `b` today: at or above it yesterday, below it today by more than the tolerance. */
export function crossedBelow(a: number, b: number, aPrev: number, bPrev: number): boolean {
  return atOrAbove(aPrev, bPrev) && below(a, b);
}

/** A per-stock array, or one number used for every stock (a fixed level such as an RSI of 30). */
export type Series = ArrayLike<number> | number;

function lengthOf(args: readonly Series[]): number {
  let n = -1;
  for (const a of args) {
    if (typeof a === 'number') continue;
    if (typeof a !== 'object' || a === null || typeof a.length !== 'number') throw new Error('crossedAbove/crossedBelow take numbers or per-stock arrays (e.g. ctx.sma(5), ctx.sma(5, 1))');
    if (n >= 0 && a.length !== n) throw new Error(`crossedAbove/crossedBelow: arrays of different lengths (${n} and ${a.length})`);
    n = a.length;
  }
  return n;
}

function at(s: Series, i: number): number {
  return typeof s === 'number' ? s : s[i];
}

/** crossedAbove per stock: out[i] = 1 where a[i] crossed above b[i] today (any argument may be one number for all). */
export function crossedAboveEach(a: Series, b: Series, aPrev: Series, bPrev: Series, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = crossedAbove(at(a, i), at(b, i), at(aPrev, i), at(bPrev, i)) ? 1 : 0;
  return out;
}

/** crossedBelow per stock: out[i] = 1 where a[i] crossed below b[i] today. */
export function crossedBelowEach(a: Series, b: Series, aPrev: Series, bPrev: Series, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = crossedBelow(at(a, i), at(b, i), at(aPrev, i), at(bPrev, i)) ? 1 : 0;
  return out;
}

/** The length the per-stock form works on: that of the array arguments (all the same), or −1 when
 * all four are numbers (the scalar form). Throws on arrays of different lengths. */
export function seriesLength(a: Series, b: Series, aPrev: Series, bPrev: Series): number {
  return lengthOf([a, b, aPrev, bPrev]);
}
