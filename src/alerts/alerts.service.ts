import type { Kysely } from 'kysely';
import { audit, type AuditActor } from '../audit/audit.service.ts';
import { roleAtLeast } from '../auth/access.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import { RunError } from '../runs/executor-registry.ts';
import type { RunsService } from '../runs/runs.service.ts';
import { SecretUnavailableError, type SecretBox } from '../secrets/secret-box.ts';
import type { AlertEventKind, AlertPayload, Channel, ChannelKind, Delivery, Rule, SendOutcome } from './alert.types.ts';
import * as repo from './alerts.repository.ts';
import { maskChannelConfig, openChannelConfig, sealChannelConfig } from './channel-config.ts';
import { sendAlert } from './senders.ts';
import { alertLocale, alertText, testText } from './alert-text.ts';
import type { Locale } from '../i18n/locale.ts';

/** What alerts need: the database, the instance key (channel secrets) and the run machinery (deliveries are runs). */
export interface AlertsDeps {
  db: Kysely<Database>;
  secrets: SecretBox | null;
  runs: RunsService;
}

/** How many attempts a delivery gets, and its first retry delay (doubling, capped by RUN_MAX_RETRY_DELAY_MS). */
export const deliveryMaxAttempts = 5;
export const deliveryRetryDelayMs = 5_000;
/** How far back a scan looks for runs that ended (a server down longer misses older events). */
export const scanLookbackSeconds = 24 * 3600;

/** A jsonb value as read: an object under PGlite, JSON text under some postgres.js settings. */
function jsonOf<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}
type Settings = Record<string, unknown>;

const toChannel = (r: repo.ChannelRow): Channel => ({
  id: Number(r.id), name: r.name, kind: r.kind, config: maskChannelConfig(r.kind, jsonOf<Settings>(r.config)), shared: r.shared, enabled: r.enabled, createdAt: r.created_at, updatedAt: r.updated_at,
});

/** Admins see every channel; others the shared, enabled ones they may point their rules at. */
export async function listChannels(deps: Pick<AlertsDeps, 'db'>, who: Principal): Promise<Channel[]> {
  return (await repo.listChannels(deps.db, { sharedOnly: !roleAtLeast(who.role, 'admin') })).map(toChannel);
}

export interface ChannelInput {
  name: string;
  kind: ChannelKind;
  config: Record<string, unknown>;
  shared: boolean;
  enabled: boolean;
}

export async function createChannel(deps: AlertsDeps, actor: AuditActor, input: ChannelInput): Promise<Channel> {
  const config = sealChannelConfig(input.kind, input.config, null, deps.secrets);
  const row = await repo.insertChannel(deps.db, { name: input.name, kind: input.kind, config: JSON.stringify(config), shared: input.shared, enabled: input.enabled, created_by: actor.userId });
  if (!row) throw new AppError(409, 'name_taken', `name: a channel named "${input.name}" exists; choose another name or edit that one`, { field: 'name' });
  await audit(deps.db, actor, { action: 'alert_channel.create', outcome: 'success', objectType: 'alert_channel', objectId: row.id, details: { name: row.name, kind: row.kind } });
  return toChannel(row);
}

export async function updateChannel(deps: AlertsDeps, actor: AuditActor, id: number, patch: Partial<Omit<ChannelInput, 'kind'>>): Promise<Channel> {
  const stored = await repo.findChannel(deps.db, id);
  if (!stored) throw new AppError(404, 'not_found', `no alert channel with id ${id}`);
  if (patch.name !== undefined && patch.name !== stored.name && (await repo.channelNameTaken(deps.db, patch.name, id))) {
    throw new AppError(409, 'name_taken', `name: a channel named "${patch.name}" exists; choose another name`, { field: 'name' });
  }
  const config = patch.config ? sealChannelConfig(stored.kind, patch.config, jsonOf<Settings>(stored.config), deps.secrets) : null;
  const row = await repo.updateChannel(deps.db, id, {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.shared !== undefined ? { shared: patch.shared } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
    ...(config ? { config: JSON.stringify(config) } : {}),
  });
  if (!row) throw new AppError(404, 'not_found', `no alert channel with id ${id}`);
  await audit(deps.db, actor, { action: 'alert_channel.update', outcome: 'success', objectType: 'alert_channel', objectId: id, details: { fields: Object.keys(patch) } });
  return toChannel(row);
}

