import type { T } from '../../src/i18n/i18n.ts';

/** The market section's own tabs. */
export function MarketNav(props: { t: T; current: 'stocks' | 'coverage' | 'log' }) {
  const { t } = props;
  const tabs = [
    { id: 'stocks', href: '/market', label: 'market.tab.stocks' },
    { id: 'coverage', href: '/market/coverage', label: 'market.tab.coverage' },
    { id: 'log', href: '/market/log', label: 'market.tab.log' },
  ] as const;
  return (
    <nav class="tabs" aria-label={t('market.tabs')}>
      {tabs.map((tab) => (
        <a href={tab.href} aria-current={props.current === tab.id ? 'page' : undefined}>{t(tab.label)}</a>
      ))}
    </nav>
  );
}

/** Prev/next links with "x–y of total", keeping the other query parameters. */
export function Pager(props: { t: T; base: string; params: Record<string, string | undefined>; total: number; limit: number; offset: number }) {
  const { t, total, limit, offset } = props;
  const link = (o: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(props.params)) if (v) q.set(k, v);
    q.set('offset', String(o));
    return `${props.base}?${q}`;
  };
  return (
    <p class="pager">
      <span class="muted">{total === 0 ? t('market.nothing') : t('market.range', { from: offset + 1, to: Math.min(total, offset + limit), total: total.toLocaleString('en-US') })}</span>
      {offset > 0 ? <a href={link(Math.max(0, offset - limit))}>{t('market.previous')}</a> : null}
      {offset + limit < total ? <a href={link(offset + limit)}>{t('market.next')}</a> : null}
    </p>
  );
}
