import type { Kysely } from 'kysely';

/** Runs and users were built side by side; now that both exist, a run's queuer must be a real user. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('runs')
    .addForeignKeyConstraint('runs_queued_by_fk', ['queued_by'], 'users', ['id'], (c) => c.onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').dropConstraint('runs_queued_by_fk').execute();
}
