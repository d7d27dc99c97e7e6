/** The interface's languages. zh-CN is the default: the people this is for are A-share researchers. */
export type Locale = 'zh-CN' | 'en';

export const locales: readonly Locale[] = ['zh-CN', 'en'];
export const defaultLocale: Locale = 'zh-CN';

/** `zh-CN`, `zh-cn`, `zh`, `en-US`, `en` … → a Locale, or null when it is none of ours. */
export function toLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return primary === 'zh' ? 'zh-CN' : primary === 'en' ? 'en' : null;
}

/**
 * The best of our locales for an `Accept-Language` header (RFC 9110 §12.5.4: tags with q-values,
 * highest q first, order breaking ties); `fallback` (the server's DEFAULT_LOCALE) when nothing matches or the header is absent.
 */
export function negotiateLocale(header: string | null | undefined, fallback: Locale = defaultLocale): Locale {
  if (!header) return fallback;
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag, ...rest] = part.trim().split(';');
      const q = rest.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { tag, q: q ? Number(q[1]) : 1, i };
    })
    .filter((r) => r.q > 0 && Number.isFinite(r.q))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    const l = toLocale(r.tag);
    if (l) return l;
  }
  return fallback;
}
