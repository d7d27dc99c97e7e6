import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Config } from '../config.ts';
import { makeLogger } from '../logger.ts';
import { AppError } from '../http/errors.ts';
import { datasetNames, isDatasetName } from './datasets.ts';
import { importCsvFiles } from './csv/csv-import.ts';
import { makeSource } from './sync/make-source.ts';
import { findResumable } from './sync/sync-log.repository.ts';
import { closeOrphanedSyncLogs } from './sync/sync-log.service.ts';
import { syncDataset, type SyncProgress } from './sync/sync.service.ts';

const ymdOption = (name: string, v: unknown): number | null => {
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^\d{8}$/.test(v)) throw new AppError(400, 'invalid_option', `--${name}: expected a date as YYYYMMDD, got ${JSON.stringify(v)}`);
  return Number(v);
};

/** A one-line progress bar on stderr (redrawn in place on a terminal, a line per 10% otherwise). */
function progressBar(dataset: string) {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  const started = Date.now();
  return (p: SyncProgress) => {
    const frac = p.total ? p.done / p.total : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const eta = frac > 0 && frac < 1 ? Math.round(((Date.now() - started) / frac) * (1 - frac) / 1000) : 0;
    const line = `${dataset} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ${p.currentDate ?? ''} +${p.counts.inserted} ~${p.counts.updated} =${p.counts.unchanged} -${p.counts.deleted}${eta ? ` eta ${eta}s` : ''}`;
    if (tty) process.stderr.write(`\r${line}\x1b[K`);
    else if (Math.floor(frac * 10) !== lastTenth) {
      lastTenth = Math.floor(frac * 10);
      process.stderr.write(`${line}\n`);
    }
  };
}

async function withStores<T>(config: Config, work: (s: Awaited<ReturnType<typeof import('../server.ts').openStores>>) => Promise<T>): Promise<T> {
  const { openStores } = await import('../server.ts');
  const stores = await openStores(config, makeLogger({ level: 'warn' }));
  try {
    // Rows a killed sync or import left running (their lease has passed) are closed as abandoned
    // first, so the log is whole even where no server runs; a sync still running elsewhere renews its lease.
    await closeOrphanedSyncLogs(stores.pg.db);
    return await work(stores);
  } finally {
    await stores.market.close();
    await stores.pg.close();
  }
}

/** `zquant sync <dataset> [--codes …] [--start YYYYMMDD] [--end YYYYMMDD] [--source tushare|demo] [--restart]` */
export async function runSyncCommand(config: Config, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const dataset = positionals[0];
  if (!dataset || !isDatasetName(dataset)) {
    process.stderr.write(`zquant sync: name a dataset: ${datasetNames.join(', ')}\n`);
    return 2;
  }
  const source = (values.source as string | undefined) ?? (config.tushareToken ? 'tushare' : 'demo');
  if (source !== 'tushare' && source !== 'demo') {
    process.stderr.write(`zquant sync: --source: expected tushare or demo, got ${source}\n`);
    return 2;
  }
  const codes = String(values.codes ?? '').split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase());
  const start = ymdOption('start', values.start);
  const end = ymdOption('end', values.end);
  return withStores(config, async ({ pg, market }) => {
    const src = await makeSource(source, { config, market });
    const params = { codes: codes.length ? codes : null, start, end };
    // Resume: the same request's last attempt stopped part-way, and --restart was not given.
    let resumeFrom: number | null = null;
    if (!values.restart && start !== null && end !== null) {
      const prev = await findResumable(pg.db, dataset, source, params);
      if (prev && prev.result !== 'success' && prev.last_completed_date) {
        resumeFrom = prev.last_completed_date;
        process.stderr.write(`resuming after ${resumeFrom} (log #${prev.id}); --restart to sync the whole range again\n`);
      }
    }
    const controller = new AbortController();
    const onSignal = () => controller.abort(new Error('interrupted (SIGINT)'));
    process.once('SIGINT', onSignal);
    try {
      const out = await syncDataset({ market, pg, source: src }, { dataset, codes, start, end }, {
        signal: controller.signal,
        onProgress: progressBar(dataset),
        resumeFrom,
        // No run owns a CLI sync: the log row is held by this process's heartbeat, so a kill -9 leaves it to be closed as abandoned.
        lease: { leaseMs: config.runLeaseMs, heartbeatMs: config.runHeartbeatMs },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      const c = out.counts;
      process.stdout.write(
        `${dataset} from ${source}: ${out.result}: ${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted in ${(out.durationMs / 1000).toFixed(1)} s (log #${out.logId})\n`,
      );
      if (out.error) process.stderr.write(`zquant sync: ${out.error}\n`);
      return out.result === 'success' ? 0 : 1;
    } finally {
      process.off('SIGINT', onSignal);
    }
  });
}

/** `zquant import --dataset NAME FILE…` */
export async function runImportCommand(config: Config, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const dataset = String(values.dataset ?? '');
  if (!isDatasetName(dataset)) {
    process.stderr.write(`zquant import: --dataset: one of ${datasetNames.join(', ')}\n`);
    return 2;
  }
  if (!positionals.length) {
    process.stderr.write('zquant import: name at least one CSV file\n');
    return 2;
  }
  const files = positionals.map((p) => {
    try {
      return { name: basename(p), text: readFileSync(p, 'utf8') };
    } catch (err) {
      throw new AppError(400, 'file', `cannot read ${p}: ${(err as Error).message}`);
    }
  });
  return withStores(config, async ({ pg, market }) => {
    const results = await importCsvFiles({ market, pg }, dataset, files);
    for (const r of results) {
      if (r.ok) process.stdout.write(`${r.file}: ${r.rows} rows: ${r.counts!.inserted} inserted, ${r.counts!.updated} updated, ${r.counts!.unchanged} unchanged\n`);
      else process.stderr.write(`${r.file}: not imported\n${r.errors.map((e) => `  ${e}`).join('\n')}\n`);
    }
    return results.every((r) => r.ok) ? 0 : 1;
  });
}
