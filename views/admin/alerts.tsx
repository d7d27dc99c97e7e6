import type { Channel, ChannelKind, Delivery, Rule } from '../../src/alerts/alert.types.ts';
import { DeleteButton } from '../confirm.tsx';
import { CsrfField, Layout, type PageChrome, type T } from '../layout.tsx';
import { localTime } from '../backtests/format.ts';
import { AdminNav } from './users.tsx';

export interface AdminAlertsModel {
  channels: Channel[];
  rules: Rule[];
  deliveries: Delivery[];
  /** Scheduled tasks a rule may name. */
  tasks: Array<{ id: number; name: string }>;
  notice: string | null;
  error: string | null;
}

const channelKinds: readonly ChannelKind[] = ['webhook', 'wecom', 'dingtalk', 'feishu', 'email'];
const eventKinds: readonly Rule['event'][] = ['run_failed', 'retries_exhausted', 'run_late', 'sync_partial', 'backtest_finished'];
const kindLabel = (t: T, k: ChannelKind) => t(`alerts.kind.${k}`);
const eventLabel = (t: T, e: Rule['event']) => t(`alerts.event.${e}`);
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** The channel form's fields: every kind's, grouped (no script needed); a secret left blank keeps the stored one. */
export function ChannelFields(props: { t: T; channel: Channel | null }) {
  const { t } = props;
  const c = props.channel;
  const cfg = c?.config ?? {};
  const secretHint = c ? t('alerts.form.blankKeeps') : '';
  return (
    <>
      <div>
        <label for="ch-name">{t('alerts.col.name')}</label>
        <input id="ch-name" name="name" required value={c?.name ?? ''} />
      </div>
      <div>
        <label for="ch-kind">{t('alerts.col.kind')}</label>
        {c ? (
          <input id="ch-kind" value={kindLabel(t, c.kind)} readonly />
        ) : (
          <select id="ch-kind" name="kind">
            {channelKinds.map((k) => (
              <option value={k}>{kindLabel(t, k)}</option>
            ))}
          </select>
        )}
      </div>
      <fieldset>
        <legend>{t('alerts.form.hooks')}</legend>
        <label for="ch-url">{t('alerts.form.url')}</label>
        <input id="ch-url" name="url" type="url" placeholder={cfg.url === '••••' ? `•••• (${secretHint})` : t('alerts.form.urlPlaceholder')} value={cfg.url !== undefined && cfg.url !== '••••' ? str(cfg.url) : ''} />
        <label for="ch-secret">{t('alerts.form.secret')}</label>
        <input id="ch-secret" name="secret" type="password" autocomplete="off" placeholder={cfg.secret ? `•••• (${secretHint})` : t('alerts.form.secretHint')} />
      </fieldset>
      <fieldset>
        <legend>{t('alerts.form.email')}</legend>
        <label for="ch-host">{t('alerts.form.host')}</label>
        <input id="ch-host" name="host" value={str(cfg.host)} />
        <label for="ch-port">{t('alerts.form.port')}</label>
        <input id="ch-port" name="port" inputmode="numeric" value={str(cfg.port ?? '587')} />
        <label>
          <input type="checkbox" name="secure" checked={cfg.secure === true} /> {t('alerts.form.tls')}
        </label>
        <label for="ch-user">{t('alerts.form.username')}</label>
        <input id="ch-user" name="username" autocomplete="off" value={str(cfg.username)} />
        <label for="ch-pass">{t('alerts.form.password')}</label>
        <input id="ch-pass" name="password" type="password" autocomplete="off" placeholder={cfg.password ? `•••• (${secretHint})` : ''} />
        <label for="ch-from">{t('alerts.form.from')}</label>
        <input id="ch-from" name="from" value={str(cfg.from)} />
        <label for="ch-to">{t('alerts.form.to')}</label>
        <input id="ch-to" name="to" value={Array.isArray(cfg.to) ? cfg.to.join(', ') : ''} />
      </fieldset>
      <label>
        <input type="checkbox" name="shared" checked={c?.shared === true} /> {t('alerts.form.shared')}
      </label>
      <label>
        <input type="checkbox" name="enabled" checked={c ? c.enabled : true} /> {t('alerts.form.enabled')}
      </label>
    </>
  );
}

