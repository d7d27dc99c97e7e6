/** Waits for `ms` unless the signal aborts first (then rejects with the signal's reason). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
export type Clock = () => number;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * A token bucket: `perMinute` calls a minute on average, bursts of at most `burst`. Callers queue in
 * order. The clock and sleep are injected so tests run on a fixed clock without waiting.
 */
export interface RateLimiter {
  acquire(signal?: AbortSignal): Promise<void>;
}

export function makeRateLimiter(options: { perMinute: number | null; burst?: number; clock?: Clock; sleep?: Sleep }): RateLimiter {
  const { perMinute } = options;
  if (perMinute === null) return { acquire: async () => {} };
  if (!(perMinute > 0)) throw new Error(`calls per minute must be positive, got ${perMinute}`);
  const clock = options.clock ?? (() => performance.now());
  const sleep = options.sleep ?? realSleep;
  const burst = Math.max(1, options.burst ?? Math.min(perMinute, Math.ceil(perMinute / 12)));
  const ratePerMs = perMinute / 60_000;
  let tokens = burst;
  let last = clock();
  let queue: Promise<void> = Promise.resolve();
  const take = async (signal?: AbortSignal) => {
    for (;;) {
      signal?.throwIfAborted();
      const now = clock();
      tokens = Math.min(burst, tokens + (now - last) * ratePerMs);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await sleep(Math.ceil((1 - tokens) / ratePerMs), signal);
    }
  };
  return {
    acquire(signal) {
      const next = queue.then(() => take(signal));
      queue = next.catch(() => {});
      return next;
    },
  };
}