export async function deleteChannel(deps: AlertsDeps, actor: AuditActor, id: number): Promise<void> {
  if (!(await repo.deleteChannel(deps.db, id))) throw new AppError(404, 'not_found', `no alert channel with id ${id}`);
  await audit(deps.db, actor, { action: 'alert_channel.delete', outcome: 'success', objectType: 'alert_channel', objectId: id });
}

/**
 * Sends a test message now (not through the run machinery, so the caller sees the outcome) and logs
 * it. In `locale`: the server's DEFAULT_LOCALE, as every channel alert is.
 */
export async function testChannel(deps: AlertsDeps, actor: AuditActor, id: number, locale: Locale): Promise<SendOutcome & { channel: Channel }> {
  const row = await repo.findChannel(deps.db, id);
  if (!row) throw new AppError(404, 'not_found', `no alert channel with id ${id}`);
  const payload: AlertPayload = { kind: 'test', locale, ...testText(row.name, actor.username ?? null, locale), rule: null, run: null, at: new Date().toISOString() };
  const outcome = await sendOpened(deps, row, payload, null, undefined);
  await repo.insertDelivery(deps.db, { event_id: null, channel_id: row.id, rule_id: null, run_id: null, target: targetOf(row, null), attempt: 1, status_code: outcome.statusCode, error: outcome.error, ok: outcome.ok });
  return { ...outcome, channel: toChannel(row) };
}

async function sendOpened(deps: Pick<AlertsDeps, 'secrets'>, row: Pick<repo.ChannelRow, 'kind' | 'config'>, payload: AlertPayload, emailTo: string | null, signal: AbortSignal | undefined): Promise<SendOutcome> {
  let opened;
  try {
    opened = openChannelConfig(row.kind, jsonOf<Settings>(row.config), deps.secrets);
  } catch (err) {
    if (err instanceof SecretUnavailableError || err instanceof AppError) return { ok: false, statusCode: null, error: err.message };
    throw err;
  }
  return sendAlert(opened, payload, { signal, emailTo });
}

/** What the delivery log names as the target: the kind and, for e-mail, the recipients (never a URL: bot URLs hold keys). */
function targetOf(row: Pick<repo.ChannelRow, 'kind' | 'config'>, emailTo: string | null): string {
  if (row.kind !== 'email') return row.kind;
  return `email ${emailTo ?? (jsonOf<{ to?: string[] }>(row.config).to ?? []).join(', ')}`;
}

const toRule = (r: NonNullable<Awaited<ReturnType<typeof repo.findRule>>>): Rule => ({
  id: Number(r.id), name: r.name, event: r.event, taskId: r.task_id, taskName: r.task_name, channelId: Number(r.channel_id), channelName: r.channel_name, email: r.email,
  ownerId: r.owner_id, ownerName: r.owner_name, enabled: r.enabled, createdAt: r.created_at,
});

/** Admins see every rule; others their own. */
export async function listRules(deps: Pick<AlertsDeps, 'db'>, who: Principal): Promise<Rule[]> {
  return (await repo.listRules(deps.db, { ownerId: roleAtLeast(who.role, 'admin') ? null : who.userId })).map(toRule);
}

export interface RuleInput {
  name: string;
  event: AlertEventKind;
  taskId: number | null;
  channelId: number;
  email: string | null;
  enabled: boolean;
}

/**
 * Admins make any rule. Others only `backtest_finished` rules (their own backtests) on a shared,
 * enabled channel; `email` replaces an e-mail channel's recipients.
 */
