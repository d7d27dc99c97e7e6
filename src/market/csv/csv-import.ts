import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { PgStore } from '../../db/database.ts';
import { AppError } from '../../http/errors.ts';
import { datasets, type DatasetDef, type DatasetName } from '../datasets.ts';
import type { MarketStore } from '../duckdb.ts';
import { dropCsvTables, importTyped, mergeCsvStage, stageChecked, type Checked, type CsvLayout, type ReaderReject } from '../store/csv-stage.ts';
import type { MergeCounts } from '../store/merge.ts';
import { openSyncLog } from '../sync/sync-log.service.ts';
import { locateLines, readCsvHeader, type CsvHeader } from './csv-file.ts';

/**
 * A CSV file to import: a path on this machine (the CLI's), or bytes (an upload, written to a
 * temp file in the data directory for DuckDB's reader and removed afterwards).
 */
export type CsvFile = { name: string } & ({ path: string } | { bytes: Uint8Array } | { text: string });

export interface CsvFileResult {
  file: string;
  ok: boolean;
  rows: number;
  counts: MergeCounts | null;
  /** "file:line: field: what is wrong" lines, at most 20 (then a count of the rest). */
  errors: string[];
  /** The file needed the checked reading (the typed one refused something in it): slower, and says why. */
  checked: boolean;
  logId: number;
}

const MAX_ERRORS = 20;
const none = (): MergeCounts => ({ inserted: 0, updated: 0, unchanged: 0, deleted: 0 });

/**
 * Imports files into one dataset. DuckDB reads and types each file (src/market/store/csv-stage.ts);
 * a file is written whole in one transaction (merge: rows already stored with other values are
 * updated, none are deleted) or, when any row is bad, not at all, its bad rows reported by line.
 * Each file is logged in sync_log with source 'csv' and the file name as endpoint.
 */
export async function importCsvFiles(deps: { market: MarketStore; pg: PgStore }, dataset: DatasetName, files: readonly CsvFile[]): Promise<CsvFileResult[]> {
  const def = datasets[dataset];
  if (!def) throw new AppError(400, 'invalid_dataset', `dataset: unknown ${dataset}`);
  const out: CsvFileResult[] = [];
  for (const file of files) {
    const log = await openSyncLog(deps.pg.db, { source: 'csv', endpoint: file.name, dataset, params: { file: file.name } });
    let result: FileOutcome;
    try {
      result = await withFilePath(deps.market, file, (path) => importFile(deps.market, def, file.name, path));
    } catch (err) {
      await log.finish({ counts: none(), lastCompletedDate: null, result: 'failed', error: `${file.name}: ${(err as Error).message}` });
      throw err;
    }
    if ('errors' in result) {
      await log.finish({ counts: none(), lastCompletedDate: null, result: 'failed', error: result.errors.join('\n') });
      out.push({ file: file.name, ok: false, rows: 0, counts: null, errors: result.errors, checked: result.checked, logId: log.id });
    } else {
      await log.finish({ counts: result.counts, lastCompletedDate: null, result: 'success', error: null });
      out.push({ file: file.name, ok: true, rows: result.rows, counts: result.counts, errors: [], checked: result.checked, logId: log.id });
    }
  }
  return out;
}

/**
 * The file's path for DuckDB: the CLI's own, or a temp file in the data directory that is gone
 * afterwards. DuckDB reads a path with * ? [ { as a glob (several files as one, or none): such a
 * name is read through a symlink with a plain one.
 */
async function withFilePath<T>(market: MarketStore, file: CsvFile, work: (path: string) => Promise<T>): Promise<T> {
  if ('path' in file && !/[*?[\]{}\\]/.test(file.path)) return work(file.path);
  const dir = market.path === ':memory:' ? tmpdir() : join(dirname(market.path), 'tmp');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `import-${randomUUID()}.csv`);
  try {
    if ('path' in file) symlinkSync(resolve(file.path), path);
    else writeFileSync(path, 'bytes' in file ? file.bytes : file.text, { mode: 0o600 });
    return await work(path);
  } finally {
    rmSync(path, { force: true });
  }
}

type FileOutcome = ({ rows: number; counts: MergeCounts } | { errors: string[] }) & { checked: boolean };

