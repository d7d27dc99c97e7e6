import { parse } from 'csv-parse/sync';
import type { PgStore } from '../../db/database.ts';
import { AppError } from '../../http/errors.ts';
import { boardOf, datasets, type DatasetDef, type DatasetName } from '../datasets.ts';
import type { MarketStore } from '../duckdb.ts';
import { makeBatch, type Batch } from '../store/batch.ts';
import { mergeBatch, type MergeCounts } from '../store/merge.ts';
import { openSyncLog } from '../sync/sync-log.service.ts';

export interface CsvFile {
  name: string;
  text: string;
}

export interface CsvFileResult {
  file: string;
  ok: boolean;
  rows: number;
  counts: MergeCounts | null;
  /** "file:line: field: what is wrong" lines, at most 20 (then a count of the rest). */
  errors: string[];
  logId: number;
}

const MAX_ERRORS = 20;

/**
 * Parses a CSV file whose header names Tushare fields into a batch. Every bad row is reported
 * with its file and line; a file with any error yields no batch (nothing of it is written).
 */
export function parseCsv(def: DatasetDef, file: CsvFile): { batch: Batch | null; errors: string[] } {
  const errors: string[] = [];
  const say = (line: number, msg: string) => {
    if (errors.length < MAX_ERRORS) errors.push(`${file.name}:${line}: ${msg}`);
    else if (errors.length === MAX_ERRORS) errors.push(`${file.name}: more errors not shown`);
  };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(file.text, { bom: true, info: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as never;
  } catch (err) {
    const e = err as { lines?: number; message: string };
    return { batch: null, errors: [`${file.name}:${e.lines ?? '?'}: ${e.message}`] };
  }
  if (records.length === 0) return { batch: null, errors: [`${file.name}:1: the file is empty; expected a header of Tushare field names`] };
  const header = records[0].record.map((h) => h.toLowerCase());
  const at = def.columns.map((c) => header.indexOf(c.name));
  const missing = def.columns.filter((c, k) => c.required && !c.derived && at[k] < 0).map((c) => c.name);
  if (missing.length) {
    return { batch: null, errors: [`${file.name}:1: the header lacks ${missing.join(', ')}; ${def.name} needs columns named ${def.columns.filter((c) => !c.derived).map((c) => c.name).join(',')}`] };
  }
  const rows = records.slice(1);
  const batch = makeBatch(def, rows.length);
  const keys = new Map<string, number>();
  const keyIdx = def.key.map((k) => def.columns.findIndex((c) => c.name === k));
  for (let r = 0; r < rows.length; r++) {
    const { record, info } = rows[r];
    const line = info.lines;
    for (let k = 0; k < def.columns.length; k++) {
      const col = def.columns[k];
      if (at[k] < 0) continue;
      const raw = record[at[k]] ?? '';
      if (raw === '') {
        if (col.required) say(line, `${col.name}: is empty; it is required`);
        continue;
      }
      switch (col.kind) {
        case 'num': {
          const v = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : NaN;
          if (Number.isNaN(v)) say(line, `${col.name}: ${JSON.stringify(raw)} is not a number`);
          else (batch.columns[k] as Float64Array)[r] = v;
          break;
        }
        case 'int': {
          if (!/^[-+]?\d+$/.test(raw)) say(line, `${col.name}: ${JSON.stringify(raw)} is not a whole number`);
          else (batch.columns[k] as Int32Array)[r] = Number(raw);
          break;
        }
        case 'date': {
          const s = raw.replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$1$2$3');
          const v = /^\d{8}$/.test(s) ? Number(s) : NaN;
          const mm = Math.floor(v / 100) % 100;
          const dd = v % 100;
          if (Number.isNaN(v) || mm < 1 || mm > 12 || dd < 1 || dd > 31) say(line, `${col.name}: ${JSON.stringify(raw)} is not a date; write YYYYMMDD`);
          else (batch.columns[k] as Int32Array)[r] = v;
          break;
        }
        case 'str':
          (batch.columns[k] as (string | null)[])[r] = raw;
          break;
      }
    }
    if (def.name === 'stocks') {
      const code = (batch.columns[0] as (string | null)[])[r];
      if (code && !/^\d{6}\.(SH|SZ|BJ)$/.test(code)) say(line, `ts_code: ${JSON.stringify(code)} is not a code like 600000.SH`);
      (batch.columns[def.columns.findIndex((c) => c.name === 'board')] as (string | null)[])[r] = code ? boardOf(code) : null;
    }
    const key = keyIdx.map((k) => String(batch.columns[k][r])).join('|');
    const seen = keys.get(key);
    if (seen !== undefined) say(line, `duplicate key ${def.key.join('+')} = ${key.replace('|', ' ')} (first on line ${seen})`);
    else keys.set(key, line);
  }
  if (errors.length) return { batch: null, errors };
  if (def.dateColumn) sortBatch(batch, def);
  return { batch, errors };
}

function sortBatch(b: Batch, def: DatasetDef): void {
  const d = b.columns[def.columns.findIndex((c) => c.name === def.dateColumn)] as Int32Array;
  const c0 = b.columns[0] as unknown[];
  const order = Array.from({ length: b.length }, (_, i) => i).sort((x, y) => d[x] - d[y] || String(c0[x]).localeCompare(String(c0[y])));
  for (let k = 0; k < b.columns.length; k++) {
    const col = b.columns[k];
    if (Array.isArray(col)) {
      const copy = order.map((i) => col[i]);
      for (let i = 0; i < copy.length; i++) col[i] = copy[i];
    } else {
      const copy = order.map((i) => col[i]);
      for (let i = 0; i < copy.length; i++) col[i] = copy[i];
    }
  }
}

/**
 * Imports files into one dataset: each file is parsed whole first, then written in one
 * transaction (merge: rows already stored with other values are updated, none are deleted), and
 * logged in sync_log with source 'csv' and the file name as endpoint.
 */
export async function importCsvFiles(deps: { market: MarketStore; pg: PgStore }, dataset: DatasetName, files: readonly CsvFile[]): Promise<CsvFileResult[]> {
  const def = datasets[dataset];
  if (!def) throw new AppError(400, 'invalid_dataset', `dataset: unknown ${dataset}`);
  const out: CsvFileResult[] = [];
  for (const file of files) {
    const log = await openSyncLog(deps.pg.db, { source: 'csv', endpoint: file.name, dataset, params: { file: file.name } });
    const logId = log.id;
    const none = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
    let parsed: ReturnType<typeof parseCsv>;
    try {
      parsed = parseCsv(def, file);
    } catch (err) {
      await log.finish({ counts: none, lastCompletedDate: null, result: 'failed', error: `${file.name}: ${(err as Error).message}` });
      throw err;
    }
    const { batch, errors } = parsed;
    if (!batch) {
      await log.finish({ counts: none, lastCompletedDate: null, result: 'failed', error: errors.join('\n') });
      out.push({ file: file.name, ok: false, rows: 0, counts: null, errors, logId });
      continue;
    }
    try {
      const counts = await deps.market.write((conn) => mergeBatch(conn, batch, null));
      await log.finish({ counts, lastCompletedDate: null, result: 'success', error: null });
      out.push({ file: file.name, ok: true, rows: batch.length, counts, errors: [], logId });
    } catch (err) {
      const msg = `${file.name}: writing failed: ${(err as Error).message}`;
      await log.finish({ counts: none, lastCompletedDate: null, result: 'failed', error: msg });
      out.push({ file: file.name, ok: false, rows: 0, counts: null, errors: [msg], logId });
    }
  }
  return out;
}
