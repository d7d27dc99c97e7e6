import type { Kysely } from 'kysely';
import { audit, type AuditActor } from '../audit/audit.service.ts';
import type { Database, TokenScope } from '../db/schema.ts';
import { AppError, notFound } from '../http/errors.ts';
import { canSeeOwned, type Credential, type Principal, type Role } from './access.ts';
import { notifyAccessEnded } from './access-events.repository.ts';
import { randomSecret, sha256 } from './secrets.ts';
import { insertToken, revokeToken, revokeTokensOf, selectLiveToken, selectTokenById, selectTokensOf, touchToken } from './tokens.repository.ts';

/** Every token starts so; secret scanners and people can recognise one. */
export const tokenPrefix = 'zq_';

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  /** The first characters, to tell tokens apart in a list; not enough to use one. */
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** `metrics`: may read /metrics only; `worker`: may fetch market snapshots only; null: the full access of its user's role. */
  scope: TokenScope | null;
}

type TokenRow = NonNullable<Awaited<ReturnType<typeof selectTokenById>>>;

function toToken(r: TokenRow): ApiToken {
  const d = (v: Date | string | null) => (v === null ? null : new Date(v));
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    name: r.name,
    prefix: r.prefix,
    createdAt: new Date(r.created_at),
    expiresAt: d(r.expires_at),
    lastUsedAt: d(r.last_used_at),
    revokedAt: d(r.revoked_at),
    scope: r.scope,
  };
}

export const maxExpiresDays = 3650;

/** Creates a token; the secret is returned here once and never again. */
export async function createToken(
  db: Kysely<Database>,
  actor: AuditActor,
  input: { userId: number; name: string; expiresDays: number | null; now: Date; scope?: TokenScope | null; /** The user's role: a metrics scope needs admin. */ role?: Role },
): Promise<{ token: string; info: ApiToken }> {
  const scope = input.scope ?? null;
  if (scope !== null && input.role !== 'admin') {
    const what = scope === 'metrics' ? 'a metrics token reads /metrics' : 'a worker token fetches market snapshots for worker processes';
    throw new AppError(403, 'forbidden', `scope: ${what}, which is for admins; this user is ${input.role ?? 'not known to be an admin'}`, { field: 'scope' });
  }
  const name = input.name.trim() || 'token';
  if (name.length > 100) throw new AppError(400, 'invalid_request', 'name: at most 100 characters', { field: 'name' });
  if (input.expiresDays !== null && (!Number.isInteger(input.expiresDays) || input.expiresDays < 1 || input.expiresDays > maxExpiresDays)) {
    throw new AppError(400, 'invalid_request', `expires_days: a whole number of days from 1 to ${maxExpiresDays}, or empty for no expiry`, { field: 'expires_days' });
  }
  const token = tokenPrefix + randomSecret();
  const expires_at = input.expiresDays === null ? null : new Date(input.now.getTime() + input.expiresDays * 86_400_000);
  // The token and its audit entry in one transaction: no token exists without its trail.
  const info = await db.transaction().execute(async (trx) => {
    const created = toToken(await insertToken(trx, { user_id: input.userId, name, token_hash: sha256(token), prefix: token.slice(0, 7), expires_at, scope }));
    await audit(trx, actor, { action: 'token.create', outcome: 'success', objectType: 'api_token', objectId: created.id, details: { name, owner_id: input.userId, expires_at: expires_at?.toISOString() ?? null, scope } });
    return created;
  });
  return { token, info };
}

export async function listTokens(db: Kysely<Database>, userId: number): Promise<ApiToken[]> {
  return (await selectTokensOf(db, userId)).map(toToken);
}

/**
 * Revokes a token the caller owns (admins: any); 404 for others' tokens. Effective on the next
 * request, and event streams it opened end in every instance.
 */
export async function revokeOwnedToken(db: Kysely<Database>, actor: AuditActor, caller: Principal, id: number): Promise<ApiToken> {
  const row = await selectTokenById(db, id);
  if (!row || !canSeeOwned(caller, Number(row.user_id))) throw notFound(`API token ${id}`);
  const revoked = await db.transaction().execute(async (trx) => {
    const r = await revokeToken(trx, id);
    if (r) await notifyAccessEnded(trx, { kind: 'token_revoked', tokenId: id });
    await audit(trx, actor, { action: 'token.revoke', outcome: 'success', objectType: 'api_token', objectId: id, details: { name: row.name, owner_id: Number(row.user_id) } });
    return r ?? row;
  });
  return toToken(revoked);
}

/**
 * Revokes every live API token of a user on `trx`, the transaction of the change that calls for it
 * (a password reset, revoke-all), and tells every instance so the streams they opened end.
 */
export async function revokeTokensIn(trx: Kysely<Database>, userId: number, exceptId: number | null = null): Promise<number[]> {
  const ids = await revokeTokensOf(trx, userId, exceptId);
  for (const tokenId of ids) await notifyAccessEnded(trx, { kind: 'token_revoked', tokenId });
  return ids;
}

/**
 * Revokes all API tokens of a user at once: the caller's own, or (admins) anyone's; 404 for another
 * user's otherwise. `keepId` spares one (the token making the request: "all the others").
 * Audited in the same transaction; the number revoked.
 */
export async function revokeAllTokens(db: Kysely<Database>, actor: AuditActor, caller: Principal, userId: number, keepId: number | null = null): Promise<number> {
  if (!canSeeOwned(caller, userId)) throw notFound(`user ${userId}`);
  return db.transaction().execute(async (trx) => {
    const ids = await revokeTokensIn(trx, userId, keepId);
    await audit(trx, actor, { action: 'token.revoke_all', outcome: 'success', objectType: 'user', objectId: userId, details: { revoked: ids.length, ids, kept: keepId } });
    return ids.length;
  });
}

/** last_used_at is written at most once a minute per token: one row update, not one per request. */
const touchEveryMs = 60_000;

/** The principal and credential behind a bearer token, or null when unknown, revoked, expired or its user disabled. */
export async function resolveToken(db: Kysely<Database>, token: string, now: Date): Promise<{ principal: Principal; credential: Credential } | null> {
  if (!token.startsWith(tokenPrefix) || token.length > 100) return null;
  const row = await selectLiveToken(db, sha256(token), now);
  if (!row || row.disabled) return null;
  const last = row.last_used_at === null ? null : new Date(row.last_used_at).getTime();
  if (last === null || now.getTime() - last >= touchEveryMs) await touchToken(db, Number(row.token_id), now);
  return {
    principal: { userId: Number(row.user_id), username: row.username, role: row.role, via: 'token', locale: row.locale, ...(row.scope ? { scope: row.scope } : {}) },
    credential: { kind: 'token', tokenId: Number(row.token_id), expiresAt: row.expires_at === null ? null : new Date(row.expires_at) },
  };
}
