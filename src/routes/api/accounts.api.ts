import { createRoute, z } from '@hono/zod-openapi';
import { listAudit } from '../../audit/audit.service.ts';
import { principalOf, requireRole, roles } from '../../auth/access.ts';
import { actorOf, currentTokenId, type AccountsDeps } from '../../auth/accounts.deps.ts';
import { generatePassword, minPasswordLength } from '../../auth/password.ts';
import { createToken, listTokens, maxExpiresDays, revokeAllTokens, revokeOwnedToken, type ApiToken } from '../../auth/tokens.service.ts';
import { changeUser, createUser, getUser, listUsers, resetPassword, type User } from '../../auth/users.service.ts';
import { makeApiRouter } from '../../http/api.ts';
import { idParam as strictIdParam } from '../../http/input.ts';
import { auditPageSize, parseAuditFilters } from '../admin.routes.tsx';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
const idParam = strictIdParam();
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const UserOut = z.object({ id: z.number(), username: z.string(), role: z.enum(roles as [string, ...string[]]), disabled: z.boolean(), created_at: z.string(), updated_at: z.string() });
const userOut = (u: User) => ({ id: u.id, username: u.username, role: u.role, disabled: u.disabled, created_at: u.createdAt.toISOString(), updated_at: u.updatedAt.toISOString() });
const TokenOut = z.object({ id: z.number(), name: z.string(), prefix: z.string(), created_at: z.string(), expires_at: z.string().nullable(), last_used_at: z.string().nullable(), revoked_at: z.string().nullable() });
const tokenOut = (t: ApiToken) => ({ id: t.id, name: t.name, prefix: t.prefix, created_at: t.createdAt.toISOString(), expires_at: iso(t.expiresAt), last_used_at: iso(t.lastUsedAt), revoked_at: iso(t.revokedAt) });
const RoleIn = z.enum(['viewer', 'analyst', 'admin'], { message: 'expected viewer, analyst or admin' });
const PasswordIn = z.string().min(minPasswordLength, { message: `a password needs at least ${minPasswordLength} characters` }).max(1024);

