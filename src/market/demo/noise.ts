/**
 * Stateless deterministic noise: a value per (seed, stock, day, stream), so any day of the demo
 * market can be produced on its own (the fake Tushare server answers one date at a time) and always
 * equals what a full run produces.
 */
export function uniform(seed: number, a: number, b: number, k: number): number {
  let h = seed ^ Math.imul(a + 0x632be5ab, 0x9e3779b1) ^ Math.imul(b + 0x1b873593, 0x85ebca77) ^ Math.imul(k + 0x2545f491, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Approximately standard normal (Irwin–Hall of four uniforms, rescaled): cheap and bounded at ±3.46. */
export function normal(seed: number, a: number, b: number, k: number): number {
  return (uniform(seed, a, b, k) + uniform(seed, a, b, k + 101) + uniform(seed, a, b, k + 202) + uniform(seed, a, b, k + 303) - 2) * 1.7320508;
}
