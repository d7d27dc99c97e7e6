import { Hono } from 'hono';
import { AdminAuditPage, type AuditFilterValues } from '../../views/admin/audit.tsx';
import { dayProblem, maxPage } from '../http/input.ts';
import { AdminHomePage, AdminUsersPage, type AdminUsersModel } from '../../views/admin/users.tsx';
import { listAudit, type AuditFilters } from '../audit/audit.service.ts';
import { principalOf, requireRole } from '../auth/access.ts';
import { actorOf, type AccountsDeps } from '../auth/accounts.deps.ts';
import { generatePassword } from '../auth/password.ts';
import { revokeAllTokens } from '../auth/tokens.service.ts';
import { changeUser, createUser, getUser, listUsers, resetPassword } from '../auth/users.service.ts';
import { AppError } from '../http/errors.ts';
import { addDays, ymdOf } from '../market/days.ts';
import { dayStartIn } from '../http/zoned-day.ts';
import type { AppEnv } from '../http/env.ts';
import { parseId } from '../auth/account.pages.tsx';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Reads audit filters from a query; dates are days in `timeZone` (the page's reader's zone; the API
 * keeps UTC days), `to` inclusive. Bad input is a 400 naming the field.
 */
export function parseAuditFilters(q: Record<string, string | undefined>, timeZone = 'UTC'): { filters: AuditFilters; values: AuditFilterValues; page: number } {
  const values: AuditFilterValues = { user: q.user ?? '', action: q.action ?? '', outcome: q.outcome ?? '', from: q.from ?? '', to: q.to ?? '' };
  const day = (field: 'from' | 'to', v: string, plusDays: number): Date | null => {
    if (!v) return null;
    const why = /^\d{4}-\d{2}-\d{2}$/.test(v) ? dayProblem(v) : 'expected a date as YYYY-MM-DD';
    if (why) throw new AppError(400, 'invalid_request', `${field}: ${why}, got "${v.slice(0, 40)}"`, { field });
    return dayStartIn(addDays(ymdOf(v), plusDays), timeZone);
  };
  if (values.outcome && !['success', 'failure', 'denied'].includes(values.outcome)) {
    throw new AppError(400, 'invalid_request', `outcome: expected success, failure or denied, got "${values.outcome}"`, { field: 'outcome' });
  }
  const page = q.page ? (/^[1-9][0-9]{0,5}$/.test(q.page) ? Number(q.page) : NaN) : 1;
  if (!(page >= 1 && page <= maxPage)) throw new AppError(400, 'invalid_request', `page: expected a page number from 1, got "${q.page}"`, { field: 'page' });
  return {
    values,
    page,
    filters: {
      username: values.user.trim().toLowerCase() || null,
      action: values.action || null,
      outcome: (values.outcome || null) as AuditFilters['outcome'],
      from: day('from', values.from, 0),
      to: day('to', values.to, 1),
    },
  };
}

export const auditPageSize = 50;

/** Admin pages: users and the audit log. */
export function adminRoutes(deps: AccountsDeps) {
  const app = new Hono<AppEnv>();
  app.use('/admin', requireRole('admin'));
  app.use('/admin/*', requireRole('admin'));

  const renderUsers = async (c: any, notice: AdminUsersModel['notice'], error: string | null = null, status: 200 | 201 | 400 | 409 = 200, draft: AdminUsersModel['draft'] = null) => {
    const users = await listUsers(deps.db);
    c.header('Cache-Control', 'no-store');
    return c.html(<AdminUsersPage chrome={deps.chrome(c)} model={{ users, selfId: principalOf(c).userId, notice, error, draft }} />, status);
  };

  /** User mistakes re-render the page with the message in place (and the create form refilled), instead of an error page. */
  const orRender = async (c: any, fn: () => Promise<Response>, refill = false) => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AppError && err.status < 500 && err.status !== 404) {
        const body = refill ? await c.req.parseBody() : null;
        const draft = body ? { username: str(body.username), role: str(body.role) } : null;
        return renderUsers(c, null, err.message, err.status === 409 ? 409 : 400, draft);
      }
      throw err;
    }
  };

  app.get('/admin', async (c) => {
    const [users, audit] = await Promise.all([listUsers(deps.db), listAudit(deps.db, { username: null, action: null, outcome: null, from: null, to: null }, 1, 1)]);
    return c.html(<AdminHomePage chrome={deps.chrome(c)} userCount={users.length} auditCount={audit.total} />);
  });

  app.get('/admin/users', (c) => renderUsers(c, null));

  app.post('/admin/users', (c) =>
    orRender(c, async () => {
      const body = await c.req.parseBody();
      const given = str(body.password);
      const password = given || generatePassword();
      const user = await createUser(deps.db, actorOf(c, deps), { username: str(body.username), role: str(body.role), password });
      return renderUsers(
        c,
        given
          ? { text: `Created ${user.username} (${user.role}).` }
          : { text: `Created ${user.username} (${user.role}). Their password, shown only now:`, secret: password },
        null,
        201,
      );
    }, true),
  );

  app.post('/admin/users/:id', (c) =>
    orRender(c, async () => {
      const id = parseId(c.req.param('id'), 'user');
      const body = await c.req.parseBody();
      const changes: { role?: string; disabled?: boolean } = {};
      if (typeof body.role === 'string') changes.role = body.role;
      if (typeof body.disabled === 'string') changes.disabled = body.disabled === 'true';
      const user = await changeUser(deps.db, actorOf(c, deps), id, changes);
      return renderUsers(c, { text: `Saved ${user.username}: ${user.role}, ${user.disabled ? 'disabled' : 'active'}.` });
    }),
  );

  app.post('/admin/users/:id/password', (c) =>
    orRender(c, async () => {
      const id = parseId(c.req.param('id'), 'user');
      await getUser(deps.db, id);
      const body = await c.req.parseBody();
      const given = str(body.password);
      const password = given || generatePassword();
      // The box is ticked by default; a form without the field (an older page) revokes too.
      const revokeTokens = body.revoke_tokens_shown === undefined || body.revoke_tokens === 'on';
      const user = await resetPassword(deps.db, actorOf(c, deps), id, password, { revokeTokens });
      const ended = `their sessions were signed out${revokeTokens ? ` and ${user.revokedTokens} API token(s) revoked` : ', their API tokens still work'}`;
      return renderUsers(
        c,
        given ? { text: `New password set for ${user.username}; ${ended}.` } : { text: `New password for ${user.username}, shown only now (${ended}):`, secret: password },
      );
    }),
  );

  app.post('/admin/users/:id/tokens/revoke-all', (c) =>
    orRender(c, async () => {
      const id = parseId(c.req.param('id'), 'user');
      const user = await getUser(deps.db, id);
      const n = await revokeAllTokens(deps.db, actorOf(c, deps), principalOf(c), id);
      return renderUsers(c, { text: `Revoked ${n} API token(s) of ${user.username}; scripts using them stop working now.` });
    }),
  );

  app.get('/admin/audit', async (c) => {
    const chrome = deps.chrome(c);
    const { filters, values, page } = parseAuditFilters(c.req.query(), chrome.timeZone);
    const result = await listAudit(deps.db, filters, page, auditPageSize);
    return c.html(<AdminAuditPage chrome={chrome} page={result} filters={values} />);
  });

  return app;
}
