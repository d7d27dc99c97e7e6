import type { ColumnType, Generated } from 'kysely';

/**
 * The relational schema as Kysely sees it. Each feature adds its tables here, matching the
 * migrations under migrations/pg (which never import this file).
 */
export interface Database {
  settings: SettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  sync_log: SyncLogTable;
}

export interface SettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Generated<Date>;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  role: 'viewer' | 'analyst' | 'admin';
  disabled: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SessionsTable {
  id: Generated<number>;
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Generated<Date>;
  expires_at: Date;
  revoked_at: Date | null;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: Generated<Date>;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Generated<Date>;
  user_id: number | null;
  username: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: 'success' | 'failure' | 'denied';
  ip: string | null;
  user_agent: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

/** Market-data operations (syncs and imports); see migrations/pg/2026-11-28-200-sync-log.ts. */
export interface SyncLogTable {
  id: Generated<number>;
  source: string;
  endpoint: string | null;
  dataset: string;
  params: ColumnType<unknown, string, string>;
  inserted: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  deleted: Generated<number>;
  result: 'running' | 'success' | 'partial' | 'failed';
  error: string | null;
  last_completed_date: number | null;
  started_at: Generated<Date>;
  finished_at: Date | null;
  duration_ms: number | null;
  run_id: number | null;
}
