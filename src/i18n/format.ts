import type { Locale } from './locale.ts';

/**
 * Numbers and times for one locale, through Intl. Market days stay ISO (2024-01-02) in both
 * languages: that is how A-share data is written and read; use the date codec for them.
 */
export interface Formatters {
  /** Grouped with fixed decimals; null, undefined and non-finite are "—". */
  number(v: number | null | undefined, digits?: number): string;
  /** A whole number, grouped. */
  int(v: number | null | undefined): string;
  /** A fraction as a percentage (0.1234 → 12.34%). */
  percent(ratio: number | null | undefined, digits?: number): string;
  /** A moment as date and time in the given IANA zone (default UTC), e.g. 2026/12/6 09:08 or Dec 6, 2026, 09:08. */
  dateTime(at: Date | string | null | undefined, timeZone?: string): string;
  /** A list joined the locale's way (a, b and c / a、b和c). */
  list(items: readonly string[]): string;
}

const dash = '—';

export function makeFormatters(locale: Locale): Formatters {
  const numbers = new Map<number, Intl.NumberFormat>();
  const numberFormat = (digits: number) => {
    let f = numbers.get(digits);
    if (!f) numbers.set(digits, (f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })));
    return f;
  };
  const times = new Map<string, Intl.DateTimeFormat>();
  const timeFormat = (timeZone: string) => {
    let f = times.get(timeZone);
    if (!f) {
      f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23', timeZone });
      times.set(timeZone, f);
    }
    return f;
  };
  const list = new Intl.ListFormat(locale, { type: 'conjunction' });
  const ok = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);
  return {
    number: (v, digits = 2) => (ok(v) ? numberFormat(digits).format(v) : dash),
    int: (v) => (ok(v) ? numberFormat(0).format(Math.round(v)) : dash),
    percent: (r, digits = 2) => (ok(r) ? `${numberFormat(digits).format(r * 100)}%` : dash),
    dateTime: (at, timeZone = 'UTC') => {
      if (at === null || at === undefined) return dash;
      const d = typeof at === 'string' ? new Date(at) : at;
      return Number.isNaN(d.getTime()) ? dash : timeFormat(timeZone).format(d);
    },
    list: (items) => list.format(items),
  };
}
