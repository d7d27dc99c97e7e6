import type { User } from '../../src/auth/users.service.ts';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';

export interface AdminUsersModel {
  users: User[];
  selfId: number;
  /** A message after a change, e.g. a generated password shown once. */
  notice: { text: string; secret?: string } | null;
  error: string | null;
  /** What the create form held when it was refused, so the admin fixes it instead of retyping. */
  draft?: { username: string; role: string } | null;
}

const roleOptions = ['viewer', 'analyst', 'admin'] as const;

export function AdminNav(props: { current: 'users' | 'audit' | 'alerts' | 'storage' }) {
  return (
    <nav class="subnav" aria-label="Admin">
      <a href="/admin/users" aria-current={props.current === 'users' ? 'page' : undefined}>Users</a>
      <a href="/admin/audit" aria-current={props.current === 'audit' ? 'page' : undefined}>Audit log</a>
      <a href="/admin/alerts" aria-current={props.current === 'alerts' ? 'page' : undefined}>Alerts</a>
      <a href="/admin/storage" aria-current={props.current === 'storage' ? 'page' : undefined}>Storage</a>
    </nav>
  );
}

export function AdminHomePage(props: { chrome: PageChrome; userCount: number; auditCount: number }) {
  return (
    <Layout chrome={props.chrome} title="Admin" section="admin">
      <h1>Admin</h1>
      <div class="cards">
        <a class="card action" href="/admin/users">
          <h2>Users</h2>
          <p>{props.userCount} accounts: create, change roles, disable, reset passwords.</p>
        </a>
        <a class="card action" href="/admin/audit">
          <h2>Audit log</h2>
          <p>{props.auditCount} entries: sign-ins, account and token changes, deletions, triggers.</p>
        </a>
        <a class="card action" href="/admin/alerts">
          <h2>Alerts</h2>
          <p>Channels (webhook, WeCom, DingTalk, Feishu, e-mail), rules, and every delivery attempt.</p>
        </a>
        <a class="card action" href="/admin/storage">
          <h2>Storage</h2>
          <p>Disk use per store and table, retention, and what housekeeping would prune now.</p>
        </a>
      </div>
    </Layout>
  );
}

export function AdminUsersPage(props: { chrome: PageChrome; model: AdminUsersModel }) {
  const m = props.model;
  const chrome = props.chrome;
  return (
    <Layout chrome={chrome} title="Users" section="admin">
      <AdminNav current="users" />
      <h1>Users</h1>
      {m.error ? <p class="error-box" role="alert">{m.error}</p> : null}
      {m.notice ? (
        <div class="notice" role="status">
          <p>{m.notice.text}</p>
          {m.notice.secret ? <input class="token-value" readonly value={m.notice.secret} aria-label="Generated password" /> : null}
        </div>
      ) : null}
      <table>
        <thead>
          <tr>
            <th>Username</th>
            <th>Role</th>
            <th>State</th>
            <th>Created</th>
            <th>Password</th>
          </tr>
        </thead>
        <tbody>
          {m.users.map((u) => (
            <tr>
              <td>
                {u.username}
                {u.id === m.selfId ? <span class="muted"> (you)</span> : null}
              </td>
              <td>
                <form method="post" action={`/admin/users/${u.id}`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <select name="role" aria-label={`Role of ${u.username}`}>
                    {roleOptions.map((r) => (
                      <option value={r} selected={u.role === r}>{r}</option>
                    ))}
                  </select>
                  <button type="submit" class="secondary small">Save</button>
                </form>
              </td>
              <td>
                <form method="post" action={`/admin/users/${u.id}`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <span class={`badge ${u.disabled ? 'failed' : 'succeeded'}`}>{u.disabled ? 'disabled' : 'active'}</span>
                  <input type="hidden" name="disabled" value={u.disabled ? 'false' : 'true'} />
                  <button type="submit" class={`small ${u.disabled ? 'secondary' : 'danger'}`}>{u.disabled ? 'Enable' : 'Disable'}</button>
                </form>
              </td>
              <td>{u.createdAt.toISOString().slice(0, 10)}</td>
              <td>
                <form method="post" action={`/admin/users/${u.id}/password`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <input name="password" type="password" autocomplete="new-password" placeholder="new (empty: generate)" aria-label={`New password for ${u.username}`} />
                  <input type="hidden" name="revoke_tokens_shown" value="1" />
                  <label class="check small">
                    <input type="checkbox" name="revoke_tokens" checked /> also revoke their API tokens
                  </label>
                  <button type="submit" class="secondary small">Reset</button>
                </form>
                <form method="post" action={`/admin/users/${u.id}/tokens/revoke-all`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <button type="submit" class="danger small" aria-label={`Revoke every API token of ${u.username}`}>Revoke all tokens</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Create a user</h2>
      <form method="post" action="/admin/users" class="row-form">
        <CsrfField chrome={chrome} />
        <div>
          <label for="new-username">Username</label>
          <input id="new-username" name="username" required pattern="[a-z0-9][a-z0-9._\-]{1,31}" placeholder="e.g. li.wei" value={m.draft?.username ?? ''} />
        </div>
        <div>
          <label for="new-role">Role</label>
          <select id="new-role" name="role">
            {roleOptions.map((r) => (
              <option value={r} selected={r === (m.draft?.role ?? 'analyst')}>{r}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="new-user-password">Password</label>
          <input id="new-user-password" name="password" type="password" autocomplete="new-password" placeholder="empty: generate one" />
        </div>
        <button type="submit">Create user</button>
      </form>
      <p class="muted small">Passwords need at least 12 characters. A generated password is shown once, here.</p>
    </Layout>
  );
}
