/** A backtest's fills or orders table as a page of its own: what a "Next →" or "Not filled" link opens without JavaScript (htmx swaps the table in place). */
import type { Child } from 'hono/jsx';
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import { Layout, type PageChrome } from '../layout.tsx';

export function BacktestTablePage(props: { chrome: PageChrome; b: Backtest; what: string; children?: Child }) {
  const { b } = props;
  return (
    <Layout chrome={props.chrome} title={`${props.what} · backtest ${b.id}`} section="backtests">
      <p><a href={`/backtests/${b.id}`}>← #{b.id} · {b.name}</a></p>
      <h1>{props.what} <span class="muted small">backtest #{b.id}</span></h1>
      {props.children}
    </Layout>
  );
}
