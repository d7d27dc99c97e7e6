import { sql, type Kysely } from 'kysely';
import type { Database, NewRow, SessionsTable } from '../db/schema.ts';

export async function insertSession(
  db: Kysely<Database>,
  row: NewRow<SessionsTable, 'id_hash' | 'user_id' | 'csrf_token' | 'expires_at' | 'ip' | 'user_agent'>,
): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

/** A live session (not revoked, not expired at `now`) joined with its user. */
export async function selectLiveSession(db: Kysely<Database>, idHash: string, now: Date) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id as session_id', 'sessions.csrf_token', 'sessions.expires_at', 'users.id as user_id', 'users.username', 'users.role', 'users.disabled', 'users.locale'])
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now)
    .executeTakeFirst();
}

/** Revokes a live session; its id and user, or null when it was not live. */
export async function revokeSessionByHash(db: Kysely<Database>, idHash: string): Promise<{ sessionId: number; userId: number } | null> {
  const row = await db
    .updateTable('sessions')
    .set({ revoked_at: sql`now()` })
    .where('id_hash', '=', idHash)
    .where('revoked_at', 'is', null)
    .returning(['id', 'user_id'])
    .executeTakeFirst();
  return row ? { sessionId: Number(row.id), userId: Number(row.user_id) } : null;
}

/** A session's state and its user's, by id, whether live or not (for re-checking an open stream). */
export async function selectSessionAccess(db: Kysely<Database>, id: number) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.revoked_at', 'sessions.expires_at', 'users.role', 'users.disabled'])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
}

export async function revokeAllSessionsOf(db: Kysely<Database>, userId: number): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: sql`now()` }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

/** Drops rows that can no longer authenticate anyone (expired or revoked a day ago). */
export async function deleteDeadSessions(db: Kysely<Database>, now: Date): Promise<void> {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  await db.deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<', now), eb('revoked_at', '<', dayAgo)])).execute();
}
