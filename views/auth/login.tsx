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
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('auth.signIn')} section="home">
      <section class="auth-card">
        <h1>{t('auth.signInTo')}</h1>
        {m.error ? (
          <p class="error-box" role="alert">
            {m.error}
          </p>
        ) : null}
        <form method="post" action="/login" hx-boost="false" class="stack">
          <input type="hidden" name="_csrf" value={m.csrfToken} />
          <input type="hidden" name="next" value={m.next} />
          <label for="username">{t('auth.username')}</label>
          <input id="username" name="username" autocomplete="username" required autofocus={!m.username} value={m.username} />
          <label for="password">{t('auth.password')}</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required autofocus={!!m.username} />
          <div class="actions">
            <button type="submit">{t('auth.signIn')}</button>
          </div>
        </form>
        <p class="muted small">
          {t.rich('auth.firstStart', { c1: (s) => <code>{s}</code>, c2: (s) => <code>{s}</code> })}
        </p>
      </section>
    </Layout>
  );
}
