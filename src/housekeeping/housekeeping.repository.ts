import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { MarketStore } from '../market/duckdb.ts';

type Db = Kysely<Database>;

/** Statuses whose runs are still in flight: never pruned, nor is anything in their tree. */
const activeStatuses = sql`('queued', 'running', 'paused')`;
const daysAgo = (days: number) => sql`now() - make_interval(days => ${days})`;

/** A backtest past its age that is neither pinned nor attached to a run in flight. */
const backtestPrunable = (b: string, days: number) => sql`
  not ${sql.ref(`${b}.pinned`)} and ${sql.ref(`${b}.created_at`)} < ${daysAgo(days)}
  and not exists (select 1 from runs ar where ar.id = ${sql.ref(`${b}.run_id`)} and ar.status in ${activeStatuses})`;

export async function countPrunableBacktests(db: Db, days: number): Promise<number> {
  const r = await sql<{ n: string }>`select count(*) as n from backtests b where ${backtestPrunable('b', days)}`.execute(db);
  return Number(r.rows[0].n);
}

/** Deletes up to `limit` prunable backtests (their results go with them: on delete cascade); the number deleted. */
export async function deletePrunableBacktests(db: Db, days: number, limit: number): Promise<number> {
  const r = await sql`
    delete from backtests where id in (select b.id from backtests b where ${backtestPrunable('b', days)} order by b.id limit ${limit})`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/**
 * Where the count limit falls: the newest top-level run past the newest `max` (it and those queued before it
 * are beyond the count); null when there are no more. The time stays text, sent as text
 * (postgres.js would turn a timestamptz parameter into a JavaScript Date, dropping its microseconds).
 */
export async function runCountBoundary(db: Db, max: number): Promise<{ queuedAt: string; id: number } | null> {
  const r = await sql<{ queued_at: string; id: string }>`
    select queued_at::text as queued_at, id from runs where parent_run_id is null order by queued_at desc, id desc offset ${max} limit 1`.execute(db);
  return r.rows[0] ? { queuedAt: r.rows[0].queued_at, id: Number(r.rows[0].id) } : null;
}

/**
 * The next `limit` finished top-level runs after `afterId` (in id order) that are past the age or
 * the count limit, each with its whole tree (workflow steps, nested), leaving out any tree that holds
 * a run in flight or a run a kept object needs: a backtest that stays (pinned, young, or not prunable
 * now) or a sweep. `scanned` is the last root id looked at, for the next call's cursor.
 */
export async function prunableRunTrees(
  db: Db,
  o: { days: number; boundary: { queuedAt: string; id: number } | null; backtestDays: number; afterId: number; limit: number },
): Promise<{ ids: number[]; roots: number; scanned: number | null }> {
  const byCount = o.boundary ? sql`or (r.queued_at, r.id) <= (${o.boundary.queuedAt}::text::timestamptz, ${o.boundary.id}::bigint)` : sql``;
  const r = await sql<{ root: string; id: string; blocked: boolean }>`
    with recursive cand as (
      select r.id from runs r
      where r.parent_run_id is null and r.id > ${o.afterId} and r.status not in ${activeStatuses}
        and (coalesce(r.finished_at, r.queued_at) < ${daysAgo(o.days)} ${byCount})
      order by r.id limit ${o.limit}
    ),
    tree as (
      select c.id as root, c.id from cand c
      union all
      select t.root, ch.id from tree t join runs ch on ch.parent_run_id = t.id
    ),
    blocked as (
      select distinct t.root from tree t join runs x on x.id = t.id
      where x.status in ${activeStatuses}
         or exists (select 1 from backtests b where b.run_id = t.id and not (${backtestPrunable('b', o.backtestDays)}))
         or exists (select 1 from sweeps s where s.run_id = t.id)
    )
    select t.root, t.id, (t.root in (select root from blocked)) as blocked from tree t
    order by 1, 2`.execute(db);
  // Every candidate is in the tree as its own root, so the largest root is where the scan got to.
  const ids: number[] = [];
  const roots = new Set<number>();
  let scanned: number | null = null;
  for (const row of r.rows) {
    scanned = Math.max(scanned ?? 0, Number(row.root));
    if (row.blocked) continue;
    ids.push(Number(row.id));
    roots.add(Number(row.root));
  }
  return { ids, roots: roots.size, scanned };
}

export async function countRunEvents(db: Db, runIds: readonly number[]): Promise<number> {
  if (!runIds.length) return 0;
  const r = await sql<{ n: string }>`select count(*) as n from run_events where run_id = any(${runIds}::bigint[])`.execute(db);
  return Number(r.rows[0].n);
}

/** Deletes the runs (events first, in the same transaction); returns how many of each went. */
export async function deleteRuns(db: Db, runIds: readonly number[]): Promise<{ runs: number; events: number }> {
  if (!runIds.length) return { runs: 0, events: 0 };
  return db.transaction().execute(async (tx) => {
    const events = await sql`delete from run_events where run_id = any(${runIds}::bigint[])`.execute(tx);
    const runs = await sql`delete from runs where id = any(${runIds}::bigint[])`.execute(tx);
    return { runs: Number(runs.numAffectedRows ?? 0n), events: Number(events.numAffectedRows ?? 0n) };
  });
}

/** Log lines of finished runs older than the cutoff, leaving out those of `exceptRunIds` (runs pruned whole). */
export async function countOldRunLogs(db: Db, days: number, exceptRunIds: readonly number[] = []): Promise<number> {
  const r = await sql<{ n: string }>`
    select count(*) as n from run_events e join runs r on r.id = e.run_id
    where e.kind = 'log' and e.at < ${daysAgo(days)} and r.status not in ${activeStatuses}
      and not (e.run_id = any(${exceptRunIds}::bigint[]))`.execute(db);
  return Number(r.rows[0].n);
}

export async function deleteOldRunLogs(db: Db, days: number, limit: number): Promise<number> {
  const r = await sql`
    delete from run_events where (run_id, seq) in (
      select e.run_id, e.seq from run_events e join runs r on r.id = e.run_id
      where e.kind = 'log' and e.at < ${daysAgo(days)} and r.status not in ${activeStatuses}
      order by e.run_id, e.seq limit ${limit})`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/** Finished operation-log rows past the age, except each dataset's newest row (coverage shows its last sync). */
const syncLogPrunable = (days: number) => sql`
  l.result <> 'running' and coalesce(l.finished_at, l.started_at) < ${daysAgo(days)}
  and l.id not in (select max(id) from sync_log group by dataset)`;

export async function countPrunableSyncLog(db: Db, days: number): Promise<number> {
  const r = await sql<{ n: string }>`select count(*) as n from sync_log l where ${syncLogPrunable(days)}`.execute(db);
  return Number(r.rows[0].n);
}

export async function deletePrunableSyncLog(db: Db, days: number, limit: number): Promise<number> {
  const r = await sql`delete from sync_log where id in (select l.id from sync_log l where ${syncLogPrunable(days)} order by l.id limit ${limit})`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/** The tables housekeeping prunes, with their rows and total bytes (indexes and TOAST included). */
export const prunedTables = ['runs', 'run_events', 'backtests', 'backtest_results', 'sync_log'] as const;
export type PrunedTable = (typeof prunedTables)[number];

/** Rows (the planner's estimate once the table has been analyzed, counted before that) and total bytes of a table: cheap enough for every page view. */
export async function tableRowsAndBytes(db: Db, table: PrunedTable): Promise<{ rows: number; bytes: number }> {
  const r = await sql<{ rows: string; bytes: string }>`
    select case when c.reltuples > 0 then c.reltuples::bigint else (select count(*) from ${sql.table(table)}) end as rows,
           pg_total_relation_size(c.oid) as bytes
    from pg_class c where c.oid = ${table}::regclass`.execute(db);
  return { rows: Number(r.rows[0].rows), bytes: Number(r.rows[0].bytes) };
}

/** Every table of the public schema with its total size (indexes and TOAST included) and estimated rows. */
export async function postgresTableSizes(db: Db): Promise<Array<{ name: string; bytes: number; rows: number }>> {
  const r = await sql<{ name: string; bytes: string; rows: string }>`
    select c.relname as name, pg_total_relation_size(c.oid) as bytes, greatest(c.reltuples, 0)::bigint as rows
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p')
    order by pg_total_relation_size(c.oid) desc, c.relname`.execute(db);
  return r.rows.map((x) => ({ name: x.name, bytes: Number(x.bytes), rows: Number(x.rows) }));
}

export async function postgresDatabaseBytes(db: Db): Promise<number> {
  const r = await sql<{ bytes: string }>`select pg_database_size(current_database()) as bytes`.execute(db);
  return Number(r.rows[0].bytes);
}

/** VACUUM (not FULL: no exclusive lock) and ANALYZE of the pruned tables, so their freed pages are reused. */
export async function vacuumPrunedTables(db: Db): Promise<void> {
  for (const t of prunedTables) await sql`vacuum (analyze) ${sql.table(t)}`.execute(db);
}

/**
 * DuckDB's tables with their estimated rows and the bytes of the blocks their columns use (storage_info,
 * persistent blocks only); null for a table whose rows are all still in the write-ahead log.
 */
export async function marketTableSizes(market: MarketStore): Promise<Array<{ name: string; rows: number; bytes: number | null }>> {
  const tables = await market.query(`select table_name as name, estimated_size as rows from duckdb_tables() where not internal and not temporary order by table_name`);
  const blockSize = Number((await market.query(`select block_size from pragma_database_size()`))[0]?.block_size ?? 262_144);
  const out: Array<{ name: string; rows: number; bytes: number | null }> = [];
  for (const t of tables) {
    const name = String(t.name);
    const blocks = await market.query(
      `select count(distinct block_id) filter (where persistent and block_id >= 0) as n, count(*) filter (where not persistent) as pending from pragma_storage_info(?)`,
      [name],
    ).catch(() => null);
    // Rows written since the last checkpoint live in memory and the WAL, in no block yet: null says so.
    const n = blocks ? Number(blocks[0].n) : 0;
    out.push({ name, rows: Number(t.rows), bytes: blocks && (n > 0 || Number(blocks[0].pending) === 0) ? n * blockSize : null });
  }
  return out.sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0) || a.name.localeCompare(b.name));
}
