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
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('market.title')} section="market">
      <h1>{t('market.title')}</h1>
      <MarketNav t={t} current="stocks" />
      <form method="get" action="/market" class="filters" role="search">
        <label>
          {t('market.q')}
          <input type="search" name="q" value={m.q} placeholder={t('market.qPlaceholder')} autofocus />
        </label>
        <label>
          {t('market.board')}
          <select name="board">
            <option value="">{t('market.allBoards')}</option>
            {Object.entries(boardLabel).map(([v, l]) => (
              <option value={v} selected={m.board === v}>{t(l)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('market.status')}
          <select name="status">
            <option value="">{t('market.anyStatus')}</option>
            {Object.entries(statusLabel).map(([v, l]) => (
              <option value={v} selected={m.status === v}>{t(l)}</option>
            ))}
          </select>
        </label>
        <button type="submit">{t('market.search')}</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>{t('market.col.code')}</th>
            <th>{t('market.col.name')}</th>
            <th>{t('market.board')}</th>
            <th>{t('market.col.industry')}</th>
            <th>{t('market.col.listed')}</th>
            <th>{t('market.status')}</th>
          </tr>
        </thead>
        <tbody>
          {m.items.map((s) => (
            <tr>
              <td><a href={`/market/stocks/${s.tsCode}`}><code>{s.tsCode}</code></a></td>
              <td>{s.name}</td>
              <td>{boardLabel[s.board] ? t(boardLabel[s.board]) : s.board}</td>
              <td>{s.industry ?? '—'}</td>
              <td>{fmtDate(s.listDate)}</td>
              <td>
                <span class={`badge status-${s.listStatus ?? 'L'}`}>{statusLabel[s.listStatus ?? 'L'] ? t(statusLabel[s.listStatus ?? 'L']) : s.listStatus}</span>
                {s.delistDate ? <span class="muted"> {fmtDate(s.delistDate)}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager t={t} base="/market" params={{ q: m.q, board: m.board, status: m.status }} total={m.total} limit={m.limit} offset={m.offset} />
    </Layout>
  );
}
