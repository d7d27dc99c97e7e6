import { Layout, type MessageKey, type PageChrome } from '../layout.tsx';
import type { Adjustment, DailyBars, StockSummary } from '../../src/market/market.service.ts';
import { CandleChart } from './candle-chart.tsx';
import { boardLabel, fmtDate, fmtInt, fmtNum, statusLabel } from './format.ts';
import { MarketNav } from './market-nav.tsx';

export interface StockModel {
  stock: StockSummary;
  bars: DailyBars;
  range: string;
  indicators: Record<string, unknown>[];
}

const adjLabels: Record<Adjustment, MessageKey> = { qfq: 'market.adj.qfq', hfq: 'market.adj.hfq', none: 'market.adj.none' };
const ranges = ['3m', '6m', '1y', '3y'] as const;

export function StockPage(props: { chrome: PageChrome; model: StockModel }) {
  const { stock, bars, range, indicators } = props.model;
  const n = bars.dates.length;
  const last = n - 1;
  const href = (adj: string, r: string) => `/market/stocks/${stock.tsCode}?adj=${adj}&range=${r}`;
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={`${stock.tsCode} ${stock.name ?? ''}`} section="market">
      <MarketNav t={t} current="stocks" />
      <h1>
        {stock.name} <code class="muted">{stock.tsCode}</code>
      </h1>
      <p class="lead">
        {boardLabel[stock.board] ? t(boardLabel[stock.board]) : stock.board} · {stock.exchange} · {stock.industry ?? t('market.noIndustry')} · {t('market.listedOn', { date: fmtDate(stock.listDate) })} ·{' '}
        <span class={`badge status-${stock.listStatus}`}>{t(statusLabel[stock.listStatus ?? 'L'] ?? 'market.status.L')}</span>
        {stock.delistDate ? ` ${fmtDate(stock.delistDate)}` : ''}
      </p>
      {n > 0 ? (
        <dl class="quote">
          <div><dt>{t('market.close', { date: fmtDate(bars.dates[last]) })}</dt><dd>{fmtNum(bars.close[last])}</dd></div>
          <div><dt>{t('market.change')}</dt><dd class={(bars.pctChg[last] ?? 0) >= 0 ? 'up' : 'down'}>{fmtNum(bars.pctChg[last])}%</dd></div>
          <div><dt>{t('market.volume')}</dt><dd>{fmtInt(bars.vol[last])}</dd></div>
          <div><dt>{t('market.limits')}</dt><dd>{fmtNum(bars.upLimit[last])} / {fmtNum(bars.downLimit[last])}</dd></div>
          <div><dt>{t('market.adjFactor')}</dt><dd>{fmtNum(bars.adjFactor[last], 4)}</dd></div>
        </dl>
      ) : null}
      <div class="toolbar">
        <nav class="segmented" aria-label={t('market.adjNav')}>
          {(['qfq', 'hfq', 'none'] as const).map((a) => (
            <a href={href(a, range)} aria-current={bars.adj === a ? 'true' : undefined}>{t(adjLabels[a])}</a>
          ))}
        </nav>
        <nav class="segmented" aria-label={t('market.rangeNav')}>
          {ranges.map((r) => (
            <a href={href(bars.adj, r)} aria-current={range === r ? 'true' : undefined}>{r.toUpperCase()}</a>
          ))}
        </nav>
        <a class="muted" href={`/api/v1/market/daily?ts_code=${stock.tsCode}&adj=${bars.adj}&start=${bars.dates[0] ?? ''}&end=${bars.dates[last] ?? ''}`}>JSON</a>
      </div>
      <figure class="chart-frame">
        <CandleChart t={t} data={bars} title={t('market.chartTitle', { code: stock.tsCode, adj: t(adjLabels[bars.adj]) })} />
        <figcaption class="muted">
          {t('market.caption', { n, from: fmtDate(bars.dates[0]), to: fmtDate(bars.dates[last]), adj: t(adjLabels[bars.adj]) })}
          {bars.adj === 'qfq' && bars.qfqBase ? t('market.captionQfq', { base: bars.qfqBase }) : ''}{t('market.captionRed')}
        </figcaption>
      </figure>
      <h2>{t('market.indicators')}</h2>
      {indicators.length === 0 ? (
        <p class="muted">{t('market.noIndicators')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('market.col.date')}</th>
              <th class="num">{t('market.col.close')}</th>
              <th class="num">{t('market.col.turnover')}</th>
              <th class="num">{t('market.col.volRatio')}</th>
              <th class="num">{t('market.col.pe')}</th>
              <th class="num">{t('market.col.pb')}</th>
              <th class="num">{t('market.col.ps')}</th>
              <th class="num">{t('market.col.dv')}</th>
              <th class="num">{t('market.col.totalMv')}</th>
              <th class="num">{t('market.col.floatMv')}</th>
            </tr>
          </thead>
          <tbody>
            {indicators.map((r) => (
              <tr>
                <td>{fmtDate(r.trade_date as number)}</td>
                <td class="num">{fmtNum(r.close)}</td>
                <td class="num">{fmtNum(r.turnover_rate)}</td>
                <td class="num">{fmtNum(r.volume_ratio)}</td>
                <td class="num">{fmtNum(r.pe_ttm)}</td>
                <td class="num">{fmtNum(r.pb)}</td>
                <td class="num">{fmtNum(r.ps_ttm)}</td>
                <td class="num">{fmtNum(r.dv_ttm)}</td>
                <td class="num">{r.total_mv == null ? '—' : fmtNum(Number(r.total_mv) / 1e4)}</td>
                <td class="num">{r.circ_mv == null ? '—' : fmtNum(Number(r.circ_mv) / 1e4)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
