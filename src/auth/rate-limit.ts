/**
 * A sliding-window counter per key, in memory: right for one process. Several instances behind a
 * load balancer each count on their own (the limits then apply per instance): the general /api
 * rate limit uses it; failed sign-ins are counted in Postgres instead (login-throttle.service.ts).
 */
export class SlidingWindowLimiter {
  readonly #hits = new Map<string, number[]>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly now: () => number = Date.now,
  ) {}

  #live(key: string): number[] {
    const hits = this.#hits.get(key);
    if (!hits) return [];
    const cutoff = this.now() - this.windowMs;
    let drop = 0;
    while (drop < hits.length && hits[drop] <= cutoff) drop++;
    if (drop) hits.splice(0, drop);
    if (!hits.length) this.#hits.delete(key);
    return hits;
  }

  /** Seconds to wait before the next attempt is allowed; 0 when allowed now. */
  retryAfterS(key: string): number {
    const hits = this.#live(key);
    if (hits.length < this.limit) return 0;
    return Math.max(1, Math.ceil((hits[hits.length - this.limit] + this.windowMs - this.now()) / 1000));
  }

  record(key: string): void {
    const hits = this.#live(key);
    hits.push(this.now());
    this.#hits.set(key, hits);
    if (this.#hits.size > 50_000) this.#sweep();
  }

  /** Counts the attempt and says how long to wait when it is over the limit (0 = allowed). */
  take(key: string): number {
    const wait = this.retryAfterS(key);
    if (wait === 0) this.record(key);
    return wait;
  }

  reset(key: string): void {
    this.#hits.delete(key);
  }

  #sweep(): void {
    for (const key of [...this.#hits.keys()]) this.#live(key);
  }
}
