import type { RunBus } from './run-bus.ts';
import type { RunEvent, RunStatus } from './run.types.ts';
import { isTerminal } from './run.types.ts';

export interface FollowSource {
  bus: RunBus;
  readEvents(runId: number, afterSeq: number, limit: number): Promise<RunEvent[]>;
  /** The run's status and last event seq, or null when it does not exist. */
  readHead(runId: number): Promise<{ status: RunStatus; eventSeq: number } | null>;
}

/** How often a follower re-reads the database even without a notification (a lost NOTIFY costs at most this). */
export const followRepollMs = 5_000;

/** Whether an event ends the run's stream: a status with nothing after it (no retry pending). */
export function isFinalEvent(e: RunEvent): boolean {
  return e.kind === 'status' && (e.data as { final?: boolean }).final === true;
}

/**
 * The events of a run after `afterSeq`, in seq order with no gap and no duplicate, live, ending
 * after the final status event (or at once when the run already ended before `afterSeq`).
 * Subscribes before reading history, so nothing falls between the two; unsubscribes when the
 * consumer stops or `signal` aborts.
 */
export async function* followRun(src: FollowSource, runId: number, afterSeq: number, signal: AbortSignal): AsyncGenerator<RunEvent> {
  let sent = afterSeq;
  let queue: RunEvent[] = [];
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const unsubscribe = src.bus.subscribe(runId, (e) => {
    if (e.seq <= sent) return;
    // A follower that falls far behind reads from the database instead of growing a queue.
    if (queue.length < 1000) queue.push(e);
    else queue = [];
    poke();
  });
  const onAbort = () => poke();
  signal.addEventListener('abort', onAbort);
  try {
    let needRead = true;
    while (!signal.aborted) {
      if (needRead) {
        needRead = false;
        const head = await src.readHead(runId);
        if (!head) return;
        while (head.eventSeq > sent && !signal.aborted) {
          const page = await src.readEvents(runId, sent, 500);
          if (page.length === 0) break;
          for (const e of page) {
            // Trimmed history (old log/progress lines) leaves holes in seq; jump over them.
            sent = e.seq;
            yield e;
            if (isFinalEvent(e)) return;
          }
        }
        if (isTerminal(head.status) && head.eventSeq <= sent) return;
      }
      queue.sort((a, b) => a.seq - b.seq);
      while (queue.length && !signal.aborted) {
        const e = queue.shift()!;
        if (e.seq <= sent) continue;
        if (e.seq !== sent + 1) {
          needRead = true;
          queue = [];
          break;
        }
        sent = e.seq;
        yield e;
        if (isFinalEvent(e)) return;
      }
      if (needRead || signal.aborted) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        const timer = setTimeout(() => {
          needRead = true;
          poke();
        }, followRepollMs);
        timer.unref?.();
        const done = wake;
        wake = () => {
          clearTimeout(timer);
          done();
        };
      });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
