import { sql, type Kysely } from 'kysely';
import type { Database, SyncLogTable } from '../../db/schema.ts';
import type { MergeCounts } from '../store/merge.ts';

export type SyncResultKind = SyncLogTable['result'];

/** A new `running` row held by `owner` for `leaseMs` (database clock); the owner renews it while it works. */
export async function insertSyncLog(
  db: Kysely<Database>,
  row: { source: string; endpoint: string | null; dataset: string; params: unknown; runId: number | null; runAttempt: number | null; owner: string; leaseMs: number },
): Promise<number> {
  const r = await db
    .insertInto('sync_log')
    .values({
      source: row.source,
      endpoint: row.endpoint,
      dataset: row.dataset,
      params: sql`(${JSON.stringify(row.params)}::text)::jsonb` as unknown as string,
      result: 'running',
      run_id: row.runId,
      run_attempt: row.runAttempt,
      owner: row.owner,
      lease_expires_at: leaseEnd(row.leaseMs),
      error: null,
      last_completed_date: null,
      finished_at: null,
      duration_ms: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

const leaseEnd = (leaseMs: number) => sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`;
/** How long a closed-by-someone-else row ran: until its lease ran out (about when its owner stopped), not until it was noticed. */
const abandonedDurationMs = sql<number>`(extract(epoch from least(coalesce(lease_expires_at, now()), now()) - started_at) * 1000)::integer`;

/** Extends a running row's lease; false when the row is no longer running (someone closed it). */
export async function renewSyncLogLease(db: Kysely<Database>, id: number, leaseMs: number): Promise<boolean> {
  const r = await db.updateTable('sync_log').set({ lease_expires_at: leaseEnd(leaseMs) }).where('id', '=', id).where('result', '=', 'running').executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Progress of a row: counts and where a range got to (written even after someone closed the row: they are what the store holds). */
export async function updateSyncLog(db: Kysely<Database>, id: number, patch: { counts: MergeCounts; lastCompletedDate: number | null }): Promise<void> {
  await db.updateTable('sync_log').set(progressColumns(patch)).where('id', '=', id).execute();
}

/** The columns a row's progress is written to, by updateSyncLog and finishSyncLog alike. */
function progressColumns(patch: { counts: MergeCounts; lastCompletedDate: number | null }) {
  const { inserted, updated, unchanged, deleted } = patch.counts;
  return { inserted, updated, unchanged, deleted, last_completed_date: patch.lastCompletedDate };
}

/**
 * The owner's last word on its row: counts, result and error. The first close wins: a row another
 * process already closed as `abandoned` (its lease had passed) keeps that result and gets the counts only.
 */
export async function finishSyncLog(
  db: Kysely<Database>,
  id: number,
  patch: { counts: MergeCounts; lastCompletedDate: number | null; result: Exclude<SyncResultKind, 'running' | 'abandoned'>; error: string | null },
): Promise<boolean> {
  const r = await db
    .updateTable('sync_log')
    .set({
      ...progressColumns(patch),
      result: patch.result,
      error: patch.error,
      lease_expires_at: null,
      finished_at: sql<Date>`now()`,
      duration_ms: sql<number>`(extract(epoch from now() - started_at) * 1000)::integer`,
    })
    .where('id', '=', id)
    .where('result', '=', 'running')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) return true;
  await updateSyncLog(db, id, patch);
  return false;
}

/** Closes the running rows a run attempt wrote (its lease expired: the process died). Returns their ids. */
export async function abandonRunAttemptSyncLogs(db: Kysely<Database>, runId: number, attempt: number, error: string): Promise<number[]> {
  const rows = await db
    .updateTable('sync_log')
    .set({ result: 'abandoned', error, finished_at: sql<Date>`now()`, duration_ms: abandonedDurationMs, lease_expires_at: null })
    .where('run_id', '=', runId)
    .where('run_attempt', '=', attempt)
    .where('result', '=', 'running')
    .returning('id')
    .execute();
  return rows.map((r) => Number(r.id));
}

/**
 * Closes every running row whose lease has passed on the database clock (null: written before
 * owners were recorded). A live owner renews its lease well before then, on any host.
 */
export async function abandonExpiredSyncLogs(db: Kysely<Database>, why: string): Promise<{ id: number; owner: string | null; runId: number | null }[]> {
  const rows = await db
    .updateTable('sync_log')
    .set({
      result: 'abandoned',
      error: sql<string>`'abandoned: ' || coalesce('its process ' || owner, 'a process from before owners were recorded') || ' ' || ${why}`,
      finished_at: sql<Date>`now()`,
      duration_ms: abandonedDurationMs,
      lease_expires_at: null,
    })
    .where('result', '=', 'running')
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', sql<Date>`now()`)]))
    .returning(['id', 'owner', 'run_id'])
    .execute();
  return rows.map((r) => ({ id: Number(r.id), owner: r.owner, runId: r.run_id === null ? null : Number(r.run_id) }));
}

export interface SyncLogFilter {
  dataset?: string;
  source?: string;
  result?: SyncResultKind;
  limit: number;
  offset: number;
}

export async function listSyncLog(db: Kysely<Database>, f: SyncLogFilter) {
  let q = db.selectFrom('sync_log');
  if (f.dataset) q = q.where('dataset', '=', f.dataset);
  if (f.source) q = q.where('source', '=', f.source);
  if (f.result) q = q.where('result', '=', f.result);
  const [rows, total] = await Promise.all([
    q.selectAll().orderBy('started_at', 'desc').orderBy('id', 'desc').limit(f.limit).offset(f.offset).execute(),
    q.select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** The newest unfinished-or-failed range sync with the same request, to resume from. */
export async function findResumable(db: Kysely<Database>, dataset: string, source: string, params: unknown) {
  return db
    .selectFrom('sync_log')
    .select(['id', 'last_completed_date', 'result'])
    .where('dataset', '=', dataset)
    .where('source', '=', source)
    .where(sql<boolean>`params = (${JSON.stringify(params)}::text)::jsonb`)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** When each dataset was last synced successfully (or partly). */
export async function lastSyncPerDataset(db: Kysely<Database>): Promise<Map<string, Date>> {
  const rows = await db
    .selectFrom('sync_log')
    .select(['dataset', (e) => e.fn.max('finished_at').as('last')])
    .where('result', 'in', ['success', 'partial'])
    .groupBy('dataset')
    .execute();
  return new Map(rows.filter((r) => r.last).map((r) => [r.dataset, new Date(r.last as unknown as string)]));
}

/** The latest sync that finished with data (success or partial), or undefined when none has. */
export async function lastGoodSync(db: Kysely<Database>) {
  return db.selectFrom('sync_log').select(['dataset', 'source', 'result', 'finished_at']).where('finished_at', 'is not', null).where('result', 'in', ['success', 'partial']).orderBy('finished_at', 'desc').limit(1).executeTakeFirst();
}

/** Rows the logged syncs changed, per dataset (every row of the log retention keeps). */
export async function syncRowTotals(db: Kysely<Database>): Promise<Array<{ dataset: string; inserted: number; updated: number; unchanged: number; deleted: number }>> {
  const rows = await db
    .selectFrom('sync_log')
    .select([
      'dataset',
      (e) => e.fn.sum<string>('inserted').as('inserted'),
      (e) => e.fn.sum<string>('updated').as('updated'),
      (e) => e.fn.sum<string>('unchanged').as('unchanged'),
      (e) => e.fn.sum<string>('deleted').as('deleted'),
    ])
    .groupBy('dataset')
    .execute();
  return rows.map((r) => ({ dataset: r.dataset, inserted: Number(r.inserted), updated: Number(r.updated), unchanged: Number(r.unchanged), deleted: Number(r.deleted) }));
}
