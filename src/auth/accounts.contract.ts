/** The accounts API's contract: who am I, API tokens, users and the audit log (conventions in src/http/contract.ts). */
import { z } from '@hono/zod-openapi';
import { roles } from './access.ts';
import { minPasswordLength } from './password.ts';
import { maxExpiresDays, type ApiToken } from './tokens.service.ts';
import type { User } from './users.service.ts';
import type { AuditRecord } from '../audit/audit.service.ts';
import { instant, instantSchema } from '../http/contract.ts';

const RoleSchema = z.enum(roles as readonly ['viewer', 'analyst', 'admin']);

export const MeSchema = z.object({ id: z.number().int(), username: z.string(), role: RoleSchema, via: z.enum(['session', 'token']).describe('How the caller signed in') }).openapi('Me');

export const UserSchema = z
  .object({ id: z.number().int(), username: z.string(), role: RoleSchema, disabled: z.boolean(), created_at: instantSchema, updated_at: instantSchema })
  .openapi('User');
export const userJson = (u: User): z.infer<typeof UserSchema> => ({ id: u.id, username: u.username, role: u.role, disabled: u.disabled, created_at: instant(u.createdAt), updated_at: instant(u.updatedAt) });
export const UserListSchema = z.object({ users: z.array(UserSchema) }).openapi('UserList');
export const CreatedUserSchema = UserSchema.extend({ generated_password: z.string().nullable().describe('Shown only in this answer, when no password was given') }).openapi('CreatedUser');
export const PasswordResetSchema = UserSchema.extend({ generated_password: z.string().nullable(), revoked_tokens: z.number().int() }).openapi('PasswordReset');

export const TokenSchema = z
  .object({ id: z.number().int(), name: z.string(), prefix: z.string().describe('The first characters of the secret, to tell tokens apart'), created_at: instantSchema, expires_at: instantSchema.nullable(), last_used_at: instantSchema.nullable(), revoked_at: instantSchema.nullable(), scope: z.enum(['metrics', 'worker']).nullable().describe('metrics: may read /metrics only; worker: may fetch market snapshots only; null: the full access of its user') })
  .openapi('ApiToken');
export const tokenJson = (t: ApiToken): z.infer<typeof TokenSchema> => ({
  id: t.id, name: t.name, prefix: t.prefix, created_at: instant(t.createdAt), expires_at: instant(t.expiresAt), last_used_at: instant(t.lastUsedAt), revoked_at: instant(t.revokedAt), scope: t.scope,
});
export const TokenListSchema = z.object({ tokens: z.array(TokenSchema) }).openapi('ApiTokenList');
export const CreatedTokenSchema = TokenSchema.extend({ token: z.string().describe('The secret; shown only in this answer') }).openapi('CreatedApiToken');
export const RevokedSchema = z.object({ revoked: z.number().int().describe('How many tokens were revoked') }).openapi('Revoked');

const RoleIn = z.enum(['viewer', 'analyst', 'admin'], { message: 'expected viewer, analyst or admin' });
const PasswordIn = z.string().min(minPasswordLength, { message: `a password needs at least ${minPasswordLength} characters` }).max(1024);
export const CreateTokenInput = z.object({ name: z.string().max(100).default('token'), expires_days: z.number().int().min(1).max(maxExpiresDays).nullable().default(null), scope: z.enum(['metrics', 'worker'], { message: 'expected "metrics" (a token that may read /metrics only), "worker" (one that may fetch market snapshots only), or null' }).nullable().default(null).describe('Limit the token: metrics reads /metrics only, worker fetches market snapshots only (admins)') }).strict().openapi('CreateApiToken');
export const RevokeTokensInput = z.object({ except_current: z.boolean().default(false) }).strict().openapi('RevokeApiTokens');
export const CreateUserInput = z.object({ username: z.string().max(64), role: RoleIn, password: PasswordIn.optional() }).strict().openapi('CreateUser');
export const ChangeUserInput = z.object({ role: RoleIn.optional(), disabled: z.boolean().optional() }).strict().openapi('ChangeUser');
export const ResetPasswordInput = z.object({ password: PasswordIn.optional(), revoke_tokens: z.boolean().default(true) }).strict().openapi('ResetPassword');

export const AuditQuery = z.object({
  user: z.string().max(64).optional().describe('Username'),
  action: z.string().max(64).optional(),
  outcome: z.string().max(16).optional(),
  from: z.string().max(40).optional().describe('YYYY-MM-DD or an ISO instant'),
  to: z.string().max(40).optional(),
  page: z.string().max(12).optional().describe('1-based page number'),
});
export const AuditEntrySchema = z
  .object({
    id: z.number().int(), at: instantSchema, user_id: z.number().int().nullable(), username: z.string().nullable(), action: z.string(),
    object_type: z.string().nullable(), object_id: z.string().nullable(), outcome: z.string(), ip: z.string().nullable(),
    user_agent: z.string().nullable(), details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');
export const auditEntryJson = (e: AuditRecord): z.infer<typeof AuditEntrySchema> => ({
  id: e.id, at: instant(e.at), user_id: e.userId, username: e.username, action: e.action, object_type: e.objectType, object_id: e.objectId, outcome: e.outcome, ip: e.ip, user_agent: e.userAgent, details: e.details,
});
export const AuditPageSchema = z.object({ entries: z.array(AuditEntrySchema), total: z.number().int(), page: z.number().int(), page_size: z.number().int() }).openapi('AuditPage');
