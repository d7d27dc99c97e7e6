import type { AccessEndReason, Credential, Principal } from './principal.ts';
import { accessChannel, parseAccessEvent, type AccessEvent } from './access-events.ts';

/**
 * Long-lived responses (SSE streams) are authorised once, when they open. This registry ends them
 * when that authorisation stops holding: a NOTIFY on `zquant_access` from any instance (token
 * revoked, session ended, user disabled, role changed) or the credential's expiry (a timer).
 */
export interface AccessWatch {
  /**
   * Calls `onEnd` once when the access of `principal` (through `credential`, null for principals
   * injected by tests: then only the user's events apply) ends. The returned function stops watching.
   */
  watch(principal: Principal, credential: Credential | null, onEnd: (reason: AccessEndReason) => void): () => void;
  /** Streams being watched (a leak shows here). */
  watchedCount(): number;
  /** Stops listening and forgets every watch without calling it. */
  close(): Promise<void>;
}

export interface AccessWatchDeps {
  /** Subscribes to a NOTIFY channel (PgStore.listen); called on the first watch, not at construction. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Reads the credential once more after the watch is in place and the channel is listened to: a
   * revocation committed between authentication and that moment sent its NOTIFY to no one.
   */
  recheck(principal: Principal, credential: Credential): Promise<AccessEndReason | null>;
  /** The clock expiry is measured on, in epoch ms (the one authentication uses). */
  now: () => number;
  onError: (err: unknown) => void;
}

/** setTimeout's longest delay; a token may expire years from now, so longer waits are re-armed. */
const maxTimerMs = 2 ** 31 - 1;

interface Entry {
  principal: Principal;
  credential: Credential | null;
  end(reason: AccessEndReason): void;
  stop(): void;
}

/** Why an event ends this entry's access, or null when it is about someone else. */
function reasonFor(e: AccessEvent, entry: Entry): AccessEndReason | null {
  const cred = entry.credential;
  switch (e.kind) {
    case 'token_revoked':
      return cred?.kind === 'token' && cred.tokenId === e.tokenId ? 'token_revoked' : null;
    case 'session_ended':
      return cred?.kind === 'session' && cred.sessionId === e.sessionId ? 'session_ended' : null;
    case 'user_sessions_ended':
      return cred?.kind === 'session' && entry.principal.userId === e.userId ? 'session_ended' : null;
    case 'user_disabled':
    case 'role_changed':
      return entry.principal.userId === e.userId ? e.kind : null;
  }
}

export function makeAccessWatch(deps: AccessWatchDeps): AccessWatch {
  const entries = new Set<Entry>();
  let listening: Promise<(() => Promise<void>) | null> | null = null;

  const onPayload = (payload: string) => {
    const event = parseAccessEvent(payload);
    if (!event) return;
    for (const entry of [...entries]) {
      const reason = reasonFor(event, entry);
      if (reason) entry.end(reason);
    }
  };

  // One subscription per process, made when the first stream opens (importing or building does no I/O).
  const ensureListening = () => {
    listening ??= deps.listen(accessChannel, onPayload).catch((err) => {
      deps.onError(err);
      listening = null;
      return null;
    });
    return listening;
  };

  return {
    watch(principal, credential, onEnd) {
      let timer: NodeJS.Timeout | null = null;
      const stop = () => {
        entries.delete(entry);
        if (timer) clearTimeout(timer);
        timer = null;
      };
      const entry: Entry = {
        principal,
        credential,
        stop,
        end(reason) {
          if (!entries.has(entry)) return;
          stop();
          onEnd(reason);
        },
      };
      entries.add(entry);
      const expiresAt = credential?.expiresAt?.getTime() ?? null;
      if (expiresAt !== null) {
        const arm = () => {
          const leftMs = expiresAt - deps.now();
          if (leftMs <= 0) return entry.end('expired');
          timer = setTimeout(arm, Math.min(leftMs, maxTimerMs));
          timer.unref();
        };
        arm();
      }
      void ensureListening().then(async (unlisten) => {
        if (!unlisten || !credential || !entries.has(entry)) return;
        try {
          const reason = await deps.recheck(principal, credential);
          if (reason) entry.end(reason);
        } catch (err) {
          deps.onError(err);
        }
      });
      return stop;
    },
    watchedCount: () => entries.size,
    async close() {
      for (const entry of [...entries]) entry.stop();
      const unlisten = await listening;
      listening = null;
      await unlisten?.();
    },
  };
}
