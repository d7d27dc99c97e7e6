/** The market section's own tabs. */
export function MarketNav(props: { current: 'stocks' | 'coverage' | 'log' }) {
  const tabs = [
    { id: 'stocks', href: '/market', label: 'Stocks' },
    { id: 'coverage', href: '/market/coverage', label: 'Coverage & sync' },
    { id: 'log', href: '/market/log', label: 'Operation log' },
  ] as const;
  return (
    <nav class="tabs" aria-label="Market data">
      {tabs.map((t) => (
        <a href={t.href} aria-current={props.current === t.id ? 'page' : undefined}>{t.label}</a>
      ))}
    </nav>
  );
}

/** Prev/next links with "x–y of total", keeping the other query parameters. */
export function Pager(props: { base: string; params: Record<string, string | undefined>; total: number; limit: number; offset: number }) {
  const { total, limit, offset } = props;
  const link = (o: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(props.params)) if (v) q.set(k, v);
    q.set('offset', String(o));
    return `${props.base}?${q}`;
  };
  return (
    <p class="pager">
      <span class="muted">{total === 0 ? 'nothing found' : `${offset + 1}–${Math.min(total, offset + limit)} of ${total.toLocaleString('en-US')}`}</span>
      {offset > 0 ? <a href={link(Math.max(0, offset - limit))}>← Previous</a> : null}
      {offset + limit < total ? <a href={link(offset + limit)}>Next →</a> : null}
    </p>
  );
}
