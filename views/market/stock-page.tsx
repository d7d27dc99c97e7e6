import { Layout, type PageChrome } from '../layout.tsx';
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

const adjLabels: Record<Adjustment, string> = { qfq: 'Forward (qfq)', hfq: 'Backward (hfq)', none: 'Actual' };
const ranges = ['3m', '6m', '1y', '3y'] as const;

export function StockPage(props: { chrome: PageChrome; model: StockModel }) {
  const { stock, bars, range, indicators } = props.model;
  const n = bars.dates.length;
  const last = n - 1;
  const href = (adj: string, r: string) => `/market/stocks/${stock.tsCode}?adj=${adj}&range=${r}`;
  return (
    <Layout chrome={props.chrome} title={`${stock.tsCode} ${stock.name ?? ''}`} section="market">
      <MarketNav current="stocks" />
      <h1>
        {stock.name} <code class="muted">{stock.tsCode}</code>
      </h1>
      <p class="lead">
        {boardLabel[stock.board]} · {stock.exchange} · {stock.industry ?? 'no industry'} · listed {fmtDate(stock.listDate)} ·{' '}
        <span class={`badge status-${stock.listStatus}`}>{statusLabel[stock.listStatus ?? 'L']}</span>
        {stock.delistDate ? ` ${fmtDate(stock.delistDate)}` : ''}
      </p>
      {n > 0 ? (
        <dl class="quote">
          <div><dt>Close {fmtDate(bars.dates[last])}</dt><dd>{fmtNum(bars.close[last])}</dd></div>
          <div><dt>Change</dt><dd class={(bars.pctChg[last] ?? 0) >= 0 ? 'up' : 'down'}>{fmtNum(bars.pctChg[last])}%</dd></div>
          <div><dt>Volume (lots)</dt><dd>{fmtInt(bars.vol[last])}</dd></div>
          <div><dt>Limits</dt><dd>{fmtNum(bars.upLimit[last])} / {fmtNum(bars.downLimit[last])}</dd></div>
          <div><dt>Adj factor</dt><dd>{fmtNum(bars.adjFactor[last], 4)}</dd></div>
        </dl>
      ) : null}
      <div class="toolbar">
        <nav class="segmented" aria-label="Price adjustment">
          {(['qfq', 'hfq', 'none'] as const).map((a) => (
            <a href={href(a, range)} aria-current={bars.adj === a ? 'true' : undefined}>{adjLabels[a]}</a>
          ))}
        </nav>
        <nav class="segmented" aria-label="Range">
          {ranges.map((r) => (
            <a href={href(bars.adj, r)} aria-current={range === r ? 'true' : undefined}>{r.toUpperCase()}</a>
          ))}
        </nav>
        <a class="muted" href={`/api/v1/market/daily?ts_code=${stock.tsCode}&adj=${bars.adj}&start=${bars.dates[0] ?? ''}&end=${bars.dates[last] ?? ''}`}>JSON</a>
      </div>
      <figure class="chart-frame">
        <CandleChart data={bars} title={`${stock.tsCode} daily candles, ${adjLabels[bars.adj]} prices, with volume`} />
        <figcaption class="muted">
          {n} trading days, {fmtDate(bars.dates[0])} – {fmtDate(bars.dates[last])}. {adjLabels[bars.adj]} prices
          {bars.adj === 'qfq' && bars.qfqBase ? ` (divided by the latest factor ${bars.qfqBase})` : ''}. Red: closed above the open.
        </figcaption>
      </figure>
      <h2>Indicators (daily_basic)</h2>
      {indicators.length === 0 ? (
        <p class="muted">No daily indicators stored for this stock. Sync the daily_basic dataset.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Date</th>
              <th class="num">Close</th>
              <th class="num">Turnover %</th>
              <th class="num">Vol ratio</th>
              <th class="num">PE (TTM)</th>
              <th class="num">PB</th>
              <th class="num">PS (TTM)</th>
              <th class="num">Div yield %</th>
              <th class="num">Total mv (亿)</th>
              <th class="num">Float mv (亿)</th>
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
