/**
 * Who is calling, as types only. They sit apart from access.ts (the role checks) because the
 * request context (src/http/env.ts) carries them and access.ts needs that context: one module
 * for both made an import cycle (issue 19). access.ts re-exports them for its callers.
 */

import type { Locale } from '../i18n/locale.ts';

/** Roles, from least to most: viewer reads, analyst runs backtests and owns strategies, admin does everything. */
export type Role = 'viewer' | 'analyst' | 'admin';

/** An authenticated caller. */
export interface Principal {
  userId: number;
  username: string;
  role: Role;
  /** How the caller proved who they are. */
  via: 'session' | 'token';
  /** Set for a token limited to one scope (`metrics`, `worker`): it may do that and nothing else; absent, the role's full access. */
  scope?: 'metrics' | 'worker';
  /** The language the user chose on the account page; null or absent: follow the browser (Accept-Language). */
  locale?: Locale | null;
}

/**
 * What a request proved its identity with, kept beside the principal so a long-lived response
 * (an SSE stream) can end when exactly that credential stops working. Null for anonymous callers
 * and for principals injected by tests.
 */
export type Credential =
  | { kind: 'token'; tokenId: number; expiresAt: Date | null }
  | { kind: 'session'; sessionId: number; expiresAt: Date };

/** Why a caller's access ended while a stream of theirs was open (the data of its `access_ended` event). */
export type AccessEndReason = 'token_revoked' | 'user_disabled' | 'role_changed' | 'session_ended' | 'expired';
