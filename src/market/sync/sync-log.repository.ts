import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { MergeCounts } from '../store/merge.ts';

export type SyncResultKind = 'running' | 'success' | 'partial' | 'failed';

export async function insertSyncLog(
  db: Kysely<Database>,
  row: { source: string; endpoint: string | null; dataset: string; params: unknown; runId: number | null },
): Promise<number> {
  const r = await db
    .insertInto('sync_log')
    .values({ source: row.source, endpoint: row.endpoint, dataset: row.dataset, params: sql`(${JSON.stringify(row.params)}::text)::jsonb` as unknown as string, result: 'running', run_id: row.runId, error: null, last_completed_date: null, finished_at: null, duration_ms: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function updateSyncLog(
  db: Kysely<Database>,
  id: number,
  patch: { counts: MergeCounts; lastCompletedDate: number | null; result?: SyncResultKind; error?: string | null; finished?: boolean },
): Promise<void> {
  await db
    .updateTable('sync_log')
    .set({
      inserted: patch.counts.inserted,
      updated: patch.counts.updated,
      unchanged: patch.counts.unchanged,
      deleted: patch.counts.deleted,
      last_completed_date: patch.lastCompletedDate,
      ...(patch.result ? { result: patch.result } : {}),
      ...(patch.error !== undefined ? { error: patch.error } : {}),
      ...(patch.finished ? { finished_at: sql<Date>`now()`, duration_ms: sql<number>`(extract(epoch from now() - started_at) * 1000)::integer` } : {}),
    })
    .where('id', '=', id)
    .execute();
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
