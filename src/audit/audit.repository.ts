import type { Kysely } from 'kysely';
import type { AuditLogTable, Database, NewRow } from '../db/schema.ts';

/** An audit entry as written: every column but the generated id and time (details as JSON text). */
export type AuditRowInsert = NewRow<AuditLogTable, 'user_id' | 'username' | 'action' | 'object_type' | 'object_id' | 'outcome' | 'ip' | 'user_agent' | 'details'>;

export async function insertAuditRow(db: Kysely<Database>, row: AuditRowInsert): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

export interface AuditQuery {
  username: string | null;
  action: string | null;
  outcome: AuditLogTable['outcome'] | null;
  from: Date | null;
  /** Exclusive upper bound. */
  to: Date | null;
  limit: number;
  offset: number;
}

function filtered(db: Kysely<Database>, q: AuditQuery) {
  let query = db.selectFrom('audit_log');
  if (q.username) query = query.where('username', '=', q.username);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.outcome) query = query.where('outcome', '=', q.outcome);
  if (q.from) query = query.where('at', '>=', q.from);
  if (q.to) query = query.where('at', '<', q.to);
  return query;
}

export async function selectAuditRows(db: Kysely<Database>, q: AuditQuery) {
  return filtered(db, q).selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
}

export async function countAuditRows(db: Kysely<Database>, q: AuditQuery): Promise<number> {
  const row = await filtered(db, q).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function selectAuditActions(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute();
  return rows.map((r) => r.action);
}
