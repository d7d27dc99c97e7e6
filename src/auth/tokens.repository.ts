import { sql, type Kysely } from 'kysely';
import type { ApiTokensTable, Database, NewRow } from '../db/schema.ts';

export async function insertToken(db: Kysely<Database>, row: NewRow<ApiTokensTable, 'user_id' | 'name' | 'token_hash' | 'prefix' | 'expires_at' | 'scope'>) {
  return db.insertInto('api_tokens').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function selectTokensOf(db: Kysely<Database>, userId: number) {
  return db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

export async function selectTokenById(db: Kysely<Database>, id: number) {
  return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A token usable at `now` (not revoked, not expired) joined with its user. */
export async function selectLiveToken(db: Kysely<Database>, tokenHash: string, now: Date) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id as token_id', 'api_tokens.last_used_at', 'api_tokens.expires_at', 'api_tokens.scope', 'users.id as user_id', 'users.username', 'users.role', 'users.disabled', 'users.locale'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', now)]))
    .executeTakeFirst();
}

/** A token's state and its user's, by id, whether live or not (for re-checking an open stream). */
export async function selectTokenAccess(db: Kysely<Database>, id: number) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.revoked_at', 'api_tokens.expires_at', 'users.role', 'users.disabled'])
    .where('api_tokens.id', '=', id)
    .executeTakeFirst();
}

export async function revokeToken(db: Kysely<Database>, id: number) {
  return db.updateTable('api_tokens').set({ revoked_at: sql`now()` }).where('id', '=', id).where('revoked_at', 'is', null).returningAll().executeTakeFirst();
}

/** Revokes every live token of a user (but `exceptId`); the ids revoked. */
export async function revokeTokensOf(db: Kysely<Database>, userId: number, exceptId: number | null = null): Promise<number[]> {
  let q = db.updateTable('api_tokens').set({ revoked_at: sql`now()` }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (exceptId !== null) q = q.where('id', '!=', exceptId);
  const rows = await q.returning('id').execute();
  return rows.map((r) => Number(r.id));
}

export async function touchToken(db: Kysely<Database>, id: number, now: Date): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}
