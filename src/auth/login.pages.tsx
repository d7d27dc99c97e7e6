import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { LoginPage } from '../../views/auth/login.tsx';
import { audit } from '../audit/audit.service.ts';
import { actorOf, clearSessionCookie, cookieSecure, safeNext, setSessionCookie, type AccountsDeps } from './accounts.deps.ts';
import { sessionCookieName } from './authenticate.ts';
import { clientIp } from '../http/client.ts';
import { preSessionToken } from './csrf.ts';
import { dummyPasswordHash, verifyPassword } from './password.ts';
import { endSession, startSession } from './sessions.service.ts';
import { findUserByUsername } from './users.service.ts';
import type { AppEnv } from '../http/env.ts';

/** Sign in and out. Public by nature: the matrix lists them as such. */
export function authRoutes(deps: AccountsDeps) {
  const app = new Hono<AppEnv>();

  const renderLogin = (c: any, username: string, next: string, error: string | null, status: 200 | 401 | 403 | 429 = 200) => {
    const csrfToken = preSessionToken(c, cookieSecure(c, deps.config));
    return c.html(<LoginPage chrome={{ ...deps.chrome(c), csrfToken: null }} model={{ csrfToken, next, username, error }} />, status);
  };

  app.get('/login', (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.get('principal')) return c.redirect(next, 302);
    return renderLogin(c, '', next, null);
  });

  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const username = (typeof body.username === 'string' ? body.username : '').trim().toLowerCase().slice(0, 64);
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(typeof body.next === 'string' ? body.next : null);
    const ip = clientIp(c, deps.config.trustProxy);
    const actor = { ...actorOf(c, deps), userId: null, username: username || null };
    const throttle = deps.loginThrottle;

    const wait = await throttle.retryAfterS(username, ip);
    if (wait > 0) {
      await audit(deps.db, actor, { action: 'auth.login', outcome: 'denied', details: { reason: 'throttled', retry_after_s: wait } });
      c.header('Retry-After', String(wait));
      return renderLogin(c, username, next, deps.chrome(c).t('auth.throttled', { minutes: Math.ceil(wait / 60), seconds: wait }), 429);
    }

    const user = username ? await findUserByUsername(deps.db, username) : undefined;
    // Unknown users cost a hash too, so response time does not reveal which usernames exist.
    const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
    if (!user || !ok) {
      await throttle.recordFailure(username, ip);
      await audit(deps.db, { ...actor, userId: user ? Number(user.id) : null }, { action: 'auth.login', outcome: 'failure', details: { reason: user ? 'wrong password' : 'unknown user' } });
      return renderLogin(c, username, next, deps.chrome(c).t('auth.wrongPassword'), 401);
    }
    if (user.disabled) {
      await audit(deps.db, { ...actor, userId: Number(user.id) }, { action: 'auth.login', outcome: 'denied', details: { reason: 'disabled' } });
      return renderLogin(c, username, next, deps.chrome(c).t('auth.disabled'), 403);
    }

    // A new session id on every sign-in; whatever id the browser brought is revoked (no fixation).
    const old = getCookie(c, sessionCookieName);
    if (old) await endSession(deps.db, old);
    // The session and its audit entry in one transaction.
    const session = await deps.db.transaction().execute(async (trx) => {
      const s = await startSession(trx, Number(user.id), { now: new Date(deps.now()), ttlHours: deps.config.sessionTtlHours, ip, userAgent: actor.userAgent });
      await audit(trx, { ...actor, userId: Number(user.id), username: user.username }, { action: 'auth.login', outcome: 'success' });
      return s;
    });
    await throttle.recordSuccess(username);
    setSessionCookie(c, deps.config, session.id, session.expiresAt);
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    const sid = getCookie(c, sessionCookieName);
    if (sid) {
      await endSession(deps.db, sid, (trx) => audit(trx, actorOf(c, deps), { action: 'auth.logout', outcome: 'success' }));
    }
    clearSessionCookie(c, deps.config);
    return c.redirect('/login', 303);
  });

  return app;
}
