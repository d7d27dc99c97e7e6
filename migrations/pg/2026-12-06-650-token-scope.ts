import { sql, type Kysely } from 'kysely';

/**
 * A token may be limited to one scope: `metrics` lets it read /metrics and nothing else (what a
 * Prometheus server holds). Null, as for every token before, is the full access of its user's role.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('api_tokens')
    .addColumn('scope', 'text', (c) => c.check(sql`scope in ('metrics')`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').dropColumn('scope').execute();
}
