import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { ConcurrencyKind } from './executor-registry.ts';
import * as repo from './runs.repository.ts';
import { runLogLinesKept, runProgressEventsKept, type LogLevel, type RunProgress } from './run.types.ts';

/** One attempt the worker pool is running: its stop signal and what it has yet to write. */
export interface Active {
  id: number;
  executor: string;
  kind: ConcurrencyKind;
  attempt: number;
  maxAttempts: number;
  controller: AbortController;
  /** Serialises this run's writes so its final transition comes after its last progress. */
  chain: Promise<unknown>;
  progress: RunProgress;
  progressDirty: boolean;
  logs: Array<{ level: LogLevel; message: string }>;
  checkpoint: { value: unknown } | undefined;
  flushTimer: NodeJS.Timeout | null;
  lastFlushAt: number;
  startedAtMs: number;
  eventsSinceTrim: number;
  lost: boolean;
  done: Promise<void>;
}

/**
 * Writes what a running attempt reported (logs, progress, checkpoint) as run events, one write at a
 * time per attempt (`chain`), so its final transition comes after its last progress.
 */
export function makeAttemptWriter(o: {
  db: Kysely<Database>;
  instanceId: string;
  flushIntervalMs: number;
  publish: (rows: repo.RunEventRow[]) => void;
  log: Logger;
}) {
  const { db, publish, log } = o;

  const flush = (a: Active): Promise<void> => {
    if (a.flushTimer) {
      clearTimeout(a.flushTimer);
      a.flushTimer = null;
    }
    const next = a.chain.then(async () => {
      if (a.lost) return;
      const events: repo.EventInput[] = [];
      for (const l of a.logs) events.push({ kind: 'log', data: l });
      a.logs = [];
      let progress: RunProgress | undefined;
      if (a.progressDirty) {
        progress = { ...a.progress };
        events.push({ kind: 'progress', data: progress });
        a.progressDirty = false;
      }
      const checkpoint = a.checkpoint;
      a.checkpoint = undefined;
      if (events.length === 0 && !checkpoint) return;
      a.lastFlushAt = performance.now();
      const rows = await repo.appendRunEvents(db, a.id, o.instanceId, events, progress, checkpoint);
      publish(rows);
      a.eventsSinceTrim += events.length;
      if (a.eventsSinceTrim >= 100) {
        a.eventsSinceTrim = 0;
        await repo.trimRunEvents(db, a.id, 'log', runLogLinesKept);
        await repo.trimRunEvents(db, a.id, 'progress', runProgressEventsKept);
      }
    });
    a.chain = next.catch((err) => log.warn('writing run progress failed', { runId: a.id, err: err as Error }));
    return next;
  };

  /** Throttled: at most one write per flushIntervalMs per run, the last update always written. */
  const scheduleFlush = (a: Active) => {
    if (a.flushTimer) return;
    const wait = Math.max(0, o.flushIntervalMs - (performance.now() - a.lastFlushAt));
    a.flushTimer = setTimeout(() => void flush(a).catch(() => {}), wait);
  };

  return { flush, scheduleFlush };
}
