/**
 * Sync operations: fill one market dataset from a source, idempotently, with exact counts and an
 * operation-log row in Postgres.
 *
 * The interface the run machinery's `data_sync` executor calls (and the CLI, and the pages):
 *
 *   syncDataset(deps, request, control) → SyncOutcome
 *     deps:    { market, pg, source }                      (source: tushareSource(client) or demoSource(m))
 *     request: { dataset, codes?, start?, end? }           (dates YYYYMMDD; end defaults to the latest
 *                                                            closed trading day — for the calendar, the end
 *                                                            of next year — start to end)
 *     control: { signal?, onProgress?, checkpoint?, resumeFrom?, runId?, runAttempt?, lease? }
 *       signal      aborts between batches; a batch being written still lands whole.
 *       onProgress  called after each committed batch: { done, total, currentDate, counts }.
 *       checkpoint  awaited after each committed batch with { lastCompletedDate, counts }; store it
 *                   and hand it back as resumeFrom to continue a range after a failure.
 *       resumeFrom  skip every trade date ≤ this one (a previous attempt committed them).
 *       runId, runAttempt  the run attempt that owns the log row (the reaper closes it as
 *                   `abandoned` when that attempt's lease expires).
 *       lease       how long the log row stays held without a heartbeat (sync-log.service.ts); a
 *                   row whose process died is closed as `abandoned` once it passes.
 *   The outcome is also the log row's content: result 'success' | 'partial' | 'failed', counts,
 *   lastCompletedDate, error. It never throws for a source or write failure (that is data on the
 *   row); it throws only for a bad request (unknown dataset, start after end).
 *
 * Per-day datasets walk the range one trade date at a time (one call per date for the whole
 * market), several dates per write batch; each batch is one DuckDB transaction whose merge counts
 * inserted/updated/unchanged/deleted exactly. Other datasets are one batch.
 */
import type { PgStore } from '../../db/database.ts';
import { AppError } from '../../http/errors.ts';
import { datasets, type DatasetName } from '../datasets.ts';
import type { MarketStore } from '../duckdb.ts';
import type { Batch } from '../store/batch.ts';
import { concatBatches } from '../store/concat.ts';
import { addCounts, mergeBatch, zeroCounts, type MergeCounts } from '../store/merge.ts';
import { openSyncLog, type SyncLogLease } from './sync-log.service.ts';
import type { MarketSource } from './sources.ts';
import { addDays, toYmd } from '../days.ts';

export interface SyncDeps {
  market: MarketStore;
  pg: PgStore;
  source: MarketSource;
}

export interface SyncRequest {
  dataset: DatasetName;
  codes?: readonly string[] | null;
  start?: number | null;
  end?: number | null;
}

export interface SyncProgress {
  dataset: DatasetName;
  done: number;
  total: number;
  currentDate: number | null;
  counts: MergeCounts;
}

export interface SyncControl {
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  checkpoint?: (c: { lastCompletedDate: number; counts: MergeCounts }) => void | Promise<void>;
  resumeFrom?: number | null;
  runId?: number | null;
  runAttempt?: number | null;
  lease?: SyncLogLease;
  /**
   * Rows per write batch, one transaction each (default 250,000: about 50 days of the whole market).
   * Bigger is faster, smaller loses less on a crash. Past a DuckDB row group (122,880 rows) a
   * transaction's appends are written straight to the file instead of to the WAL and again at the
   * next checkpoint: a full-market sync measured 444k rows/s with 100,000-row batches, 649k with 250,000.
   */
  batchRows?: number;
  /** Source calls in flight ahead of the writer (default 4). */
  prefetch?: number;
  /** The latest closed trading day, when the caller knows it (default: from the source's calendar). */
  today?: number;
}

export interface SyncOutcome {
  logId: number;
  dataset: DatasetName;
  source: string;
  result: 'success' | 'partial' | 'failed';
  counts: MergeCounts;
  rows: number;
  lastCompletedDate: number | null;
  error: string | null;
  durationMs: number;
}

/** Today in Asia/Shanghai as YYYYMMDD, and whether the day's data is out (Tushare publishes ~17:00). */
export function shanghaiToday(now = new Date()): { date: number; afterPublish: boolean } {
  const sh = new Date(now.getTime() + 8 * 3600_000);
  return { date: toYmd(sh), afterPublish: sh.getUTCHours() >= 17 };
}

/** The last day a calendar sync asks for by default: 31 December of the year after `today`'s. */
export function calendarHorizon(today: number): number {
  return (Math.floor(today / 10000) + 1) * 10000 + 1231;
}

export async function latestClosedDate(source: MarketSource, now = new Date(), signal?: AbortSignal): Promise<number> {
  const { date, afterPublish } = shanghaiToday(now);
  const back = addDays(date, -20);
  const open = await source.openDates(back, date, signal);
  const done = open.filter((d) => d < date || (d === date && afterPublish));
  if (!done.length) throw new AppError(400, 'no_trading_day', `no trading day closed between ${back} and ${date}; pass --start/--end`);
  return done[done.length - 1];
}

