/**
 * The alerts API's contract: channel and rule bodies, and what it answers (channels with secrets
 * as ••••, rules, delivery-log rows), with the functions mapping the domain to it.
 */
import { z } from '@hono/zod-openapi';
import { instant, instantSchema } from '../http/contract.ts';
import { maxInt4Id, pageQuery, boundedInt } from '../http/input.ts';
import { alertEventKinds, channelKinds, type Channel, type Delivery, type Rule } from './alert.types.ts';
import { DingtalkConfigSchema, EmailConfigSchema, FeishuConfigSchema, WebhookConfigSchema, WecomConfigSchema } from './channel-config.ts';

const nameField = z
  .string()
  .trim()
  .min(1, { message: 'expected a name' })
  .max(100, { message: 'at most 100 characters' })
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.:-]*$/u, { message: 'letters, digits, spaces and _ . : - only' });
const common = { name: nameField, shared: z.boolean().default(false).describe('Users may point their own backtest rules at it'), enabled: z.boolean().default(true) };

export const ChannelInputSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('webhook'), ...common, config: WebhookConfigSchema }).strict(),
    z.object({ kind: z.literal('wecom'), ...common, config: WecomConfigSchema }).strict(),
    z.object({ kind: z.literal('dingtalk'), ...common, config: DingtalkConfigSchema }).strict(),
    z.object({ kind: z.literal('feishu'), ...common, config: FeishuConfigSchema }).strict(),
    z.object({ kind: z.literal('email'), ...common, config: EmailConfigSchema }).strict(),
  ])
  .openapi('AlertChannelInput', { description: 'A channel: its kind and that kind’s settings. Secret settings are stored sealed and answered as ••••.' });
export type ChannelInputBody = z.output<typeof ChannelInputSchema>;

export const ChannelPatchSchema = z
  .object({
    name: nameField.optional(),
    shared: z.boolean().optional(),
    enabled: z.boolean().optional(),
    config: z.record(z.string(), z.unknown()).optional().describe('The kind’s whole settings; a secret sent as •••• or left out keeps its stored value'),
  })
  .strict()
  .openapi('AlertChannelPatch');

export const ChannelSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: z.enum(channelKinds as [string, ...string[]]),
    config: z.record(z.string(), z.unknown()).describe('Settings; each stored secret is ••••'),
    shared: z.boolean(),
    enabled: z.boolean(),
    created_at: instantSchema,
    updated_at: instantSchema,
  })
  .openapi('AlertChannel');
export const ChannelListSchema = z.object({ channels: z.array(ChannelSchema) }).openapi('AlertChannelList');

export const TestResultSchema = z
  .object({ ok: z.boolean(), status_code: z.number().int().nullable().describe('HTTP status, or the SMTP reply code'), error: z.string().nullable(), channel: ChannelSchema })
  .openapi('AlertChannelTestResult');

export const RuleInputSchema = z
  .object({
    name: nameField,
    event: z.enum(alertEventKinds as [string, ...string[]]).describe('run_failed, retries_exhausted (failed on its last attempt), run_late (not started within its grace), sync_partial, backtest_finished (your own)'),
    task_id: z.number().int().min(1).max(maxInt4Id).nullable().default(null).describe('One scheduled task; null or left out: every task'),
    channel_id: z.number().int().min(1).max(maxInt4Id),
    email: z.string().trim().max(320).regex(/^[^\s@<>]+@[^\s@<>]+$/, { message: 'expected an e-mail address such as ops@example.com' }).nullable().default(null).describe('With an e-mail channel: send to this address instead of the channel’s'),
    enabled: z.boolean().default(true),
  })
  .strict()
  .openapi('AlertRuleInput');

export const RuleSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    event: z.enum(alertEventKinds as [string, ...string[]]),
    task_id: z.number().int().nullable(),
    task_name: z.string().nullable(),
    channel_id: z.number().int(),
    channel_name: z.string(),
    email: z.string().nullable(),
    owner_id: z.number().int(),
    owner_name: z.string(),
    enabled: z.boolean(),
    created_at: instantSchema,
  })
  .openapi('AlertRule');
export const RuleListSchema = z.object({ rules: z.array(RuleSchema) }).openapi('AlertRuleList');

export const DeliveriesQuery = pageQuery(500, 100).extend({ channel_id: boundedInt(1, maxInt4Id).optional() });
export const DeliverySchema = z
  .object({
    id: z.number().int(),
    event_id: z.number().int().nullable(),
    event: z.string().nullable().describe('The event kind; null for a test message'),
    channel_id: z.number().int().nullable(),
    channel_name: z.string().nullable(),
    rule_id: z.number().int().nullable(),
    rule_name: z.string().nullable(),
    subject_run_id: z.number().int().nullable().describe('The run the alert is about'),
    run_id: z.number().int().nullable().describe('The alert_delivery run of this attempt; null for a test message'),
    target: z.string(),
    attempt: z.number().int(),
    status_code: z.number().int().nullable(),
    error: z.string().nullable(),
    ok: z.boolean(),
    at: instantSchema,
  })
  .openapi('AlertDelivery');
export const DeliveryListSchema = z.object({ deliveries: z.array(DeliverySchema) }).openapi('AlertDeliveryList');
export const DeletedSchema = z.object({ deleted: z.number().int() }).openapi('AlertDeleted');

export const channelJson = (c: Channel): z.infer<typeof ChannelSchema> => ({
  id: c.id, name: c.name, kind: c.kind, config: c.config, shared: c.shared, enabled: c.enabled, created_at: instant(c.createdAt), updated_at: instant(c.updatedAt),
});
export const ruleJson = (r: Rule): z.infer<typeof RuleSchema> => ({
  id: r.id, name: r.name, event: r.event, task_id: r.taskId, task_name: r.taskName, channel_id: r.channelId, channel_name: r.channelName, email: r.email, owner_id: r.ownerId,
  owner_name: r.ownerName, enabled: r.enabled, created_at: instant(r.createdAt),
});
export const deliveryJson = (d: Delivery): z.infer<typeof DeliverySchema> => ({
  id: d.id, event_id: d.eventId, event: d.eventKind, channel_id: d.channelId, channel_name: d.channelName, rule_id: d.ruleId, rule_name: d.ruleName, subject_run_id: d.subjectRunId,
  run_id: d.runId, target: d.target, attempt: d.attempt, status_code: d.statusCode, error: d.error, ok: d.ok, at: instant(d.at),
});
