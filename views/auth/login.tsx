import { Layout, type PageChrome } from '../layout.tsx';

export interface LoginModel {
  csrfToken: string;
  next: string;
  username: string;
  error: string | null;
}

/** The sign-in form. Not boosted: signing in changes the session, so the next page loads whole. */
export function LoginPage(props: { chrome: PageChrome; model: LoginModel }) {
  const m = props.model;
  return (
    <Layout chrome={props.chrome} title="Sign in" section="home">
      <section class="auth-card">
        <h1>Sign in to zquant</h1>
        {m.error ? (
          <p class="error-box" role="alert">
            {m.error}
          </p>
        ) : null}
        <form method="post" action="/login" hx-boost="false" class="stack">
          <input type="hidden" name="_csrf" value={m.csrfToken} />
          <input type="hidden" name="next" value={m.next} />
          <label for="username">Username</label>
          <input id="username" name="username" autocomplete="username" required autofocus={!m.username} value={m.username} />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required autofocus={!!m.username} />
          <div class="actions">
            <button type="submit">Sign in</button>
          </div>
        </form>
        <p class="muted small">
          First start? The <code>admin</code> password is <code>ZQUANT_ADMIN_PASSWORD</code>, or the one printed once in the
          server's console. An admin creates other accounts.
        </p>
      </section>
    </Layout>
  );
}
