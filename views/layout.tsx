import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { PageChrome } from '../src/http/chrome.ts';
import type { MessageKey, T } from '../src/i18n/i18n.ts';

// The frame's data is computed in src/http/chrome.ts; the views name it through this module.
export type { PageChrome };
/** The translator views receive (chrome.t on pages, a `t` prop on parts drawn alone as fragments). */
export type { T, MessageKey };

export type Section = 'home' | 'backtests' | 'sweeps' | 'strategies' | 'factors' | 'market' | 'scheduler' | 'admin';

const sections: ReadonlyArray<{ id: Exclude<Section, 'home'>; href: string; label: MessageKey }> = [
  { id: 'backtests', href: '/backtests', label: 'layout.nav.backtests' },
  { id: 'sweeps', href: '/sweeps', label: 'layout.nav.sweeps' },
  { id: 'strategies', href: '/strategies', label: 'layout.nav.strategies' },
  { id: 'factors', href: '/factors', label: 'layout.nav.factors' },
  { id: 'market', href: '/market', label: 'layout.nav.market' },
  { id: 'scheduler', href: '/scheduler', label: 'layout.nav.scheduler' },
  { id: 'admin', href: '/admin', label: 'layout.nav.admin' },
];

/** The page frame: head, navigation, main. Every full page renders through it. */
/**
 * `refreshSeconds`: a page that follows something still running; without JavaScript (no live
 * stream) the browser reloads it that often, and the page says so.
 */
export function Layout(props: { chrome: PageChrome; title: string; section: Section; refreshSeconds?: number; children?: Child }) {
  const { chrome } = props;
  const { t } = chrome;
  const htmxConfig = 'includeIndicatorCSS:false';
  return (
    <>
    {raw('<!DOCTYPE html>')}
    <html lang={chrome.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={htmxConfig} />
        {props.refreshSeconds ? <noscript><meta http-equiv="refresh" content={String(props.refreshSeconds)} /></noscript> : null}
        {chrome.csrfToken ? <meta name="csrf-token" content={chrome.csrfToken} /> : null}
        <title>{`${props.title} · zquant`}</title>
        <link rel="icon" type="image/svg+xml" href={chrome.assets.url('img/favicon.svg')} />
        <link rel="stylesheet" href={chrome.assets.url('css/app.css')} />
        {/* Not deferred, on purpose: htmx run while the document is still loading waits for
            DOMContentLoaded before processing it, so hx-sse and app.js (the CSRF header) are in place
            first. Deferred, htmx initialises from a setTimeout as soon as it has run, and when
            hx-sse.js arrived later than that, the page's SSE attributes were never wired (seen as a
            run page whose live log never moved). Small, cached forever (hashed URLs). */}
        <script src={chrome.assets.url('vendor/htmx-4.0.1.min.js')}></script>
        <script src={chrome.assets.url('vendor/hx-sse-4.0.1.min.js')}></script>
        <script src={chrome.assets.url('js/app.js')}></script>
      </head>
      <body hx-boost="true">
        <header class="topbar">
          <a class="brand" href="/">zquant</a>
          {/* On a phone the links fold behind "Menu": a checkbox and its label, so it opens without JavaScript. */}
          <input type="checkbox" id="nav-toggle" class="nav-toggle" aria-hidden="true" />
          <label for="nav-toggle" class="nav-toggle-label">{t('layout.menu')}</label>
          <nav aria-label={t('layout.nav.main')}>
            {sections.filter((s) => chrome.username && (s.id !== 'admin' || chrome.role === 'admin')).map((s) => (
              <a href={s.href} aria-current={props.section === s.id ? 'page' : undefined}>
                {t(s.label)}
              </a>
            ))}
          </nav>
          <div class="who">
            {chrome.username ? (
              <>
                <a href="/account" class="username">{chrome.username}</a>
                <form method="post" action="/logout" class="inline" hx-boost="false">
                  <CsrfField chrome={chrome} />
                  <button type="submit" class="link">{t('layout.logout')}</button>
                </form>
              </>
            ) : null}
          </div>
        </header>
        <main id="main">
          {props.refreshSeconds ? <noscript><p class="notice">{t('layout.stillRunning', { seconds: props.refreshSeconds })}</p></noscript> : null}
          {props.children}
        </main>
      </body>
    </html>
    </>
  );
}

/** The hidden anti-CSRF field every state-changing form carries. */
export function CsrfField(props: { chrome: PageChrome }) {
  return props.chrome.csrfToken ? <input type="hidden" name="_csrf" value={props.chrome.csrfToken} /> : null;
}

/** An error shown in place: a full page for navigation, the same box alone for htmx. */
/** An error's answer as a page or fragment; the request id is what to quote to an operator (the log has the rest). */
export function ErrorBox(props: { t: T; status: number; code: string; message: string; requestId?: string }) {
  const { t } = props;
  return (
    <section class="error-box" role="alert">
      <h1>{t(props.status === 404 ? 'layout.error.notFound' : props.status >= 500 ? 'layout.error.server' : 'layout.error.client')}</h1>
      <p>{props.message}</p>
      <p class="muted">
        {props.status} · {props.code}
        {props.requestId ? <> · {t('layout.error.requestId')} <code class="request-id">{props.requestId}</code></> : null}
      </p>
    </section>
  );
}
