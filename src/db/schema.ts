import type { ColumnType, Generated } from 'kysely';

/**
 * The relational schema as Kysely sees it. Each feature adds its tables here, matching the
 * migrations under migrations/pg (which never import this file).
 */
export interface Database {
  settings: SettingsTable;
  runs: RunsTable;
  run_events: RunEventsTable;
}

export interface SettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Generated<Date>;
}

/** One unit of work of the run machinery (src/runs). Json columns are written as JSON text. */
export interface RunsTable {
  id: Generated<number>;
  executor: string;
  params: ColumnType<unknown, string, string>;
  status: 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled' | 'abandoned';
  attempt: Generated<number>;
  max_attempts: Generated<number>;
  retry_delay_ms: Generated<number>;
  priority: Generated<number>;
  task_id: number | null;
  scheduled_for: Date | null;
  parent_run_id: number | null;
  retry_of_run_id: number | null;
  queued_by: number | null;
  queued_at: Generated<Date>;
  run_after: Generated<Date>;
  started_at: Date | null;
  finished_at: Date | null;
  timeout_ms: number | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  heartbeat_at: Date | null;
  control: 'cancel' | 'pause' | null;
  progress: ColumnType<unknown, string | null, string | null>;
  result: ColumnType<unknown, string | null, string | null>;
  error: ColumnType<unknown, string | null, string | null>;
  checkpoint: ColumnType<unknown, string | null, string | null>;
  event_seq: Generated<number>;
}

/** The per-run event history: status changes, progress, log lines; `seq` is the SSE id. */
export interface RunEventsTable {
  run_id: number;
  seq: number;
  kind: 'status' | 'progress' | 'log';
  at: Generated<Date>;
  data: ColumnType<unknown, string, string>;
}
