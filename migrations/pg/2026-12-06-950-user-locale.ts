import { sql, type Kysely } from 'kysely';

/**
 * The interface language a user chose on the account page (issue 24). Null, as for every user before:
 * follow the browser's Accept-Language (else zh-CN).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('locale', 'text', (c) => c.check(sql`locale in ('zh-CN', 'en')`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('locale').execute();
}
