import type { RunEvent } from './run.types.ts';

export type RunEventListener = (event: RunEvent) => void;

/**
 * Fans run events out to in-process listeners (SSE streams, waiters). Events written by this
 * process are published at once; events written by another instance arrive as a NOTIFY
 * (`e:<run>:<seq>`) and are read from the database, only for runs someone here follows.
 * Delivery is best effort and may repeat or skip: listeners keep their own last seq and fill gaps
 * from the database (see followRun), so the bus stays simple and never blocks a writer.
 */
export interface RunBus {
  subscribe(runId: number, listener: RunEventListener): () => void;
  publish(events: readonly RunEvent[]): void;
  /** A NOTIFY about an event that may have come from another instance. */
  notified(runId: number, seq: number): void;
  /** Listeners across all runs (a leak shows here). */
  listenerCount(): number;
  /** Calls every listener's close hook (server shutdown ends every stream). */
  closeAll(): void;
  onClose(listener: () => void): () => void;
}

export function makeRunBus(readEvents: (runId: number, afterSeq: number) => Promise<RunEvent[]>, onError: (err: unknown) => void): RunBus {
  interface Entry {
    listeners: Set<RunEventListener>;
    /** Highest seq delivered through this entry. */
    seen: number;
    fetching: boolean;
    wanted: number;
  }
  const entries = new Map<number, Entry>();
  const closers = new Set<() => void>();
  let count = 0;

  const deliver = (entry: Entry, event: RunEvent) => {
    if (event.seq <= entry.seen) return;
    entry.seen = event.seq;
    for (const l of entry.listeners) {
      try {
        l(event);
      } catch (err) {
        onError(err);
      }
    }
  };

  const catchUp = async (runId: number, entry: Entry) => {
    if (entry.fetching) return;
    entry.fetching = true;
    try {
      while (entry.wanted > entry.seen && entries.get(runId) === entry) {
        const after = entry.seen;
        const events = await readEvents(runId, after);
        if (events.length === 0) break;
        for (const e of events) deliver(entry, e);
      }
    } catch (err) {
      onError(err);
    } finally {
      entry.fetching = false;
    }
  };

  return {
    subscribe(runId, listener) {
      let entry = entries.get(runId);
      if (!entry) {
        entry = { listeners: new Set(), seen: 0, fetching: false, wanted: 0 };
        entries.set(runId, entry);
      }
      entry.listeners.add(listener);
      count++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        const e = entries.get(runId);
        if (!e || !e.listeners.delete(listener)) return;
        count--;
        if (e.listeners.size === 0) entries.delete(runId);
      };
    },
    publish(events) {
      for (const event of events) {
        const entry = entries.get(event.runId);
        if (entry) deliver(entry, event);
      }
    },
    notified(runId, seq) {
      const entry = entries.get(runId);
      if (!entry || seq <= entry.seen) return;
      // A new follower has seen nothing: start from just before this event (it fills older ones itself).
      if (entry.seen === 0) entry.seen = seq - 1;
      entry.wanted = Math.max(entry.wanted, seq);
      void catchUp(runId, entry);
    },
    listenerCount: () => count,
    closeAll() {
      for (const c of [...closers]) c();
    },
    onClose(listener) {
      closers.add(listener);
      return () => closers.delete(listener);
    },
  };
}
