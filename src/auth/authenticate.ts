import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { AppEnv } from '../http/env.ts';
import type { Authenticate } from './access.ts';
import { resolveSession } from './sessions.service.ts';
import { resolveToken } from './tokens.service.ts';

export const sessionCookieName = 'zq_session';

export function bearerToken(c: Context): string | null {
  const header = c.req.header('authorization');
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1] : null;
}

/**
 * The real authenticate: a bearer token (curl) or the session cookie (browser). A session also
 * provides this page's anti-CSRF token; both set the request's credential (what streams watch).
 * An Authorization header that does not check out is anonymous, even when a cookie is present (no
 * silent fallback).
 */
export function makeAuthenticate(deps: { db: Kysely<Database>; now: () => number }): Authenticate {
  return async (c: Context<AppEnv>) => {
    const now = new Date(deps.now());
    if (c.req.header('authorization') !== undefined) {
      const token = bearerToken(c);
      const resolved = token ? await resolveToken(deps.db, token, now) : null;
      if (!resolved) return null;
      c.set('credential', resolved.credential);
      return resolved.principal;
    }
    const sid = getCookie(c, sessionCookieName);
    if (!sid) return null;
    const session = await resolveSession(deps.db, sid, now);
    if (!session) return null;
    c.set('csrfToken', session.csrfToken);
    c.set('credential', session.credential);
    return session.principal;
  };
}
