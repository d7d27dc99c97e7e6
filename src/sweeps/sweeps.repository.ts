/** SQL for sweeps and their parameter sets. Db handle first; rows in snake_case. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, NewRow, SweepSetsTable, SweepsTable } from '../db/schema.ts';

export type Db = Kysely<Database>;

/** JSON text into a jsonb column, parsed by Postgres. */
const jsonb = (text: string) => sql<string>`${text}::text::jsonb`;

export type NewSweepRow = NewRow<
  SweepsTable,
  | 'owner_id' | 'name' | 'kind' | 'strategy_kind' | 'strategy_name' | 'strategy_id' | 'strategy_version_id' | 'spec' | 'space' | 'mode' | 'budget' | 'seed'
  | 'objective' | 'windows' | 'grid_count' | 'planned_sets'
>;

export async function insertSweep(db: Db, row: NewSweepRow): Promise<number> {
  const r = await db
    .insertInto('sweeps')
    .values({ ...row, spec: jsonb(row.spec), space: jsonb(row.space), windows: row.windows === null ? null : jsonb(row.windows) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function setSweepRun(db: Db, id: number, runId: number): Promise<void> {
  await db.updateTable('sweeps').set({ run_id: runId }).where('id', '=', id).execute();
}

/** The sweep joined with its run's state. */
export function selectSweeps(db: Db) {
  return db
    .selectFrom('sweeps as s')
    .leftJoin('runs as r', 'r.id', 's.run_id')
    .leftJoin('users as u', 'u.id', 's.owner_id')
    .selectAll('s')
    .select(['r.status', 'r.progress', 'r.started_at', 'r.finished_at as run_finished_at', 'r.error', 'r.event_seq', 'r.control', 'u.username as owner_name']);
}
export type SweepRow = Awaited<ReturnType<ReturnType<typeof selectSweeps>['executeTakeFirstOrThrow']>>;

export async function findSweep(db: Db, id: number): Promise<SweepRow | undefined> {
  return selectSweeps(db).where('s.id', '=', id).executeTakeFirst();
}

export interface SweepFilter {
  ownerId?: number;
  status?: string;
  kind?: 'sweep' | 'walk_forward';
}

export async function listSweeps(db: Db, f: SweepFilter, limit: number, offset: number): Promise<{ rows: SweepRow[]; total: number }> {
  let q = selectSweeps(db);
  let c = db.selectFrom('sweeps as s').leftJoin('runs as r', 'r.id', 's.run_id').select((eb) => eb.fn.countAll<number>().as('n'));
  if (f.ownerId !== undefined) {
    q = q.where('s.owner_id', '=', f.ownerId);
    c = c.where('s.owner_id', '=', f.ownerId);
  }
  if (f.status) {
    q = q.where('r.status', '=', f.status as never);
    c = c.where('r.status', '=', f.status as never);
  }
  if (f.kind) {
    q = q.where('s.kind', '=', f.kind);
    c = c.where('s.kind', '=', f.kind);
  }
  const [rows, counted] = await Promise.all([q.orderBy('s.id', 'desc').limit(limit).offset(offset).execute(), c.executeTakeFirstOrThrow()]);
  return { rows, total: Number(counted.n) };
}

export async function deleteSweep(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('sweeps').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The ordinals already stored (what a resumed run skips). */
export async function storedOrdinals(db: Db, sweepId: number): Promise<number[]> {
  const rows = await db.selectFrom('sweep_sets').select('ordinal').where('sweep_id', '=', sweepId).execute();
  return rows.map((r) => r.ordinal);
}

export type NewSetRow = Omit<NewRow<SweepSetsTable, Exclude<keyof SweepSetsTable, 'created_at'>>, 'metrics' | 'params'> & { metrics: string | null; params: string };

/** Stores finished sets; a set already stored (a resumed attempt running it again) is left as it is. */
export async function insertSets(db: Db, rows: readonly NewSetRow[]): Promise<void> {
  if (!rows.length) return;
  await db
    .insertInto('sweep_sets')
    .values(rows.map((r) => ({ ...r, params: jsonb(r.params), metrics: r.metrics === null ? null : jsonb(r.metrics) })))
    .onConflict((oc) => oc.columns(['sweep_id', 'ordinal']).doNothing())
    .execute();
}

export type SweepCounts = Partial<Pick<Selectable<SweepsTable>, 'sets_done' | 'sets_failed' | 'skipped' | 'best_ordinal' | 'best_value' | 'dsr' | 'pbo' | 'finished_at' | 'planned_sets'>> & {
  skip_reasons?: string;
  stats?: string;
};

export async function updateSweep(db: Db, id: number, u: SweepCounts): Promise<void> {
  const { skip_reasons, stats, ...rest } = u;
  await db
    .updateTable('sweeps')
    .set({ ...rest, ...(skip_reasons !== undefined ? { skip_reasons: jsonb(skip_reasons) } : {}), ...(stats !== undefined ? { stats: jsonb(stats) } : {}) })
    .where('id', '=', id)
    .execute();
}

/** Sortable and filterable columns of a set. */
export const setMetricColumns = [
  'total_return', 'annualized_return', 'sharpe', 'sortino', 'calmar', 'max_drawdown', 'volatility', 'excess_return', 'win_rate', 'final_value', 'trade_count',
] as const;
export type SetMetric = (typeof setMetricColumns)[number];

const setColumns = [
  'ordinal', 'window_index', 'grid_index', 'params', 'status', 'error', ...setMetricColumns,
] as const;

export interface SetQuery {
  sort: SetMetric | 'ordinal';
  dir: 'asc' | 'desc';
  limit: number;
  offset: number;
  status?: 'succeeded' | 'failed';
  windowIndex?: number | null;
  /** Inclusive bounds on metric columns. */
  min?: Partial<Record<SetMetric, number>>;
  max?: Partial<Record<SetMetric, number>>;
  /** Params equal to these values (jsonb containment). */
  params?: Record<string, unknown>;
}

export async function listSets(db: Db, sweepId: number, q: SetQuery) {
  let base = db.selectFrom('sweep_sets').where('sweep_id', '=', sweepId);
  if (q.status) base = base.where('status', '=', q.status);
  if (q.windowIndex !== undefined) base = q.windowIndex === null ? base.where('window_index', 'is', null) : base.where('window_index', '=', q.windowIndex);
  for (const [k, v] of Object.entries(q.min ?? {})) base = base.where(k as SetMetric, '>=', v);
  for (const [k, v] of Object.entries(q.max ?? {})) base = base.where(k as SetMetric, '<=', v);
  if (q.params && Object.keys(q.params).length) base = base.where(sql<boolean>`params @> ${JSON.stringify(q.params)}::text::jsonb`);
  const ordered = q.sort === 'ordinal'
    ? base.orderBy('ordinal', q.dir)
    : base.orderBy(sql`${sql.ref(q.sort)} ${sql.raw(q.dir)} nulls last`).orderBy('ordinal', 'asc');
  const [rows, counted] = await Promise.all([
    ordered.select([...setColumns]).limit(q.limit).offset(q.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(counted.n) };
}
export type SetRow = Awaited<ReturnType<typeof listSets>>['rows'][number];

export async function findSet(db: Db, sweepId: number, ordinal: number): Promise<SetRow | undefined> {
  return db.selectFrom('sweep_sets').select([...setColumns]).where('sweep_id', '=', sweepId).where('ordinal', '=', ordinal).executeTakeFirst();
}

/** Every succeeded set's params and one metric (heatmaps: at most SWEEP_MAX_SETS rows). */
export async function setParamsAndMetric(db: Db, sweepId: number, metric: SetMetric): Promise<{ ordinal: number; params: unknown; value: number | null }[]> {
  const rows = await db
    .selectFrom('sweep_sets')
    .select(['ordinal', 'params', sql<number | null>`${sql.ref(metric)}`.as('value')])
    .where('sweep_id', '=', sweepId)
    .where('status', '=', 'succeeded')
    .where('window_index', 'is', null)
    .orderBy('ordinal')
    .execute();
  return rows;
}

/** The succeeded sets' daily returns and one metric (DSR and PBO), in ordinal order. */
export async function setReturns(db: Db, sweepId: number, metric: SetMetric, windowIndex: number | null = null) {
  let q = db
    .selectFrom('sweep_sets')
    .select(['ordinal', 'returns', sql<number | null>`${sql.ref(metric)}`.as('value')])
    .where('sweep_id', '=', sweepId)
    .where('status', '=', 'succeeded');
  q = windowIndex === null ? q.where('window_index', 'is', null) : q.where('window_index', '=', windowIndex);
  return q.orderBy('ordinal').execute();
}

/** Counts of stored sets by status, and the best by `metric` (the objective: higher is better). */
export async function setSummary(db: Db, sweepId: number, metric: SetMetric, windowIndex: number | null | 'all' = null) {
  let base = db.selectFrom('sweep_sets').where('sweep_id', '=', sweepId);
  if (windowIndex !== 'all') base = windowIndex === null ? base.where('window_index', 'is', null) : base.where('window_index', '=', windowIndex);
  const counts = await base
    .select([
      sql<number>`count(*) filter (where status = 'succeeded')`.as('done'),
      sql<number>`count(*) filter (where status = 'failed')`.as('failed'),
    ])
    .executeTakeFirstOrThrow();
  const best = await base
    .select(['ordinal', 'params', sql<number | null>`${sql.ref(metric)}`.as('value')])
    .where('status', '=', 'succeeded')
    .where(sql.ref(metric), 'is not', null)
    .orderBy(sql`${sql.ref(metric)} desc`)
    .orderBy('ordinal', 'asc')
    .limit(1)
    .executeTakeFirst();
  return { done: Number(counts.done), failed: Number(counts.failed), best: best ?? null };
}
