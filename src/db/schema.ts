import type { ColumnType, Generated, Insertable } from 'kysely';
import type { StrategiesTable, StrategyVersionsTable, FactorsTable, FactorVersionsTable, FactorAnalysesTable, BacktestsTable, BacktestResultsTable, SweepsTable, SweepSetClaimsTable, SweepSetsTable, Json } from './schema-research.ts';

export * from './schema-research.ts';

/**
 * The relational schema as Kysely sees it. Each feature adds its tables here, matching the
 * migrations under migrations/pg (which never import this file).
 */
export interface Database {
  settings: SettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_failures: LoginFailuresTable;
  audit_log: AuditLogTable;
  sync_log: SyncLogTable;
  runs: RunsTable;
  run_events: RunEventsTable;
  scheduled_tasks: ScheduledTasksTable;
  task_slot_log: TaskSlotLogTable;
  strategies: StrategiesTable;
  strategy_versions: StrategyVersionsTable;
  factors: FactorsTable;
  factor_versions: FactorVersionsTable;
  factor_analyses: FactorAnalysesTable;
  backtests: BacktestsTable;
  backtest_results: BacktestResultsTable;
  sweeps: SweepsTable;
  sweep_sets: SweepSetsTable;
  sweep_set_claims: SweepSetClaimsTable;
  alert_channels: AlertChannelsTable;
  alert_rules: AlertRulesTable;
  alert_events: AlertEventsTable;
  alert_deliveries: AlertDeliveriesTable;
}

/**
 * The columns a repository's insert sets, each required (a nullable one as an explicit null, a
 * defaulted one given): the one way to spell a table's insert input, derived here, never copied.
 */
export type NewRow<T, K extends keyof T> = Required<Pick<Insertable<T>, K & keyof Insertable<T>>>;

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
  locale: 'zh-CN' | 'en' | null; // the interface language the user chose; null: follow the browser
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

/** One failed sign-in in one scope (the username tried, or the client address). */
export interface LoginFailuresTable {
  id: Generated<number>;
  scope: 'username' | 'ip';
  key: string;
  at: Date;
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
  /** Null: the full access of the user's role; `metrics`: /metrics only (migrations/pg/2026-12-06-650-token-scope.ts). */
  scope: TokenScope | null;
}

/** What a limited token may do: `metrics` reads /metrics and nothing else; `worker` fetches market snapshots and nothing else (migration 900). */
export type TokenScope = 'metrics' | 'worker';

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
  result: 'running' | 'success' | 'partial' | 'failed' | 'abandoned';
  error: string | null;
  last_completed_date: number | null;
  started_at: Generated<Date>;
  finished_at: Date | null;
  duration_ms: number | null;
  run_id: number | null;
  /** The process writing a running row (host:pid:random); see migrations/pg/2026-12-06-530-sync-log-owner.ts. */
  owner: string | null;
  run_attempt: number | null;
  lease_expires_at: Date | null;
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

/** A scheduled task (src/scheduler). Json columns are written as JSON text. */
export interface ScheduledTasksTable {
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  executor: string;
  config: ColumnType<unknown, string, string>;
  schedule: ColumnType<unknown, string, string>;
  timezone: Generated<string>;
  enabled: Generated<boolean>;
  paused: Generated<boolean>;
  overlap: Generated<'skip' | 'queue_one' | 'allow'>;
  max_concurrent: Generated<number>;
  misfire: Generated<'once' | 'each' | 'skip'>;
  max_catch_up: Generated<number>;
  grace_seconds: Generated<number>;
  max_attempts: Generated<number>;
  retry_delay_ms: Generated<number>;
  timeout_ms: number | null;
  owner_id: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  last_slot: ColumnType<Date, Date | string | undefined, Date | string>;
  /** The exchange whose trading days the slots must fall on (src/scheduler/trading-days.ts); null: every slot. */
  trading_days: ColumnType<'SSE' | 'SZSE' | null, 'SSE' | 'SZSE' | null | undefined, 'SSE' | 'SZSE' | null>;
}

/** A slot decision beside (or instead of) a run: skipped on a closed day, or fired without a calendar row. */
export interface TaskSlotLogTable {
  id: Generated<number>;
  task_id: number;
  scheduled_for: Date;
  day: ColumnType<string, string, string>;
  outcome: 'skipped' | 'fired';
  reason: 'market_closed' | 'calendar_missing';
  message: string;
  recorded_at: Generated<Date>;
}

/** A notification channel (src/alerts); `config` holds its settings, secrets sealed (migration 750). */
export interface AlertChannelsTable {
  id: Generated<number>;
  name: string;
  kind: 'webhook' | 'wecom' | 'dingtalk' | 'feishu' | 'email';
  config: Json;
  shared: Generated<boolean>;
  enabled: Generated<boolean>;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** What to alert on and where to (a channel; `email` replaces an e-mail channel's recipients). */
export interface AlertRulesTable {
  id: Generated<number>;
  name: string;
  event: 'run_failed' | 'retries_exhausted' | 'run_late' | 'sync_partial' | 'backtest_finished';
  task_id: number | null;
  channel_id: number;
  email: string | null;
  owner_id: number;
  enabled: Generated<boolean>;
  created_at: Generated<Date>;
}

/** One alert, once per (rule, run, kind) whatever the number of instances. */
export interface AlertEventsTable {
  id: Generated<number>;
  rule_id: number;
  run_id: number;
  kind: string;
  payload: Json;
  delivery_run_id: number | null;
  created_at: Generated<Date>;
}

/** One delivery attempt of an alert (or of a channel's test message). */
export interface AlertDeliveriesTable {
  id: Generated<number>;
  event_id: number | null;
  channel_id: number | null;
  rule_id: number | null;
  run_id: number | null;
  target: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  ok: boolean;
  at: Generated<Date>;
}
