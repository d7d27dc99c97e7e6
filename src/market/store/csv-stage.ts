import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnDef, DatasetDef } from '../datasets.ts';
import { keyOrder, keyOrderColumns, mergeStaged, rangeIsEmpty, type MergeCounts } from './merge.ts';

/**
 * CSV files read by DuckDB's own reader (src/market/csv/ decides what to do with the answers).
 *
 * Two ways in. The fast one (importTyped) reads the file once with typed columns, every check
 * written as an `error()` inside the typed expressions, straight into the table when none of the
 * file's dates is stored yet, else into a staging table that is then merged; a clean file (the usual
 * case) costs one parse, one distinct-count for duplicate keys and the write. The checked one reads every
 * field as text, numbering the records in file order, asks in SQL which rows break which rule,
 * and stages the typed rows only when none does. A file the fast path refuses always goes through
 * the checked one, so the two can disagree only in speed: the checked path alone decides what is an
 * error.
 */

/** Where the dataset's columns are in the file: `at[k]` is the field index of column k, -1 when absent. */
export interface CsvLayout {
  readonly fields: number;
  readonly at: readonly number[];
  /** Blank lines before the header. */
  readonly skip: number;
}

/** The problem of one field: empty while required, not a number, not a whole number, not a date, not a stock code. */
export type FieldProblem = 'empty' | 'number' | 'whole' | 'date' | 'code';

export interface RowProblems {
  /** The record's index after the header (0-based, blank lines not counted). */
  readonly record: number;
  /** Per dataset column (plus the code check last for stocks): the problem and the trimmed text. */
  readonly fields: readonly { column: string; problem: FieldProblem; text: string | null }[];
}

export interface DuplicateKey {
  readonly record: number;
  readonly first: number;
  readonly key: readonly string[];
}

/** A record DuckDB's reader could not split into the header's fields (or decode). */
export interface ReaderReject {
  /** DuckDB's line number: lines counted from 1, a record with a quoted line break counted once. */
  readonly unit: number;
  readonly type: string;
  readonly field: number | null;
  readonly message: string;
}

export interface Staged {
  readonly rows: number;
  readonly range: readonly [number, number] | null;
}

export type Checked = { ok: true; staged: Staged } | { ok: false; rejects: ReaderReject[]; problems: RowProblems[]; duplicates: DuplicateKey[] };

const STAGE = 'csv_stage';
const RAW = 'csv_raw';
const REJECTS = 'csv_rejects';
const REJECT_SCANS = 'csv_reject_scans';
/** One more than the caller shows, so it knows whether there are more. */
const LIMIT = 21;

const DATE_RE = '[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])|[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])';
const WHOLE_RE = '[-+]?[0-9]+';
const CODE_RE = '[0-9]{6}\\.(SH|SZ|BJ)';

const q = (name: string) => `"${name}"`;
const f = (k: number) => `f${k}`;
const sqlType = (c: ColumnDef) => (c.kind === 'num' ? 'double' : c.kind === 'str' ? 'varchar' : 'integer');
/** The stock-code rule applies to the stock list, whose rows name new codes (other datasets refer to stored ones). */
const checksCodes = (def: DatasetDef) => def.name === 'stocks';

/**
 * The reader call: every name and type is ours (fields are c0…cN, never the header's text) and the
 * path is a bound parameter, so nothing from the file or its name reaches the SQL.
 */
function readCsv(layout: CsvLayout, types: readonly string[], rejects: boolean): string {
  const columns = types.map((t, i) => `'c${i}': '${t}'`).join(', ');
  const keep = rejects ? `, store_rejects = true, rejects_table = '${REJECTS}', rejects_scan = '${REJECT_SCANS}'` : '';
  return `read_csv($1, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', skip = ${Math.trunc(layout.skip)}, columns = {${columns}}${keep})`;
}

/**
 * The inner projection: f<k> per dataset column present in the file. Text is trimmed and an empty
 * field is null (what the reader gives for an unquoted empty one already); a fast-path number
 * column arrives as the reader's DOUBLE.
 */
function fieldsSql(def: DatasetDef, layout: CsvLayout, typedNumbers: boolean, extra = ''): string {
  const parts = def.columns.flatMap((c, k) => {
    const p = layout.at[k];
    if (p < 0) return [];
    return [c.kind === 'num' && typedNumbers ? `c${p} as ${f(k)}` : `nullif(trim(c${p}), '') as ${f(k)}`];
  });
  return [extra, ...parts].filter(Boolean).join(', ');
}

