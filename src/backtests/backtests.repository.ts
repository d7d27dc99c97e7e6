/** SQL for backtests and their results. Db handle first; rows in snake_case. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { BacktestResultsTable, BacktestsTable, Database, NewRow } from '../db/schema.ts';

export type Db = Kysely<Database>;

/** JSON text into a jsonb column, parsed by Postgres (a bare string parameter may be stored as a JSON string by some drivers). */
const jsonb = (text: string) => sql<string>`${text}::text::jsonb`;

/** A submitted backtest (config as JSON text); its run and metrics are set later. */
export type NewBacktestRow = NewRow<
  BacktestsTable,
  'owner_id' | 'name' | 'strategy_kind' | 'strategy_name' | 'strategy_id' | 'strategy_version_id' | 'config' | 'start_date' | 'end_date' | 'rerun_of'
>;

export async function insertBacktest(db: Db, row: NewBacktestRow): Promise<number> {
  const r = await db.insertInto('backtests').values({ ...row, config: jsonb(row.config) }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

/** Records the market data version a backtest runs on (or a rerun pins). */
export async function setBacktestDataVersion(db: Db, id: number, version: string | null): Promise<void> {
  await db.updateTable('backtests').set({ data_version: version }).where('id', '=', id).execute();
}

export async function setBacktestRun(db: Db, id: number, runId: number): Promise<void> {
  await db.updateTable('backtests').set({ run_id: runId }).where('id', '=', id).execute();
}

/** The backtest joined with its run's state. */
export function selectBacktests(db: Db) {
  return db
    .selectFrom('backtests as b')
    .leftJoin('runs as r', 'r.id', 'b.run_id')
    .leftJoin('users as u', 'u.id', 'b.owner_id')
    .select([
      'b.id', 'b.run_id', 'b.owner_id', 'b.name', 'b.strategy_kind', 'b.strategy_name', 'b.strategy_id', 'b.strategy_version_id',
      'b.config', 'b.start_date', 'b.end_date', 'b.rerun_of', 'b.pinned', 'b.data_version', 'b.created_at', 'b.total_return', 'b.annualized_return', 'b.sharpe',
      'b.max_drawdown', 'b.volatility', 'b.excess_return', 'b.final_value', 'b.trade_count',
      'r.status', 'r.progress', 'r.started_at', 'r.finished_at', 'r.error', 'r.event_seq', 'r.control', 'u.username as owner_name',
    ]);
}
export type BacktestRow = Awaited<ReturnType<ReturnType<typeof selectBacktests>['executeTakeFirstOrThrow']>>;

export async function findBacktest(db: Db, id: number): Promise<BacktestRow | undefined> {
  return selectBacktests(db).where('b.id', '=', id).executeTakeFirst();
}

/** Pins or unpins (housekeeping keeps pinned backtests whatever their age); false when the backtest is gone. */
export async function setBacktestPinned(db: Db, id: number, pinned: boolean): Promise<boolean> {
  const r = await db.updateTable('backtests').set({ pinned }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function findBacktestByRun(db: Db, runId: number): Promise<BacktestRow | undefined> {
  return selectBacktests(db).where('b.run_id', '=', runId).executeTakeFirst();
}

export type BacktestSort = 'created' | 'total_return' | 'annualized_return' | 'sharpe' | 'max_drawdown' | 'finished';

export interface BacktestFilter {
  ownerId?: number;
  status?: string;
  strategy?: string;
  /** Created on or after / before (exclusive). */
  from?: Date;
  to?: Date;
  q?: string;
  ids?: number[];
}

const countWithRuns = (db: Db) => db.selectFrom('backtests as b').leftJoin('runs as r', 'r.id', 'b.run_id').select((eb) => eb.fn.countAll<number>().as('n'));

export async function listBacktests(db: Db, f: BacktestFilter, sort: BacktestSort, dir: 'asc' | 'desc', limit: number, offset: number) {
  let q = selectBacktests(db);
  let c = f.status
    ? db.selectFrom('backtests as b').leftJoin('runs as r', 'r.id', 'b.run_id').select((eb) => eb.fn.countAll<number>().as('n'))
    : (db.selectFrom('backtests as b').select((eb) => eb.fn.countAll<number>().as('n')) as unknown as ReturnType<typeof countWithRuns>);
  if (f.ownerId !== undefined) {
    q = q.where('b.owner_id', '=', f.ownerId);
    c = c.where('b.owner_id', '=', f.ownerId);
  }
  if (f.status) {
    q = q.where('r.status', '=', f.status as never);
    c = c.where('r.status', '=', f.status as never);
  }
  if (f.strategy) {
    q = q.where('b.strategy_name', '=', f.strategy);
    c = c.where('b.strategy_name', '=', f.strategy);
  }
  if (f.from) {
    q = q.where('b.created_at', '>=', f.from);
    c = c.where('b.created_at', '>=', f.from);
  }
  if (f.to) {
    q = q.where('b.created_at', '<', f.to);
    c = c.where('b.created_at', '<', f.to);
  }
  if (f.q) {
    const like = `%${f.q.replace(/[%_\\]/g, (m) => '\\' + m)}%`;
    q = q.where((eb) => eb.or([eb('b.name', 'ilike', like), eb('b.strategy_name', 'ilike', like)]));
    c = c.where((eb) => eb.or([eb('b.name', 'ilike', like), eb('b.strategy_name', 'ilike', like)]));
  }
  if (f.ids) {
    q = q.where('b.id', 'in', f.ids.length ? f.ids : [-1]);
    c = c.where('b.id', 'in', f.ids.length ? f.ids : [-1]);
  }
  const col = {
    created: 'b.id', total_return: 'b.total_return', annualized_return: 'b.annualized_return', sharpe: 'b.sharpe', max_drawdown: 'b.max_drawdown', finished: 'r.finished_at',
  }[sort] as 'b.id';
  // Newest first walks the primary key backwards; metric sorts keep unfinished (null) rows last.
  const ordered = sort === 'created' ? q.orderBy('b.id', dir) : q.orderBy(sql`${sql.ref(col)} ${sql.raw(dir)} nulls last`).orderBy('b.id', 'desc');
  const [rows, counted] = await Promise.all([ordered.limit(limit).offset(offset).execute(), c.executeTakeFirstOrThrow()]);
  const total = Number(counted.n);
  return { rows, total };
}

/** Whether a row was deleted. */
export async function deleteBacktest(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('backtests').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** A result's stored parts, each as JSON text. */
export type ResultRow = NewRow<BacktestResultsTable, 'metrics' | 'series' | 'fills' | 'orders' | 'trades' | 'positions' | 'extras'>;

/** The key metrics copied onto the backtest row for sorting and listing. */
export type MetricColumns = Pick<
  Selectable<BacktestsTable>,
  'total_return' | 'annualized_return' | 'sharpe' | 'max_drawdown' | 'volatility' | 'excess_return' | 'final_value' | 'trade_count'
>;

/** Results and metric columns in one transaction (a rerun of the same attempt replaces them). */
export async function saveResult(db: Db, backtestId: number, r: ResultRow, m: MetricColumns): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('backtest_results').where('backtest_id', '=', backtestId).execute();
    await tx
      .insertInto('backtest_results')
      .values({
        backtest_id: backtestId, metrics: jsonb(r.metrics), series: jsonb(r.series), fills: jsonb(r.fills), orders: jsonb(r.orders),
        trades: jsonb(r.trades), positions: jsonb(r.positions), extras: jsonb(r.extras),
      })
      .execute();
    await tx.updateTable('backtests').set(m).where('id', '=', backtestId).execute();
  });
}

export type ResultPart = 'metrics' | 'series' | 'positions' | 'extras';

/** The small parts of a result (not fills/orders/trades, which are sliced). */
export async function readResultParts(db: Db, backtestId: number, parts: readonly ResultPart[]): Promise<Partial<Record<ResultPart, unknown>> | null> {
  if (!parts.length) return {};
  const r = await db.selectFrom('backtest_results').select(parts as ResultPart[]).where('backtest_id', '=', backtestId).executeTakeFirst();
  return (r as Partial<Record<ResultPart, unknown>> | undefined) ?? null;
}

export type ListPart = 'fills' | 'orders' | 'trades';

/** One page of a stored array, and its length, sliced inside Postgres. `where` keeps only matching items (e.g. rejected orders). */
export async function sliceResultArray(db: Db, backtestId: number, part: ListPart, offset: number, limit: number, onlyNotFilled = false) {
  const col = sql.ref(part);
  const source = onlyNotFilled
    ? sql`jsonb_path_query_array(${col}, '$[*] ? (@.status != "filled")')`
    : sql`${col}`;
  const r = await sql<{ items: unknown; total: number }>`
    select jsonb_path_query_array(src, ('$[' || ${offset}::int || ' to ' || ${offset + limit - 1}::int || ']')::jsonpath) as items,
           jsonb_array_length(src) as total
      from (select ${source} as src from backtest_results where backtest_id = ${backtestId}) s`.execute(db);
  const row = r.rows[0];
  if (!row) return null;
  const items = typeof row.items === 'string' ? JSON.parse(row.items) : row.items;
  return { items: (items ?? []) as unknown[], total: Number(row.total) };
}

/** The whole array (exports). */
export async function readResultArray(db: Db, backtestId: number, part: ListPart): Promise<unknown[] | null> {
  const r = await db.selectFrom('backtest_results').select(part).where('backtest_id', '=', backtestId).executeTakeFirst();
  if (!r) return null;
  const v = (r as Record<string, unknown>)[part];
  return (typeof v === 'string' ? JSON.parse(v) : v) as unknown[];
}

/**
 * Items `offset … offset+limit−1` of a stored array as JSON text without the outer brackets
 * (`{…}, {…}`; empty past the end): what a streamed JSON export writes, with no parse and
 * re-stringify in this process.
 */
export async function resultArrayChunkText(db: Db, backtestId: number, part: ListPart, offset: number, limit: number): Promise<string> {
  const r = await sql<{ items: string | null }>`
    select jsonb_path_query_array(${sql.ref(part)}, ('$[' || ${offset}::int || ' to ' || ${offset + limit - 1}::int || ']')::jsonpath)::text as items
      from backtest_results where backtest_id = ${backtestId}`.execute(db);
  const text = r.rows[0]?.items ?? '[]';
  return text.slice(1, -1).trim();
}

/** The distinct strategy names of backtests (only `ownerId`'s when given), sorted, at most 200: the list page's filter choices. */
export async function distinctStrategyNames(db: Db, ownerId?: number): Promise<string[]> {
  const rows = await db.selectFrom('backtests').select('strategy_name').distinct().$if(ownerId !== undefined, (q) => q.where('owner_id', '=', ownerId!)).orderBy('strategy_name').limit(200).execute();
  return rows.map((r) => r.strategy_name);
}
