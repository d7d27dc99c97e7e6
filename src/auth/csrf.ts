import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../http/errors.ts';
import type { AppEnv } from '../http/env.ts';
import { isApiPath } from '../http/on-error.ts';
import { randomSecret } from './secrets.ts';

/** Anonymous forms (the login form) use a double-submit cookie, since there is no session yet. */
export const preSessionCookieName = 'zq_csrf';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function sentToken(c: Context): Promise<string | null> {
  const header = c.req.header('x-csrf-token');
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    // parseBody caches the body, so the handler can read it again.
    const body = await c.req.parseBody().catch(() => {
      throw new AppError(400, 'invalid_request', 'body: the form could not be read (truncated or malformed); submit it again', { field: 'body' });
    });
    return typeof body._csrf === 'string' ? body._csrf : null;
  }
  return null;
}

/**
 * Synchronizer-token CSRF check on every state-changing request a browser could be tricked into
 * sending: a session's requests (forms carry `_csrf`, htmx sends `X-CSRF-Token`) and the anonymous
 * login form (double-submit cookie). Bearer-token requests are exempt: browsers never attach those by themselves.
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (safeMethods.has(c.req.method)) return next();
    const p = c.get('principal');
    if (p?.via === 'token') return next();
    let expected: string | null;
    if (p) expected = c.get('csrfToken');
    // Anonymous: only signing in can be forged (login CSRF); anything else answers 401 or does nothing.
    else if (c.req.path !== '/login' || isApiPath(c.req.path)) return next();
    else expected = getCookie(c, preSessionCookieName) ?? null;
    const refuse = () => new AppError(403, 'csrf_failed', 'this form is out of date or came from another site; reload the page and submit it again');
    // Without an expected token the answer is 403 whatever was sent: refuse before reading the body.
    if (!expected) throw refuse();
    const sent = await sentToken(c);
    if (!sent || !same(expected, sent)) throw refuse();
    await next();
  };
}

/** The anonymous CSRF token for this browser, set as a cookie when it has none yet. */
export function preSessionToken(c: Context<AppEnv>, secure: boolean): string {
  const existing = getCookie(c, preSessionCookieName);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomSecret();
  setCookie(c, preSessionCookieName, token, { httpOnly: true, sameSite: 'Lax', secure, path: '/', maxAge: 3600 * 12 });
  return token;
}
