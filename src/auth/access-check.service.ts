import type { Kysely } from 'kysely';
import type { PgStore } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { AccessEndReason, Credential, Principal } from './access.ts';
import { makeAccessWatch, type AccessWatch } from './access-watch.ts';
import { selectSessionAccess } from './sessions.repository.ts';
import { selectTokenAccess } from './tokens.repository.ts';

/**
 * Why access granted to `principal` through `credential` no longer holds at `now`, or null while
 * it does. The most telling reason wins: a disabled user before a revoked credential before a
 * changed role before expiry.
 */
export async function accessEndedReason(db: Kysely<Database>, principal: Principal, credential: Credential, now: Date): Promise<AccessEndReason | null> {
  const row = credential.kind === 'token' ? await selectTokenAccess(db, credential.tokenId) : await selectSessionAccess(db, credential.sessionId);
  const revoked: AccessEndReason = credential.kind === 'token' ? 'token_revoked' : 'session_ended';
  if (!row) return revoked;
  if (row.disabled) return 'user_disabled';
  if (row.revoked_at !== null) return revoked;
  if (row.role !== principal.role) return 'role_changed';
  if (row.expires_at !== null && new Date(row.expires_at).getTime() <= now.getTime()) return 'expired';
  return null;
}

/** The access watch over this store: its NOTIFY channel, and re-checks read from its database. */
export function makeStoreAccessWatch(pg: Pick<PgStore, 'db' | 'listen'>, now: () => number, onError: (err: unknown) => void): AccessWatch {
  return makeAccessWatch({
    listen: (channel, onPayload) => pg.listen(channel, onPayload),
    recheck: (principal, credential) => accessEndedReason(pg.db, principal, credential, new Date(now())),
    now,
    onError,
  });
}
