import { Hono, type Context } from 'hono';
import { AdminAlertChannelPage, AdminAlertsPage } from '../../views/admin/alerts.tsx';
import { auditActor } from '../audit/audit.service.ts';
import { principalOf, requireRole } from '../auth/access.ts';
import type { AppEnv } from '../http/env.ts';
import { AppError } from '../http/errors.ts';
import { pathId, maxInt4Id } from '../http/input.ts';
import type { PageChrome } from '../../views/layout.tsx';
import { secretMask } from '../secrets/secret-box.ts';
import { channelKinds, alertEventKinds, type AlertEventKind, type ChannelKind } from './alert.types.ts';
import * as svc from './alerts.service.ts';
import { afterAction, confirmFirst } from '../http/confirm.pages.tsx';
import { i18nOf } from '../i18n/request.ts';

/** /admin/alerts: channels (create, edit, send test, delete), rules and the recent deliveries. */
export interface AlertsPagesDeps extends svc.AlertsDeps {
  trustProxy: boolean;
  chrome: (c: Context<AppEnv>) => PageChrome;
}

type Body = Record<string, string | File | (string | File)[]>;
const text = (b: Body, k: string) => (typeof b[k] === 'string' ? (b[k] as string).trim() : '');
/** A form's id field: digits within int4, else a 400 naming it. */
function formId(b: Body, field: string): number {
  const v = text(b, field);
  const n = /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= maxInt4Id)) throw new AppError(400, 'invalid_request', `${field}: expected an id from the list`, { field });
  return n;
}

/**
 * A channel's settings from the form (every kind's fields are on it): only the kind's own are
 * read; a blank secret keeps the stored one when editing (sent as ••••).
 */
export function channelConfigFromForm(kind: ChannelKind, b: Body, editing: boolean): Record<string, unknown> {
  const secret = (k: string) => text(b, k) || (editing ? secretMask : undefined);
  switch (kind) {
    case 'webhook':
      return { url: text(b, 'url'), secret: secret('secret') };
    case 'wecom':
      return { url: secret('url') };
    case 'dingtalk':
    case 'feishu':
      return { url: secret('url'), ...(secret('secret') !== undefined ? { secret: secret('secret') } : {}) };
    case 'email': {
      const port = text(b, 'port');
      return {
        host: text(b, 'host'), port: port === '' ? 587 : /^\d{1,5}$/.test(port) ? Number(port) : port, secure: b.secure === 'on', ...(text(b, 'username') ? { username: text(b, 'username') } : {}),
        ...(secret('password') !== undefined ? { password: secret('password') } : {}), from: text(b, 'from'), to: text(b, 'to').split(/[,;\s]+/).filter(Boolean),
      };
    }
  }
}

