import type { AuditPage } from '../../src/audit/audit.service.ts';
import { Layout, type PageChrome } from '../layout.tsx';
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
  return (
    <Layout chrome={props.chrome} title="Audit log" section="admin">
      <AdminNav current="audit" />
      <h1>Audit log</h1>
      <form method="get" action="/admin/audit" class="row-form filters">
        <div>
          <label for="f-user">User</label>
          <input id="f-user" name="user" value={f.user} placeholder="any" />
        </div>
        <div>
          <label for="f-action">Action</label>
          <select id="f-action" name="action">
            <option value="">any</option>
            {p.actions.map((a) => (
              <option value={a} selected={a === f.action}>{a}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-outcome">Outcome</label>
          <select id="f-outcome" name="outcome">
            {['', 'success', 'failure', 'denied'].map((o) => (
              <option value={o} selected={o === f.outcome}>{o || 'any'}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-from">From (UTC)</label>
          <input id="f-from" name="from" type="date" value={f.from} />
        </div>
        <div>
          <label for="f-to">To (UTC, inclusive)</label>
          <input id="f-to" name="to" type="date" value={f.to} />
        </div>
        <button type="submit">Filter</button>
      </form>
      <p class="muted">
        {p.total} entries · page {p.page} of {pages}
      </p>
      <table>
        <thead>
          <tr>
            <th>When (UTC)</th>
            <th>User</th>
            <th>Action</th>
            <th>Object</th>
            <th>Outcome</th>
            <th>From</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              <td>{r.at.toISOString().slice(0, 19).replace('T', ' ')}</td>
              <td>{r.username ?? <span class="muted">{r.userAgent === 'first start' || r.ip === null ? 'system' : 'anonymous'}</span>}</td>
              <td><code>{r.action}</code></td>
              <td>{r.objectType ? `${r.objectType} ${r.objectId ?? ''}` : ''}</td>
              <td>
                <span class={`badge ${r.outcome === 'success' ? 'succeeded' : 'failed'}`}>{r.outcome}</span>
              </td>
              <td class="muted" title={r.userAgent ?? ''}>{r.ip ?? ''}</td>
              <td><code class="details">{Object.keys(r.details).length ? JSON.stringify(r.details) : ''}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        {p.page > 1 ? <a href={pageHref(f, p.page - 1)}>← Newer</a> : <span />}
        {p.page < pages ? <a href={pageHref(f, p.page + 1)}>Older →</a> : <span />}
      </nav>
    </Layout>
  );
}
