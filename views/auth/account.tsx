import type { ApiToken } from '../../src/auth/tokens.service.ts';
import type { Locale } from '../../src/i18n/locale.ts';
import { CsrfField, Layout, type MessageKey, type PageChrome, type T } from '../layout.tsx';
import { localTime } from '../backtests/format.ts';

export interface AccountModel {
  username: string;
  role: 'viewer' | 'analyst' | 'admin';
  /** The language the user chose; null: the browser's. */
  locale: Locale | null;
  tokens: ApiToken[];
  /** A token just created: shown once, here, never again. */
  newToken: { name: string; token: string } | null;
  now: Date;
}

/** A token's moments to the minute on the reader's wall clock (the table says which zone). */
const minute = (d: Date | null, timeZone: string) => (d ? localTime(d, timeZone).slice(0, 16) : '—');

function tokenState(t: ApiToken, now: Date): 'active' | 'revoked' | 'expired' {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && t.expiresAt <= now) return 'expired';
  return 'active';
}

const stateLabel: Record<ReturnType<typeof tokenState>, MessageKey> = { active: 'auth.state.active', revoked: 'auth.state.revoked', expired: 'auth.state.expired' };

/** One token's row; also the fragment a revoke returns, so htmx swaps it in place. */
export function TokenRow(props: { t: T; token: ApiToken; now: Date; timeZone: string }) {
  const { t, timeZone } = props;
  const tok = props.token;
  const state = tokenState(tok, props.now);
  return (
    <tr id={`token-${tok.id}`}>
      <td>
        {tok.name}
        {tok.scope ? <span class="badge"> {t('auth.scopeOnly', { scope: tok.scope })}</span> : null}
      </td>
      <td>
        <code>{tok.prefix}…</code>
      </td>
      <td>{minute(tok.createdAt, timeZone)}</td>
      <td>{tok.expiresAt ? minute(tok.expiresAt, timeZone) : t('auth.never')}</td>
      <td>{minute(tok.lastUsedAt, timeZone)}</td>
      <td>
        <span class={`badge ${state === 'active' ? 'succeeded' : 'failed'}`}>{t(stateLabel[state])}</span>
        {tok.revokedAt ? <span class="small muted"> {minute(tok.revokedAt, timeZone)}</span> : null}
      </td>
      <td>
        {state === 'active' ? (
          <button type="button" class="secondary small" hx-post={`/account/tokens/${tok.id}/revoke`} hx-target={`#token-${tok.id}`} hx-swap="outerHTML" hx-confirm={t('auth.revokeConfirm', { name: tok.name })}>
            {t('auth.revoke')}
          </button>
        ) : null}
      </td>
    </tr>
  );
}

/**
 * The tokens section; also what creating a token answers to htmx, swapped in place, so the page's
 * address stays /account and a reload neither posts the form again nor shows the token again.
 */