export async function syncDataset(deps: SyncDeps, request: SyncRequest, control: SyncControl = {}): Promise<SyncOutcome> {
  const def = datasets[request.dataset];
  if (!def) throw new AppError(400, 'invalid_dataset', `unknown dataset ${request.dataset}; one of ${Object.keys(datasets).join(', ')}`);
  const started = performance.now();
  const codes = request.codes?.length ? [...request.codes] : null;
  const params = { codes, start: request.start ?? null, end: request.end ?? null };
  const log = await openSyncLog(
    deps.pg.db,
    { source: deps.source.name, endpoint: deps.source.name === 'tushare' ? def.apiName : null, dataset: def.name, params, runId: control.runId, runAttempt: control.runAttempt },
    control.lease,
  );
  const counts = zeroCounts();
  let rows = 0;
  let lastCompletedDate: number | null = control.resumeFrom ?? null;
  let committedBatches = 0;
  let error: string | null = null;
  try {
    // The calendar is published ahead (each December for the next year): it is synced through the end
    // of next year, so trading-day schedules (src/scheduler/trading-days.ts) know the coming holidays.
    const end = request.end ?? (def.name === 'trade_calendar' ? calendarHorizon(control.today ?? shanghaiToday().date) : (control.today ?? (await latestClosedDate(deps.source, new Date(), control.signal))));
    const start = request.start ?? (def.perTradeDate || def.name === 'index_daily' ? end : 19900101);
    if (start > end) throw new AppError(400, 'invalid_range', `start ${start} is after end ${end}`);

    if (def.perTradeDate) {
      let dates = await deps.source.openDates(start, end, control.signal);
      if (control.resumeFrom) dates = dates.filter((d) => d > control.resumeFrom!);
      const batchRows = control.batchRows ?? 250_000;
      const prefetch = Math.max(1, control.prefetch ?? 4);
      // Fetches run ahead of the writer: at most `prefetch` calls in flight, refilled as each one
      // answers (not only when the writer takes one), and up to the next whole batch buffered, so
      // the network and decoding of batch k+1 overlap the DuckDB write of batch k.
      const results: Promise<Batch>[] = [];
      let next = 0;
      let inflight = 0;
      let ahead = prefetch;
      let stopped = false;
      let done = 0;
      const pump = () => {
        while (!stopped && inflight < prefetch && next < dates.length && next < done + ahead) {
          const i = next++;
          inflight++;
          const p = deps.source.fetchDay(def, dates[i], codes, control.signal);
          results[i] = p;
          p.then(
            (b) => {
              inflight--;
              // Dates per batch, from the first answers: buffer one batch beyond the one being written.
              if (b.length > 0) ahead = Math.max(ahead, prefetch + Math.ceil(batchRows / b.length));
              pump();
            },
            () => {
              inflight--;
            },
          );
        }
      };
      try {
        while (done < dates.length) {
          const parts: Batch[] = [];
          let n = 0;
          let first = -1;
          let last = -1;
          while (done < dates.length && (n < batchRows || parts.length === 0)) {
            control.signal?.throwIfAborted();
            pump();
            const b = await results[done];
            delete results[done];
            parts.push(b);
            n += b.length;
            if (first < 0) first = dates[done];
            last = dates[done];
            done++;
            pump();
          }
          control.signal?.throwIfAborted();
          const batch = concatBatches(parts);
          // Deletions only on dates the source answered with rows: an empty answer (a glitch, a holiday
          // the calendars disagree on) must not wipe a stored day.
          const answered = parts.map((p, k) => (p.length ? dates[done - parts.length + k] : null)).filter((d): d is number => d !== null);
          const c = await deps.market.write((conn) => mergeBatch(conn, batch, { from: first, to: last, codes, dates: answered }));
          addCounts(counts, c);
          rows += batch.length;
          committedBatches++;
          lastCompletedDate = last;
          await control.checkpoint?.({ lastCompletedDate: last, counts: { ...counts } });
          await log.progress(counts, lastCompletedDate);
          control.onProgress?.({ dataset: def.name, done, total: dates.length, currentDate: last, counts: { ...counts } });
        }
      } finally {
        stopped = true;
      }
    } else {
      control.signal?.throwIfAborted();
      const batch = await deps.source.fetchWhole(def, { start, end, codes }, control.signal);
      control.signal?.throwIfAborted();
      // Stocks: the source's full list replaces ours (unless narrowed to codes); dated sets: within the range.
      const scope = def.dateColumn && def.name !== 'st_periods' ? { from: start, to: end, codes } : { codes };
      const c = await deps.market.write((conn) => mergeBatch(conn, batch, scope));
      addCounts(counts, c);
      rows += batch.length;
      committedBatches++;
      lastCompletedDate = end;
      control.onProgress?.({ dataset: def.name, done: 1, total: 1, currentDate: end, counts: { ...counts } });
    }
  } catch (err) {
    if (err instanceof AppError && committedBatches === 0 && err.status === 400) {
      await log.finish({ counts, lastCompletedDate, result: 'failed', error: err.message });
      throw err;
    }
    error = control.signal?.aborted ? `cancelled: ${reasonOf(control.signal)}` : (err as Error).message;
  }
  const result = error === null ? 'success' : committedBatches > 0 ? 'partial' : 'failed';
  await log.finish({ counts, lastCompletedDate, result, error });
  return {
    logId: log.id,
    dataset: def.name,
    source: deps.source.name,
    result,
    counts,
    rows,
    lastCompletedDate,
    error,
    durationMs: Math.round(performance.now() - started),
  };
}

function reasonOf(signal: AbortSignal): string {
  const r = signal.reason as unknown;
  return r instanceof Error ? r.message : String(r ?? 'aborted');
}
