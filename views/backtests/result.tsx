/** The finished backtest's result, as one fragment: the task page renders it, and the page's stream swaps it in when the run ends. */
import type { Metrics } from '../../src/engine/metrics/metrics.ts';
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import type { ResultData, StoredPosition } from '../../src/backtests/results.ts';
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

export function MetricCards(props: { m: Metrics; finalValue: number | null; benchmark: string | null }) {
  const m = props.m;
  const dd = m.drawdown;
  return (
    <div class="metrics" id="bt-metrics">
      <Card label="Total return" value={signedPct(m.totalReturn)} cls={signClass(m.totalReturn)} hint={`final ${money(props.finalValue, 0)} CNY`} />
      <Card label="Annualized return" value={signedPct(m.annualizedReturn)} cls={signClass(m.annualizedReturn)} />
      <Card label="Benchmark return" value={signedPct(m.benchmarkReturn)} cls={signClass(m.benchmarkReturn)} hint={props.benchmark ?? 'no benchmark'} />
      <Card label="Excess return" value={signedPct(m.excessReturn)} cls={signClass(m.excessReturn)} />
      <Card label="Sharpe" value={num(m.sharpe)} hint={`Sortino ${num(m.sortino)}`} />
      <Card label="Max drawdown" value={pct(dd.maxDrawdown)} cls={dd.maxDrawdown < 0 ? 'neg-dd' : ''} hint={dd.peakDate ? `${day(dd.peakDate)} → ${day(dd.troughDate)}` : undefined} />
      <Card label="Volatility" value={pct(m.volatility)} hint={`Calmar ${num(m.calmar)}`} />
      <Card label="Alpha / beta" value={`${num(m.alpha, 3)} / ${num(m.beta, 2)}`} hint={`IR ${num(m.informationRatio)}`} />
      <Card label="Win rate" value={pct(m.winRate, 1)} hint={`${m.tradeCount} round trips · P/L ${num(m.profitLossRatio)}`} />
      <Card label="Turnover" value={pct(m.turnover, 0)} hint={`exposure ${pct(m.exposure, 0)} · avg hold ${num(m.avgHoldingDays, 1)} d`} />
    </div>
  );
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Heat class by size of a monthly return: red up, green down (A-share convention), five steps each. */
function heat(v: number): string {
  if (v === 0) return 'hm-0';
  const step = Math.min(5, Math.ceil(Math.abs(v) / 0.02));
  return `${v > 0 ? 'hm-p' : 'hm-n'}${step}`;
}

export function MonthlyHeatmap(props: { m: Metrics }) {
  const byYear = new Map<number, Map<number, number>>();
  for (const x of props.m.monthly) {
    if (!byYear.has(x.year)) byYear.set(x.year, new Map());
    byYear.get(x.year)!.set(x.month, x.return);
  }
  const yearly = new Map(props.m.yearly.map((y) => [y.year, y.return]));
  if (byYear.size === 0) return <p class="muted">No monthly returns.</p>;
  return (
    <table class="heatmap">
      <thead>
        <tr>
          <th>Year</th>
          {months.map((m) => <th class="num">{m}</th>)}
          <th class="num">Year</th>
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

function Pager(props: { base: string; target: string; total: number; offset: number; limit: number; extra?: string }) {
  const { total, offset, limit } = props;
  if (total <= limit) return <p class="muted small">{total} in all</p>;
  const link = (o: number, label: string) => (
    <a href={`${props.base}?offset=${o}${props.extra ?? ''}`} hx-get={`${props.base}?offset=${o}${props.extra ?? ''}`} hx-target={props.target} hx-swap="outerHTML" hx-push-url="false">{label}</a>
  );
  return (
    <p class="pager small">
      {offset > 0 ? link(Math.max(0, offset - limit), '← Previous') : <span class="muted">← Previous</span>}
      <span class="muted"> {offset + 1}–{Math.min(total, offset + limit)} of {total} </span>
      {offset + limit < total ? link(offset + limit, 'Next →') : <span class="muted">Next →</span>}
    </p>
  );
}

export function FillsTable(props: { id: number; page: ResultData['fills'] }) {
  const p = props.page;
  return (
    <div id="bt-fills">
      <table class="compact">
        <thead>
          <tr><th>Date</th><th>Code</th><th>Side</th><th class="num">Shares</th><th class="num">Price</th><th class="num">Value</th><th class="num">Costs</th><th>Price basis</th></tr>
        </thead>
        <tbody>
          {p.items.length === 0 ? <tr><td colspan={8} class="muted">No trades.</td></tr> : null}
          {p.items.map((f) => (
            <tr>
              <td>{day(f.date as number)}</td>
              <td><a href={`/market/stocks/${f.code}`}>{String(f.code)}</a></td>
              <td class={f.side === 'buy' ? 'pos' : 'neg'}>{String(f.side)}</td>
              <td class="num">{money(f.shares as number, 0)}</td>
              <td class="num">{num(f.price as number)}</td>
              <td class="num">{money(f.value as number)}</td>
              <td class="num">{money((f.commission as number) + (f.stampDuty as number) + (f.transferFee as number))}</td>
              <td class="muted">{String(f.priceBasis)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager base={`/backtests/${props.id}/fills`} target="#bt-fills" total={p.total} offset={p.offset} limit={p.limit} />
    </div>
  );
}

const reasonText: Record<string, string> = {
  limit_up_locked: 'limit-up locked (no sellers)', limit_down_locked: 'limit-down locked (no buyers)', suspended: 'suspended', t1_locked: 'T+1: bought today',
  lot_size: 'below one lot (100 shares)', insufficient_cash: 'not enough cash', insufficient_position: 'not enough shares', volume_cap: 'volume cap',
  not_listed: 'not listed', limit_not_reached: 'limit price not reached', cancelled_by_strategy: 'cancelled by the strategy', end_of_backtest: 'backtest ended',
};

/**
 * What an order asked for, as placed: shares, a CNY amount (value orders) or a target (shares, CNY or
 * a fraction of the portfolio); below it, the signed shares it came to when the engine resolved it
 * at a fill attempt (an order rejected before that, e.g. on a suspended or unlisted stock, has none).
 */
function Requested(props: { o: Record<string, unknown> }) {
  const { kind, amount, requestedShares } = props.o as { kind: string; amount: number; requestedShares: number };
  const asked =
    kind === 'shares' ? `${money(amount, 0)} sh`
    : kind === 'value' ? `${money(amount)} CNY`
    : kind === 'target_shares' ? `to ${money(amount, 0)} sh`
    : kind === 'target_value' ? `to ${money(amount)} CNY`
    : kind === 'target_percent' ? `to ${pct(amount)} of value`
    : money(amount);
  return (
    <>
      <span class="nowrap">{asked}</span>
      {kind !== 'shares' && requestedShares ? <div class="muted small nowrap">= {money(requestedShares, 0)} sh</div> : null}
    </>
  );
}

export function OrdersTable(props: { id: number; page: ResultData['orders'] }) {
  const p = props.page;
  const extra = p.rejectedOnly ? '&rejected=true' : '';
  return (
    <div id="bt-orders">
      <p class="segmented small">
        <a href={`/backtests/${props.id}/orders`} hx-get={`/backtests/${props.id}/orders`} hx-target="#bt-orders" hx-swap="outerHTML" aria-current={p.rejectedOnly ? undefined : 'true'}>All orders</a>
        <a href={`/backtests/${props.id}/orders?rejected=true`} hx-get={`/backtests/${props.id}/orders?rejected=true`} hx-target="#bt-orders" hx-swap="outerHTML" aria-current={p.rejectedOnly ? 'true' : undefined}>Not filled</a>
      </p>
      <table class="compact">
        <thead>
          <tr><th class="num">#</th><th>Placed</th><th>Code</th><th>Kind</th><th class="num">Requested</th><th class="num">Filled</th><th class="num">Avg price</th><th>Status</th><th>Reason</th></tr>
        </thead>
        <tbody>
          {p.items.length === 0 ? <tr><td colspan={9} class="muted">{p.rejectedOnly ? 'Every order filled.' : 'No orders.'}</td></tr> : null}
          {p.items.map((o) => (
            <tr class={o.status === 'filled' ? '' : 'not-filled'}>
              <td class="num">{String(o.id)}</td>
              <td>{day(o.placedDate as number)}</td>
              <td>{String(o.code)}</td>
              <td class="muted">{String(o.kind)}</td>
              <td class="num"><Requested o={o} /></td>
              <td class="num">{o.filledShares ? money(o.filledShares as number, 0) : '—'}</td>
              <td class="num">{o.filledShares ? num(o.avgPrice as number) : '—'}</td>
              <td><span class={`badge ${o.status === 'filled' ? 'succeeded' : o.status === 'partially_filled' ? 'warn' : 'failed'}`}>{String(o.status).replace('_', ' ')}</span></td>
              <td>{o.reason ? reasonText[String(o.reason)] ?? String(o.reason) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager base={`/backtests/${props.id}/orders`} target="#bt-orders" total={p.total} offset={p.offset} limit={p.limit} extra={extra} />
    </div>
  );
}

export function PositionsTable(props: { positions: StoredPosition[] }) {
  if (!props.positions.length) return <p class="muted">No positions at the end (all cash).</p>;
  return (
    <table class="compact">
      <thead><tr><th>Code</th><th class="num">Shares</th><th class="num">Price</th><th class="num">Value</th><th class="num">Weight</th></tr></thead>
      <tbody>
        {props.positions.map((p) => (
          <tr><td><a href={`/market/stocks/${p.code}`}>{p.code}</a></td><td class="num">{money(p.shares, 0)}</td><td class="num">{num(p.price)}</td><td class="num">{money(p.value)}</td><td class="num">{pct(p.weight, 1)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

export function ExportLinks(props: { id: number }) {
  const base = `/backtests/${props.id}/export`;
  return (
    <p class="exports">
      <a class="button secondary small" href={`${base}/trades.csv`} download>Trades CSV</a>{' '}
      <a class="button secondary small" href={`${base}/orders.csv`} download>Orders CSV</a>{' '}
      <a class="button secondary small" href={`${base}/nav.csv`} download>NAV CSV</a>{' '}
      <a class="button secondary small" href={`${base}/backtest.json`} download>Everything (JSON)</a>{' '}
      <a class="button secondary small" href={`${base}/report.html`} download>HTML report</a>
    </p>
  );
}

export function ResultView(props: { b: Backtest; r: ResultData; forReport?: boolean }) {
  const { b, r } = props;
  const nf = Object.entries(r.extras.notFilled);
  return (
    <div id="bt-result-body">
      <MetricCards m={r.metrics} finalValue={b.metrics?.finalValue ?? null} benchmark={r.extras.benchmarkCode} />
      {!props.forReport ? <ExportLinks id={b.id} /> : null}
      <h2>Equity curve</h2>
      <EquityChart dates={r.series.dates} nav={r.series.nav} benchmark={r.series.benchmark} benchmarkLabel={r.extras.benchmarkCode} />
      <p class="muted small">{r.extras.fillTimingLabel}</p>
      <h2>Drawdown</h2>
      <DrawdownChart dates={r.series.dates} drawdown={r.series.drawdown} />
      <h2>Monthly returns</h2>
      <MonthlyHeatmap m={r.metrics} />
      <h2>Trades <span class="muted small">({r.extras.fillCount} fills)</span></h2>
      <FillsTable id={b.id} page={r.fills} />
      <h2>Orders <span class="muted small">({r.extras.orderCount}; not filled: {nf.length ? nf.map(([k, v]) => `${reasonText[k] ?? k} ${v}`).join(', ') : 'none'})</span></h2>
      <OrdersTable id={b.id} page={r.orders} />
      <h2>Final positions</h2>
      <PositionsTable positions={r.positions} />
    </div>
  );
}
