import type { Channel, ChannelKind, Delivery, Rule } from '../../src/alerts/alert.types.ts';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
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

const kindLabels: Record<ChannelKind, string> = { webhook: 'Webhook (signed JSON)', wecom: 'WeCom 企业微信 bot', dingtalk: 'DingTalk 钉钉 bot', feishu: 'Feishu/Lark 飞书 bot', email: 'E-mail (SMTP)' };
const eventLabels: Record<Rule['event'], string> = {
  run_failed: 'run failed', retries_exhausted: 'failed on its last attempt', run_late: 'run late (not started within grace)', sync_partial: 'data sync partial', backtest_finished: 'backtest finished (own)',
};
const when = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** The channel form's fields: every kind's, grouped (no script needed); a secret left blank keeps the stored one. */
export function ChannelFields(props: { channel: Channel | null }) {
  const c = props.channel;
  const cfg = c?.config ?? {};
  const secretHint = c ? 'blank keeps the stored value' : '';
  return (
    <>
      <div>
        <label for="ch-name">Name</label>
        <input id="ch-name" name="name" required value={c?.name ?? ''} />
      </div>
      <div>
        <label for="ch-kind">Kind</label>
        {c ? (
          <input id="ch-kind" value={kindLabels[c.kind]} readonly />
        ) : (
          <select id="ch-kind" name="kind">
            {(Object.keys(kindLabels) as ChannelKind[]).map((k) => (
              <option value={k}>{kindLabels[k]}</option>
            ))}
          </select>
        )}
      </div>
      <fieldset>
        <legend>Webhook and bots</legend>
        <label for="ch-url">URL (a bot's includes its key)</label>
        <input id="ch-url" name="url" type="url" placeholder={cfg.url === '••••' ? `•••• (${secretHint})` : 'https://…'} value={cfg.url !== undefined && cfg.url !== '••••' ? str(cfg.url) : ''} />
        <label for="ch-secret">Signing secret</label>
        <input id="ch-secret" name="secret" type="password" autocomplete="off" placeholder={cfg.secret ? `•••• (${secretHint})` : 'webhook: required; bots: when 加签/signature is on'} />
      </fieldset>
      <fieldset>
        <legend>E-mail</legend>
        <label for="ch-host">SMTP host</label>
        <input id="ch-host" name="host" value={str(cfg.host)} />
        <label for="ch-port">Port</label>
        <input id="ch-port" name="port" inputmode="numeric" value={str(cfg.port ?? '587')} />
        <label>
          <input type="checkbox" name="secure" checked={cfg.secure === true} /> TLS from the start (465)
        </label>
        <label for="ch-user">Username</label>
        <input id="ch-user" name="username" autocomplete="off" value={str(cfg.username)} />
        <label for="ch-pass">Password</label>
        <input id="ch-pass" name="password" type="password" autocomplete="off" placeholder={cfg.password ? `•••• (${secretHint})` : ''} />
        <label for="ch-from">From</label>
        <input id="ch-from" name="from" value={str(cfg.from)} />
        <label for="ch-to">To (comma-separated)</label>
        <input id="ch-to" name="to" value={Array.isArray(cfg.to) ? cfg.to.join(', ') : ''} />
      </fieldset>
      <label>
        <input type="checkbox" name="shared" checked={c?.shared === true} /> Shared: users may send their backtest alerts here
      </label>
      <label>
        <input type="checkbox" name="enabled" checked={c ? c.enabled : true} /> Enabled
      </label>
    </>
  );
}

export function AdminAlertsPage(props: { chrome: PageChrome; model: AdminAlertsModel }) {
  const { chrome, model: m } = props;
  return (
    <Layout chrome={chrome} title="Alerts" section="admin">
      <AdminNav t={props.chrome.t} current="alerts" />
      <h1>Alerts</h1>
      {m.error ? <p class="error-box" role="alert">{m.error}</p> : null}
      {m.notice ? <div class="notice" role="status"><p>{m.notice}</p></div> : null}

      <h2>Channels</h2>
      <table>
        <thead>
          <tr><th>Name</th><th>Kind</th><th>Shared</th><th>Status</th><th>Actions</th></tr>
        </thead>
        <tbody>
          {m.channels.map((c) => (
            <tr>
              <td>{c.name}</td>
              <td>{kindLabels[c.kind]}</td>
              <td>{c.shared ? 'yes' : 'no'}</td>
              <td><span class={`badge ${c.enabled ? 'succeeded' : 'failed'}`}>{c.enabled ? 'enabled' : 'disabled'}</span></td>
              <td>
                <div class="inline-form">
                <form method="post" action={`/admin/alerts/channels/${c.id}/test`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <button type="submit" class="secondary small">Send test</button>
                </form>
                <a class="button secondary small" href={`/admin/alerts/channels/${c.id}/edit`}>Edit</a>
                <form method="post" action={`/admin/alerts/channels/${c.id}/delete`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <button type="submit" class="danger small">Delete</button>
                </form>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {m.channels.length === 0 ? <p class="muted">No channels yet.</p> : null}
      <details>
        <summary>New channel</summary>
        <form method="post" action="/admin/alerts/channels" class="create-form">
          <CsrfField chrome={chrome} />
          <ChannelFields channel={null} />
          <button type="submit">Create channel</button>
        </form>
      </details>

      <h2>Rules</h2>
      <table>
        <thead>
          <tr><th>Name</th><th>When</th><th>Task</th><th>Channel</th><th>Owner</th><th></th></tr>
        </thead>
        <tbody>
          {m.rules.map((r) => (
            <tr>
              <td>{r.name}</td>
              <td>{eventLabels[r.event]}</td>
              <td>{r.event === 'backtest_finished' ? <span class="muted">their backtests</span> : (r.taskName ?? <span class="muted">every task</span>)}</td>
              <td>{r.channelName}{r.email ? ` → ${r.email}` : ''}</td>
              <td>{r.ownerName}</td>
              <td>
                <form method="post" action={`/admin/alerts/rules/${r.id}/delete`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <button type="submit" class="danger small">Delete</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {m.channels.length ? (
        <form method="post" action="/admin/alerts/rules" class="row-form">
          <CsrfField chrome={chrome} />
          <div>
            <label for="r-name">Rule name</label>
            <input id="r-name" name="name" required />
          </div>
          <div>
            <label for="r-event">When</label>
            <select id="r-event" name="event">
              {(Object.keys(eventLabels) as Rule['event'][]).map((e) => <option value={e}>{eventLabels[e]}</option>)}
            </select>
          </div>
          <div>
            <label for="r-task">Task</label>
            <select id="r-task" name="task_id">
              <option value="">every task</option>
              {m.tasks.map((t) => <option value={String(t.id)}>{t.name}</option>)}
            </select>
          </div>
          <div>
            <label for="r-channel">Channel</label>
            <select id="r-channel" name="channel_id">
              {m.channels.map((c) => <option value={String(c.id)}>{c.name}</option>)}
            </select>
          </div>
          <button type="submit">Add rule</button>
        </form>
      ) : null}

      <h2>Recent deliveries</h2>
      <table>
        <thead>
          <tr><th>When (UTC)</th><th>Channel</th><th>Rule</th><th>Alert</th><th>Run</th><th>Attempt</th><th>Status</th><th>Error</th></tr>
        </thead>
        <tbody>
          {m.deliveries.map((d) => (
            <tr>
              <td>{when(d.at)}</td>
              <td>{d.channelName ?? <span class="muted">deleted</span>} <span class="muted">{d.target}</span></td>
              <td>{d.ruleName ?? ''}</td>
              <td>{d.eventKind ?? 'test'}</td>
              <td>{d.subjectRunId ? <a href={`/runs/${d.subjectRunId}`}>{d.subjectRunId}</a> : ''}</td>
              <td>{d.attempt}</td>
              <td><span class={`badge ${d.ok ? 'succeeded' : 'failed'}`}>{d.statusCode ?? (d.ok ? 'sent' : 'no answer')}</span></td>
              <td>{d.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {m.deliveries.length === 0 ? <p class="muted">Nothing delivered yet.</p> : null}
    </Layout>
  );
}

export function AdminAlertChannelPage(props: { chrome: PageChrome; channel: Channel; error: string | null }) {
  const { chrome, channel: c } = props;
  return (
    <Layout chrome={chrome} title={`Channel ${c.name}`} section="admin">
      <AdminNav t={props.chrome.t} current="alerts" />
      <h1>Channel {c.name}</h1>
      {props.error ? <p class="error-box" role="alert">{props.error}</p> : null}
      <form method="post" action={`/admin/alerts/channels/${c.id}`} class="create-form">
        <CsrfField chrome={chrome} />
        <ChannelFields channel={c} />
        <button type="submit">Save</button> <a href="/admin/alerts">Cancel</a>
      </form>
    </Layout>
  );
}
