/** SQL for user factors and their versions (Postgres). */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database>;

export function selectFactors(db: Db) {
  return db
    .selectFrom('factors as f')
    .innerJoin('factor_versions as v', (j) => j.onRef('v.factor_id', '=', 'f.id').onRef('v.version', '=', 'f.current_version'))
    .leftJoin('users as u', 'u.id', 'f.owner_id')
    .select(['f.id', 'f.owner_id', 'f.name', 'f.description', 'f.language', 'f.current_version', 'f.created_at', 'f.updated_at', 'v.code', 'u.username as owner_name']);
}
export type FactorRow = Awaited<ReturnType<ReturnType<typeof selectFactors>['executeTakeFirstOrThrow']>>;

export async function findFactor(db: Db, id: number): Promise<FactorRow | undefined> {
  return selectFactors(db).where('f.id', '=', id).executeTakeFirst();
}

/** Factors of one owner (or everyone's when ownerId is undefined), newest change first. */
export async function listFactors(db: Db, ownerId: number | undefined): Promise<FactorRow[]> {
  let q = selectFactors(db);
  if (ownerId !== undefined) q = q.where('f.owner_id', '=', ownerId);
  return q.orderBy('f.updated_at', 'desc').limit(500).execute();
}

export interface FactorValues {
  name: string;
  description: string;
  language: 'js' | 'ts';
  code: string;
}

export async function insertFactor(db: Db, ownerId: number, row: FactorValues): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const { id } = await tx.insertInto('factors').values({ owner_id: ownerId, name: row.name, description: row.description, language: row.language }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('factor_versions').values({ factor_id: id, version: 1, code: row.code }).execute();
    return id;
  });
}

/** Saves a new version when the code changed (else only the descriptive fields); false when the factor is gone. */
export async function updateFactor(db: Db, id: number, row: FactorValues): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const cur = await tx
      .selectFrom('factors as f')
      .innerJoin('factor_versions as v', (j) => j.onRef('v.factor_id', '=', 'f.id').onRef('v.version', '=', 'f.current_version'))
      .select(['f.current_version', 'v.code'])
      .where('f.id', '=', id)
      .forUpdate('f')
      .executeTakeFirst();
    if (!cur) return false;
    let version = cur.current_version;
    if (cur.code !== row.code) {
      version += 1;
      await tx.insertInto('factor_versions').values({ factor_id: id, version, code: row.code }).execute();
    }
    await tx.updateTable('factors').set({ name: row.name, description: row.description, language: row.language, current_version: version, updated_at: sql`now()` }).where('id', '=', id).execute();
    return true;
  });
}

export async function deleteFactor(db: Db, id: number): Promise<boolean> {
  const r = await db.deleteFrom('factors').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listFactorVersions(db: Db, factorId: number) {
  return db.selectFrom('factor_versions').select(['id', 'version', 'created_at']).where('factor_id', '=', factorId).orderBy('version', 'desc').execute();
}

export async function findFactorVersion(db: Db, factorId: number, version: number) {
  return db
    .selectFrom('factor_versions as v')
    .innerJoin('factors as f', 'f.id', 'v.factor_id')
    .select(['v.id', 'v.version', 'v.code', 'v.created_at', 'f.language', 'f.owner_id', 'f.name'])
    .where('v.factor_id', '=', factorId)
    .where('v.version', '=', version)
    .executeTakeFirst();
}
