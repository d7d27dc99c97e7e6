import { auditActor } from '../audit/audit.service.ts';
import { principalOf, requireRole } from '../auth/access.ts';
import { makeApiRouter } from '../http/api.ts';
import { errors, json, operation } from '../http/contract.ts';
import { idParam as strictIdParam, maxInt4Id } from '../http/input.ts';
import type { AlertEventKind } from './alert.types.ts';
import {
  ChannelInputSchema, ChannelListSchema, ChannelPatchSchema, ChannelSchema, channelJson, DeletedSchema, DeliveriesQuery, DeliveryListSchema, deliveryJson, RuleInputSchema, RuleListSchema,
  RuleSchema, ruleJson, TestResultSchema,
} from './alerts.contract.ts';
import * as svc from './alerts.service.ts';

/**
 * /api/v1/alerts: channels (admins; others list the shared ones), rules (admins any; others
 * backtest_finished rules of their own) and the delivery log (admins).
 */
export interface AlertsApiDeps extends svc.AlertsDeps {
  trustProxy: boolean;
}

const idParam = strictIdParam(maxInt4Id);
const tags = ['alerts'];

export function alertsApi(deps: AlertsApiDeps) {
  const api = makeApiRouter();
  const actor = (c: Parameters<typeof principalOf>[0]) => auditActor(c, deps.trustProxy);

  api.openapi(
    operation({
      method: 'get', path: '/alerts/channels', operationId: 'listAlertChannels', summary: 'Alert channels', tags, middleware: [requireRole('analyst')] as const,
      description: 'Admins see every channel; analysts the shared, enabled ones their rules may use. Secrets are ••••.',
      responses: { 200: json(ChannelListSchema, 'the channels') },
    }),
    async (c) => c.json({ channels: (await svc.listChannels(deps, principalOf(c))).map(channelJson) }, 200),
  );

  api.openapi(
    operation({
      method: 'post', path: '/alerts/channels', operationId: 'createAlertChannel', summary: 'Create an alert channel', tags, middleware: [requireRole('admin')] as const,
      request: { body: { content: { 'application/json': { schema: ChannelInputSchema } }, required: true } },
      responses: { 201: json(ChannelSchema, 'created (secrets ••••)'), ...errors(409, 503) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json(channelJson(await svc.createChannel(deps, actor(c), { name: b.name, kind: b.kind, config: b.config, shared: b.shared, enabled: b.enabled })), 201);
    },
  );

  api.openapi(
    operation({
      method: 'patch', path: '/alerts/channels/{id}', operationId: 'updateAlertChannel', summary: 'Edit an alert channel', tags, middleware: [requireRole('admin')] as const,
      description: 'Fields left out keep their values; in `config`, a secret sent as •••• (or left out) keeps its stored value. The kind cannot change.',
      request: { params: idParam, body: { content: { 'application/json': { schema: ChannelPatchSchema } }, required: true } },
      responses: { 200: json(ChannelSchema, 'updated'), ...errors(409, 503) },
    }),
    async (c) => c.json(channelJson(await svc.updateChannel(deps, actor(c), c.req.valid('param').id, c.req.valid('json'))), 200),
  );

  api.openapi(
    operation({
      method: 'delete', path: '/alerts/channels/{id}', operationId: 'deleteAlertChannel', summary: 'Delete an alert channel and its rules', tags, middleware: [requireRole('admin')] as const,
      request: { params: idParam }, responses: { 200: json(DeletedSchema, 'deleted') },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await svc.deleteChannel(deps, actor(c), id);
      return c.json({ deleted: id }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'post', path: '/alerts/channels/{id}/test', operationId: 'testAlertChannel', summary: 'Send a test message now', tags, middleware: [requireRole('admin')] as const,
      description: 'Sends at once (no retries) and answers how it went; the attempt is in the delivery log.',
      request: { params: idParam }, responses: { 200: json(TestResultSchema, 'sent or not: `ok`, the status code and the error') },
    }),
    async (c) => {
      const r = await svc.testChannel(deps, actor(c), c.req.valid('param').id, c.get('defaultLocale'));
      return c.json({ ok: r.ok, status_code: r.statusCode, error: r.error, channel: channelJson(r.channel) }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/alerts/rules', operationId: 'listAlertRules', summary: 'Alert rules', tags, middleware: [requireRole('analyst')] as const,
      description: 'Admins see every rule; others their own.',
      responses: { 200: json(RuleListSchema, 'the rules') },
    }),
    async (c) => c.json({ rules: (await svc.listRules(deps, principalOf(c))).map(ruleJson) }, 200),
  );

  api.openapi(
    operation({
      method: 'post', path: '/alerts/rules', operationId: 'createAlertRule', summary: 'Create an alert rule', tags, middleware: [requireRole('analyst')] as const,
      description: 'Admins: any event, any channel, one task or every task. Others: backtest_finished for their own backtests, on a shared channel (with an e-mail channel, `email` may name their address).',
      request: { body: { content: { 'application/json': { schema: RuleInputSchema } }, required: true } },
      responses: { 201: json(RuleSchema, 'created') },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const rule = await svc.createRule(deps, principalOf(c), actor(c), { name: b.name, event: b.event as AlertEventKind, taskId: b.task_id, channelId: b.channel_id, email: b.email, enabled: b.enabled });
      return c.json(ruleJson(rule), 201);
    },
  );

  api.openapi(
    operation({
      method: 'delete', path: '/alerts/rules/{id}', operationId: 'deleteAlertRule', summary: 'Delete an alert rule', tags, middleware: [requireRole('analyst')] as const,
      description: 'Your own rule (admins: any).',
      request: { params: idParam }, responses: { 200: json(DeletedSchema, 'deleted') },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await svc.deleteRule(deps, principalOf(c), actor(c), id);
      return c.json({ deleted: id }, 200);
    },
  );

  api.openapi(
    operation({
      method: 'get', path: '/alerts/deliveries', operationId: 'listAlertDeliveries', summary: 'The delivery log, newest first', tags, middleware: [requireRole('admin')] as const,
      request: { query: DeliveriesQuery }, responses: { 200: json(DeliveryListSchema, 'delivery attempts') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json({ deliveries: (await svc.listDeliveries(deps, { limit: q.limit, offset: q.offset, channelId: q.channel_id ?? null })).map(deliveryJson) }, 200);
    },
  );

  return api;
}
