import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { AppEnv } from '../http/env.ts';
import { clientIp } from '../http/client.ts';
import { countAuditRows, insertAuditRow, selectAuditActions, selectAuditRows, type AuditQuery } from './audit.repository.ts';

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** Who acted and from where; `auditActor(c)` builds it from a request. */
export interface AuditActor {
  userId: number | null;
  username: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEntry {
  /** Dotted verb, e.g. 'auth.login', 'user.create', 'token.revoke', 'backtest.delete', 'task.trigger'. */
  action: string;
  outcome: AuditOutcome;
  objectType?: string | null;
  objectId?: string | number | null;
  /** Context worth keeping. Never passwords, tokens or strategy code: keys that look secret are dropped. */
  details?: Record<string, unknown>;
}

const secretKeys = /pass(word)?|secret|token|authorization|cookie|code|session|csrf/i;

function scrub(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (secretKeys.test(k)) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? scrub(v as Record<string, unknown>) : v;
  }
  return out;
}

/** The caller of a request as an audit actor (user when signed in, always ip and user agent). */
export function auditActor(c: Context<AppEnv>, trustProxy: boolean): AuditActor {
  const p = c.get('principal');
  return {
    userId: p?.userId ?? null,
    username: p?.username ?? null,
    ip: clientIp(c, trustProxy),
    userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null,
  };
}

/**
 * Writes one audit row. Every feature calls this for deletions, triggers, cancellations and other
 * changes worth a trail: `await audit(db, auditActor(c, config.trustProxy), { action: 'backtest.delete',
 * outcome: 'success', objectType: 'backtest', objectId: id })`.
 */
export async function audit(db: Kysely<Database>, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await insertAuditRow(db, {
    user_id: actor.userId,
    username: actor.username,
    action: entry.action,
    object_type: entry.objectType ?? null,
    object_id: entry.objectId === undefined || entry.objectId === null ? null : String(entry.objectId),
    outcome: entry.outcome,
    ip: actor.ip,
    user_agent: actor.userAgent,
    details: JSON.stringify(scrub(entry.details ?? {})),
  });
}

export interface AuditRecord {
  id: number;
  at: Date;
  userId: number | null;
  username: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  outcome: AuditOutcome;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

export interface AuditPage {
  rows: AuditRecord[];
  total: number;
  page: number;
  pageSize: number;
  actions: string[];
}

export type AuditFilters = Omit<AuditQuery, 'limit' | 'offset'>;

export async function listAudit(db: Kysely<Database>, filters: AuditFilters, page: number, pageSize: number): Promise<AuditPage> {
  const q: AuditQuery = { ...filters, limit: pageSize, offset: (page - 1) * pageSize };
  const [rows, total, actions] = await Promise.all([selectAuditRows(db, q), countAuditRows(db, q), selectAuditActions(db)]);
  return {
    rows: rows.map((r) => ({
      id: Number(r.id),
      at: new Date(r.at),
      userId: r.user_id === null ? null : Number(r.user_id),
      username: r.username,
      action: r.action,
      objectType: r.object_type,
      objectId: r.object_id,
      outcome: r.outcome,
      ip: r.ip,
      userAgent: r.user_agent,
      details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
    })),
    total,
    page,
    pageSize,
    actions,
  };
}
