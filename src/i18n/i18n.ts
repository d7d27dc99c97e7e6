import { makeFormatters, type Formatters } from './format.ts';
import { defaultLocale, type Locale } from './locale.ts';
import { tables, type MessageKey } from './messages/index.ts';
import { makeTranslate, type Translate } from './translate.ts';

export type { Formatters } from './format.ts';
export type { Locale } from './locale.ts';
export type { MessageKey } from './messages/index.ts';
export type { Params } from './translate.ts';

/** The translator over the whole catalogue. */
export type T = Translate<MessageKey>;

/** What a page needs to speak the user's language: which one, the translator, and number/time formats. */
export interface I18n {
  locale: Locale;
  t: T;
  fmt: Formatters;
}

const cache = new Map<Locale, I18n>();

/** The (cached, immutable) translator and formatters of a locale. */
export function i18nFor(locale: Locale = defaultLocale): I18n {
  let i = cache.get(locale);
  if (!i) {
    i = { locale, t: makeTranslate<MessageKey>(locale, tables[locale], tables.en), fmt: makeFormatters(locale) };
    cache.set(locale, i);
  }
  return i;
}