export function alertsPages(deps: AlertsPagesDeps) {
  const app = new Hono<AppEnv>();
  app.use('/admin/alerts', requireRole('admin'));
  app.use('/admin/alerts/*', requireRole('admin'));
  const actor = (c: Context<AppEnv>) => auditActor(c, deps.trustProxy);

  const render = async (c: Context<AppEnv>, notice: string | null, error: string | null = null, status: 200 | 400 | 409 = 200) => {
    const who = principalOf(c);
    const [channels, rules, deliveries, tasks] = await Promise.all([svc.listChannels(deps, who), svc.listRules(deps, who), svc.listDeliveries(deps, { limit: 50, offset: 0, channelId: null }), svc.ruleTaskChoices(deps)]);
    c.header('Cache-Control', 'no-store');
    return c.html(<AdminAlertsPage chrome={deps.chrome(c)} model={{ channels, rules, deliveries, tasks, notice, error }} />, status);
  };
  /** A refused change shows the page again with the message (a 4xx), instead of an error page. */
  const orRender = async (c: Context<AppEnv>, fn: () => Promise<Response>) => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AppError && err.status < 500 && err.status !== 404) return render(c, null, err.message, err.status === 409 ? 409 : 400);
      throw err;
    }
  };
  const channelIdOf = (c: Context<AppEnv>) => pathId(c.req.param('id'), 'alert channel', maxInt4Id);

  app.get('/admin/alerts', (c) => render(c, null));

  app.post('/admin/alerts/channels', (c) =>
    orRender(c, async () => {
      const b = (await c.req.parseBody()) as Body;
      const kind = text(b, 'kind') as ChannelKind;
      if (!channelKinds.includes(kind)) throw new AppError(400, 'invalid_request', `kind: expected one of ${channelKinds.join(', ')}`, { field: 'kind' });
      await svc.createChannel(deps, actor(c), { name: text(b, 'name'), kind, config: channelConfigFromForm(kind, b, false), shared: b.shared === 'on', enabled: b.enabled === 'on' });
      return c.redirect('/admin/alerts', 303);
    }),
  );

  app.get('/admin/alerts/channels/:id{[0-9]+}/edit', async (c) => {
    const id = channelIdOf(c);
    const channel = (await svc.listChannels(deps, principalOf(c))).find((ch) => ch.id === id);
    if (!channel) throw new AppError(404, 'not_found', `no alert channel with id ${id}`);
    c.header('Cache-Control', 'no-store');
    return c.html(<AdminAlertChannelPage chrome={deps.chrome(c)} channel={channel} error={null} />);
  });

  app.post('/admin/alerts/channels/:id{[0-9]+}', async (c) => {
    const id = channelIdOf(c);
    const channel = (await svc.listChannels(deps, principalOf(c))).find((ch) => ch.id === id);
    if (!channel) throw new AppError(404, 'not_found', `no alert channel with id ${id}`);
    const b = (await c.req.parseBody()) as Body;
    try {
      await svc.updateChannel(deps, actor(c), id, { name: text(b, 'name'), config: channelConfigFromForm(channel.kind, b, true), shared: b.shared === 'on', enabled: b.enabled === 'on' });
    } catch (err) {
      if (err instanceof AppError && err.status < 500 && err.status !== 404) {
        return c.html(<AdminAlertChannelPage chrome={deps.chrome(c)} channel={channel} error={err.message} />, err.status === 409 ? 409 : 400);
      }
      throw err;
    }
    return c.redirect('/admin/alerts', 303);
  });

  app.post('/admin/alerts/channels/:id{[0-9]+}/test', async (c) => {
    // The message goes out in the server's DEFAULT_LOCALE (as every channel alert); the notice in the reader's.
    const r = await svc.testChannel(deps, actor(c), channelIdOf(c), c.get('defaultLocale'));
    const { t } = i18nOf(c);
    return r.ok
      ? render(c, t('alerts.testSent', { name: r.channel.name, code: r.statusCode ?? 'ok' }))
      : render(c, null, t('alerts.testFailed', { name: r.channel.name, error: r.error ?? '' }));
  });

  app.post('/admin/alerts/channels/:id{[0-9]+}/delete', async (c) => {
    const id = channelIdOf(c);
    const channel = (await svc.listChannels(deps, principalOf(c))).find((ch) => ch.id === id);
    if (!channel) throw new AppError(404, 'not_found', `no alert channel with id ${id}`);
    const ask = await confirmFirst(c, deps.chrome, (t) => ({
      title: t('confirm.channel.title', { name: channel.name }), what: [t('confirm.channel.what')],
      action: `/admin/alerts/channels/${id}/delete`, cancel: '/admin/alerts', label: t('confirm.channel.label'), section: 'admin',
    }));
    if (ask) return ask;
    await svc.deleteChannel(deps, actor(c), id);
    return afterAction(c, '/admin/alerts');
  });

  app.post('/admin/alerts/rules', (c) =>
    orRender(c, async () => {
      const b = (await c.req.parseBody()) as Body;
      const event = text(b, 'event') as AlertEventKind;
      if (!alertEventKinds.includes(event)) throw new AppError(400, 'invalid_request', `event: expected one of ${alertEventKinds.join(', ')}`, { field: 'event' });
      const taskId = text(b, 'task_id') ? formId(b, 'task_id') : null;
      const channelId = formId(b, 'channel_id');
      const name = text(b, 'name');
      if (!name) throw new AppError(400, 'invalid_request', 'name: expected a name for the rule', { field: 'name' });
      await svc.createRule(deps, principalOf(c), actor(c), { name, event, taskId, channelId, email: null, enabled: true });
      return c.redirect('/admin/alerts', 303);
    }),
  );

  app.post('/admin/alerts/rules/:id{[0-9]+}/delete', async (c) => {
    const id = pathId(c.req.param('id'), 'alert rule', maxInt4Id);
    const rule = (await svc.listRules(deps, principalOf(c))).find((r) => r.id === id);
    if (!rule) throw new AppError(404, 'not_found', `no alert rule with id ${id}`);
    const ask = await confirmFirst(c, deps.chrome, (t) => ({
      title: t('confirm.rule.title', { name: rule.name }), what: [t('confirm.rule.what')],
      action: `/admin/alerts/rules/${id}/delete`, cancel: '/admin/alerts', label: t('confirm.rule.label'), section: 'admin',
    }));
    if (ask) return ask;
    await svc.deleteRule(deps, principalOf(c), actor(c), id);
    return afterAction(c, '/admin/alerts');
  });

  return app;
}