/** The typed value of column k from f<k>; with `guard`, a value that breaks a rule raises instead (the fast path). */
function valueSql(def: DatasetDef, layout: CsvLayout, k: number, guard: boolean): string {
  const c = def.columns[k];
  if (c.derived) return boardSql(def, layout);
  if (layout.at[k] < 0) return `null::${sqlType(c)}`;
  const v = f(k);
  const bad = `error('csv: ${c.name}')`;
  const empty = c.required && guard ? `when ${v} is null then ${bad}` : `when ${v} is null then null`;
  switch (c.kind) {
    case 'str':
      if (guard && checksCodes(def) && c.name === 'ts_code') return `case ${empty} when regexp_full_match(${v}, '${CODE_RE}') then ${v} else ${bad} end`;
      return guard && c.required ? `case ${empty} else ${v} end` : v;
    case 'date':
      return guard
        ? `case ${empty} when regexp_full_match(${v}, '${DATE_RE}') then replace(${v}, '-', '')::integer else ${bad} end`
        : `replace(${v}, '-', '')::integer`;
    case 'int':
      return guard ? `case ${empty} when regexp_full_match(${v}, '${WHOLE_RE}') then ${v}::integer else ${bad} end` : `${v}::integer`;
    case 'num':
      // The reader's DOUBLE takes nan and inf; a bar price or volume never is one.
      return guard ? `case ${empty} when not isfinite(${v}) then ${bad} else ${v} end` : `${v}::double`;
  }
}

/** stocks.board from ts_code: the rule of boardOf in datasets.ts, in SQL (test/market/csv-import.test.ts checks they agree). */
function boardSql(def: DatasetDef, layout: CsvLayout): string {
  const k = def.columns.findIndex((c) => c.name === 'ts_code');
  const code = layout.at[k] < 0 ? 'null::varchar' : f(k);
  return `case when ends_with(${code}, '.BJ') then 'bse' when starts_with(${code}, '688') or starts_with(${code}, '689') then 'star'
    when starts_with(${code}, '300') or starts_with(${code}, '301') then 'chinext' else 'main' end`;
}

function stageSql(def: DatasetDef, layout: CsvLayout, from: string, guard: boolean, typedNumbers: boolean): string {
  const values = def.columns.map((c, k) => `${valueSql(def, layout, k, guard)} as ${q(c.name)}`).join(', ');
  return `create or replace temp table ${STAGE} as select ${values} from (select ${fieldsSql(def, layout, typedNumbers)} from ${from})`;
}

/** Rows staged, their date range, and how many keys repeat. */
async function describeStage(conn: DuckDBConnection, def: DatasetDef): Promise<Staged & { repeats: number }> {
  const dc = def.dateColumn && def.key.includes(def.dateColumn) ? def.dateColumn : null;
  const keys = def.key.map(q).join(', ');
  const r = await conn.runAndReadAll(
    `select count(*)::bigint, ${dc ? `min(${q(dc)}), max(${q(dc)})` : 'null, null'}, (count(*) - count(distinct (${keys})))::bigint from ${STAGE}`,
  );
  const [n, lo, hi, repeats] = r.getRows()[0];
  return { rows: Number(n), range: lo === null || hi === null ? null : [Number(lo), Number(hi)], repeats: Number(repeats) };
}

/** Why the fast path handed a file over to the checked one. */
export class NotClean extends Error {}

/** The fast path's reader: number columns typed by the reader itself (its DOUBLE parse), the rest as text. */
function typedRead(def: DatasetDef, layout: CsvLayout): string {
  const types = Array.from({ length: layout.fields }, () => 'VARCHAR');
  def.columns.forEach((c, k) => {
    if (c.kind === 'num' && layout.at[k] >= 0) types[layout.at[k]] = 'DOUBLE';
  });
  return readCsv(layout, types, false);
}

/**
 * The fast path: imports a clean file in one typed read, or throws (DuckDB's error or NotClean)
 * when any row breaks a rule or a key repeats; the write transaction is then aborted and the
 * caller runs `stageChecked` in a new one.
 *
 * When the table holds no row in the file's dates (a first import, or new days), every row is an
 * insert: the guarded read goes straight into the table in key order, and a key seen twice there
 * afterwards can only be the file's own. Otherwise the rows are staged and merged (updated,
 * unchanged, inserted). Measured on 1.2 M daily bars: the staging table costs about as much CPU as
 * the parse itself, and on two idle cores the straight insert takes half the wall time.
 */
