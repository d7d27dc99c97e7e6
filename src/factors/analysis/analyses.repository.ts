/** SQL of factor analyses (Postgres `factor_analyses`, joined with their runs) and the stocks' industries and listing days (DuckDB). Db handle first; rows in snake_case. */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { MarketStore } from '../../market/duckdb.ts';

export type Db = Kysely<Database>;

const jsonb = (text: string) => sql<string>`${text}::text::jsonb`;

export interface NewAnalysisRow {
  owner_id: number;
  factor_id: string;
  factor_key: string;
  user_factor_id: number | null;
  /** The market data version to read (a repeat of an earlier analysis); absent: recorded when its run starts. */
  data_version?: string;
  params: string;
}

export async function insertAnalysis(db: Db, row: NewAnalysisRow): Promise<number> {
  const r = await db.insertInto('factor_analyses').values({ ...row, params: jsonb(row.params) }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function setAnalysisRun(db: Db, id: number, runId: number): Promise<void> {
  await db.updateTable('factor_analyses').set({ run_id: runId }).where('id', '=', id).execute();
}

export async function deleteAnalysisRow(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('factor_analyses').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Stores the result of a finished analysis. */
export async function storeAnalysisResult(db: Db, id: number, summary: string, series: string): Promise<void> {
  await db.updateTable('factor_analyses').set({ summary: jsonb(summary), series: jsonb(series), finished_at: sql`now()` }).where('id', '=', id).execute();
}

function selectAnalyses(db: Db) {
  return db
    .selectFrom('factor_analyses as a')
    .leftJoin('runs as r', 'r.id', 'a.run_id')
    .leftJoin('users as u', 'u.id', 'a.owner_id')
    .select(['a.id', 'a.run_id', 'a.owner_id', 'a.factor_id', 'a.factor_key', 'a.user_factor_id', 'a.params', 'a.summary', 'a.data_version', 'a.created_at', 'a.finished_at'])
    .select(['r.status', 'r.progress', 'r.started_at', 'r.finished_at as run_finished_at', 'r.error', 'u.username as owner_name']);
}
export type AnalysisRow = Awaited<ReturnType<ReturnType<typeof selectAnalyses>['executeTakeFirstOrThrow']>>;

export async function findAnalysis(db: Db, id: number): Promise<AnalysisRow | undefined> {
  return selectAnalyses(db).where('a.id', '=', id).executeTakeFirst();
}

/** The stored daily series (JSON) of one analysis, or null before it ends. */
export async function findAnalysisSeries(db: Db, id: number): Promise<unknown> {
  const r = await db.selectFrom('factor_analyses').select('series').where('id', '=', id).executeTakeFirst();
  return r?.series ?? null;
}

/** Analyses of one factor (by its URL id or its stored key), of one owner unless `ownerId` is undefined, newest first. */
export async function listAnalyses(db: Db, f: { factorId: string; factorKey: string; ownerId?: number }, limit: number, offset: number): Promise<{ rows: AnalysisRow[]; total: number }> {
  const match = (q: typeof base) => q.where((eb) => eb.or([eb('a.factor_id', '=', f.factorId), eb('a.factor_key', '=', f.factorKey)]));
  const base = selectAnalyses(db);
  let q = match(base);
  let c = db.selectFrom('factor_analyses as a').select((eb) => eb.fn.countAll<number>().as('n')).where((eb) => eb.or([eb('a.factor_id', '=', f.factorId), eb('a.factor_key', '=', f.factorKey)]));
  if (f.ownerId !== undefined) {
    q = q.where('a.owner_id', '=', f.ownerId);
    c = c.where('a.owner_id', '=', f.ownerId);
  }
  const [rows, counted] = await Promise.all([q.orderBy('a.id', 'desc').limit(limit).offset(offset).execute(), c.executeTakeFirstOrThrow()]);
  return { rows, total: Number(counted.n) };
}

/** Industry and list date (YYYYMMDD) of each code from the market's stock list; null where unknown. */
export async function selectStockFacts(market: MarketStore, codes: readonly string[]): Promise<Map<string, { industry: string | null; listDate: number | null }>> {
  const out = new Map<string, { industry: string | null; listDate: number | null }>();
  if (codes.length === 0) return out;
  const rows = await market.query(
    `select s.ts_code, s.industry, s.list_date from stocks s join (select unnest(string_split($1, ',')) as ts_code) c on c.ts_code = s.ts_code`,
    [codes.join(',')],
  );
  for (const r of rows) out.set(String(r.ts_code), { industry: r.industry === null ? null : String(r.industry), listDate: r.list_date === null ? null : Number(r.list_date) });
  return out;
}
