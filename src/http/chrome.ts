import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Role } from '../auth/principal.ts';
import type { Assets } from './assets.ts';
import type { AppEnv } from './env.ts';
import type { Formatters, Locale, T } from '../i18n/i18n.ts';
import { i18nOf } from '../i18n/request.ts';

/** What every page's frame shows besides the page itself (views/layout.tsx draws it). */
export interface PageChrome {
  assets: Assets;
  /** The signed-in user's name, when there is one. */
  username?: string | null;
  /** The signed-in user's role (navigation hides what the role cannot use). */
  role?: Role | null;
  /** Anti-CSRF token for forms and htmx requests on this page. */
  csrfToken?: string | null;
  /** The page's language (the user's choice, else Accept-Language, else zh-CN), its translator and formats. */
  locale: Locale;
  t: T;
  fmt: Formatters;
  /**
   * The IANA zone times are shown in: the browser's, which app.js keeps in the `tz` cookie, else
   * Asia/Shanghai (the A-share exchanges' clock; also what a page without JavaScript shows).
   */
  timeZone: string;
}

export const defaultTimeZone = 'Asia/Shanghai';

/** The `tz` cookie's zone when Intl knows it, else the default. */
export function timeZoneOf(cookie: string | undefined): string {
  if (!cookie || cookie.length > 64) return defaultTimeZone;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: cookie }).resolvedOptions().timeZone;
  } catch {
    return defaultTimeZone;
  }
}

export type PageChromeFn = (c: Context<AppEnv>) => PageChrome;

/** What every page's frame needs from the request: assets, who is signed in, the CSRF token. */
export function makeChrome(assets: Assets): PageChromeFn {
  return (c) => {
    const principal = c.get('principal');
    const { locale, t, fmt } = i18nOf(c);
    c.header('Content-Language', locale);
    c.header('Vary', 'Accept-Language', { append: true });
    return {
      assets,
      username: principal?.username ?? null,
      role: principal?.role ?? null,
      csrfToken: c.get('csrfToken') ?? null,
      locale,
      t,
      fmt,
      timeZone: timeZoneOf(getCookie(c, 'tz')),
    };
  };
}
