import type { Message } from './define.ts';
import type { Locale } from './locale.ts';

export type Params = Readonly<Record<string, string | number>>;

/**
 * Looks a key up and fills it in: `{name}` placeholders from `params` (numbers as written: format them
 * with `fmt` first when they need grouping), plural forms by `params.count` (a number, shown grouped).
 */
export interface Translate<K extends string = string> {
  (key: K, params?: Params): string;
  /**
   * A message with marked-up parts, for a link or emphasis inside a sentence whose word order differs
   * between languages: `'No data yet. <link>Import some</link>.'` with `{ link: (text) => <a …>{text}</a> }`.
   */
  rich<R>(key: K, slots: Readonly<Record<string, (text: string) => R>>, params?: Params): Array<string | R>;
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

function pick(locale: Locale, m: Message, params: Params | undefined): string {
  if (typeof m === 'string') return m;
  const count = Number(params?.count ?? 0);
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  const form = rules.select(count);
  return (form === 'one' ? m.one : undefined) ?? m.other;
}

const grouping = new Map<Locale, Intl.NumberFormat>();

function fill(locale: Locale, s: string, params: Params | undefined): string {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in params)) return whole;
    const v = params[name];
    if (name !== 'count' || typeof v !== 'number') return String(v);
    let f = grouping.get(locale);
    if (!f) grouping.set(locale, (f = new Intl.NumberFormat(locale)));
    return f.format(v);
  });
}

/** A translator over one locale's table, falling back to English, then to the key itself (which tests look for). */
export function makeTranslate<K extends string>(
  locale: Locale,
  table: Readonly<Record<string, Message>>,
  fallback: Readonly<Record<string, Message>>,
): Translate<K> {
  const text = (key: K, params?: Params): string => {
    const m = table[key] ?? fallback[key];
    return m === undefined ? key : fill(locale, pick(locale, m, params), params);
  };
  const rich = <R,>(key: K, slots: Readonly<Record<string, (text: string) => R>>, params?: Params): Array<string | R> => {
    const s = text(key, params);
    const out: Array<string | R> = [];
    const re = /<(\w+)>(.*?)<\/\1>/g;
    let last = 0;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      if (m.index > last) out.push(s.slice(last, m.index));
      const slot = slots[m[1]];
      out.push(slot ? slot(m[2]) : m[2]);
      last = m.index + m[0].length;
    }
    if (last < s.length) out.push(s.slice(last));
    return out;
  };
  return Object.assign(text, { rich });
}
