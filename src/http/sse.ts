import type { Context } from 'hono';
import { streamSSE, type SSEMessage, type SSEStreamingApi } from 'hono/streaming';
import type { AccessEndReason } from '../auth/access.ts';
import type { AppEnv } from './env.ts';

/** The last message of a stream whose caller lost access: reconnecting with the same credential will not work. */
export function accessEndedMessage(reason: AccessEndReason): SSEMessage {
  return { event: 'access_ended', data: JSON.stringify({ reason }) };
}

/**
 * streamSSE for a stream that lives only as long as its caller's access (every SSE route uses
 * this: a stream is authorised once, when it opens). `signal` aborts when the client leaves or
 * when the access ends (token revoked, session ended, user disabled, role changed, expiry; in any
 * instance); the callback must then return promptly, and an ended access adds
 * `event: access_ended` with `{"reason": …}` as the stream's last message.
 */
export function streamSSEWhileAllowed(c: Context<AppEnv>, cb: (stream: SSEStreamingApi, signal: AbortSignal) => Promise<void>): Response {
  return streamSSE(c, async (stream) => {
    const ac = new AbortController();
    const access: { ended: AccessEndReason | null } = { ended: null };
    stream.onAbort(() => ac.abort());
    const principal = c.get('principal');
    const stopWatching = principal
      ? c.get('accessWatch').watch(principal, c.get('credential'), (reason) => {
          access.ended = reason;
          ac.abort();
        })
      : () => {};
    try {
      // An access that ended before the watch was in place (an expiry already past) starts aborted.
      await cb(stream, ac.signal);
    } finally {
      stopWatching();
    }
    // Written after the callback returned, so nothing the callback sends can follow it.
    if (access.ended && !stream.aborted) await stream.writeSSE(accessEndedMessage(access.ended));
  });
}

/** Waits `ms`, or less when `signal` aborts first. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
