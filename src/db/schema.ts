import type { ColumnType, Generated } from 'kysely';

/**
 * The relational schema as Kysely sees it. Each feature adds its tables here, matching the
 * migrations under migrations/pg (which never import this file).
 */
export interface Database {
  settings: SettingsTable;
  sync_log: SyncLogTable;
}

export interface SettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Generated<Date>;
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
