import type { Context } from 'hono';
import type { SSEMessage } from 'hono/streaming';
import type { AppEnv } from '../http/env.ts';
import { streamSSEWhileAllowed } from '../http/sse.ts';
import type { Run, RunEvent } from './run.types.ts';
import type { RunsService } from './runs.service.ts';

/** Comment lines keep proxies and browsers from closing a quiet stream. */
export const sseHeartbeatMs = 15_000;

/**
 * The resume point: the Last-Event-ID header (what EventSource and hx-sse send), or ?last_event_id=
 * for curl.
 */
export function lastEventIdOf(c: Context): number {
  const raw = c.req.header('last-event-id') ?? c.req.query('last_event_id') ?? '';
  const n = Number.parseInt(raw, 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export interface SseFormat {
  /** Messages for one event (ids are the event's seq, so Last-Event-ID resumes exactly). */
  event(e: RunEvent): SSEMessage[];
  /** Messages after the final status: the `done` event. */
  done(run: Run): SSEMessage[] | Promise<SSEMessage[]>;
}

/**
 * Streams a run's events as SSE: everything after Last-Event-ID, then live, then `done`, then the
 * stream ends. A client that disconnects, a server shutting down or the caller's access ending
 * (then `access_ended` comes last instead of `done`) ends the follow, which unsubscribes from the bus.
 */
export function streamRunEvents(c: Context<AppEnv>, runs: RunsService, runId: number, format: SseFormat) {
  const after = lastEventIdOf(c);
  return streamSSEWhileAllowed(c, async (stream, allowed) => {
    const ac = new AbortController();
    allowed.addEventListener('abort', () => ac.abort());
    if (allowed.aborted) ac.abort();
    const offClose = runs.bus.onClose(() => {
      ac.abort();
      stream.abort();
    });
    const ping = setInterval(() => void stream.write(': ping\n\n').catch(() => ac.abort()), sseHeartbeatMs);
    try {
      await stream.write(': connected\n\n');
      for await (const e of runs.follow(runId, after, ac.signal)) {
        for (const m of format.event(e)) await stream.writeSSE(m);
        if (stream.aborted) break;
      }
      if (!ac.signal.aborted && !stream.aborted) {
        const run = await runs.getRun(runId);
        if (run) for (const m of await format.done(run)) await stream.writeSSE(m);
      }
    } finally {
      clearInterval(ping);
      offClose();
      ac.abort();
    }
  });
}
