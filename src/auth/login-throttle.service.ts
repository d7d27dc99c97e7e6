import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { deleteLoginFailures, insertLoginFailures, limitingFailures, pruneLoginFailures } from './login-failures.repository.ts';

/**
 * Failed sign-ins per username and per client address in sliding windows, counted in Postgres
 * (login_failures), so several instances on one database share one count: N instances do not allow
 * N times the attempts. The embedded database counts the same way. Time is the app's clock (tests
 * move it), the same on every instance as far as NTP keeps them.
 */
export interface LoginThrottle {
  /** Seconds to wait before this username or address may try again; 0 when allowed now. */
  retryAfterS(username: string, ip: string | null): Promise<number>;
  recordFailure(username: string, ip: string | null): Promise<void>;
  /** A successful sign-in clears the username's failures (its address's stay). */
  recordSuccess(username: string): Promise<void>;
}

export interface LoginThrottleOptions {
  perUsername: number;
  perIp: number;
  windowMs: number;
  now: () => number;
  /** How often (at most) a failure also deletes rows out of every window. */
  pruneEveryMs?: number;
}

const ipKey = (ip: string | null) => ip ?? 'unknown';

export function makeLoginThrottle(db: Kysely<Database>, o: LoginThrottleOptions): LoginThrottle {
  const pruneEveryMs = o.pruneEveryMs ?? 60_000;
  let prunedAt = -Infinity;
  return {
    async retryAfterS(username, ip) {
      const now = o.now();
      const limiting = await limitingFailures(db, new Date(now - o.windowMs), [
        { scope: 'username', key: username, limit: o.perUsername },
        { scope: 'ip', key: ipKey(ip), limit: o.perIp },
      ]);
      let wait = 0;
      // Allowed again once the limit-th newest failure leaves the window.
      for (const at of limiting) if (at) wait = Math.max(wait, Math.max(1, Math.ceil((at.getTime() + o.windowMs - now) / 1000)));
      return wait;
    },
    async recordFailure(username, ip) {
      const now = o.now();
      const at = new Date(now);
      await insertLoginFailures(db, [
        { scope: 'username', key: username, at },
        { scope: 'ip', key: ipKey(ip), at },
      ]);
      if (now - prunedAt >= pruneEveryMs) {
        prunedAt = now;
        await pruneLoginFailures(db, new Date(now - o.windowMs));
      }
    },
    async recordSuccess(username) {
      await deleteLoginFailures(db, 'username', username);
    },
  };
}
