/** A backtest's fills or orders table as a page of its own: what a "Next →" or "Not filled" link opens without JavaScript (htmx swaps the table in place). */
import type { Child } from 'hono/jsx';
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import { Layout, type MessageKey, type PageChrome } from '../layout.tsx';

export function BacktestTablePage(props: { chrome: PageChrome; b: Backtest; what: MessageKey; children?: Child }) {
  const { b } = props;
  const { t } = props.chrome;
  const what = t(props.what);
  return (
    <Layout chrome={props.chrome} title={t('readable.table.title', { what, id: b.id })} section="backtests">
      <p><a href={`/backtests/${b.id}`}>← #{b.id} · {b.name}</a></p>
      <h1>{what} <span class="muted small">{t('readable.table.of', { id: b.id })}</span></h1>
      {props.children}
    </Layout>
  );
}
