/** SQL for user strategies and their versions. */
import { sql, type Kysely } from 'kysely';
import type { Database, NewRow, StrategiesTable, StrategyVersionsTable } from '../db/schema.ts';

type Db = Kysely<Database>;

const jsonbOrNull = (text: string | null) => (text === null ? null : sql<string>`${text}::text::jsonb`);

export function selectStrategies(db: Db) {
  return db
    .selectFrom('strategies as s')
    .innerJoin('strategy_versions as v', (j) => j.onRef('v.strategy_id', '=', 's.id').onRef('v.version', '=', 's.current_version'))
    .leftJoin('users as u', 'u.id', 's.owner_id')
    .select(['s.id', 's.owner_id', 's.name', 's.description', 's.category', 's.language', 's.current_version', 's.created_at', 's.updated_at', 'v.id as version_id', 'v.code', 'v.params_schema', 'u.username as owner_name']);
}
export type StrategyRow = Awaited<ReturnType<ReturnType<typeof selectStrategies>['executeTakeFirstOrThrow']>>;

export async function findStrategy(db: Db, id: number): Promise<StrategyRow | undefined> {
  return selectStrategies(db).where('s.id', '=', id).executeTakeFirst();
}

export async function listStrategies(db: Db, f: { ownerId?: number; q?: string; category?: string }): Promise<StrategyRow[]> {
  let q = selectStrategies(db);
  if (f.ownerId !== undefined) q = q.where('s.owner_id', '=', f.ownerId);
  if (f.category) q = q.where('s.category', '=', f.category);
  if (f.q) {
    const like = `%${f.q.replace(/[%_\\]/g, (m) => '\\' + m)}%`;
    q = q.where((eb) => eb.or([eb('s.name', 'ilike', like), eb('s.description', 'ilike', like)]));
  }
  return q.orderBy('s.updated_at', 'desc').limit(500).execute();
}

/** A strategy's own fields and the code of its new version (params_schema as JSON text), as written. */
export type StrategyValues = NewRow<StrategiesTable, 'name' | 'description' | 'category' | 'language'> & NewRow<StrategyVersionsTable, 'code' | 'params_schema'>;

export async function insertStrategy(db: Db, row: StrategyValues & NewRow<StrategiesTable, 'owner_id'>): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const { code, params_schema, ...s } = row;
    const { id } = await tx.insertInto('strategies').values(s).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('strategy_versions').values({ strategy_id: id, version: 1, code, params_schema: jsonbOrNull(params_schema) }).execute();
    return id;
  });
}

/** Saves a new version (the code changed) or only the descriptive fields; false when the strategy is gone (deleted meanwhile). */
export async function updateStrategy(db: Db, id: number, row: StrategyValues): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const cur = await tx.selectFrom('strategies as s').innerJoin('strategy_versions as v', (j) => j.onRef('v.strategy_id', '=', 's.id').onRef('v.version', '=', 's.current_version')).select(['s.current_version', 'v.code']).where('s.id', '=', id).forUpdate('s').executeTakeFirst();
    if (!cur) return false;
    let version = cur.current_version;
    if (cur.code !== row.code) {
      version += 1;
      await tx.insertInto('strategy_versions').values({ strategy_id: id, version, code: row.code, params_schema: jsonbOrNull(row.params_schema) }).execute();
    }
    await tx.updateTable('strategies').set({ name: row.name, description: row.description, category: row.category, language: row.language, current_version: version, updated_at: sql`now()` }).where('id', '=', id).execute();
    return true;
  });
}

/** Whether a row was deleted. */
export async function deleteStrategy(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('strategies').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listVersions(db: Db, strategyId: number) {
  return db.selectFrom('strategy_versions').select(['id', 'version', 'created_at']).where('strategy_id', '=', strategyId).orderBy('version', 'desc').execute();
}

export async function findVersion(db: Db, versionId: number) {
  return db.selectFrom('strategy_versions').selectAll().where('id', '=', versionId).executeTakeFirst();
}

/** The language a strategy is written in (undefined when the strategy is gone). */
export async function findStrategyLanguage(db: Db, id: number): Promise<'js' | 'ts' | undefined> {
  const s = await db.selectFrom('strategies').select('language').where('id', '=', id).executeTakeFirst();
  return s?.language;
}

/** Whether any backtest records a code version of this strategy (deleting it would orphan them). */
export async function strategyHasBacktests(db: Db, id: number): Promise<boolean> {
  const used = await db.selectFrom('backtests').select('id').where('strategy_id', '=', id).limit(1).executeTakeFirst();
  return used !== undefined;
}
