import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { Kysely } from 'kysely';
import { auditActor, type AuditActor } from '../audit/audit.service.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { PageChromeFn } from '../http/chrome.ts';
import type { AppEnv } from '../http/env.ts';
import { sessionCookieName } from './authenticate.ts';
import { isHttps } from '../http/client.ts';
import { makeLoginThrottle as makeStoreLoginThrottle, type LoginThrottle } from './login-throttle.service.ts';

/** What the accounts routes share: the store, settings, the clock and the login throttles. */
export interface AccountsDeps {
  db: Kysely<Database>;
  config: Config;
  now: () => number;
  chrome: PageChromeFn;
  loginThrottle: LoginThrottle;
}

const fifteenMinutesMs = 15 * 60_000;

/** Failed sign-ins counted in Postgres, shared by every instance on the database (src/auth/login-throttle.service.ts). */
export function makeLoginThrottle(db: Kysely<Database>, config: Config, now: () => number): LoginThrottle {
  return makeStoreLoginThrottle(db, { perUsername: config.loginFailuresPerUsername, perIp: config.loginFailuresPerIp, windowMs: fifteenMinutesMs, now });
}

/** Secure cookies: always, never, or ('auto') when this request came over https. */
export function cookieSecure(c: Context, config: Config): boolean {
  if (config.cookieSecure === 'true') return true;
  if (config.cookieSecure === 'false') return false;
  return isHttps(c, config.trustProxy);
}

export function setSessionCookie(c: Context, config: Config, id: string, expiresAt: Date): void {
  setCookie(c, sessionCookieName, id, { httpOnly: true, sameSite: 'Lax', secure: cookieSecure(c, config), path: '/', expires: expiresAt });
}

export function clearSessionCookie(c: Context, config: Config): void {
  deleteCookie(c, sessionCookieName, { path: '/', secure: cookieSecure(c, config), httpOnly: true, sameSite: 'Lax' });
}

export const actorOf = (c: Context<AppEnv>, deps: AccountsDeps): AuditActor => auditActor(c, deps.config.trustProxy);

/** The id of the API token authenticating this request; null for a session or anonymous. */
export function currentTokenId(c: Context<AppEnv>): number | null {
  const cred = c.get('credential');
  return cred?.kind === 'token' ? cred.tokenId : null;
}

/** A local path to return to after signing in; anything else (other sites, //host) becomes '/'. */
export function safeNext(next: string | undefined | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.length > 2000) return '/';
  if (next.startsWith('/login') || next.startsWith('/logout')) return '/';
  return next;
}
