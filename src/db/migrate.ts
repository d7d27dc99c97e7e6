import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { pgMigrations } from '../../migrations/pg/index.ts';

/** Brings the relational schema to the latest version; concurrent callers are serialised by Kysely's lock table. */
export async function migratePostgres(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => pgMigrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const where = failed ? ` in migration ${failed.migrationName}` : '';
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`postgres migration failed${where}: ${cause}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
