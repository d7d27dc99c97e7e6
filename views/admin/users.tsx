import type { User } from '../../src/auth/users.service.ts';
import { CsrfField, Layout, type PageChrome, type T } from '../layout.tsx';
import { localTime } from '../backtests/format.ts';

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

export function AdminNav(props: { t: T; current: 'users' | 'audit' | 'alerts' | 'storage' }) {
  const { t } = props;
  return (
    <nav class="subnav" aria-label={t('admin.nav')}>
      <a href="/admin/users" aria-current={props.current === 'users' ? 'page' : undefined}>{t('admin.nav.users')}</a>
      <a href="/admin/audit" aria-current={props.current === 'audit' ? 'page' : undefined}>{t('admin.nav.audit')}</a>
      <a href="/admin/alerts" aria-current={props.current === 'alerts' ? 'page' : undefined}>{t('admin.nav.alerts')}</a>
      <a href="/admin/storage" aria-current={props.current === 'storage' ? 'page' : undefined}>{t('admin.nav.storage')}</a>
    </nav>
  );
}

export function AdminHomePage(props: { chrome: PageChrome; userCount: number; auditCount: number }) {
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('admin.title')} section="admin">
      <h1>{t('admin.title')}</h1>
      <div class="cards">
        <a class="card action" href="/admin/users">
          <h2>{t('admin.nav.users')}</h2>
          <p>{t('admin.usersHint', { count: props.userCount })}</p>
        </a>
        <a class="card action" href="/admin/audit">
          <h2>{t('admin.nav.audit')}</h2>
          <p>{t('admin.auditHint', { count: props.auditCount })}</p>
        </a>
        <a class="card action" href="/admin/alerts">
          <h2>{t('admin.nav.alerts')}</h2>
          <p>{t('admin.alertsHint')}</p>
        </a>
        <a class="card action" href="/admin/storage">
          <h2>{t('admin.nav.storage')}</h2>
          <p>{t('admin.storageHint')}</p>
        </a>
      </div>
    </Layout>
  );
}

export function AdminUsersPage(props: { chrome: PageChrome; model: AdminUsersModel }) {
  const m = props.model;
  const chrome = props.chrome;
  const { t } = chrome;
  return (
    <Layout chrome={chrome} title={t('admin.nav.users')} section="admin">
      <AdminNav t={t} current="users" />
      <h1>{t('admin.nav.users')}</h1>
      {m.error ? <p class="error-box" role="alert">{m.error}</p> : null}
      {m.notice ? (
        <div class="notice" role="status">
          <p>{m.notice.text}</p>
          {m.notice.secret ? <input class="token-value" readonly value={m.notice.secret} aria-label={t('admin.generatedPassword')} /> : null}
        </div>
      ) : null}
      <table>
        <thead>
          <tr>
            <th>{t('admin.col.username')}</th>
            <th>{t('admin.col.role')}</th>
            <th>{t('admin.col.state')}</th>
            <th>{t('admin.col.created', { zone: chrome.timeZone })}</th>
            <th>{t('admin.col.password')}</th>
          </tr>
        </thead>
        <tbody>
          {m.users.map((u) => (
            <tr>
              <td>
                {u.username}
                {u.id === m.selfId ? <span class="muted">{t('admin.you')}</span> : null}
              </td>
              <td>
                <form method="post" action={`/admin/users/${u.id}`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <select name="role" aria-label={t('admin.roleOf', { name: u.username })}>
                    {roleOptions.map((r) => (
                      <option value={r} selected={u.role === r}>{t(`auth.role.${r}`)}</option>
                    ))}
                  </select>
                  <button type="submit" class="secondary small">{t('admin.save')}</button>
                </form>
              </td>
              <td>
                <form method="post" action={`/admin/users/${u.id}`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <span class={`badge ${u.disabled ? 'failed' : 'succeeded'}`}>{t(u.disabled ? 'admin.disabled' : 'admin.active')}</span>
                  <input type="hidden" name="disabled" value={u.disabled ? 'false' : 'true'} />
                  <button type="submit" class={`small ${u.disabled ? 'secondary' : 'danger'}`}>{t(u.disabled ? 'admin.enable' : 'admin.disable')}</button>
                </form>
              </td>
              <td>{localTime(u.createdAt, chrome.timeZone).slice(0, 10)}</td>
              <td>
                <form method="post" action={`/admin/users/${u.id}/password`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <input name="password" type="password" autocomplete="new-password" placeholder={t('admin.newPasswordPlaceholder')} aria-label={t('admin.newPasswordFor', { name: u.username })} />
                  <input type="hidden" name="revoke_tokens_shown" value="1" />
                  <label class="check small">
                    <input type="checkbox" name="revoke_tokens" checked /> {t('admin.alsoRevoke')}
                  </label>
                  <button type="submit" class="secondary small">{t('admin.reset')}</button>
                </form>
                <form method="post" action={`/admin/users/${u.id}/tokens/revoke-all`} class="inline-form">
                  <CsrfField chrome={chrome} />
                  <button type="submit" class="danger small" aria-label={t('admin.revokeAllOf', { name: u.username })}>{t('admin.revokeAll')}</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('admin.create')}</h2>
      <form method="post" action="/admin/users" class="row-form">
        <CsrfField chrome={chrome} />
        <div>
          <label for="new-username">{t('admin.col.username')}</label>
          <input id="new-username" name="username" required pattern="[a-z0-9][a-z0-9._\-]{1,31}" placeholder={t('admin.usernamePlaceholder')} value={m.draft?.username ?? ''} />
        </div>
        <div>
          <label for="new-role">{t('admin.col.role')}</label>
          <select id="new-role" name="role">
            {roleOptions.map((r) => (
              <option value={r} selected={r === (m.draft?.role ?? 'analyst')}>{t(`auth.role.${r}`)}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="new-user-password">{t('admin.col.password')}</label>
          <input id="new-user-password" name="password" type="password" autocomplete="new-password" placeholder={t('admin.passwordPlaceholder')} />
        </div>
        <button type="submit">{t('admin.createSubmit')}</button>
      </form>
      <p class="muted small">{t('admin.passwordRule')}</p>
    </Layout>
  );
}
