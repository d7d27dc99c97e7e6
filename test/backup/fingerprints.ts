import type { DuckDBConnection } from '@duckdb/node-api';
import { sql, type Kysely, type Transaction } from 'kysely';

/**
 * Every table of a store as (rows, md5 of its rows in order): two stores with equal fingerprints
 * hold the same rows. Postgres rows are their row_to_json text with timestamps in UTC and ordered
 * byte-wise (collate "C": the server's and PGlite's default collations differ); DuckDB rows are the
 * row struct's text.
 */
export type Fingerprints = Record<string, { rows: number; md5: string }>;

/** Kysely's bookkeeping holds when each migration ran, which differs between two databases by design. */
const skipPg = new Set(['kysely_migration', 'kysely_migration_lock']);

/** Inside an open transaction (the backup's snapshot, or one of the caller's). */
export async function pgFingerprintsIn(trx: Transaction<any>): Promise<Fingerprints> {
  await sql`set local timezone = 'UTC'`.execute(trx);
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(trx);
  const out: Fingerprints = {};
  for (const { name } of tables) {
    if (skipPg.has(name)) continue;
    const { rows } = await sql<{ n: number | string; h: string }>`
      select count(*) as n, md5(coalesce(string_agg(j, E'\n' order by j collate "C"), '')) as h
      from (select row_to_json(t)::text as j from ${sql.table(name)} t) x`.execute(trx);
    out[name] = { rows: Number(rows[0].n), md5: rows[0].h };
  }
  return out;
}

export function pgFingerprints(db: Kysely<any>): Promise<Fingerprints> {
  return db.transaction().setIsolationLevel('repeatable read').execute((trx) => pgFingerprintsIn(trx));
}

export async function duckFingerprints(conn: DuckDBConnection): Promise<Fingerprints> {
  const tables = (await conn.runAndReadAll(`select table_name from information_schema.tables where table_catalog = current_database() and table_schema = 'main' and table_type = 'BASE TABLE' order by 1`))
    .getRowObjectsJS()
    .map((r) => String(r.table_name))
    // Bookkeeping, not data: the migrations the target applied itself, and the write generation (a fresh
    // id each committed write: the restore's own write makes a new one, as any write does).
    .filter((n) => n !== 'schema_migrations' && n !== 'market_generation');
  const out: Fingerprints = {};
  for (const name of tables) {
    const [row] = (await conn.runAndReadAll(`select count(*)::bigint as n, md5(coalesce(string_agg(x, chr(10) order by x), '')) as h from (select t::varchar as x from "${name}" t)`)).getRowObjectsJS();
    out[name] = { rows: Number(row.n), md5: String(row.h) };
  }
  return out;
}
