import type { Context } from 'hono';
import { i18nFor, type I18n } from './i18n.ts';
import { negotiateLocale, type Locale } from './locale.ts';

/**
 * The language of a request: the signed-in user's choice (account page), else the browser's
 * `Accept-Language`, else the server's DEFAULT_LOCALE (zh-CN unless set).
 */
export function localeOf(c: Context): Locale {
  const principal = c.get('principal') as { locale?: Locale | null } | null | undefined;
  const fallback = c.get('defaultLocale') as Locale | undefined;
  return principal?.locale ?? negotiateLocale(c.req.header('accept-language'), fallback);
}

/** The translator and formatters for this request's language. */
export function i18nOf(c: Context): I18n {
  return i18nFor(localeOf(c));
}
