import { sql, type Kysely, type Updateable } from 'kysely';
import type { Database, NewRow, UsersTable } from '../db/schema.ts';

export async function selectUserByUsername(db: Kysely<Database>, username: string) {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function selectUserById(db: Kysely<Database>, id: number) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function selectUsers(db: Kysely<Database>) {
  return db.selectFrom('users').selectAll().orderBy('username').execute();
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Active admins, locked so two concurrent demotions cannot both pass the last-admin check. */
export async function lockActiveAdminIds(db: Kysely<Database>): Promise<number[]> {
  const rows = await db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', false).forUpdate().execute();
  return rows.map((r) => Number(r.id));
}

/** Inserts a user; null when the username is taken. */
export async function insertUser(db: Kysely<Database>, row: NewRow<UsersTable, 'username' | 'password_hash' | 'role'>) {
  return db.insertInto('users').values(row).onConflict((oc) => oc.column('username').doNothing()).returningAll().executeTakeFirst();
}

export async function updateUser(
  db: Kysely<Database>,
  id: number,
  changes: Pick<Updateable<UsersTable>, 'role' | 'disabled' | 'password_hash' | 'locale'>,
) {
  return db
    .updateTable('users')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Serialises first-start admin creation across instances sharing one database. */
export async function lockFirstStart(db: Kysely<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(7310231)`.execute(db);
}