export function TokensSection(props: { chrome: PageChrome; model: AccountModel }) {
  const m = props.model;
  const { t } = props.chrome;
  return (
    <section id="api-tokens">
      <p class="muted">{t.rich('auth.tokensHint', { c: (s) => <code>{s}</code> })}</p>
      {m.newToken ? (
        <div class="notice" role="status">
          <p>{t.rich('auth.newToken', { b: (s) => <strong>{s}</strong> }, { name: m.newToken.name })}</p>
          <input class="token-value" readonly value={m.newToken.token} aria-label={t('auth.newTokenLabel')} />
        </div>
      ) : null}
      {m.tokens.length ? (
        <div class="scroll-x">
        <table>
          <thead>
            <tr>
              <th>{t('auth.col.name')}</th>
              <th>{t('auth.col.prefix')}</th>
              <th>{t('auth.col.created')}</th>
              <th>{t('auth.col.expires')}</th>
              <th>{t('auth.col.lastUsed')}</th>
              <th>{t('auth.col.state')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {m.tokens.map((tok) => (
              <TokenRow t={t} token={tok} now={m.now} timeZone={props.chrome.timeZone} />
            ))}
          </tbody>
        </table>
        <p class="muted small">{t('auth.timesAre', { zone: props.chrome.timeZone })}</p>
        </div>
      ) : (
        <p class="muted">{t('auth.noTokens')}</p>
      )}
      {m.tokens.some((tok) => tok.revokedAt === null) ? (
        <form method="post" action="/account/tokens/revoke-all" class="inline-form" hx-boost="false" hx-post="/account/tokens/revoke-all" hx-target="#api-tokens" hx-swap="outerHTML" hx-confirm={t('auth.revokeAllConfirm')}>
          <CsrfField chrome={props.chrome} />
          <button type="submit" class="danger small">{t('auth.revokeAll')}</button>
        </form>
      ) : null}
      <form method="post" action="/account/tokens" class="row-form" hx-boost="false" hx-post="/account/tokens" hx-target="#api-tokens" hx-swap="outerHTML">
        <CsrfField chrome={props.chrome} />
        <div>
          <label for="token-name">{t('auth.tokenName')}</label>
          <input id="token-name" name="name" placeholder={t('auth.tokenNamePlaceholder')} maxlength={100} />
        </div>
        <div>
          <label for="token-expiry">{t('auth.expiresAfter')}</label>
          <input id="token-expiry" name="expires_days" type="number" min="1" max="3650" placeholder={t('auth.never')} />
        </div>
        {m.role === 'admin' ? (
          <fieldset>
            <legend>{t('auth.scopeLegend')}</legend>
            <label><input type="radio" name="scope" value="" checked /> {t('auth.fullAccess')}</label>
            <label><input type="radio" name="scope" value="metrics" /> {t('auth.metricsOnly')}</label>
            <label><input type="radio" name="scope" value="worker" /> {t('auth.workerOnly')}</label>
          </fieldset>
        ) : null}
        <button type="submit">{t('auth.createToken')}</button>
      </form>

    </section>
  );
}

export function AccountPage(props: { chrome: PageChrome; model: AccountModel }) {
  const m = props.model;
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('auth.account')} section="home">
      <h1>{t('auth.account')}</h1>
      <dl class="facts">
        <dt>{t('auth.username')}</dt>
        <dd>{m.username}</dd>
        <dt>{t('auth.role')}</dt>
        <dd>{t(`auth.role.${m.role}`)}</dd>
      </dl>

      <h2 id="language">{t('auth.language')}</h2>
      <form method="post" action="/account/locale" class="row-form">
        <CsrfField chrome={props.chrome} />
        <div>
          <label for="locale">{t('auth.language')}</label>
          <select id="locale" name="locale">
            <option value="" selected={m.locale === null}>{t('auth.languageBrowser')}</option>
            {/* Each language by its own name, so a reader of either can find theirs. */}
            <option value="zh-CN" selected={m.locale === 'zh-CN'} lang="zh-CN">中文</option>
            <option value="en" selected={m.locale === 'en'} lang="en">English</option>
          </select>
        </div>
        <button type="submit">{t('auth.languageSave')}</button>
      </form>
      <p class="muted small">{t('auth.languageHint')}</p>

      <h2>{t('auth.tokens')}</h2>
      <TokensSection chrome={props.chrome} model={m} />

      <h2>{t('auth.changePassword')}</h2>
      <form method="post" action="/account/password" class="row-form">
        <CsrfField chrome={props.chrome} />
        <div>
          <label for="current-password">{t('auth.currentPassword')}</label>
          <input id="current-password" name="current_password" type="password" autocomplete="current-password" required />
        </div>
        <div>
          <label for="new-password">{t('auth.newPassword')}</label>
          <input id="new-password" name="new_password" type="password" autocomplete="new-password" minlength={12} required />
        </div>
        <button type="submit">{t('auth.changePassword')}</button>
      </form>
    </Layout>
  );
}