/** JSON for accounts: who am I, my tokens, and (admins) users and the audit log. */
export function accountsApi(deps: AccountsDeps) {
  const api = makeApiRouter();
  const viewer = requireRole('viewer');
  const admin = requireRole('admin');

  api.openapi(
    createRoute({ method: 'get', path: '/me', middleware: viewer, responses: { 200: json(z.object({ id: z.number(), username: z.string(), role: z.string(), via: z.string() }), 'the caller') } }),
    (c) => {
      const p = principalOf(c);
      return c.json({ id: p.userId, username: p.username, role: p.role, via: p.via }, 200);
    },
  );

  api.openapi(
    createRoute({ method: 'get', path: '/account/tokens', middleware: viewer, responses: { 200: json(z.object({ tokens: z.array(TokenOut) }), 'your API tokens (secrets are never shown again)') } }),
    async (c) => c.json({ tokens: (await listTokens(deps.db, principalOf(c).userId)).map(tokenOut) }, 200),
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/account/tokens',
      middleware: viewer,
      request: body(z.object({ name: z.string().max(100).default('token'), expires_days: z.number().int().min(1).max(maxExpiresDays).nullable().default(null) }).strict()),
      responses: { 201: json(TokenOut.extend({ token: z.string() }), 'the new token; its secret is shown only in this answer') },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const created = await createToken(deps.db, actorOf(c, deps), { userId: principalOf(c).userId, name: input.name, expiresDays: input.expires_days, now: new Date(deps.now()) });
      return c.json({ ...tokenOut(created.info), token: created.token }, 201);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/account/tokens',
      middleware: viewer,
      request: { body: { content: { 'application/json': { schema: z.object({ except_current: z.boolean().default(false) }).strict() } }, required: false } },
      responses: { 200: json(z.object({ revoked: z.number() }), 'every one of your API tokens revoked: the one making the call too, unless except_current') },
    }),
    async (c) => {
      const body = (c.req.valid('json') ?? { except_current: false }) as { except_current?: boolean };
      return c.json({ revoked: await revokeAllTokens(deps.db, actorOf(c, deps), principalOf(c), principalOf(c).userId, body.except_current ? currentTokenId(c) : null) }, 200);
    },
  );

  api.openapi(
    createRoute({ method: 'delete', path: '/account/tokens/{id}', middleware: viewer, request: { params: idParam }, responses: { 200: json(TokenOut, 'the revoked token') } }),
    async (c) => c.json(tokenOut(await revokeOwnedToken(deps.db, actorOf(c, deps), principalOf(c), c.req.valid('param').id)), 200),
  );

  api.openapi(
    createRoute({ method: 'get', path: '/admin/users', middleware: admin, responses: { 200: json(z.object({ users: z.array(UserOut) }), 'every user') } }),
    async (c) => c.json({ users: (await listUsers(deps.db)).map(userOut) }, 200),
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/admin/users',
      middleware: admin,
      request: body(z.object({ username: z.string().max(64), role: RoleIn, password: PasswordIn.optional() }).strict()),
      responses: { 201: json(UserOut.extend({ generated_password: z.string().nullable() }), 'the new user; a generated password appears only in this answer') },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const password = input.password ?? generatePassword();
      const user = await createUser(deps.db, actorOf(c, deps), { username: input.username, role: input.role, password });
      return c.json({ ...userOut(user), generated_password: input.password ? null : password }, 201);
    },
  );

  api.openapi(
    createRoute({
      method: 'patch',
      path: '/admin/users/{id}',
      middleware: admin,
      request: { params: idParam, ...body(z.object({ role: RoleIn.optional(), disabled: z.boolean().optional() }).strict()) },
      responses: { 200: json(UserOut, 'the changed user') },
    }),
    async (c) => c.json(userOut(await changeUser(deps.db, actorOf(c, deps), c.req.valid('param').id, c.req.valid('json'))), 200),
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/admin/users/{id}/password',
      middleware: admin,
      request: { params: idParam, ...body(z.object({ password: PasswordIn.optional(), revoke_tokens: z.boolean().default(true) }).strict()) },
      responses: {
        200: json(
          UserOut.extend({ generated_password: z.string().nullable(), revoked_tokens: z.number() }),
          'password changed; the user is signed out everywhere, and their API tokens are revoked unless revoke_tokens is false',
        ),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { password, revoke_tokens } = c.req.valid('json');
      await getUser(deps.db, id);
      const pw = password ?? generatePassword();
      const user = await resetPassword(deps.db, actorOf(c, deps), id, pw, { revokeTokens: revoke_tokens });
      return c.json({ ...userOut(user), generated_password: password ? null : pw, revoked_tokens: user.revokedTokens }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/admin/users/{id}/tokens',
      middleware: admin,
      request: { params: idParam },
      responses: { 200: json(z.object({ revoked: z.number() }), "every API token of the user revoked; their open streams end") },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await getUser(deps.db, id);
      return c.json({ revoked: await revokeAllTokens(deps.db, actorOf(c, deps), principalOf(c), id) }, 200);
    },
  );

  const AuditOut = z.object({
    id: z.number(), at: z.string(), user_id: z.number().nullable(), username: z.string().nullable(), action: z.string(),
    object_type: z.string().nullable(), object_id: z.string().nullable(), outcome: z.string(), ip: z.string().nullable(),
    user_agent: z.string().nullable(), details: z.record(z.string(), z.unknown()),
  });
  api.openapi(
    createRoute({
      method: 'get',
      path: '/admin/audit',
      middleware: admin,
      request: { query: z.object({ user: z.string().optional(), action: z.string().optional(), outcome: z.string().optional(), from: z.string().optional(), to: z.string().optional(), page: z.string().optional() }) },
      responses: { 200: json(z.object({ entries: z.array(AuditOut), total: z.number(), page: z.number(), page_size: z.number() }), 'audit entries, newest first') },
    }),
    async (c) => {
      const { filters, page } = parseAuditFilters(c.req.valid('query'));
      const r = await listAudit(deps.db, filters, page, auditPageSize);
      return c.json({
        entries: r.rows.map((e) => ({ id: e.id, at: e.at.toISOString(), user_id: e.userId, username: e.username, action: e.action, object_type: e.objectType, object_id: e.objectId, outcome: e.outcome, ip: e.ip, user_agent: e.userAgent, details: e.details })),
        total: r.total,
        page: r.page,
        page_size: r.pageSize,
      }, 200);
    },
  );

  return api;
}
