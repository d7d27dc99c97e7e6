import { sql, type Kysely } from 'kysely';

/**
 * Failed sign-ins, one row per failure and scope (the username tried, the client address), so every
 * instance on one database counts the same sliding window. Rows older than the window are pruned.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('username', 'ip')`))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  // The window's count and its oldest-relevant failure: one index range per (scope, key).
  await db.schema.createIndex('login_failures_scope_key_at').on('login_failures').columns(['scope', 'key', 'at']).execute();
  // Pruning by age.
  await db.schema.createIndex('login_failures_at').on('login_failures').column('at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_failures').execute();
}
