/** The finished backtest's result, as one fragment: the task page renders it, and the page's stream swaps it in when the run ends. */
import type { Metrics } from '../../src/engine/metrics/metrics.ts';
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import type { ResultData, StoredPosition } from '../../src/backtests/results.ts';
import type { MessageKey, T } from '../../src/i18n/i18n.ts';
import { DrawdownChart, EquityChart } from './charts.tsx';
import { day, money, num, pct, signClass, signedPct } from './format.ts';

function Card(props: { label: string; value: string; cls?: string; hint?: string }) {
  return (
    <div class="metric">
      <div class="metric-label">{props.label}</div>
      <div class={`metric-value ${props.cls ?? ''}`}>{props.value}</div>
      {props.hint ? <div class="metric-hint muted">{props.hint}</div> : null}
    </div>
  );
}

export function MetricCards(props: { t: T; m: Metrics; finalValue: number | null; benchmark: string | null }) {
  const { t } = props;
  const m = props.m;
  const dd = m.drawdown;
  return (
    <div class="metrics" id="bt-metrics">
      <Card label={t('backtests.m.totalReturn')} value={signedPct(m.totalReturn)} cls={signClass(m.totalReturn)} hint={t('backtests.m.final', { value: money(props.finalValue, 0) })} />
      <Card label={t('backtests.m.annualized')} value={signedPct(m.annualizedReturn)} cls={signClass(m.annualizedReturn)} />
      <Card label={t('backtests.m.benchmarkReturn')} value={signedPct(m.benchmarkReturn)} cls={signClass(m.benchmarkReturn)} hint={props.benchmark ?? t('backtests.m.noBenchmark')} />
      <Card label={t('backtests.m.excess')} value={signedPct(m.excessReturn)} cls={signClass(m.excessReturn)} />
      <Card label={t('backtests.m.sharpe')} value={num(m.sharpe)} hint={t('backtests.m.sortino', { value: num(m.sortino) })} />
      <Card label={t('backtests.m.maxDd')} value={pct(dd.maxDrawdown)} cls={dd.maxDrawdown < 0 ? 'neg-dd' : ''} hint={dd.peakDate ? `${day(dd.peakDate)} → ${day(dd.troughDate)}` : undefined} />
      <Card label={t('backtests.m.volatility')} value={pct(m.volatility)} hint={t('backtests.m.calmar', { value: num(m.calmar) })} />
      <Card label={t('backtests.m.alphaBeta')} value={`${num(m.alpha, 3)} / ${num(m.beta, 2)}`} hint={t('backtests.m.ir', { value: num(m.informationRatio) })} />
      <Card label={t('backtests.m.winRate')} value={pct(m.winRate, 1)} hint={t('backtests.m.winHint', { trades: m.tradeCount, pl: num(m.profitLossRatio) })} />
      <Card label={t('backtests.m.turnover')} value={pct(m.turnover, 0)} hint={t('backtests.m.turnoverHint', { exposure: pct(m.exposure, 0), days: num(m.avgHoldingDays, 1) })} />
    </div>
  );
}

const months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => `backtests.month.${n}` as MessageKey);

/** Heat class by size of a monthly return: red up, green down (A-share convention), five steps each. */
function heat(v: number): string {
  if (v === 0) return 'hm-0';
  const step = Math.min(5, Math.ceil(Math.abs(v) / 0.02));
  return `${v > 0 ? 'hm-p' : 'hm-n'}${step}`;
}

