import { sql, type Kysely } from 'kysely';
import type { Database, LoginFailuresTable, NewRow } from '../db/schema.ts';

export type FailureScope = LoginFailuresTable['scope'];

export async function insertLoginFailures(db: Kysely<Database>, rows: Array<NewRow<LoginFailuresTable, 'scope' | 'key' | 'at'>>): Promise<void> {
  await db.insertInto('login_failures').values(rows).execute();
}

/**
 * For each (scope, key, limit): the time of the `limit`-th newest failure after `since`, or null
 * when there are fewer (the key may try again). One round trip, one index range per key.
 */
export async function limitingFailures(
  db: Kysely<Database>,
  since: Date,
  checks: ReadonlyArray<{ scope: FailureScope; key: string; limit: number }>,
): Promise<Array<Date | null>> {
  const cols = checks.map(
    (ch, i) =>
      sql`(select at from login_failures where scope = ${ch.scope} and key = ${ch.key} and at > ${since} order by at desc offset ${ch.limit - 1} limit 1) as ${sql.ref(`c${i}`)}`,
  );
  const r = await sql<Record<string, Date | string | null>>`select ${sql.join(cols)}`.execute(db);
  return checks.map((_, i) => {
    const v = r.rows[0][`c${i}`];
    return v === null ? null : new Date(v);
  });
}

export async function deleteLoginFailures(db: Kysely<Database>, scope: FailureScope, key: string): Promise<void> {
  await db.deleteFrom('login_failures').where('scope', '=', scope).where('key', '=', key).execute();
}

/** Deletes failures at or before `before` (out of every window); how many. */
export async function pruneLoginFailures(db: Kysely<Database>, before: Date): Promise<number> {
  const r = await db.deleteFrom('login_failures').where('at', '<=', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
