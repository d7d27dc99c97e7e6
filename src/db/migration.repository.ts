import { sql, type Kysely } from 'kysely';

/**
 * The names of the Postgres migrations applied (Kysely's own table), none on a fresh database.
 * Read without Kysely's Migrator, which would refuse a database with names it does not know
 * before we could say why.
 */
export async function appliedPgMigrations(db: Kysely<any>): Promise<string[]> {
  const exists = await sql<{ t: string | null }>`select to_regclass('kysely_migration')::text as t`.execute(db);
  if (!exists.rows[0]?.t) return [];
  const rows = await db.selectFrom('kysely_migration').select('name').execute();
  return rows.map((r: { name: string }) => r.name);
}
