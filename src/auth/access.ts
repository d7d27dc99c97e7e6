import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../http/errors.ts';
import type { AppEnv } from '../http/env.ts';
import type { Principal, Role } from './principal.ts';

export type { AccessEndReason, Credential, Principal, Role } from './principal.ts';

/** The roles in order, least first (roleAtLeast compares positions). */
export const roles: readonly Role[] = ['viewer', 'analyst', 'admin'];

/** Resolves the caller of a request (session cookie or bearer token), or null when anonymous. */
export type Authenticate = (c: Context<AppEnv>) => Promise<Principal | null>;

export function roleAtLeast(role: Role, min: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(min);
}

export const unauthenticated = () =>
  new AppError(401, 'unauthenticated', 'sign in first, or send an API token as "Authorization: Bearer <token>"', undefined, { key: 'errors.signInFirst' });

/**
 * Lets the request through when the caller has at least `min`; 401 when anonymous (a browser
 * asking for a page is sent to /login?next=… instead; /api never redirects), 403 when the role is too low.
 */
export function requireRole(min: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (!p) {
      const path = c.req.path;
      const isApi = path === '/api' || path.startsWith('/api/');
      if (!isApi && c.req.header('HX-Request')) {
        // htmx (e.g. a session that expired while the page was open): a full-page trip to sign in,
        // coming back to the page the user was on, not to a fragment's URL.
        const from = c.req.header('HX-Current-URL');
        const back = from && URL.canParse(from) ? new URL(from) : new URL(c.req.url);
        c.header('HX-Redirect', `/login?next=${encodeURIComponent(back.pathname + back.search)}`);
        throw unauthenticated();
      }
      if (!isApi && (c.req.method === 'GET' || c.req.method === 'HEAD')) {
        const url = new URL(c.req.url);
        return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
      }
      throw unauthenticated();
    }
    if (p.scope) throw scopeTooNarrow(p.scope);
    if (!roleAtLeast(p.role, min)) {
      throw new AppError(403, 'forbidden', `this needs the ${min} role; you are ${p.role}. Ask an admin to change your role`);
    }
    await next();
  };
}

const scopeTooNarrow = (scope: string) =>
  new AppError(403, 'forbidden', `this token is limited to the ${scope} scope (it may only ${scope === 'worker' ? 'fetch market snapshots' : `read /${scope}`}); use a token without a scope`);

/**
 * Lets through an admin, or a token limited to `scope` whose user is an admin (what a Prometheus
 * server holds for /metrics): 401 when anonymous, 403 otherwise.
 */
export function requireScope(scope: 'metrics' | 'worker'): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (!p) throw unauthenticated();
    if (p.scope && p.scope !== scope) throw scopeTooNarrow(p.scope);
    const what = scope === 'worker' ? 'market snapshots are' : `/${scope} is`;
    if (p.role !== 'admin') throw new AppError(403, 'forbidden', `${what} for admins, or a ${scope}-scoped token of an admin; you are ${p.role}`);
    await next();
  };
}

/** The caller, or a 401 (for handlers behind requireRole, where it is always present). */
export function principalOf(c: Context<AppEnv>): Principal {
  const p = c.get('principal');
  if (!p) throw unauthenticated();
  return p;
}

/**
 * Whether the caller may see an object owned by `ownerId`: admins see all, others their own, and
 * everyone sees objects marked `shared` (templates). Callers answer 404 (not 403) when this is
 * false, so ids of others' objects are not confirmed. Seeing is not changing: use canChangeOwned.
 */
export function canSeeOwned(p: Principal, ownerId: number | null, shared = false): boolean {
  return shared || p.role === 'admin' || (ownerId !== null && ownerId === p.userId);
}

/** Whether the caller may change or delete an owned object: its owner (analyst or above) or an admin; shared templates only admins. */
export function canChangeOwned(p: Principal, ownerId: number | null): boolean {
  return p.role === 'admin' || (ownerId !== null && ownerId === p.userId && roleAtLeast(p.role, 'analyst'));
}
