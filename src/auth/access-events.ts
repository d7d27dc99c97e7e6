/**
 * Ends of access, broadcast to every instance so open streams close (src/auth/access-watch.ts):
 * the channel and the payload's format. Sent with pg_notify (access-events.repository.ts) inside
 * the transaction that made the change, so a listener hears of it exactly when it is committed,
 * and never of a change that was rolled back.
 */
export const accessChannel = 'zquant_access';

export type AccessEvent =
  | { kind: 'token_revoked'; tokenId: number }
  | { kind: 'session_ended'; sessionId: number }
  /** Every session of a user (password changed). */
  | { kind: 'user_sessions_ended'; userId: number }
  | { kind: 'user_disabled'; userId: number }
  | { kind: 'role_changed'; userId: number };

const kinds: ReadonlySet<string> = new Set(['token_revoked', 'session_ended', 'user_sessions_ended', 'user_disabled', 'role_changed']);

/** An event as the NOTIFY payload `<kind>:<id>`. */
export function encodeAccessEvent(e: AccessEvent): string {
  switch (e.kind) {
    case 'token_revoked':
      return `${e.kind}:${e.tokenId}`;
    case 'session_ended':
      return `${e.kind}:${e.sessionId}`;
    case 'user_sessions_ended':
    case 'user_disabled':
    case 'role_changed':
      return `${e.kind}:${e.userId}`;
  }
}

/** The payload `<kind>:<id>` back to an event; null for anything else (a newer instance's kind). */
export function parseAccessEvent(payload: string): AccessEvent | null {
  const i = payload.indexOf(':');
  const kind = payload.slice(0, i);
  const id = Number(payload.slice(i + 1));
  if (i < 0 || !kinds.has(kind) || !Number.isInteger(id)) return null;
  if (kind === 'token_revoked') return { kind, tokenId: id };
  if (kind === 'session_ended') return { kind, sessionId: id };
  return { kind: kind as 'user_sessions_ended' | 'user_disabled' | 'role_changed', userId: id };
}