export async function createRule(deps: AlertsDeps, who: Principal, actor: AuditActor, input: RuleInput): Promise<Rule> {
  const admin = roleAtLeast(who.role, 'admin');
  if (!admin && input.event !== 'backtest_finished') {
    throw new AppError(403, 'forbidden', `event: only admins make ${input.event} rules; you may make backtest_finished rules for your own backtests`, { field: 'event' });
  }
  if (input.event === 'backtest_finished' && input.taskId !== null) {
    throw new AppError(400, 'invalid_request', 'task_id: backtest_finished rules cover your own backtests; leave task_id out', { field: 'task_id' });
  }
  if (input.taskId !== null && !(await repo.taskExists(deps.db, input.taskId))) {
    throw new AppError(400, 'invalid_request', `task_id: no scheduled task with id ${input.taskId}; leave it out for every task`, { field: 'task_id' });
  }
  const channel = await repo.findChannel(deps.db, input.channelId);
  if (!channel || (!admin && !(channel.shared && channel.enabled))) {
    throw new AppError(400, 'invalid_request', `channel_id: no ${admin ? '' : 'shared '}alert channel with id ${input.channelId}; GET /api/v1/alerts/channels lists them`, { field: 'channel_id' });
  }
  if (input.email !== null && channel.kind !== 'email') {
    throw new AppError(400, 'invalid_request', `email: channel "${channel.name}" is a ${channel.kind} channel; an address goes with an e-mail channel, or leave email out`, { field: 'email' });
  }
  const id = await repo.insertRule(deps.db, { name: input.name, event: input.event, task_id: input.taskId, channel_id: input.channelId, email: input.email, owner_id: who.userId, enabled: input.enabled });
  await audit(deps.db, actor, { action: 'alert_rule.create', outcome: 'success', objectType: 'alert_rule', objectId: id, details: { event: input.event, channel_id: input.channelId } });
  return toRule((await repo.findRule(deps.db, id))!);
}

/** A rule someone else owns is not there for a non-admin (404, not 403). */
export async function deleteRule(deps: AlertsDeps, who: Principal, actor: AuditActor, id: number): Promise<void> {
  const rule = await repo.findRule(deps.db, id);
  if (!rule || (!roleAtLeast(who.role, 'admin') && rule.owner_id !== who.userId)) throw new AppError(404, 'not_found', `no alert rule with id ${id}`);
  await repo.deleteRule(deps.db, id);
  await audit(deps.db, actor, { action: 'alert_rule.delete', outcome: 'success', objectType: 'alert_rule', objectId: id });
}

export async function listDeliveries(deps: Pick<AlertsDeps, 'db'>, o: { limit: number; offset: number; channelId: number | null }): Promise<Delivery[]> {
  return (await repo.listDeliveries(deps.db, o)).map((d) => ({
    id: Number(d.id), eventId: d.event_id === null ? null : Number(d.event_id), eventKind: d.event_kind, channelId: d.channel_id, channelName: d.channel_name, ruleId: d.rule_id, ruleName: d.rule_name,
    subjectRunId: d.subject_run_id === null ? null : Number(d.subject_run_id), runId: d.run_id === null ? null : Number(d.run_id), target: d.target, attempt: d.attempt, statusCode: d.status_code,
    error: d.error, ok: d.ok, at: d.at,
  }));
}

/** What a scan needs: the database, the run machinery, and the server's DEFAULT_LOCALE (channel alerts are written in it). */
export type ScanDeps = Pick<AlertsDeps, 'db' | 'runs'> & { defaultLocale: Locale };

/**
 * Looks for runs some rule should alert on, records each event once (alert_events' unique key:
 * any number of instances may scan at once) and queues one alert_delivery run per event, in the
 * same transaction as its event. Returns the events this scan recorded.
 */