export async function importTyped(conn: DuckDBConnection, def: DatasetDef, path: string, layout: CsvLayout): Promise<{ rows: number; counts: MergeCounts }> {
  const dc = def.dateColumn && def.key.includes(def.dateColumn) ? def.dateColumn : null;
  const first = Number((await conn.runAndReadAll(`select count(*)::bigint from ${def.table}`)).getRows()[0][0]) === 0;
  const range = first ? null : dc ? await probeDates(conn, def, path, layout) : null;
  if (first || (range && (await rangeIsEmpty(conn, def, range, null)))) {
    const guarded = def.columns.map((c, k) => `${valueSql(def, layout, k, true)} as ${q(c.name)}`).join(', ');
    const ins = await conn.run(
      `insert into ${def.table} select v.* from (select ${guarded} from (select ${fieldsSql(def, layout, true)} from ${typedRead(def, layout)})) v ${keyOrder(def)}`,
      [path],
    );
    const within = range && dc ? ` where ${q(dc)} between ${Math.trunc(range[0])} and ${Math.trunc(range[1])}` : '';
    if (!(await strictlyIncreasing(conn, def, within))) {
      const keys = def.key.map(q).join(', ');
      const r = await conn.runAndReadAll(`select (count(*) - count(distinct (${keys})))::bigint from ${def.table}${within}`);
      if (Number(r.getRows()[0][0]) > 0) throw new NotClean('repeated keys');
    }
    return { rows: ins.rowsChanged, counts: { inserted: ins.rowsChanged, updated: 0, unchanged: 0, deleted: 0 } };
  }
  await conn.run(stageSql(def, layout, typedRead(def, layout), true, true), [path]);
  const staged = await describeStage(conn, def);
  if (staged.repeats > 0) throw new NotClean(`${staged.repeats} repeated keys`);
  const counts = await mergeCsvStage(conn, def, staged);
  await dropCsvTables(conn);
  return { rows: staged.rows, counts };
}

/**
 * True when the rows just inserted (`within`: the range that held no stored row before) come back
 * in strictly increasing key order: then no key repeats, shown by one pass comparing each row with
 * the one before (a tenth of the distinct count's cost on 1.2 M rows). They were inserted in key
 * order and a scan returns rows in insertion order; if it ever did not, or keys tie on the order's
 * columns (a key with more columns than it), this answers false and the distinct count decides.
 */
async function strictlyIncreasing(conn: DuckDBConnection, def: DatasetDef, within: string): Promise<boolean> {
  const key = `row(${keyOrderColumns(def).map(q).join(', ')})`;
  const r = await conn.runAndReadAll(
    `select count(*)::bigint from (select ${key} as k, lag(${key}) over () as p from ${def.table}${within}) where p is not null and coalesce(not (k > p), true)`,
  );
  return Number(r.getRows()[0][0]) === 0;
}

/** The lowest and highest date of the file, read alone (a fraction of a full read); bad dates are the guards' business. */
async function probeDates(conn: DuckDBConnection, def: DatasetDef, path: string, layout: CsvLayout): Promise<[number, number] | null> {
  const k = def.columns.findIndex((c) => c.name === def.dateColumn);
  const p = layout.at[k];
  const d = `try_cast(replace(trim(c${p}), '-', '') as integer)`;
  const r = await conn.runAndReadAll(`select min(${d}), max(${d}) from ${readCsv(layout, Array.from({ length: layout.fields }, () => 'VARCHAR'), false)}`, [path]);
  const [lo, hi] = r.getRows()[0];
  return lo === null || hi === null ? null : [Number(lo), Number(hi)];
}

/**
 * The checked path: every field as text with its record's position, the reader's rejects kept
 * (a row with too few or too many fields, an unclosed quote, bytes that are not UTF-8). When the
 * reader rejected nothing and no row breaks a rule, the typed rows are staged as the fast path
 * would have; otherwise the first problems come back (rejects alone when there are any: the
 * records after a broken quote are not the file's rows).
 */
export async function stageChecked(conn: DuckDBConnection, def: DatasetDef, path: string, layout: CsvLayout): Promise<Checked> {
  const types = Array.from({ length: layout.fields }, () => 'VARCHAR');
  // rn: the record's index in the file. row_number() over () numbers rows as the scan yields them
  // (a streaming window), and the scan yields them in file order (preserve_insertion_order, the default).
  await conn.run(`create or replace temp table ${RAW} as select row_number() over () - 1 as rn, * from ${readCsv(layout, types, true)}`, [path]);
  const rj = await conn.runAndReadAll(
    `select line::bigint, error_type::varchar, column_name, error_message from ${REJECTS} order by line, column_idx limit ${LIMIT}`,
  );
  const rejects: ReaderReject[] = rj.getRows().map(([line, type, column, message]) => {
    const m = /^c(\d+)$/.exec(String(column ?? ''));
    return { unit: Number(line), type: String(type), field: m ? Number(m[1]) : null, message: String(message ?? '') };
  });
  if (rejects.length) return { ok: false, rejects, problems: [], duplicates: [] };

  const problems = await rowProblems(conn, def, layout);
  const duplicates = await duplicateKeys(conn, def, layout);
  if (problems.length || duplicates.length) return { ok: false, rejects, problems, duplicates };
  await conn.run(stageSql(def, layout, RAW, false, false));
  const staged = await describeStage(conn, def);
  return { ok: true, staged };
}