export function AdminAlertsPage(props: { chrome: PageChrome; model: AdminAlertsModel }) {
  const { chrome, model: m } = props;
  const { t, timeZone } = chrome;
  return (
    <Layout chrome={chrome} title={t('alerts.title')} section="admin">
      <AdminNav t={props.chrome.t} current="alerts" />
      <h1>{t('alerts.title')}</h1>
      {m.error ? <p class="error-box" role="alert">{m.error}</p> : null}
      {m.notice ? <div class="notice" role="status"><p>{m.notice}</p></div> : null}

      <h2>{t('alerts.channels')}</h2>
      <div class="scroll-x">
      <table>
        <thead>
          <tr><th>{t('alerts.col.name')}</th><th>{t('alerts.col.kind')}</th><th>{t('alerts.col.shared')}</th><th>{t('alerts.col.status')}</th><th>{t('alerts.col.actions')}</th></tr>
        </thead>
        <tbody>
          {m.channels.map((c) => (
            <tr>
              <td>{c.name}</td>
              <td>{kindLabel(t, c.kind)}</td>
              <td>{c.shared ? t('alerts.yes') : t('alerts.no')}</td>
              <td><span class={`badge ${c.enabled ? 'succeeded' : 'failed'}`}>{c.enabled ? t('alerts.enabled') : t('alerts.disabled')}</span></td>
              <td>
                <div class="inline-form">
                <form method="post" action={`/admin/alerts/channels/${c.id}/test`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <button type="submit" class="secondary small">{t('alerts.sendTest')}</button>
                </form>
                <a class="button secondary small" href={`/admin/alerts/channels/${c.id}/edit`}>{t('alerts.edit')}</a>
                <DeleteButton chrome={chrome} action={`/admin/alerts/channels/${c.id}/delete`} question={t('confirm.channel.title', { name: c.name })} cls="danger small" />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      {m.channels.length === 0 ? <p class="muted">{t('alerts.noChannels')}</p> : null}
      <details>
        <summary>{t('alerts.newChannel')}</summary>
        <form method="post" action="/admin/alerts/channels" class="create-form">
          <CsrfField chrome={chrome} />
          <ChannelFields t={t} channel={null} />
          <button type="submit">{t('alerts.createChannel')}</button>
        </form>
      </details>

      <h2>{t('alerts.rules')}</h2>
      <div class="scroll-x">
      <table>
        <thead>
          <tr><th>{t('alerts.col.name')}</th><th>{t('alerts.col.when')}</th><th>{t('alerts.col.task')}</th><th>{t('alerts.col.channel')}</th><th>{t('alerts.col.owner')}</th><th></th></tr>
        </thead>
        <tbody>
          {m.rules.map((r) => (
            <tr>
              <td>{r.name}</td>
              <td>{eventLabel(t, r.event)}</td>
              <td>{r.event === 'backtest_finished' ? <span class="muted">{t('alerts.theirBacktests')}</span> : (r.taskName ?? <span class="muted">{t('alerts.everyTask')}</span>)}</td>
              <td>{r.channelName}{r.email ? ` → ${r.email}` : ''}</td>
              <td>{r.ownerName}</td>
              <td>
                <DeleteButton chrome={chrome} action={`/admin/alerts/rules/${r.id}/delete`} question={t('confirm.rule.title', { name: r.name })} cls="danger small" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      {m.channels.length ? (
        <form method="post" action="/admin/alerts/rules" class="row-form">
          <CsrfField chrome={chrome} />
          <div>
            <label for="r-name">{t('alerts.ruleName')}</label>
            <input id="r-name" name="name" required />
          </div>
          <div>
            <label for="r-event">{t('alerts.col.when')}</label>
            <select id="r-event" name="event">
              {eventKinds.map((e) => <option value={e}>{eventLabel(t, e)}</option>)}
            </select>
          </div>
          <div>
            <label for="r-task">{t('alerts.col.task')}</label>
            <select id="r-task" name="task_id">
              <option value="">{t('alerts.everyTask')}</option>
              {m.tasks.map((t) => <option value={String(t.id)}>{t.name}</option>)}
            </select>
          </div>
          <div>
            <label for="r-channel">{t('alerts.col.channel')}</label>
            <select id="r-channel" name="channel_id">
              {m.channels.map((c) => <option value={String(c.id)}>{c.name}</option>)}
            </select>
          </div>
          <button type="submit">{t('alerts.addRule')}</button>
        </form>
      ) : null}

      <h2>{t('alerts.deliveries')}</h2>
      <div class="scroll-x">
      <table>
        <thead>
          <tr><th>{t('alerts.col.at', { zone: timeZone })}</th><th>{t('alerts.col.channel')}</th><th>{t('alerts.col.rule')}</th><th>{t('alerts.col.alert')}</th><th>{t('alerts.col.run')}</th><th>{t('alerts.col.attempt')}</th><th>{t('alerts.col.status')}</th><th>{t('alerts.col.error')}</th></tr>
        </thead>
        <tbody>
          {m.deliveries.map((d) => (
            <tr>
              <td class="nowrap">{localTime(d.at, timeZone)}</td>
              <td>{d.channelName ?? <span class="muted">{t('alerts.deleted')}</span>} <span class="muted">{d.target}</span></td>
              <td>{d.ruleName ?? ''}</td>
              <td>{d.eventKind ? eventLabel(t, d.eventKind as Rule['event']) : t('alerts.test')}</td>
              <td>{d.subjectRunId ? <a href={`/runs/${d.subjectRunId}`}>{d.subjectRunId}</a> : ''}</td>
              <td>{d.attempt}</td>
              <td><span class={`badge ${d.ok ? 'succeeded' : 'failed'}`}>{d.statusCode ?? (d.ok ? t('alerts.sent') : t('alerts.noAnswer'))}</span></td>
              <td>{d.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      {m.deliveries.length === 0 ? <p class="muted">{t('alerts.noDeliveries')}</p> : null}
    </Layout>
  );
}

export function AdminAlertChannelPage(props: { chrome: PageChrome; channel: Channel; error: string | null }) {
  const { chrome, channel: c } = props;
  const { t } = chrome;
  return (
    <Layout chrome={chrome} title={t('alerts.channelTitle', { name: c.name })} section="admin">
      <AdminNav t={props.chrome.t} current="alerts" />
      <h1>{t('alerts.channelTitle', { name: c.name })}</h1>
      {props.error ? <p class="error-box" role="alert">{props.error}</p> : null}
      <form method="post" action={`/admin/alerts/channels/${c.id}`} class="create-form">
        <CsrfField chrome={chrome} />
        <ChannelFields t={t} channel={c} />
        <button type="submit">{t('alerts.save')}</button> <a href="/admin/alerts">{t('alerts.cancel')}</a>
      </form>
    </Layout>
  );
}
