import type { ApiToken } from '../../src/auth/tokens.service.ts';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';

export interface AccountModel {
  username: string;
  role: string;
  tokens: ApiToken[];
  /** A token just created: shown once, here, never again. */
  newToken: { name: string; token: string } | null;
  now: Date;
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '—');

function tokenState(t: ApiToken, now: Date): string {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && t.expiresAt <= now) return 'expired';
  return 'active';
}

/** One token's row; also the fragment a revoke returns, so htmx swaps it in place. */
export function TokenRow(props: { token: ApiToken; now: Date }) {
  const t = props.token;
  const state = tokenState(t, props.now);
  return (
    <tr id={`token-${t.id}`}>
      <td>
        {t.name}
        {t.scope ? <span class="badge"> {t.scope} only</span> : null}
      </td>
      <td>
        <code>{t.prefix}…</code>
      </td>
      <td>{day(t.createdAt)}</td>
      <td>{t.expiresAt ? day(t.expiresAt) : 'never'}</td>
      <td>{day(t.lastUsedAt)}</td>
      <td>
        <span class={`badge ${state === 'active' ? 'succeeded' : 'failed'}`}>{state}</span>
      </td>
      <td>
        {state === 'active' ? (
          <button type="button" class="secondary small" hx-post={`/account/tokens/${t.id}/revoke`} hx-target={`#token-${t.id}`} hx-swap="outerHTML" hx-confirm={`Revoke "${t.name}"? Scripts using it stop working at once.`}>
            Revoke
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
  return (
    <section id="api-tokens">
      <p class="muted">
        For curl and scripts: send <code>Authorization: Bearer zq_…</code>. A token acts as you, with your role.
      </p>
      {m.newToken ? (
        <div class="notice" role="status">
          <p>
            New token <strong>{m.newToken.name}</strong>: copy it now, it is shown only once.
          </p>
          <input class="token-value" readonly value={m.newToken.token} aria-label="New API token" />
        </div>
      ) : null}
      {m.tokens.length ? (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Starts with</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th>State</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {m.tokens.map((t) => (
              <TokenRow token={t} now={m.now} />
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No tokens yet.</p>
      )}
      {m.tokens.some((t) => t.revokedAt === null) ? (
        <form method="post" action="/account/tokens/revoke-all" class="inline-form" hx-boost="false" hx-post="/account/tokens/revoke-all" hx-target="#api-tokens" hx-swap="outerHTML" hx-confirm="Revoke every one of your API tokens? Scripts using them stop working at once.">
          <CsrfField chrome={props.chrome} />
          <button type="submit" class="danger small">Revoke all tokens</button>
        </form>
      ) : null}
      <form method="post" action="/account/tokens" class="row-form" hx-boost="false" hx-post="/account/tokens" hx-target="#api-tokens" hx-swap="outerHTML">
        <CsrfField chrome={props.chrome} />
        <div>
          <label for="token-name">Name</label>
          <input id="token-name" name="name" placeholder="e.g. nightly script" maxlength={100} />
        </div>
        <div>
          <label for="token-expiry">Expires after (days)</label>
          <input id="token-expiry" name="expires_days" type="number" min="1" max="3650" placeholder="never" />
        </div>
        {m.role === 'admin' ? (
          <div>
            <label>
              <input type="checkbox" name="scope" value="metrics" /> Metrics only (for a Prometheus server: reads /metrics, nothing else)
            </label>
          </div>
        ) : null}
        <button type="submit">Create token</button>
      </form>

    </section>
  );
}

export function AccountPage(props: { chrome: PageChrome; model: AccountModel }) {
  const m = props.model;
  return (
    <Layout chrome={props.chrome} title="Your account" section="home">
      <h1>Your account</h1>
      <dl class="facts">
        <dt>Username</dt>
        <dd>{m.username}</dd>
        <dt>Role</dt>
        <dd>{m.role}</dd>
      </dl>

      <h2>API tokens</h2>
      <TokensSection chrome={props.chrome} model={m} />

      <h2>Change password</h2>
      <form method="post" action="/account/password" class="row-form">
        <CsrfField chrome={props.chrome} />
        <div>
          <label for="current-password">Current password</label>
          <input id="current-password" name="current_password" type="password" autocomplete="current-password" required />
        </div>
        <div>
          <label for="new-password">New password (12+ characters)</label>
          <input id="new-password" name="new_password" type="password" autocomplete="new-password" minlength={12} required />
        </div>
        <button type="submit">Change password</button>
      </form>
    </Layout>
  );
}
