import type { MiddlewareHandler } from 'hono';
import { AppError } from '../http/errors.ts';
import type { AppEnv } from '../http/env.ts';
import { clientIp } from '../http/client.ts';
import type { SlidingWindowLimiter } from './rate-limit.ts';

/** Too many requests: a 429 that says when to come back. */
export function tooManyRequests(retryAfterS: number, what: string): AppError {
  return new AppError(429, 'rate_limited', `${what}; try again in ${retryAfterS} s`, { retry_after_s: retryAfterS });
}

/** The general /api/* limit, per user when signed in, else per client address. */
export function apiRateLimit(limiter: SlidingWindowLimiter, trustProxy: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    const key = p ? `user:${p.userId}` : `ip:${clientIp(c, trustProxy)}`;
    const wait = limiter.take(key);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw tooManyRequests(wait, `more than ${limiter.limit} API requests in a minute`);
    }
    await next();
  };
}
