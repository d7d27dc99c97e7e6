import { Hono } from 'hono';
import { AccountPage, TokensSection, TokenRow } from '../../views/auth/account.tsx';
import { pathId } from '../http/input.ts';
import { audit } from '../audit/audit.service.ts';
import { principalOf, requireRole } from './access.ts';
import { actorOf, currentTokenId, setSessionCookie, type AccountsDeps } from './accounts.deps.ts';
import { clientIp } from '../http/client.ts';
import { verifyPassword } from './password.ts';
import { startSession } from './sessions.service.ts';
import { createToken, listTokens, revokeAllTokens, revokeOwnedToken } from './tokens.service.ts';
import { findUserByUsername, resetPassword, setUserLocale } from './users.service.ts';
import { locales, type Locale } from '../i18n/locale.ts';
import { AppError } from '../http/errors.ts';
import type { AppEnv } from '../http/env.ts';

/** The token form's scope: none (full access), metrics or worker; anything else is refused naming the field. */
function parseScope(v: unknown): 'metrics' | 'worker' | null {
  if (v === undefined || v === '') return null;
  if (v === 'metrics' || v === 'worker') return v;
  throw new AppError(400, 'invalid_request', 'scope: empty (full access), "metrics" or "worker"', { field: 'scope' });
}

/** The id in a path (digits only, in range), else 404: see pathId. */
export const parseId = (raw: string, what: string): number => pathId(raw, what);

/** Parses the optional "expires after N days" form field. */
export function parseExpiresDays(raw: unknown): number | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new AppError(400, 'invalid_request', 'expires_days: a whole number of days, or empty for no expiry', { field: 'expires_days' });
  return n;
}

/** The signed-in user's own page: API tokens and password. */
export function accountRoutes(deps: AccountsDeps) {
  const app = new Hono<AppEnv>();
  app.use('/account', requireRole('viewer'));
  app.use('/account/*', requireRole('viewer'));

  const render = async (c: any, newToken: { name: string; token: string } | null) => {
    const p = principalOf(c);
    const tokens = await listTokens(deps.db, p.userId);
    c.header('Cache-Control', 'no-store');
    const model = { username: p.username, role: p.role, locale: p.locale ?? null, tokens, newToken, now: new Date(deps.now()) };
    // htmx (the token form) gets the tokens section alone; a plain form post, the whole page.
    if (c.req.header('HX-Request')) return c.html(<TokensSection chrome={deps.chrome(c)} model={model} />, newToken ? 201 : 200);
    return c.html(<AccountPage chrome={deps.chrome(c)} model={model} />, newToken ? 201 : 200);
  };

  app.get('/account', (c) => render(c, null));

  app.post('/account/tokens', async (c) => {
    const p = principalOf(c);
    const body = await c.req.parseBody();
    const created = await createToken(deps.db, actorOf(c, deps), {
      userId: p.userId,
      name: typeof body.name === 'string' ? body.name : '',
      expiresDays: parseExpiresDays(body.expires_days),
      now: new Date(deps.now()),
      scope: parseScope(body.scope),
      role: p.role,
    });
    return render(c, { name: created.info.name, token: created.token });
  });

  app.post('/account/tokens/:id/revoke', async (c) => {
    const token = await revokeOwnedToken(deps.db, actorOf(c, deps), principalOf(c), parseId(c.req.param('id'), 'API token'));
    if (c.req.header('HX-Request')) {
      const { t, timeZone } = deps.chrome(c);
      return c.html(<TokenRow t={t} token={token} now={new Date(deps.now())} timeZone={timeZone} />);
    }
    return c.redirect('/account', 303);
  });

  app.post('/account/tokens/revoke-all', async (c) => {
    const body = await c.req.parseBody();
    // A browser's session is not a token; a script posting here with one may keep it (except_current).
    await revokeAllTokens(deps.db, actorOf(c, deps), principalOf(c), principalOf(c).userId, body.except_current === 'on' ? currentTokenId(c) : null);
    return render(c, null);
  });

  // The interface language: a choice of ours, or '' to follow the browser's Accept-Language.
  app.post('/account/locale', async (c) => {
    const body = await c.req.parseBody();
    const raw = typeof body.locale === 'string' ? body.locale : '';
    if (raw !== '' && !locales.includes(raw as Locale)) {
      throw new AppError(400, 'invalid_request', `locale: use one of ${locales.join(', ')}, or empty to follow the browser`, { field: 'locale' }, { key: 'errors.invalidLocale', params: { locales: locales.join(', ') } });
    }
    await setUserLocale(deps.db, principalOf(c).userId, raw === '' ? null : (raw as Locale));
    return c.redirect('/account', 303);
  });

  app.post('/account/password', async (c) => {
    const p = principalOf(c);
    const body = await c.req.parseBody();
    const current = typeof body.current_password === 'string' ? body.current_password : '';
    const next = typeof body.new_password === 'string' ? body.new_password : '';
    const user = await findUserByUsername(deps.db, p.username);
    if (!user || !(await verifyPassword(current, user.password_hash))) {
      await audit(deps.db, actorOf(c, deps), { action: 'user.password', outcome: 'failure', objectType: 'user', objectId: p.userId, details: { reason: 'wrong current password' } });
      throw new AppError(400, 'wrong_password', 'current_password: that is not your current password');
    }
    await resetPassword(deps.db, actorOf(c, deps), p.userId, next);
    // Every session of this user ended with the change; this browser gets a fresh one.
    if (p.via === 'session') {
      const s = await startSession(deps.db, p.userId, { now: new Date(deps.now()), ttlHours: deps.config.sessionTtlHours, ip: clientIp(c, deps.config.trustProxy), userAgent: c.req.header('user-agent') ?? null });
      setSessionCookie(c, deps.config, s.id, s.expiresAt);
    }
    return c.redirect('/account', 303);
  });

  return app;
}
