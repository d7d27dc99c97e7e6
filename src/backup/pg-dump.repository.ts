import { sql, type Kysely, type Transaction } from 'kysely';
import type { SequencePosition } from './backup.manifest.ts';

/**
 * A logical dump of the relational store, table by table, that loads into embedded PGlite and a
 * Postgres server alike: every row as the JSON Postgres itself writes (`row_to_json`), loaded back
 * with `json_populate_recordset`, so each column's type converts through its own input function
 * (timestamps to the microsecond, jsonb, numeric) with nothing reinterpreted in JavaScript.
 */

/** Kysely's own bookkeeping: written by migrating the target to the archive's versions, never loaded. */
const migratorTables = new Set(['kysely_migration', 'kysely_migration_lock']);

/** The tables of the public schema that hold data (the migrator's excluded), by name. */
export async function listDataTables(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
  return rows.map((r) => r.name).filter((n) => !migratorTables.has(n));
}

/** Every table of the public schema, the migrator's included: an empty target has none. */
export async function listAllTables(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = 'public' order by table_name`.execute(db);
  return rows.map((r) => r.name);
}

/** The applied migrations, by name (Kysely applies them in name order). */
export async function appliedMigrationNames(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}

/** Where each sequence of the public schema stands (read inside the snapshot: at or past every id it saw). */
export async function sequencePositions(db: Kysely<any>): Promise<SequencePosition[]> {
  const { rows } = await sql<{ name: string; last_value: string | number | null; is_called: boolean }>`
    select sequencename as name, last_value, last_value is not null as is_called
    from pg_sequences where schemaname = 'public' order by sequencename`.execute(db);
  return rows.map((r) => ({ name: r.name, last_value: r.last_value === null ? null : Number(r.last_value), is_called: r.is_called }));
}

/**
 * Runs `work` in one REPEATABLE READ, READ ONLY transaction: every read inside sees the same
 * snapshot while writers go on (on a server; embedded PGlite is one connection, so its other
 * queries wait until the transaction ends).
 */
export async function withSnapshot<T>(db: Kysely<any>, work: (trx: Transaction<any>) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    await sql`set transaction read only`.execute(trx);
    return work(trx);
  });
}

/**
 * Reads a table's rows as JSON text in batches through a cursor (so a large table never sits in
 * memory whole); `onBatch` gets each batch's lines. Batches aim at `batchBytes` of text: a row of
 * backtest results can be a megabyte, a row of run events a hundred bytes. Must run inside a transaction.
 */
export async function readTableJson(trx: Transaction<any>, table: string, batchBytes: number, onBatch: (lines: string[]) => Promise<void>): Promise<number> {
  await sql`declare zq_backup no scroll cursor for select row_to_json(t)::text as j from ${sql.table(table)} t`.execute(trx);
  let total = 0;
  // One row first, then as many as fit `batchBytes`: a first guess of more could fetch tens of MB of results at once.
  let batchRows = 1;
  try {
    for (;;) {
      const { rows } = await sql<{ j: string }>`fetch forward ${sql.raw(String(batchRows))} from zq_backup`.execute(trx);
      if (rows.length === 0) break;
      total += rows.length;
      const lines = rows.map((r) => r.j);
      let bytes = 0;
      for (const l of lines) bytes += l.length;
      batchRows = Math.max(1, Math.min(20_000, Math.floor(batchBytes / Math.max(1, bytes / lines.length))));
      await onBatch(lines);
    }
  } finally {
    await sql`close zq_backup`.execute(trx);
  }
  return total;
}

export interface ForeignKey {
  table: string;
  name: string;
  definition: string;
}

/** The foreign keys among the public tables, with the definition that adds each back. */
export async function foreignKeys(db: Kysely<any>): Promise<ForeignKey[]> {
  const { rows } = await sql<ForeignKey>`
    select cl.relname as "table", co.conname as name, pg_get_constraintdef(co.oid) as definition
    from pg_constraint co join pg_class cl on cl.oid = co.conrelid join pg_namespace n on n.oid = cl.relnamespace
    where co.contype = 'f' and n.nspname = 'public' order by cl.relname, co.conname`.execute(db);
  return rows;
}

export async function dropForeignKey(trx: Transaction<any>, fk: ForeignKey): Promise<void> {
  await sql`alter table ${sql.table(fk.table)} drop constraint ${sql.id(fk.name)}`.execute(trx);
}

/** Adds a foreign key back; Postgres checks every loaded row against it. */
export async function addForeignKey(trx: Transaction<any>, fk: ForeignKey): Promise<void> {
  await sql`alter table ${sql.table(fk.table)} add constraint ${sql.id(fk.name)} ${sql.raw(fk.definition)}`.execute(trx);
}

/** Empties the tables (the rows migrations seed), in one statement. */
export async function truncateTables(trx: Transaction<any>, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  await sql`truncate ${sql.join(tables.map((t) => sql.table(t)))}`.execute(trx);
}

/** Whether a table has a `json` column (kept as written, so it must not pass through jsonb, which reorders keys). */
export async function hasJsonColumn(db: Kysely<any> | Transaction<any>, table: string): Promise<boolean> {
  const { rows } = await sql<{ n: number | string }>`
    select count(*) as n from information_schema.columns where table_schema = 'public' and table_name = ${table} and data_type = 'json'`.execute(db);
  return Number(rows[0].n) > 0;
}

/**
 * Inserts rows given as row_to_json lines, column by column name (identity columns keep their ids).
 * Each line is its own parameter, parsed once as jsonb, whose values go into jsonb columns without
 * being parsed again (most of the bytes are backtest results); a table with a `json` column goes
 * through json instead. One parameter a row, not one JSON array of the batch: populating from an
 * array of 8 MB cost the server 1.8 times the CPU (measured: 17.6 against 9.9 s for 634 MB of
 * results). The text goes as text (`::text::…`): typed json, postgres.js would encode it once more.
 */
export async function insertJsonRows(trx: Transaction<any>, table: string, lines: readonly string[], viaJson = false): Promise<void> {
  if (lines.length === 0) return;
  const row = viaJson
    ? sql`json_populate_record(null::${sql.table(table)}, v.j::json)`
    : sql`jsonb_populate_record(null::${sql.table(table)}, v.j::jsonb)`;
  const values = sql.join(lines.map((line) => sql`(${line}::text)`));
  await sql`insert into ${sql.table(table)} overriding system value select r.* from (values ${values}) v(j) cross join lateral ${row} r`.execute(trx);
}

/**
 * Compresses the large values this transaction writes with lz4 where the server was built with it
 * (Debian's and the official images are; PGlite is not, and keeps pglz): pglz made writing 634 MB of
 * backtest results cost 8.7 s more of the server's CPU (measured: COPY of them 23.8 against 15.1 s).
 * Only how TOAST stores the bytes changes; the values read back are the same.
 */
export async function preferLz4Toast(trx: Transaction<any>): Promise<boolean> {
  const { rows } = await sql<{ lz4: boolean }>`
    select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`.execute(trx);
  if (!rows[0]?.lz4) return false;
  await sql`set local default_toast_compression = lz4`.execute(trx);
  return true;
}

/** Puts each sequence where the archive had it, and past the largest id now in its column whichever is further. */
export async function restoreSequences(trx: Transaction<any>, positions: readonly SequencePosition[]): Promise<void> {
  for (const p of positions) {
    if (p.last_value === null) continue;
    await sql`select setval(${`public.${quoteIdent(p.name)}`}::regclass, ${p.last_value}, ${p.is_called})`.execute(trx);
  }
  const { rows } = await sql<{ table_name: string; column_name: string; seq: string }>`
    select c.table_name, c.column_name, pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) as seq
    from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) is not null`.execute(trx);
  for (const r of rows) {
    // The sequence name comes from Postgres itself (pg_get_serial_sequence quotes it).
    await sql`select setval(${r.seq}::regclass, x.m) from (select max(${sql.ref(r.column_name)})::bigint as m from ${sql.table(r.table_name)}) x, ${sql.raw(r.seq)} s
      where x.m is not null and (x.m > s.last_value or not s.is_called)`.execute(trx);
  }
}

/** Counts a table's rows (what restore checks against the manifest). */
export async function countRows(db: Kysely<any> | Transaction<any>, table: string): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(rows[0].n);
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
