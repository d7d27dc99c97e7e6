import type { Kysely } from 'kysely';
import { audit, type AuditActor } from '../audit/audit.service.ts';
import type { Database } from '../db/schema.ts';
import { AppError, notFound } from '../http/errors.ts';
import { roles, type Role } from './access.ts';
import type { Locale } from '../i18n/locale.ts';
import { notifyAccessEnded } from './access-events.repository.ts';
import { checkPasswordPolicy, generatePassword, hashPassword, passwordProblem } from './password.ts';
import { revokeAllSessionsOf } from './sessions.repository.ts';
import { revokeTokensIn } from './tokens.service.ts';
import {
  countUsers,
  insertUser,
  lockActiveAdminIds,
  lockFirstStart,
  selectUserById,
  selectUserByUsername,
  selectUsers,
  updateUser,
} from './users.repository.ts';

export interface User {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

type UserRow = NonNullable<Awaited<ReturnType<typeof selectUserById>>>;

export function toUser(r: UserRow): User {
  return {
    id: Number(r.id),
    username: r.username,
    role: r.role,
    disabled: r.disabled,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export const usernamePattern = /^[a-z0-9][a-z0-9._-]{1,31}$/;
export const usernameRule = 'a username is 2-32 characters: lower-case letters, digits, dot, dash or underscore, starting with a letter or digit';

/** The actor for changes made from the command line or at start-up. */
export const systemActor = (name: string): AuditActor => ({ userId: null, username: null, ip: null, userAgent: name });

function checkUsername(username: string): void {
  if (!usernamePattern.test(username)) throw new AppError(400, 'invalid_username', `username: ${usernameRule}; got "${username}"`, { field: 'username' });
}

function checkRole(role: string): asserts role is Role {
  if (!(roles as readonly string[]).includes(role)) {
    throw new AppError(400, 'invalid_role', `role: expected one of ${roles.join(', ')}; got "${role}"`, { field: 'role' });
  }
}

export async function listUsers(db: Kysely<Database>): Promise<User[]> {
  return (await selectUsers(db)).map(toUser);
}

export async function getUser(db: Kysely<Database>, id: number): Promise<User> {
  const row = await selectUserById(db, id);
  if (!row) throw notFound(`user ${id}`);
  return toUser(row);
}

export async function findUserByUsername(db: Kysely<Database>, username: string) {
  return selectUserByUsername(db, username);
}

/** Creates a user; the password must meet the policy. 409 when the username is taken. */
export async function createUser(
  db: Kysely<Database>,
  actor: AuditActor,
  input: { username: string; role: string; password: string },
): Promise<User> {
  const username = input.username.trim().toLowerCase();
  checkUsername(username);
  checkRole(input.role);
  checkPasswordPolicy(input.password);
  const password_hash = await hashPassword(input.password);
  const user = await db.transaction().execute(async (trx) => {
    const row = await insertUser(trx, { username, password_hash, role: input.role as Role });
    if (!row) return null;
    const created = toUser(row);
    await audit(trx, actor, { action: 'user.create', outcome: 'success', objectType: 'user', objectId: created.id, details: { username, role: created.role } });
    return created;
  });
  if (!user) {
    await audit(db, actor, { action: 'user.create', outcome: 'failure', objectType: 'user', details: { username, reason: 'taken' } });
    throw new AppError(409, 'username_taken', `username: "${username}" already exists; pick another name or reset that user's password`, { field: 'username' });
  }
  return user;
}

/**
 * Changes role and/or disabled flag. Refuses to leave the instance without an active admin, checked
 * under a row lock so two admins demoting each other at once cannot both succeed.
 */
export async function changeUser(
  db: Kysely<Database>,
  actor: AuditActor,
  id: number,
  changes: { role?: string; disabled?: boolean },
): Promise<User> {
  if (changes.role !== undefined) checkRole(changes.role);
  const role = changes.role as Role | undefined;
  let refused: string | null = null;
  const user = await db.transaction().execute(async (trx) => {
    const admins = await lockActiveAdminIds(trx);
    const before = await selectUserById(trx, id);
    if (!before) throw notFound(`user ${id}`);
    const losesAdmin = before.role === 'admin' && !before.disabled && ((role !== undefined && role !== 'admin') || changes.disabled === true);
    if (losesAdmin && admins.length <= 1) {
      refused = before.username;
      throw new AppError(409, 'last_admin', `"${before.username}" is the last active admin; make another user admin first, then change this one`);
    }
    const after = await updateUser(trx, id, { ...(role !== undefined ? { role } : {}), ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}) });
    // A disabled user's browser sessions end now; tokens stop working through the disabled check.
    if (changes.disabled === true) await revokeAllSessionsOf(trx, id);
    // Open streams end in every instance: a disabled user's all, and a changed role's too (a stream
    // was authorised for the old role; the client reconnects under the new one).
    if (changes.disabled === true && !before.disabled) await notifyAccessEnded(trx, { kind: 'user_disabled', userId: id });
    else if (role !== undefined && role !== before.role) await notifyAccessEnded(trx, { kind: 'role_changed', userId: id });
    const [b, a] = [toUser(before), toUser(after!)];
    if (role !== undefined && role !== b.role) {
      await audit(trx, actor, { action: 'user.role', outcome: 'success', objectType: 'user', objectId: id, details: { username: a.username, from: b.role, to: role } });
    }
    if (changes.disabled !== undefined && changes.disabled !== b.disabled) {
      await audit(trx, actor, { action: changes.disabled ? 'user.disable' : 'user.enable', outcome: 'success', objectType: 'user', objectId: id, details: { username: a.username } });
    }
    return { before: b, after: a };
  }).catch(async (err) => {
    if (refused !== null) {
      await audit(db, actor, { action: changes.disabled ? 'user.disable' : 'user.role', outcome: 'denied', objectType: 'user', objectId: id, details: { username: refused, reason: 'last active admin', ...changes } });
    }
    throw err;
  });
  return user.after;
}

/**
 * Sets a new password (policy checked) and ends the user's browser sessions; with `revokeTokens`
 * (what an admin's reset does unless told not to) their API tokens too, in the same transaction.
 */
export async function resetPassword(
  db: Kysely<Database>,
  actor: AuditActor,
  id: number,
  password: string,
  options: { revokeTokens: boolean } = { revokeTokens: false },
): Promise<User & { revokedTokens: number }> {
  checkPasswordPolicy(password);
  const password_hash = await hashPassword(password);
  const row = await db.transaction().execute(async (trx) => {
    const r = await updateUser(trx, id, { password_hash });
    if (!r) throw notFound(`user ${id}`);
    await revokeAllSessionsOf(trx, id);
    await notifyAccessEnded(trx, { kind: 'user_sessions_ended', userId: id });
    const revoked = options.revokeTokens ? await revokeTokensIn(trx, id) : [];
    // (`revokedApiKeys`: the audit drops detail keys that look like credentials, such as "token".)
    await audit(trx, actor, { action: 'user.password', outcome: 'success', objectType: 'user', objectId: id, details: { username: r.username, revoked_api_keys: revoked.length } });
    return { r, revoked: revoked.length };
  });
  return { ...toUser(row.r), revokedTokens: row.revoked };
}

export type FirstStart =
  | { created: false }
  | { created: true; username: string; generatedPassword: string | null };

/**
 * On a database with no users, creates `admin` with the configured password, or a generated one
 * the caller prints once. Safe when several instances start together: an advisory lock serialises
 * them and only the first sees zero users.
 */
export async function ensureFirstAdmin(db: Kysely<Database>, adminPassword: string | null): Promise<FirstStart> {
  if (adminPassword !== null) {
    const problem = passwordProblem(adminPassword);
    if (problem) throw new Error(`ZQUANT_ADMIN_PASSWORD: ${problem}; set a longer one or unset it to have a password generated`);
  }
  // Every later start ends here, without paying for a password hash.
  if ((await countUsers(db)) > 0) return { created: false };
  const password = adminPassword ?? generatePassword();
  const hash = await hashPassword(password);
  const created = await db.transaction().execute(async (trx) => {
    await lockFirstStart(trx);
    if ((await countUsers(trx)) > 0) return null;
    return insertUser(trx, { username: 'admin', password_hash: hash, role: 'admin' });
  });
  if (!created) return { created: false };
  await audit(db, systemActor('first start'), {
    action: 'user.create',
    outcome: 'success',
    objectType: 'user',
    objectId: Number(created.id),
    details: { username: 'admin', role: 'admin', source: adminPassword === null ? 'generated' : 'ZQUANT_ADMIN_PASSWORD' },
  });
  return { created: true, username: 'admin', generatedPassword: adminPassword === null ? password : null };
}

export { checkPasswordPolicy };

/** The interface language a user chose (account page); null follows the browser again. Takes effect on the next request. */
export async function setUserLocale(db: Kysely<Database>, id: number, locale: Locale | null): Promise<void> {
  const r = await updateUser(db, id, { locale });
  if (!r) throw notFound(`user ${id}`);
}
