import { z } from 'zod';
import type { Config } from '../config.ts';
import type { PgStore } from '../db/database.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { datasetNames, type DatasetName } from '../market/datasets.ts';
import { AppError } from '../http/errors.ts';
import { makeSource } from '../market/sync/make-source.ts';
import { syncDataset } from '../market/sync/sync.service.ts';
import { defineExecutor, RunError } from '../runs/executor-registry.ts';

const yyyymmdd = z.number().int().min(19900101, { message: 'expected a date as YYYYMMDD, e.g. 20260130' }).max(21001231, { message: 'expected a date as YYYYMMDD, e.g. 20260130' });

/**
 * One sync operation of the market store (src/market/sync): a dataset, for one stock, a list or
 * the whole market (no codes), one day (start only, or neither: the latest closed trading day) or a
 * range. Source `auto` is Tushare when TUSHARE_TOKEN is set, the demo generator otherwise. Progress
 * is reported per trade date and the last committed date is the checkpoint a retry resumes from.
 */
export const dataSyncParams = z
  .object({
    dataset: z.enum(datasetNames as [DatasetName, ...DatasetName[]]),
    source: z.enum(['auto', 'tushare', 'demo']).default('auto'),
    codes: z.array(z.string().regex(/^[0-9A-Z]{6}\.[A-Z]{2}$/, { message: 'expected a code such as 600000.SH' })).max(10_000).optional(),
    start: yyyymmdd.optional(),
    end: yyyymmdd.optional(),
    /** Rows per write batch (each batch is a checkpoint): smaller loses less when a range fails midway. */
    batch_rows: z.number().int().min(100).max(1_000_000).optional(),
  })
  .strict()
  .refine((p) => p.start === undefined || p.end === undefined || p.start <= p.end, { message: 'start must not be after end', path: ['start'] });

/** A refused request (no token, no trading day, start after end) is the run's answer, said as is: retrying cannot fix it. */
function asRunError(err: unknown): never {
  if (err instanceof AppError && err.status < 500) throw new RunError(err.code, err.message, { retryable: false });
  throw err;
}

/** What a sync writes: the market store, and the operation log in Postgres. */
export interface DataSyncDeps {
  config: Config;
  pg: PgStore;
  market: MarketStore;
  /** Told after a sync that inserted, updated or deleted rows (the snapshot publisher, src/snapshots). */
  onDataChanged?: (dataset: DatasetName) => void;
}

export function makeDataSyncExecutor({ config, pg, market, onDataChanged }: DataSyncDeps) {
  return defineExecutor({
    name: 'data_sync',
    description: 'fills one market dataset from Tushare or the demo generator (one stock, a list or the whole market; a day or a range); resumes from the last committed date',
    params: dataSyncParams,
    kind: 'io',
    queueRole: 'admin',
    defaults: { maxAttempts: 3, retryDelayMs: 30_000 },
    async run(p, ctx) {
      const sourceName = p.source === 'auto' ? (config.tushareToken ? 'tushare' : 'demo') : p.source;
      const source = await makeSource(sourceName, { config, market }).catch(asRunError);
      const resume = (ctx.resume as { lastCompletedDate?: number } | null)?.lastCompletedDate ?? null;
      ctx.log('info', `syncing ${p.dataset} from ${sourceName}${p.codes ? ` for ${p.codes.length} code(s)` : ''}${p.start ? ` from ${p.start}` : ''}${p.end ? ` to ${p.end}` : ''}${resume ? `, resuming after ${resume}` : ''}`);
      const outcome = await syncDataset(
        { market, pg, source },
        { dataset: p.dataset, codes: p.codes ?? null, start: p.start ?? null, end: p.end ?? null },
        {
          signal: ctx.signal,
          runId: ctx.runId,
          runAttempt: ctx.attempt,
          // The run's lease decides for the rows a run writes (the reaper closes them with the attempt);
          // their own lease, twice as long, is the backstop should that close not happen.
          lease: { leaseMs: 2 * config.runLeaseMs, heartbeatMs: config.runHeartbeatMs },
          batchRows: p.batch_rows,
          resumeFrom: resume,
          onProgress: (g) => ctx.progress({ processed: g.done, total: g.total, current: g.currentDate ? String(g.currentDate) : null }),
          checkpoint: (c) => ctx.checkpoint({ lastCompletedDate: c.lastCompletedDate }),
        },
      ).catch(asRunError);
      ctx.signal.throwIfAborted();
      const c = outcome.counts;
      ctx.log(outcome.result === 'success' ? 'info' : 'error', `${p.dataset}: ${outcome.result}; ${outcome.rows} rows: ${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted${outcome.error ? `; ${outcome.error}` : ''}`);
      // Committed batches changed the store even when a later one failed: a new data version either way.
      if (c.inserted + c.updated + c.deleted > 0) onDataChanged?.(p.dataset);
      if (outcome.result !== 'success') {
        throw new RunError('sync_failed', `${p.dataset} sync ${outcome.result}: ${outcome.error ?? 'unknown error'} (last completed date ${outcome.lastCompletedDate ?? 'none'}; a retry resumes after it)`, {
          detail: { log_id: outcome.logId, counts: outcome.counts, last_completed_date: outcome.lastCompletedDate },
        });
      }
      return { dataset: p.dataset, source: sourceName, log_id: outcome.logId, rows: outcome.rows, counts: outcome.counts, last_completed_date: outcome.lastCompletedDate, duration_ms: outcome.durationMs };
    },
  });
}
