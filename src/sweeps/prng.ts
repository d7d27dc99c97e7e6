/**
 * Seeded randomness for sweeps, so a random or Latin-hypercube sweep submitted twice with the same
 * seed tries the same parameter sets in the same order (and a resumed sweep regenerates its plan).
 *
 * The generator is mulberry32 (Tommy Ettinger, 2017, public domain): a 32-bit state advanced by the
 * odd constant 0x6D2B79F5 (period 2^32) and mixed by two multiply–xorshift rounds. It passes
 * PractRand to 2^31 bytes or so, which is far beyond what a sweep draws (a few numbers per set); it
 * is not for cryptography. Never Math.random: results must be reproducible.
 */

export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, n), n ≤ 2^32 (multiply-shift on 32 bits; bias below 2^-32·n, negligible). */
  int(n: number): number;
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
}

/** A mulberry32 stream from a seed (any finite number; only its low 32 bits count). */
export function makeRng(seed: number): Rng {
  let state = seed >>> 0;
  const uint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    uint32,
    next: () => uint32() / 4294967296,
    int: (n) => Math.floor((uint32() / 4294967296) * n),
  };
}

/** In-place Fisher–Yates shuffle (Durstenfeld's version) driven by `rng`. */
export function shuffle<T extends { length: number; [i: number]: number }>(a: T, rng: Rng): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** The largest domain makeIndexPermutation accepts: both Feistel halves then fit in 26 bits. */
export const MAX_PERMUTATION_DOMAIN = 2 ** 52;

/** murmur3's 32-bit finaliser (fmix32): a cheap, well-mixed round function. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A keyed pseudo-random permutation of [0, count), evaluated one index at a time in O(1) memory:
 * the k-th point of a random sweep is `permute(k)`, so the sweep draws distinct grid points lazily,
 * can run until its budget of valid points however many invalid ones it passes, and exhausts the
 * space exactly when it is small. A 4-round balanced Feistel network on 2^(2h) ≥ count (Luby and
 * Rackoff, 1988: four rounds of a pseudo-random function give a strong pseudo-random permutation),
 * restricted to [0, count) by cycle walking (Black and Rogaway, 2002, "Ciphers with Arbitrary Finite
 * Domains"): apply the network again until the value falls inside; since 2^(2h) < 4·count, fewer
 * than 4 applications are expected.
 */
export function makeIndexPermutation(count: number, rng: Rng): (k: number) => number {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_PERMUTATION_DOMAIN) {
    throw new RangeError(`permutation domain must be an integer in [1, 2^52], got ${count}`);
  }
  let bits = 1;
  while (2 ** bits < count) bits++;
  const h = Math.ceil(bits / 2);
  const half = 2 ** h;
  const mask = half - 1;
  const keys = [rng.uint32(), rng.uint32(), rng.uint32(), rng.uint32()];
  const network = (x: number): number => {
    let l = Math.floor(x / half);
    let r = x % half;
    for (let round = 0; round < 4; round++) {
      const f = fmix32((r ^ keys[round]) >>> 0) & mask;
      const nl = r;
      r = (l ^ f) >>> 0;
      l = nl;
    }
    return l * half + r;
  };
  return (k: number): number => {
    if (!(k >= 0 && k < count)) throw new RangeError(`permutation index ${k} outside [0, ${count})`);
    let x = network(k);
    while (x >= count) x = network(x);
    return x;
  };
}
