import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** The id of the key the database's secrets are sealed with; null before the first secret is stored. */
export async function selectSecretKeyId(db: Kysely<Database>): Promise<string | null> {
  const r = await sql<{ value: unknown }>`select value #>> '{}' as value from settings where key = 'secrets.key_id'`.execute(db);
  return r.rows.length ? String(r.rows[0].value) : null;
}

/** Records `keyId` as the database's secret key when none is recorded; returns the recorded one. */
export async function claimSecretKeyId(db: Kysely<Database>, keyId: string): Promise<string> {
  await sql`insert into settings (key, value) values ('secrets.key_id', to_jsonb(${keyId}::text)) on conflict (key) do nothing`.execute(db);
  return (await selectSecretKeyId(db))!;
}
