import { Layout, type PageChrome } from '../layout.tsx';
import type { StockSummary } from '../../src/market/market.service.ts';
import { boardLabel, fmtDate, statusLabel } from './format.ts';
import { MarketNav, Pager } from './market-nav.tsx';

export interface StocksModel {
  q: string;
  board: string;
  status: string;
  items: StockSummary[];
  total: number;
  limit: number;
  offset: number;
}

export function StocksPage(props: { chrome: PageChrome; model: StocksModel }) {
  const m = props.model;
  return (
    <Layout chrome={props.chrome} title="Market data" section="market">
      <h1>Market data</h1>
      <MarketNav current="stocks" />
      <form method="get" action="/market" class="filters" role="search">
        <label>
          Code or name
          <input type="search" name="q" value={m.q} placeholder="600000 or 银行" autofocus />
        </label>
        <label>
          Board
          <select name="board">
            <option value="">all boards</option>
            {Object.entries(boardLabel).map(([v, l]) => (
              <option value={v} selected={m.board === v}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status">
            <option value="">any status</option>
            {Object.entries(statusLabel).map(([v, l]) => (
              <option value={v} selected={m.status === v}>{l}</option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>Code</th>
            <th>Name</th>
            <th>Board</th>
            <th>Industry</th>
            <th>Listed</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {m.items.map((s) => (
            <tr>
              <td><a href={`/market/stocks/${s.tsCode}`}><code>{s.tsCode}</code></a></td>
              <td>{s.name}</td>
              <td>{boardLabel[s.board] ?? s.board}</td>
              <td>{s.industry ?? '—'}</td>
              <td>{fmtDate(s.listDate)}</td>
              <td>
                <span class={`badge status-${s.listStatus ?? 'L'}`}>{statusLabel[s.listStatus ?? 'L'] ?? s.listStatus}</span>
                {s.delistDate ? <span class="muted"> {fmtDate(s.delistDate)}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager base="/market" params={{ q: m.q, board: m.board, status: m.status }} total={m.total} limit={m.limit} offset={m.offset} />
    </Layout>
  );
}
