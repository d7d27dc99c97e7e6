import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Credential, Principal } from './access.ts';
import { notifyAccessEnded } from './access-events.repository.ts';
import { randomSecret, sha256 } from './secrets.ts';
import { deleteDeadSessions, insertSession, revokeSessionByHash, selectLiveSession } from './sessions.repository.ts';

export interface NewSession {
  /** The cookie value; only its hash is stored. */
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

/** A fresh session with a new random id (never reusing one the browser brought: no fixation). */
export async function startSession(
  db: Kysely<Database>,
  userId: number,
  opts: { now: Date; ttlHours: number; ip: string | null; userAgent: string | null },
): Promise<NewSession> {
  const id = randomSecret();
  const csrfToken = randomSecret();
  const expiresAt = new Date(opts.now.getTime() + opts.ttlHours * 3_600_000);
  await insertSession(db, { id_hash: sha256(id), user_id: userId, csrf_token: csrfToken, expires_at: expiresAt, ip: opts.ip, user_agent: opts.userAgent });
  // Housekeeping rides on logins: cheap, and no timer is needed.
  await deleteDeadSessions(db, opts.now);
  return { id, csrfToken, expiresAt };
}

/** The principal, credential and CSRF token of a live session of an enabled user, or null. */
export async function resolveSession(
  db: Kysely<Database>,
  id: string,
  now: Date,
): Promise<{ principal: Principal; credential: Credential; csrfToken: string } | null> {
  if (id.length > 100) return null;
  const row = await selectLiveSession(db, sha256(id), now);
  if (!row || row.disabled) return null;
  return {
    principal: { userId: Number(row.user_id), username: row.username, role: row.role, via: 'session', locale: row.locale },
    credential: { kind: 'session', sessionId: Number(row.session_id), expiresAt: new Date(row.expires_at) },
    csrfToken: row.csrf_token,
  };
}

/**
 * Ends a session (and, in every instance, the streams it opened); the user id it belonged to, or null
 * when it was not live. `withEnded` writes in the same transaction (the sign-out's audit entry).
 */
export async function endSession(db: Kysely<Database>, id: string, withEnded?: (trx: Kysely<Database>, userId: number) => Promise<void>): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    const ended = await revokeSessionByHash(trx, sha256(id));
    if (ended) await notifyAccessEnded(trx, { kind: 'session_ended', sessionId: ended.sessionId });
    if (ended && withEnded) await withEnded(trx, ended.userId);
    return ended?.userId ?? null;
  });
}
