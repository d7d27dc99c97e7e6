import { sql, type Kysely } from 'kysely';

/**
 * User factors (issue 21): code written like a strategy, every saved version kept. A version's values
 * live in the market store's `factor_values` under the key `u<factor id>v<version>`, so a version row
 * is never edited: changed code is a new version (and a new key), old values stay readable.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('factors')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('js').check(sql`language in ('js','ts')`))
    .addColumn('current_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index factors_owner_name on factors (owner_id, lower(name))`.execute(db);
  await db.schema
    .createTable('factor_versions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('factor_id', 'integer', (c) => c.notNull().references('factors.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('factor_versions_unique', ['factor_id', 'version'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('factor_versions').execute();
  await db.schema.dropTable('factors').execute();
}
