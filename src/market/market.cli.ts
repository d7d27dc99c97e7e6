import { accessSync, constants, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { CommandIo, CommandStores } from '../admin/command-io.ts';
import type { Config } from '../config.ts';
import { AppError } from '../http/errors.ts';
import { datasetNames, isDatasetName } from './datasets.ts';
import { importCsvFiles } from './csv/csv-import.ts';
import { makeSource } from './sync/make-source.ts';
import { findResumable } from './sync/sync-log.service.ts';
import { closeOrphanedSyncLogs } from './sync/sync-log.service.ts';
import { syncDataset, type SyncProgress } from './sync/sync.service.ts';

const ymdOption = (name: string, v: unknown): number | null => {
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^\d{8}$/.test(v)) throw new AppError(400, 'invalid_option', `--${name}: expected a date as YYYYMMDD, got ${JSON.stringify(v)}`);
  return Number(v);
};

/** A one-line progress bar on stderr (redrawn in place on a terminal, a line per 10% otherwise). */
function progressBar(dataset: string, io: CommandIo) {
  const tty = io.tty;
  let lastTenth = -1;
  const started = Date.now();
  return (p: SyncProgress) => {
    const frac = p.total ? p.done / p.total : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const eta = frac > 0 && frac < 1 ? Math.round(((Date.now() - started) / frac) * (1 - frac) / 1000) : 0;
    const line = `${dataset} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ${p.currentDate ?? ''} +${p.counts.inserted} ~${p.counts.updated} =${p.counts.unchanged} -${p.counts.deleted}${eta ? ` eta ${eta}s` : ''}`;
    if (tty) io.stderr(`\r${line}\x1b[K`);
    else if (Math.floor(frac * 10) !== lastTenth) {
      lastTenth = Math.floor(frac * 10);
      io.stderr(`${line}\n`);
    }
  };
}

/** Both stores, after closing the log rows a killed sync or import left running (their lease has passed). */
async function openForSync(stores: CommandStores) {
  const pg = await stores.pg();
  const market = await stores.market();
  // So the log is whole even where no server runs; a sync still running elsewhere renews its lease.
  await closeOrphanedSyncLogs(pg.db);
  return { pg, market };
}

/** `zquant sync <dataset> [--codes …] [--start YYYYMMDD] [--end YYYYMMDD] [--source tushare|demo] [--restart]` */
export async function runSyncCommand(config: Config, stores: CommandStores, io: CommandIo, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const dataset = positionals[0];
  if (!dataset || !isDatasetName(dataset)) {
    io.stderr(`zquant sync: name a dataset: ${datasetNames.join(', ')}\n`);
    return 2;
  }
  const source = (values.source as string | undefined) ?? (config.tushareToken ? 'tushare' : 'demo');
  if (source !== 'tushare' && source !== 'demo') {
    io.stderr(`zquant sync: --source: expected tushare or demo, got ${source}\n`);
    return 2;
  }
  const codes = String(values.codes ?? '').split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase());
  const start = ymdOption('start', values.start);
  const end = ymdOption('end', values.end);
  const { pg, market } = await openForSync(stores);
  const src = await makeSource(source, { config, market });
  const params = { codes: codes.length ? codes : null, start, end };
  // Resume: the same request's last attempt stopped part-way, and --restart was not given.
  let resumeFrom: number | null = null;
  if (!values.restart && start !== null && end !== null) {
    const prev = await findResumable(pg.db, dataset, source, params);
    if (prev && prev.result !== 'success' && prev.last_completed_date) {
      resumeFrom = prev.last_completed_date;
      io.stderr(`resuming after ${resumeFrom} (log #${prev.id}); --restart to sync the whole range again\n`);
    }
  }
  const out = await syncDataset({ market, pg, source: src }, { dataset, codes, start, end }, {
    signal: io.signal,
    onProgress: progressBar(dataset, io),
    resumeFrom,
    // No run owns a CLI sync: the log row is held by this process's heartbeat, so a kill -9 leaves it to be closed as abandoned.
    lease: { leaseMs: config.runLeaseMs, heartbeatMs: config.runHeartbeatMs },
  });
  if (io.tty) io.stderr('\n');
  const c = out.counts;
  io.stdout(
    `${dataset} from ${source}: ${out.result}: ${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted in ${(out.durationMs / 1000).toFixed(1)} s (log #${out.logId})\n`,
  );
  if (out.error) io.stderr(`zquant sync: ${out.error}\n`);
  return out.result === 'success' ? 0 : 1;
}

/** `zquant import --dataset NAME FILE…` */
export async function runImportCommand(stores: CommandStores, io: CommandIo, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const dataset = String(values.dataset ?? '');
  if (!isDatasetName(dataset)) {
    io.stderr(`zquant import: --dataset: one of ${datasetNames.join(', ')}\n`);
    return 2;
  }
  if (!positionals.length) {
    io.stderr('zquant import: name at least one CSV file\n');
    return 2;
  }
  const files = positionals.map((p) => {
    // The caller's file names, relative to the caller's directory (a server runs this for a CLI elsewhere).
    const path = resolve(io.cwd, p);
    try {
      accessSync(path, constants.R_OK);
      if (!statSync(path).isFile()) throw new Error('not a file');
    } catch (err) {
      throw new AppError(400, 'file', `cannot read ${p}: ${(err as Error).message}`);
    }
    return { name: basename(p), path };
  });
  const { pg, market } = await openForSync(stores);
  const results = await importCsvFiles({ market, pg }, dataset, files);
  for (const r of results) {
    if (r.ok) io.stdout(`${r.file}: ${r.rows} rows: ${r.counts!.inserted} inserted, ${r.counts!.updated} updated, ${r.counts!.unchanged} unchanged\n`);
    else io.stderr(`${r.file}: not imported\n${r.errors.map((e) => `  ${e}`).join('\n')}\n`);
  }
  return results.every((r) => r.ok) ? 0 : 1;
}