export function MonthlyHeatmap(props: { t: T; m: Metrics }) {
  const { t } = props;
  const byYear = new Map<number, Map<number, number>>();
  for (const x of props.m.monthly) {
    if (!byYear.has(x.year)) byYear.set(x.year, new Map());
    byYear.get(x.year)!.set(x.month, x.return);
  }
  const yearly = new Map(props.m.yearly.map((y) => [y.year, y.return]));
  if (byYear.size === 0) return <p class="muted">{t('backtests.r.noMonthly')}</p>;
  return (
    <table class="heatmap">
      <thead>
        <tr>
          <th>{t('backtests.r.year')}</th>
          {months.map((m) => <th class="num">{t(m)}</th>)}
          <th class="num">{t('backtests.r.year')}</th>
        </tr>
      </thead>
      <tbody>
        {[...byYear.keys()].sort().map((y) => (
          <tr>
            <th>{y}</th>
            {months.map((_, i) => {
              const v = byYear.get(y)!.get(i + 1);
              return v === undefined ? <td class="num hm-none"></td> : <td class={`num ${heat(v)}`} title={`${y}-${String(i + 1).padStart(2, '0')}: ${signedPct(v)}`}>{pct(v, 1)}</td>;
            })}
            <td class={`num year ${signClass(yearly.get(y))}`}>{pct(yearly.get(y), 1)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Pager(props: { t: T; base: string; target: string; total: number; offset: number; limit: number; extra?: string }) {
  const { t, total, offset, limit } = props;
  if (total <= limit) return <p class="muted small">{t('backtests.r.inAll', { total })}</p>;
  const link = (o: number, label: string) => (
    <a href={`${props.base}?offset=${o}${props.extra ?? ''}`} hx-get={`${props.base}?offset=${o}${props.extra ?? ''}`} hx-target={props.target} hx-swap="outerHTML" hx-push-url="false">{label}</a>
  );
  return (
    <p class="pager small">
      {offset > 0 ? link(Math.max(0, offset - limit), t('backtests.r.previous')) : <span class="muted">{t('backtests.r.previous')}</span>}
      <span class="muted"> {t('backtests.r.range', { from: offset + 1, to: Math.min(total, offset + limit), total })} </span>
      {offset + limit < total ? link(offset + limit, t('backtests.r.next')) : <span class="muted">{t('backtests.r.next')}</span>}
    </p>
  );
}

export function FillsTable(props: { t: T; id: number; page: ResultData['fills'] }) {
  const { t } = props;
  const p = props.page;
  return (
    <div id="bt-fills">
      <table class="compact">
        <thead>
          <tr><th>{t('backtests.col.date')}</th><th>{t('backtests.col.code')}</th><th>{t('backtests.col.side')}</th><th class="num">{t('backtests.col.shares')}</th><th class="num">{t('backtests.col.price')}</th><th class="num">{t('backtests.col.value')}</th><th class="num">{t('backtests.col.costs')}</th><th>{t('backtests.col.priceBasis')}</th></tr>
        </thead>
        <tbody>
          {p.items.length === 0 ? <tr><td colspan={8} class="muted">{t('backtests.r.noTrades')}</td></tr> : null}
          {p.items.map((f) => (
            <tr>
              <td>{day(f.date as number)}</td>
              <td><a href={`/market/stocks/${f.code}`}>{String(f.code)}</a></td>
              <td class={f.side === 'buy' ? 'pos' : 'neg'}>{t(f.side === 'buy' ? 'backtests.side.buy' : 'backtests.side.sell')}</td>
              <td class="num">{money(f.shares as number, 0)}</td>
              <td class="num">{num(f.price as number)}</td>
              <td class="num">{money(f.value as number)}</td>
              <td class="num">{money((f.commission as number) + (f.stampDuty as number) + (f.transferFee as number))}</td>
              <td class="muted">{String(f.priceBasis)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager t={t} base={`/backtests/${props.id}/fills`} target="#bt-fills" total={p.total} offset={p.offset} limit={p.limit} />
    </div>
  );
}

const reasons = new Set(['limit_up_locked', 'limit_down_locked', 'suspended', 't1_locked', 'lot_size', 'insufficient_cash', 'insufficient_position', 'volume_cap', 'not_listed', 'limit_not_reached', 'cancelled_by_strategy', 'end_of_backtest']);
/** Why an order did not fill, in words; an unknown reason as its code. */
const reasonText = (t: T, r: string): string => (reasons.has(r) ? t(`backtests.reason.${r}` as MessageKey) : r);
const orderStatuses = new Set(['pending', 'filled', 'partially_filled', 'cancelled', 'expired', 'rejected']);

/**
 * What an order asked for, as placed: shares, a CNY amount (value orders) or a target (shares, CNY or
 * a fraction of the portfolio); below it, the signed shares it came to when the engine resolved it
 * at a fill attempt (an order rejected before that, e.g. on a suspended or unlisted stock, has none).
 */
function Requested(props: { t: T; o: Record<string, unknown> }) {
  const { t } = props;
  const { kind, amount, requestedShares } = props.o as { kind: string; amount: number; requestedShares: number };
  const asked =
    kind === 'shares' ? t('backtests.ask.shares', { n: money(amount, 0) })
    : kind === 'value' ? t('backtests.ask.value', { n: money(amount) })
    : kind === 'target_shares' ? t('backtests.ask.targetShares', { n: money(amount, 0) })
    : kind === 'target_value' ? t('backtests.ask.targetValue', { n: money(amount) })
    : kind === 'target_percent' ? t('backtests.ask.targetPercent', { n: pct(amount) })
    : money(amount);
  return (
    <>
      <span class="nowrap">{asked}</span>
      {kind !== 'shares' && requestedShares ? <div class="muted small nowrap">{t('backtests.ask.resolved', { n: money(requestedShares, 0) })}</div> : null}
    </>
  );
}

export function OrdersTable(props: { t: T; id: number; page: ResultData['orders'] }) {
  const { t } = props;
  const p = props.page;
  const extra = p.rejectedOnly ? '&rejected=true' : '';
  return (
    <div id="bt-orders">
      <p class="segmented small">
        <a href={`/backtests/${props.id}/orders`} hx-get={`/backtests/${props.id}/orders`} hx-target="#bt-orders" hx-swap="outerHTML" aria-current={p.rejectedOnly ? undefined : 'true'}>{t('backtests.r.allOrders')}</a>
        <a href={`/backtests/${props.id}/orders?rejected=true`} hx-get={`/backtests/${props.id}/orders?rejected=true`} hx-target="#bt-orders" hx-swap="outerHTML" aria-current={p.rejectedOnly ? 'true' : undefined}>{t('backtests.r.notFilled')}</a>
      </p>
      <table class="compact">
        <thead>
          <tr><th class="num">#</th><th>{t('backtests.col.placed')}</th><th>{t('backtests.col.code')}</th><th>{t('backtests.col.kind')}</th><th class="num">{t('backtests.col.requested')}</th><th class="num">{t('backtests.col.filled')}</th><th class="num">{t('backtests.col.avgPrice')}</th><th>{t('backtests.col.status')}</th><th>{t('backtests.col.reason')}</th></tr>
        </thead>
        <tbody>
          {p.items.length === 0 ? <tr><td colspan={9} class="muted">{t(p.rejectedOnly ? 'backtests.r.everyFilled' : 'backtests.r.noOrders')}</td></tr> : null}
          {p.items.map((o) => (
            <tr class={o.status === 'filled' ? '' : 'not-filled'}>
              <td class="num">{String(o.id)}</td>
              <td>{day(o.placedDate as number)}</td>
              <td>{String(o.code)}</td>
              <td class="muted">{String(o.kind)}</td>
              <td class="num"><Requested t={t} o={o} /></td>
              <td class="num">{o.filledShares ? money(o.filledShares as number, 0) : '—'}</td>
              <td class="num">{o.filledShares ? num(o.avgPrice as number) : '—'}</td>
              <td><span class={`badge ${o.status === 'filled' ? 'succeeded' : o.status === 'partially_filled' ? 'warn' : 'failed'}`}>{orderStatuses.has(String(o.status)) ? t(`backtests.ostatus.${String(o.status)}` as MessageKey) : String(o.status)}</span></td>
              <td>{o.reason ? reasonText(t, String(o.reason)) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager t={t} base={`/backtests/${props.id}/orders`} target="#bt-orders" total={p.total} offset={p.offset} limit={p.limit} extra={extra} />
    </div>
  );
}

export function PositionsTable(props: { t: T; positions: StoredPosition[] }) {
  const { t } = props;
  if (!props.positions.length) return <p class="muted">{t('backtests.r.noPositions')}</p>;
  return (
    <table class="compact">
      <thead><tr><th>{t('backtests.col.code')}</th><th class="num">{t('backtests.col.shares')}</th><th class="num">{t('backtests.col.price')}</th><th class="num">{t('backtests.col.value')}</th><th class="num">{t('backtests.col.weight')}</th></tr></thead>
      <tbody>
        {props.positions.map((p) => (
          <tr><td><a href={`/market/stocks/${p.code}`}>{p.code}</a></td><td class="num">{money(p.shares, 0)}</td><td class="num">{num(p.price)}</td><td class="num">{money(p.value)}</td><td class="num">{pct(p.weight, 1)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

export function ExportLinks(props: { t: T; id: number }) {
  const { t } = props;
  const base = `/backtests/${props.id}/export`;
  return (
    <p class="exports">
      <a class="button secondary small" href={`${base}/trades.csv`} download>{t('backtests.x.trades')}</a>{' '}
      <a class="button secondary small" href={`${base}/orders.csv`} download>{t('backtests.x.orders')}</a>{' '}
      <a class="button secondary small" href={`${base}/nav.csv`} download>{t('backtests.x.nav')}</a>{' '}
      <a class="button secondary small" href={`${base}/backtest.json`} download>{t('backtests.x.json')}</a>{' '}
      <a class="button secondary small" href={`${base}/report.html`} download>{t('backtests.x.report')}</a>
    </p>
  );
}

export function ResultView(props: { t: T; b: Backtest; r: ResultData; forReport?: boolean }) {
  const { t, b, r } = props;
  const nf = Object.entries(r.extras.notFilled);
  return (
    <div id="bt-result-body">
      <MetricCards t={t} m={r.metrics} finalValue={b.metrics?.finalValue ?? null} benchmark={r.extras.benchmarkCode} />
      {!props.forReport ? <ExportLinks t={t} id={b.id} /> : null}
      <h2>{t('backtests.r.equity')}</h2>
      <EquityChart t={t} dates={r.series.dates} nav={r.series.nav} benchmark={r.series.benchmark} benchmarkLabel={r.extras.benchmarkCode} />
      <p class="muted small">{r.extras.fillTimingLabel}</p>
      <h2>{t('backtests.r.drawdown')}</h2>
      <DrawdownChart t={t} dates={r.series.dates} drawdown={r.series.drawdown} />
      <h2>{t('backtests.r.monthly')}</h2>
      <MonthlyHeatmap t={t} m={r.metrics} />
      <h2>{t('backtests.r.trades')} <span class="muted small">{t('backtests.r.fillCount', { count: r.extras.fillCount })}</span></h2>
      <FillsTable t={t} id={b.id} page={r.fills} />
      <h2>{t('backtests.r.orders')} <span class="muted small">{t('backtests.r.ordersHint', { count: r.extras.orderCount, nf: nf.length ? nf.map(([k, v]) => `${reasonText(t, k)} ${v}`).join(', ') : t('backtests.r.none') })}</span></h2>
      <OrdersTable t={t} id={b.id} page={r.orders} />
      <h2>{t('backtests.r.positions')}</h2>
      <PositionsTable t={t} positions={r.positions} />
    </div>
  );
}