/** The rules, one problem per field at most, in SQL over the text fields; the first rows that break any. */
async function rowProblems(conn: DuckDBConnection, def: DatasetDef, layout: CsvLayout): Promise<RowProblems[]> {
  const checks: { column: string; k: number; sql: string }[] = [];
  def.columns.forEach((c, k) => {
    if (c.derived || layout.at[k] < 0) return;
    const v = f(k);
    const when: string[] = [];
    if (c.required) when.push(`when ${v} is null then 'empty'`);
    if (c.kind === 'num') when.push(`when ${v} is not null and not coalesce(isfinite(try_cast(${v} as double)), false) then 'number'`);
    if (c.kind === 'int') when.push(`when ${v} is not null and (not regexp_full_match(${v}, '${WHOLE_RE}') or try_cast(${v} as integer) is null) then 'whole'`);
    if (c.kind === 'date') when.push(`when ${v} is not null and not regexp_full_match(${v}, '${DATE_RE}') then 'date'`);
    if (when.length) checks.push({ column: c.name, k, sql: `case ${when.join(' ')} end` });
  });
  const codeK = def.columns.findIndex((c) => c.name === 'ts_code');
  if (checksCodes(def) && codeK >= 0 && layout.at[codeK] >= 0) {
    checks.push({ column: 'ts_code', k: codeK, sql: `case when ${f(codeK)} is not null and not regexp_full_match(${f(codeK)}, '${CODE_RE}') then 'code' end` });
  }
  if (!checks.length) return [];
  const cols = checks.map((c, i) => `${c.sql} as p${i}, ${f(c.k)} as t${i}`).join(', ');
  const r = await conn.runAndReadAll(
    `select rn, ${checks.map((_, i) => `p${i}, t${i}`).join(', ')} from (select rn, ${cols} from (select ${fieldsSql(def, layout, false, 'rn')} from ${RAW}))
     where coalesce(${checks.map((_, i) => `p${i}`).join(', ')}) is not null order by rn limit ${LIMIT}`,
  );
  return r.getRows().map((row) => ({
    record: Number(row[0]),
    fields: checks.flatMap((c, i) => {
      const problem = row[1 + 2 * i] as FieldProblem | null;
      const text = row[2 + 2 * i];
      return problem ? [{ column: c.column, problem, text: text === null ? null : String(text) }] : [];
    }),
  }));
}

/** Records whose key an earlier record already has (keys compared as typed: 2024-01-02 equals 20240102). */
async function duplicateKeys(conn: DuckDBConnection, def: DatasetDef, layout: CsvLayout): Promise<DuplicateKey[]> {
  const ks = def.key.map((name) => def.columns.findIndex((c) => c.name === name));
  if (ks.some((k) => layout.at[k] < 0)) return [];
  const keyValues = ks.map((k, i) => `${valueSql(def, layout, k, false)} as k${i}`).join(', ');
  const valid = ks
    .map((k) => {
      const c = def.columns[k];
      return c.kind === 'date' ? `regexp_full_match(${f(k)}, '${DATE_RE}')` : c.kind === 'int' ? `try_cast(${f(k)} as integer) is not null` : `${f(k)} is not null`;
    })
    .join(' and ');
  const kl = ks.map((_, i) => `k${i}`).join(', ');
  // The repeated keys first (one hash aggregate), then the window over their rows only.
  const r = await conn.runAndReadAll(
    `with keyed as (select rn, ${keyValues} from (select ${fieldsSql(def, layout, false, 'rn')} from ${RAW}) where ${valid}),
       repeated as (select ${kl} from keyed group by ${kl} having count(*) > 1)
     select rn, fst, ${kl} from (select rn, ${kl}, min(rn) over (partition by ${kl}) as fst from keyed semi join repeated using (${kl}))
     where rn <> fst order by rn limit ${LIMIT}`,
  );
  return r.getRows().map((row) => ({ record: Number(row[0]), first: Number(row[1]), key: row.slice(2).map(String) }));
}

/** Merges the stage into the dataset's table (see mergeStaged); no scope: an import never deletes. */
export async function mergeCsvStage(conn: DuckDBConnection, def: DatasetDef, staged: Staged): Promise<MergeCounts> {
  if (staged.rows === 0) return { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
  const empty = staged.range !== null && (await rangeIsEmpty(conn, def, staged.range, null));
  return mergeStaged(conn, def, STAGE, staged.rows, staged.range, null, empty);
}

/** Frees the import's temp tables (the stage of a million rows is a few hundred MB). */
export async function dropCsvTables(conn: DuckDBConnection): Promise<void> {
  for (const t of [STAGE, RAW, REJECTS, REJECT_SCANS]) await conn.run(`drop table if exists ${t}`);
}
