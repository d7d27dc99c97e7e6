import { listAudit } from '../audit/audit.service.ts';
import { principalOf, requireRole } from './access.ts';
import { actorOf, currentTokenId, type AccountsDeps } from './accounts.deps.ts';
import { generatePassword } from './password.ts';
import { createToken, listTokens, revokeAllTokens, revokeOwnedToken } from './tokens.service.ts';
import { changeUser, createUser, getUser, listUsers, resetPassword } from './users.service.ts';
import { makeApiRouter } from '../http/api.ts';
import { errors, json, operation } from '../http/contract.ts';
import { idParam as strictIdParam } from '../http/input.ts';
import { auditPageSize, parseAuditFilters } from '../admin/admin.pages.tsx';
import {
  AuditPageSchema, AuditQuery, auditEntryJson, ChangeUserInput, CreatedTokenSchema, CreatedUserSchema, CreateTokenInput, CreateUserInput, MeSchema, PasswordResetSchema,
  ResetPasswordInput, RevokedSchema, RevokeTokensInput, TokenListSchema, TokenSchema, tokenJson, UserListSchema, UserSchema, userJson,
} from './accounts.contract.ts';

const body = <T extends Parameters<typeof json>[0]>(schema: T, required = true) => ({ body: { content: { 'application/json': { schema } }, required } });
const idParam = strictIdParam();

/** JSON for accounts: who am I, my tokens, and (admins) users and the audit log. */
export function accountsApi(deps: AccountsDeps) {
  const api = makeApiRouter();
  const viewer = requireRole('viewer');
  const admin = requireRole('admin');

  api.openapi(
    operation({ method: 'get', path: '/me', operationId: 'getMe', summary: 'Who the caller is', tags: ['accounts'], middleware: viewer, responses: { 200: json(MeSchema, 'the caller') } }),
    (c) => {
      const p = principalOf(c);
      return c.json({ id: p.userId, username: p.username, role: p.role, via: p.via }, 200);
    },
  );

  api.openapi(
    operation({ method: 'get', path: '/account/tokens', operationId: 'listMyTokens', summary: 'Your API tokens', tags: ['accounts'], middleware: viewer, responses: { 200: json(TokenListSchema, 'your API tokens (secrets are never shown again)') } }),
    async (c) => c.json({ tokens: (await listTokens(deps.db, principalOf(c).userId)).map(tokenJson) }, 200),
  );

  api.openapi(
    operation({
      method: 'post', path: '/account/tokens', operationId: 'createMyToken', summary: 'Make an API token', tags: ['accounts'], middleware: viewer,
      request: body(CreateTokenInput),
      responses: { 201: json(CreatedTokenSchema, 'the new token; its secret is shown only in this answer') },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const created = await createToken(deps.db, actorOf(c, deps), { userId: principalOf(c).userId, name: input.name, expiresDays: input.expires_days, now: new Date(deps.now()), scope: input.scope, role: principalOf(c).role });
      return c.json({ ...tokenJson(created.info), token: created.token }, 201);
    },
  );

  api.openapi(
    operation({
      method: 'delete', path: '/account/tokens', operationId: 'revokeMyTokens', summary: 'Revoke all your API tokens', tags: ['accounts'], middleware: viewer,
      request: body(RevokeTokensInput, false),
      responses: { 200: json(RevokedSchema, 'every one of your API tokens revoked: the one making the call too, unless except_current') },
    }),
    async (c) => {
      const input = (c.req.valid('json') ?? { except_current: false }) as { except_current?: boolean };
      return c.json({ revoked: await revokeAllTokens(deps.db, actorOf(c, deps), principalOf(c), principalOf(c).userId, input.except_current ? currentTokenId(c) : null) }, 200);
    },
  );

  api.openapi(
    operation({ method: 'delete', path: '/account/tokens/{id}', operationId: 'revokeMyToken', summary: 'Revoke one of your API tokens', tags: ['accounts'], middleware: viewer, request: { params: idParam }, responses: { 200: json(TokenSchema, 'the revoked token') } }),
    async (c) => c.json(tokenJson(await revokeOwnedToken(deps.db, actorOf(c, deps), principalOf(c), c.req.valid('param').id)), 200),
  );

  api.openapi(
    operation({ method: 'get', path: '/admin/users', operationId: 'listUsers', summary: 'Every user (admins)', tags: ['admin'], middleware: admin, responses: { 200: json(UserListSchema, 'every user') } }),
    async (c) => c.json({ users: (await listUsers(deps.db)).map(userJson) }, 200),
  );

  api.openapi(
    operation({
      method: 'post', path: '/admin/users', operationId: 'createUser', summary: 'Add a user (admins)', tags: ['admin'], middleware: admin,
      request: body(CreateUserInput),
      responses: { 201: json(CreatedUserSchema, 'the new user; a generated password appears only in this answer'), ...errors(409) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const password = input.password ?? generatePassword();
      const user = await createUser(deps.db, actorOf(c, deps), { username: input.username, role: input.role, password });
      return c.json({ ...userJson(user), generated_password: input.password ? null : password }, 201);
    },
  );

  api.openapi(
    operation({
      method: 'patch', path: '/admin/users/{id}', operationId: 'changeUser', summary: "Change a user's role or disable them (admins)", tags: ['admin'], middleware: admin,
      request: { params: idParam, ...body(ChangeUserInput) },
      responses: { 200: json(UserSchema, 'the changed user'), ...errors(409) },
    }),
    async (c) => c.json(userJson(await changeUser(deps.db, actorOf(c, deps), c.req.valid('param').id, c.req.valid('json'))), 200),
  );

  api.openapi(
    operation({
      method: 'post', path: '/admin/users/{id}/password', operationId: 'resetUserPassword', summary: "Set a user's password (admins)", tags: ['admin'], middleware: admin,
      request: { params: idParam, ...body(ResetPasswordInput) },
      responses: { 200: json(PasswordResetSchema, 'password changed; the user is signed out everywhere, and their API tokens are revoked unless revoke_tokens is false') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { password, revoke_tokens } = c.req.valid('json');
      await getUser(deps.db, id);
      const pw = password ?? generatePassword();
      const user = await resetPassword(deps.db, actorOf(c, deps), id, pw, { revokeTokens: revoke_tokens });
      return c.json({ ...userJson(user), generated_password: password ? null : pw, revoked_tokens: user.revokedTokens }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'delete', path: '/admin/users/{id}/tokens', operationId: 'revokeUserTokens', summary: "Revoke all of a user's API tokens (admins)", tags: ['admin'], middleware: admin,
      request: { params: idParam },
      responses: { 200: json(RevokedSchema, 'every API token of the user revoked; their open streams end') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await getUser(deps.db, id);
      return c.json({ revoked: await revokeAllTokens(deps.db, actorOf(c, deps), principalOf(c), id) }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/admin/audit', operationId: 'listAudit', summary: 'The audit log (admins)', tags: ['admin'], middleware: admin,
      request: { query: AuditQuery },
      responses: { 200: json(AuditPageSchema, 'audit entries, newest first') },
    }),
    async (c) => {
      const { filters, page } = parseAuditFilters(c.req.valid('query'));
      const r = await listAudit(deps.db, filters, page, auditPageSize);
      return c.json({ entries: r.rows.map(auditEntryJson), total: r.total, page: r.page, page_size: r.pageSize }, 200);
    },
  );

  return api;
}
