import type { Locale } from './locale.ts';

/**
 * One message: a string with `{name}` placeholders, or plural forms chosen by the `count` parameter
 * (Intl.PluralRules: English has `one` and `other`, Chinese only `other`).
 */
export type Message = string | { readonly one?: string; readonly other: string };

/** A feature's messages: English and Chinese with exactly the same keys (the compiler checks). */
export type Messages<K extends string> = { readonly [L in Locale]: { readonly [key in K]: Message } };

/**
 * Declares a feature's catalogue. Keys are written in full with the feature's prefix
 * (`home.title` in messages/home.ts, the test checks the prefix), so catalogues merge without clashes.
 * `zh-CN` must have every key of `en` and no other.
 */
export function defineMessages<const E extends Record<string, Message>>(m: {
  en: E;
  'zh-CN': { [K in keyof E]: Message };
}): Messages<keyof E & string> {
  return m as Messages<keyof E & string>;
}
