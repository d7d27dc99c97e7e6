import { sql, type Kysely } from 'kysely';

/**
 * The API names every field in snake_case (issue 18), including the JSON the server stored before:
 * `zq_snake_keys(jsonb)` rewrites the keys of a JSON value, at every depth, from camelCase to
 * snake_case (`ownerId` → `owner_id`, `revokedApiKeys` → `revoked_api_keys`); values are kept.
 * Audit details written before are rewritten here; later migrations may use the function for
 * other stored JSON. Nothing is dropped: a key that is already snake_case stays as it is.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function zq_snake_keys(v jsonb) returns jsonb
    language sql immutable strict as $$
      select case jsonb_typeof(v)
        when 'object' then coalesce(
          (select jsonb_object_agg(lower(regexp_replace(k, '([a-z0-9])([A-Z])', '\\1_\\2', 'g')), zq_snake_keys(x)) from jsonb_each(v) as e(k, x)),
          '{}'::jsonb)
        when 'array' then coalesce((select jsonb_agg(zq_snake_keys(x) order by i) from jsonb_array_elements(v) with ordinality as a(x, i)), '[]'::jsonb)
        else v
      end
    $$`.execute(db);
  await sql`update audit_log set details = zq_snake_keys(details) where details::text ~ '"[a-z0-9]+[A-Z][A-Za-z0-9]*":'`.execute(db);
}

export async function down(): Promise<void> {
  // The old keys are not restored: the camelCase names are gone from the code that read them.
}
