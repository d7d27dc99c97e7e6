/** The alerts domain (camelCase), as services, executors and pages see it. */

export type ChannelKind = 'webhook' | 'wecom' | 'dingtalk' | 'feishu' | 'email';
export const channelKinds: readonly ChannelKind[] = ['webhook', 'wecom', 'dingtalk', 'feishu', 'email'];

export type AlertEventKind = 'run_failed' | 'retries_exhausted' | 'run_late' | 'sync_partial' | 'backtest_finished';
export const alertEventKinds: readonly AlertEventKind[] = ['run_failed', 'retries_exhausted', 'run_late', 'sync_partial', 'backtest_finished'];

/** A channel with its secret settings replaced by `secretMask` (what answers and pages show). */
export interface Channel {
  id: number;
  name: string;
  kind: ChannelKind;
  /** Settings; each secret one is `••••` when stored, absent otherwise. */
  config: Record<string, unknown>;
  shared: boolean;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Rule {
  id: number;
  name: string;
  event: AlertEventKind;
  /** null: every scheduled task (or, for backtest_finished, every backtest of the owner). */
  taskId: number | null;
  taskName: string | null;
  channelId: number;
  channelName: string;
  email: string | null;
  ownerId: number;
  ownerName: string;
  enabled: boolean;
  createdAt: Date;
}

export interface Delivery {
  id: number;
  eventId: number | null;
  eventKind: string | null;
  channelId: number | null;
  channelName: string | null;
  ruleId: number | null;
  ruleName: string | null;
  /** The run the alert is about (null for a channel's test message). */
  subjectRunId: number | null;
  /** The alert_delivery run that made this attempt (null for a test message). */
  runId: number | null;
  target: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  ok: boolean;
  at: Date;
}

/** What an alert says, built once when its event is recorded (alert_events.payload). */
export interface AlertPayload {
  kind: AlertEventKind | 'test';
  /** The language title and lines are written in (absent in payloads recorded before it was: English). */
  locale?: 'zh-CN' | 'en';
  title: string;
  /** Plain lines, newest facts first; bots render them as a list. */
  lines: string[];
  rule: { id: number; name: string } | null;
  run: {
    id: number;
    executor: string;
    status: string;
    attempt: number;
    max_attempts: number;
    task_id: number | null;
    task_name: string | null;
    scheduled_for: string | null;
    started_at: string | null;
    finished_at: string | null;
    error: string | null;
  } | null;
  at: string;
}

/** How one delivery attempt went. */
export interface SendOutcome {
  ok: boolean;
  statusCode: number | null;
  /** Why it failed (never a URL or secret), or null. */
  error: string | null;
}