async function importFile(market: MarketStore, def: DatasetDef, name: string, path: string): Promise<FileOutcome> {
  let header: CsvHeader | null;
  try {
    header = readCsvHeader(path);
  } catch (err) {
    return { errors: [`${name}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`], checked: false };
  }
  if (!header) return { errors: [`${name}:1: the file is empty; expected a header of Tushare field names`], checked: false };
  const at = def.columns.map((c) => (c.derived ? -1 : header.names.indexOf(c.name)));
  const missing = def.columns.filter((c, k) => c.required && !c.derived && at[k] < 0).map((c) => c.name);
  if (missing.length) {
    const wanted = def.columns.filter((c) => !c.derived).map((c) => c.name).join(',');
    return { errors: [`${name}:${header.skip + 1}: the header lacks ${missing.join(', ')}; ${def.name} needs columns named ${wanted}`], checked: false };
  }
  const layout: CsvLayout = { fields: header.names.length, at, skip: header.skip };
  try {
    return { ...(await market.write((conn) => importTyped(conn, def, path, layout))), checked: false };
  } catch {
    // Not clean (or the fast reader was stricter than the rules): the checked path says why, or imports it.
  }
  let checked: Checked | null = null;
  try {
    return await market.write(async (conn) => {
      checked = await stageChecked(conn, def, path, layout);
      if (!checked.ok) {
        await dropCsvTables(conn);
        return { errors: describe(def, name, path, header, checked), checked: true };
      }
      const counts = await mergeCsvStage(conn, def, checked.staged);
      await dropCsvTables(conn);
      return { rows: checked.staged.rows, counts, checked: true };
    });
  } catch (err) {
    const what = checked === null ? 'cannot be read' : 'writing failed';
    // DuckDB's first line only: the rest repeats the reader's options and the (temp) path.
    const msg = (err as Error).message.split('\n')[0].replaceAll(path, name);
    return { errors: [`${name}: ${what}: ${msg}`], checked: true };
  }
}

/** The problems the checked path found, as "file:line: field: problem" lines in file order. */
function describe(def: DatasetDef, name: string, path: string, header: CsvHeader, found: Extract<Checked, { ok: false }>): string[] {
  const lines = locateLines(
    path,
    header,
    found.rejects.map((r) => r.unit),
    [...found.problems.map((p) => p.record), ...found.duplicates.flatMap((d) => [d.record, d.first])],
  );
  // The field of a reject, where it is one (a row's field count is the row's, whatever column DuckDB names).
  const fieldOf = (r: ReaderReject) => (r.field !== null && header.names[r.field] && !r.type.includes('COLUMNS') ? `${header.names[r.field]}: ` : '');
  const items: { line: number; order: number; text: string }[] = [];
  for (const r of found.rejects) items.push({ line: lines.units.get(r.unit) ?? r.unit, order: 0, text: `${fieldOf(r)}${rejectText(r.type, r.message)}` });
  for (const p of found.problems) {
    const line = lines.records.get(p.record) ?? p.record + header.skip + 2;
    p.fields.forEach((f, i) => items.push({ line, order: i, text: `${f.column}: ${problemText(f.problem, f.text)}` }));
  }
  for (const d of found.duplicates) {
    const line = lines.records.get(d.record) ?? d.record + header.skip + 2;
    const first = lines.records.get(d.first) ?? d.first + header.skip + 2;
    items.push({ line, order: Infinity, text: `duplicate key ${def.key.join('+')} = ${d.key.join(' ')} (first on line ${first})` });
  }
  items.sort((a, b) => a.line - b.line || a.order - b.order);
  const shown = items.slice(0, MAX_ERRORS).map((e) => `${name}:${e.line}: ${e.text}`);
  if (items.length > MAX_ERRORS) shown.push(`${name}: more errors not shown`);
  return shown;
}

function problemText(problem: string, text: string | null): string {
  const raw = JSON.stringify(text ?? '');
  switch (problem) {
    case 'empty':
      return 'is empty; it is required';
    case 'number':
      return `${raw} is not a number`;
    case 'whole':
      return `${raw} is not a whole number`;
    case 'date':
      return `${raw} is not a date; write YYYYMMDD`;
    case 'code':
      return `${raw} is not a code like 600000.SH`;
    default:
      return `${raw}: ${problem}`;
  }
}

/** DuckDB's reader rejects, said with the fix. */
function rejectText(type: string, message: string): string {
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  switch (type) {
    case 'MISSING COLUMNS':
    case 'TOO MANY COLUMNS':
      return counts
        ? `the row has ${counts[2]} fields where the header has ${counts[1]}; quote a field that contains a comma ("a,b")`
        : message;
    case 'UNQUOTED VALUE':
      return 'a quote is not closed; wrap a field that holds a quote in quotes and double the quotes inside ("say ""hi""")';
    case 'INVALID ENCODING':
    case 'INVALID UNICODE':
      return 'not UTF-8; save the file as UTF-8 (a GBK export converts with iconv -f GBK -t UTF-8)';
    default:
      return message.split('\n')[0];
  }
}
