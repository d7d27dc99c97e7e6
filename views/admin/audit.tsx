import type { AuditPage } from '../../src/audit/audit.service.ts';
import { Layout, type PageChrome } from '../layout.tsx';
import { localTime } from '../backtests/format.ts';
import { AdminNav } from './users.tsx';

export interface AuditFilterValues {
  user: string;
  action: string;
  outcome: string;
  from: string;
  to: string;
}

function pageHref(f: AuditFilterValues, page: number): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  q.set('page', String(page));
  return `/admin/audit?${q}`;
}

export function AdminAuditPage(props: { chrome: PageChrome; page: AuditPage; filters: AuditFilterValues }) {
  const { page: p, filters: f } = props;
  const pages = Math.max(1, Math.ceil(p.total / p.pageSize));
  const { t, timeZone: zone } = props.chrome;
  const outcome = (o: string) => (o === 'success' || o === 'failure' || o === 'denied' ? t(`admin.audit.outcome.${o}`) : o);
  return (
    <Layout chrome={props.chrome} title={t('admin.nav.audit')} section="admin">
      <AdminNav t={t} current="audit" />
      <h1>{t('admin.nav.audit')}</h1>
      <form method="get" action="/admin/audit" class="row-form filters">
        <div>
          <label for="f-user">{t('admin.audit.user')}</label>
          <input id="f-user" name="user" value={f.user} placeholder={t('admin.audit.any')} />
        </div>
        <div>
          <label for="f-action">{t('admin.audit.action')}</label>
          <select id="f-action" name="action">
            <option value="">{t('admin.audit.any')}</option>
            {p.actions.map((a) => (
              <option value={a} selected={a === f.action}>{a}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-outcome">{t('admin.audit.outcome')}</label>
          <select id="f-outcome" name="outcome">
            {['', 'success', 'failure', 'denied'].map((o) => (
              <option value={o} selected={o === f.outcome}>{o ? outcome(o) : t('admin.audit.any')}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-from">{t('admin.audit.from', { zone })}</label>
          <input id="f-from" name="from" type="date" value={f.from} />
        </div>
        <div>
          <label for="f-to">{t('admin.audit.to', { zone })}</label>
          <input id="f-to" name="to" type="date" value={f.to} />
        </div>
        <button type="submit">{t('admin.audit.filter')}</button>
      </form>
      <p class="muted small">{t('admin.audit.daysIn', { zone })}</p>
      <p class="muted">
        {t('admin.audit.count', { total: p.total, page: p.page, pages })}
      </p>
      <table>
        <thead>
          <tr>
            <th>{t('admin.audit.when', { zone })}</th>
            <th>{t('admin.audit.user')}</th>
            <th>{t('admin.audit.action')}</th>
            <th>{t('admin.audit.object')}</th>
            <th>{t('admin.audit.outcome')}</th>
            <th>{t('admin.audit.source')}</th>
            <th>{t('admin.audit.details')}</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              <td>{localTime(r.at, zone)}</td>
              <td>{r.username ?? <span class="muted">{t(r.userAgent === 'first start' || r.ip === null ? 'admin.audit.system' : 'admin.audit.anonymous')}</span>}</td>
              <td><code>{r.action}</code></td>
              <td>{r.objectType ? `${r.objectType} ${r.objectId ?? ''}` : ''}</td>
              <td>
                <span class={`badge ${r.outcome === 'success' ? 'succeeded' : 'failed'}`}>{outcome(r.outcome)}</span>
              </td>
              <td class="muted" title={r.userAgent ?? ''}>{r.ip ?? ''}</td>
              <td><code class="details">{Object.keys(r.details).length ? JSON.stringify(r.details) : ''}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label={t('admin.audit.pages')}>
        {p.page > 1 ? <a href={pageHref(f, p.page - 1)}>{t('admin.audit.newer')}</a> : <span />}
        {p.page < pages ? <a href={pageHref(f, p.page + 1)}>{t('admin.audit.older')}</a> : <span />}
      </nav>
    </Layout>
  );
}
