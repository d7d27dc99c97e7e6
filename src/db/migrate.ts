import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { pgMigrations } from '../../migrations/pg/index.ts';
import { version } from '../version.ts';
import { migrationStatus, newerSchemaMessage, type MigrationStatus } from './migration-status.ts';
import { appliedPgMigrations } from './migration.repository.ts';

/** Which Postgres migrations are applied, pending, or newer than this code (nothing is changed). */
export async function postgresMigrationStatus(db: Kysely<any>): Promise<MigrationStatus> {
  return migrationStatus(Object.keys(pgMigrations), await appliedPgMigrations(db));
}

/**
 * Brings the relational schema to the latest version; concurrent callers are serialised by Kysely's
 * lock table. A database a newer zquant has migrated is refused with one line, before anything runs.
 */
export async function migratePostgres(db: Kysely<any>): Promise<string[]> {
  const { newer } = await postgresMigrationStatus(db);
  if (newer.length) throw new Error(newerSchemaMessage('postgres', newer, version));
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