export async function scanAlerts(deps: ScanDeps, o: { lookbackSeconds?: number; limit?: number } = {}): Promise<number[]> {
  const candidates = await repo.alertCandidates(deps.db, o.lookbackSeconds ?? scanLookbackSeconds, o.limit ?? 500);
  const recorded: number[] = [];
  for (const c of candidates) {
    const id = await deps.db.transaction().execute(async (trx) => {
      const eventId = await repo.insertEvent(trx, { rule_id: c.rule_id, run_id: c.run_id, kind: c.kind, payload: JSON.stringify(payloadOf(c, alertLocale(c.kind, c.owner_locale, deps.defaultLocale))) });
      if (eventId === null) return null;
      const run = await deps.runs.queueRun({ executor: 'alert_delivery', params: { event_id: eventId }, queuedBy: null, maxAttempts: deliveryMaxAttempts, retryDelayMs: deliveryRetryDelayMs }, trx);
      await repo.setEventDeliveryRun(trx, eventId, run.id);
      return eventId;
    });
    if (id !== null) recorded.push(id);
  }
  return recorded;
}

/** The event's payload: its words in `locale` (alert-text.ts), and the run's facts for machines (ISO times, codes). */
function payloadOf(c: repo.CandidateRow, locale: Locale): AlertPayload {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  const { title, lines } = alertText({
    kind: c.kind, ruleName: c.rule_name, runId: c.run_id, executor: c.executor, status: c.status, attempt: c.attempt, maxAttempts: c.max_attempts, taskName: c.task_name,
    graceSeconds: c.grace_seconds, scheduledFor: c.scheduled_for, startedAt: c.started_at, finishedAt: c.finished_at, errorMessage: c.error_message,
  }, locale);
  return {
    kind: c.kind, locale, title, lines, rule: { id: c.rule_id, name: c.rule_name },
    run: {
      id: c.run_id, executor: c.executor, status: c.status, attempt: c.attempt, max_attempts: c.max_attempts, task_id: c.task_id, task_name: c.task_name,
      scheduled_for: iso(c.scheduled_for), started_at: iso(c.started_at), finished_at: iso(c.finished_at), error: c.error_message,
    },
    at: new Date().toISOString(),
  };
}

/**
 * One attempt to deliver an event (the alert_delivery executor's body): sends it, logs the attempt,
 * and throws a retryable RunError when the channel did not take it, so the run machinery retries.
 */
export async function deliverEvent(deps: Pick<AlertsDeps, 'db' | 'secrets'>, eventId: number, ctx: { runId: number; attempt: number; signal: AbortSignal }): Promise<{ channel_id: number; status_code: number | null }> {
  const e = await repo.findEventForDelivery(deps.db, eventId);
  if (!e) throw new RunError('event_gone', `alert event ${eventId} no longer exists (its rule, channel or run was deleted)`, { retryable: false });
  if (!e.enabled) throw new RunError('channel_disabled', `channel "${e.channel_name}" is disabled; nothing sent`, { retryable: false });
  const row = { kind: e.channel_kind, config: e.config };
  const outcome = await sendOpened(deps, row, jsonOf<AlertPayload>(e.payload), e.email, ctx.signal);
  await repo.insertDelivery(deps.db, {
    event_id: Number(e.id), channel_id: e.channel_id, rule_id: e.rule_id, run_id: ctx.runId, target: targetOf(row, e.email), attempt: ctx.attempt, status_code: outcome.statusCode, error: outcome.error, ok: outcome.ok,
  });
  if (!outcome.ok) throw new RunError('delivery_failed', `channel "${e.channel_name}": ${outcome.error}`, { retryable: true });
  return { channel_id: e.channel_id, status_code: outcome.statusCode };
}

/** The scheduled tasks a rule may name (the admin page's choice). */
export async function ruleTaskChoices(deps: Pick<AlertsDeps, 'db'>): Promise<Array<{ id: number; name: string }>> {
  return (await repo.taskChoices(deps.db)).map((t) => ({ id: Number(t.id), name: t.name }));
}
