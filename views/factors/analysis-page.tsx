/**
 * The factor analysis page: while its run is live, the progress part polls its own fragment every
 * second (a plain reload works without JavaScript); once it has ended the same fragment answers the
 * results in its place — the statistics table, the charts (IC series with its moving average, IC
 * histogram, decay bars, quantile means, quantile cumulative returns, the top-minus-bottom spread,
 * coverage) and the exports.
 */
import type { FactorAnalysis } from '../../src/factors/analysis/analysis.types.ts';
import type { AnalysisCharts } from '../../src/factors/analysis/analysis.view-model.ts';
import { Layout, type PageChrome } from '../layout.tsx';
import { DeleteButton } from '../confirm.tsx';
import { BacktestStatus } from '../backtests/parts.tsx';
import { day, localTime } from '../backtests/format.ts';
import { LineChart } from '../backtests/charts.tsx';
import { BarChart } from './analysis-charts.tsx';

export interface AnalysisPageModel {
  a: FactorAnalysis;
  factorTitle: string;
  terminal: boolean;
  canChange: boolean;
  charts: AnalysisCharts | null;
}

const base = (a: FactorAnalysis) => `/factors/${encodeURIComponent(a.factorId)}/analyses/${a.id}`;

function Progress(props: { chrome: PageChrome; a: FactorAnalysis }) {
  const { t } = props.chrome;
  const { a } = props;
  if (a.status === 'queued') return <div class="bt-progress"><progress max="1"></progress><span class="muted">{t('factorAnalysis.queued')}</span></div>;
  const p = a.progress;
  const f = p?.fraction ?? 0;
  return (
    <div class="bt-progress">
      <progress max="1" value={f}>{Math.floor(f * 100)}%</progress>
      <span class="bt-progress-text">
        {p?.total ? <strong id="analysis-days">{t('factorAnalysis.daysDone', { done: p.processed ?? 0, total: p.total })}</strong> : null}
        {p?.current ? <span class="muted"> · {p.current}</span> : null}
      </span>
    </div>
  );
}

function StatsTable(props: { chrome: PageChrome; a: FactorAnalysis }) {
  const { t, fmt } = props.chrome;
  const s = props.a.summary!;
  const Q = props.a.params.quantiles;
  const row = (label: string, h: number, st: { mean: number | null; std: number | null; ir: number | null; t: number | null; positive: number | null; days: number }, pct = false) => (
    <tr>
      <td>{label}</td>
      <td class="num">{t('factorAnalysis.horizonDays', { h })}</td>
      <td class="num">{pct ? fmt.percent(st.mean, 3) : fmt.number(st.mean, 4)}</td>
      <td class="num">{pct ? fmt.percent(st.std, 3) : fmt.number(st.std, 4)}</td>
      <td class="num">{fmt.number(st.ir, 3)}</td>
      <td class="num">{fmt.number(st.t, 2)}</td>
      <td class="num">{fmt.percent(st.positive, 1)}</td>
      <td class="num">{fmt.int(st.days)}</td>
    </tr>
  );
  return (
    <>
      <div class="table-scroll">
        <table id="analysis-stats">
          <thead><tr><th></th><th class="num">{t('factorAnalysis.colHorizon')}</th><th class="num">{t('factorAnalysis.colMean')}</th><th class="num">{t('factorAnalysis.colStd')}</th><th class="num">{t('factorAnalysis.colIr')}</th><th class="num">{t('factorAnalysis.colT')}</th><th class="num">{t('factorAnalysis.colPositive')}</th><th class="num">{t('factorAnalysis.colDays')}</th></tr></thead>
          <tbody>
            {s.horizons.map((h) => row(t('factorAnalysis.ic'), h.horizon, h.ic))}
            {s.horizons.map((h) => row(t('factorAnalysis.rankIc'), h.horizon, h.rank_ic))}
            {s.horizons.map((h) => row(t('factorAnalysis.spread'), h.horizon, h.spread, true))}
          </tbody>
        </table>
      </div>
      <p class="muted small">{t('factorAnalysis.overlapNote')}</p>
      <h3>{t('factorAnalysis.quantileTable')}</h3>
      <div class="table-scroll">
        <table id="analysis-quantiles">
          <thead><tr><th class="num">{t('factorAnalysis.colHorizon')}</th>{Array.from({ length: Q }, (_, q) => <th class="num">{t('factorAnalysis.colQuantile', { q: q + 1 })}</th>)}</tr></thead>
          <tbody>
            {s.horizons.map((h) => <tr><td class="num">{t('factorAnalysis.horizonDays', { h: h.horizon })}</td>{h.quantile_means.map((m) => <td class="num">{fmt.percent(m, 3)}</td>)}</tr>)}
            <tr><td class="num">{t('factorAnalysis.turnover')}</td>{s.turnover.map((x) => <td class="num">{fmt.percent(x, 1)}</td>)}</tr>
          </tbody>
        </table>
      </div>
      <p>{t('factorAnalysis.coverage', { names: fmt.number(s.coverage.mean_names, 0), universe: fmt.number(s.coverage.mean_universe, 0), share: fmt.percent(s.coverage.coverage, 1), tradable: fmt.number(s.coverage.mean_tradable, 0) })}</p>
    </>
  );
}

function Charts(props: { chrome: PageChrome; a: FactorAnalysis; c: AnalysisCharts }) {
  const { t, fmt } = props.chrome;
  const { a, c } = props;
  const h = c.horizon;
  const ma = c.averageDays;
  const pctFmt = (v: number) => fmt.percent(v, 2);
  const icFmt = (v: number) => fmt.number(v, 3);
  const hover = t('factorAnalysis.hover');
  const empty = t('factorAnalysis.noValues');
  const bins = c.histogram.counts.map((_, b) => fmt.number((c.histogram.edges[b] + c.histogram.edges[b + 1]) / 2, 2));
  return (
    <>
      {c.horizons.length > 1 ? (
        <p class="horizon-pick">{t('factorAnalysis.horizonPick')} {c.horizons.map((x) => (x === h ? <strong>{t('factorAnalysis.horizonDays', { h: x })}</strong> : <a href={`${base(a)}?h=${x}#charts`}>{t('factorAnalysis.horizonDays', { h: x })}</a>)).flatMap((el, i) => (i ? [' · ', el] : [el]))}</p>
      ) : null}
      <h3>{t('factorAnalysis.icChart', { h, ma })}</h3>
      <div class="chart-wide"><LineChart dates={c.dates} lines={[{ label: t('factorAnalysis.icLine'), values: c.ic, cls: 'line-1' }, { label: t('factorAnalysis.icAverage', { ma }), values: c.icAverage, cls: 'line-0' }]} title={t('factorAnalysis.icChart', { h, ma })} format={icFmt} baseline={0} height={260} /></div>
      <div class="chart-pair">
        <div>
          <h3>{t('factorAnalysis.histogram', { h })}</h3>
          <BarChart title={t('factorAnalysis.histogram', { h })} categories={bins} series={[{ label: t('factorAnalysis.colDays'), values: c.histogram.counts, cls: 'line-0' }]} format={(v) => fmt.number(v, 0)} empty={empty} hover={hover} />
        </div>
        <div>
          <h3>{t('factorAnalysis.decay')}</h3>
          <BarChart title={t('factorAnalysis.decay')} categories={c.decay.map((d) => t('factorAnalysis.horizonDays', { h: d.horizon }))} series={[{ label: t('factorAnalysis.ic'), values: c.decay.map((d) => d.ic), cls: 'line-0' }, { label: t('factorAnalysis.rankIc'), values: c.decay.map((d) => d.rankIc), cls: 'line-1' }]} format={icFmt} empty={empty} hover={hover} />
        </div>
        <div>
          <h3>{t('factorAnalysis.quantileBars', { h })}</h3>
          <BarChart title={t('factorAnalysis.quantileBars', { h })} categories={c.quantileMeans.map((_, q) => t('factorAnalysis.colQuantile', { q: q + 1 }))} series={[{ label: t('factorAnalysis.colMean'), values: c.quantileMeans, cls: 'line-2' }]} format={pctFmt} empty={empty} hover={hover} />
        </div>
      </div>
      <h3>{t('factorAnalysis.cumulative', { h: c.cumulativeHorizon })}</h3>
      <div class="chart-wide"><LineChart dates={c.dates} lines={c.cumulative.map((values, q) => ({ label: t('factorAnalysis.quantileLine', { q: q + 1 }), values, cls: `line-${q % 5}` }))} title={t('factorAnalysis.cumulative', { h: c.cumulativeHorizon })} format={(v) => fmt.number(v, 2)} baseline={1} height={260} /></div>
      <h3>{t('factorAnalysis.spreadChart', { h: c.cumulativeHorizon })}</h3>
      <div class="chart-wide"><LineChart dates={c.dates} lines={[{ label: t('factorAnalysis.spreadLine', { top: a.params.quantiles }), values: c.spreadCumulative, cls: 'line-0' }]} title={t('factorAnalysis.spreadChart', { h: c.cumulativeHorizon })} format={(v) => fmt.number(v, 2)} baseline={1} height={200} /></div>
      <h3>{t('factorAnalysis.coverageChart')}</h3>
      <div class="chart-wide"><LineChart dates={c.dates} lines={[{ label: t('factorAnalysis.coverageLine'), values: c.coverage, cls: 'line-2' }]} title={t('factorAnalysis.coverageChart')} format={(v) => fmt.percent(v, 0)} height={160} /></div>
    </>
  );
}

/** The part of the page that changes: polling while the run is live, the results once it has ended. */
export function AnalysisBody(props: { chrome: PageChrome; m: AnalysisPageModel }) {
  const { t } = props.chrome;
  const { a, terminal, charts } = props.m;
  const live = !terminal;
  return (
    <div id="analysis-live" hx-get={live ? `${base(a)}/live` : undefined} hx-trigger={live ? 'every 1s' : undefined} hx-swap="outerHTML">
      <p><span id="analysis-status"><BacktestStatus t={t} status={a.status} /></span>{a.runId ? <> · <a href={`/runs/${a.runId}`}>{t('factorAnalysis.run', { id: a.runId })}</a></> : null}</p>
      {live ? (
        <div class="bt-progress-box" id="analysis-progress">
          <Progress chrome={props.chrome} a={a} />
          <noscript><p class="muted small">{t('factorAnalysis.reload')}</p></noscript>
        </div>
      ) : null}
      {a.error ? <section class="error-box" role="alert"><h2>{t(a.status === 'cancelled' ? 'factorAnalysis.cancelled' : 'factorAnalysis.failed')}</h2><p><strong>{a.error.code}</strong>: {a.error.message}</p></section> : null}
      {terminal && a.summary ? (
        <>
          <section class="section" id="stats">
            <h2>{t('factorAnalysis.stats')}</h2>
            <StatsTable chrome={props.chrome} a={a} />
            <p class="exports">
              <a class="button secondary" href={`/api/v1${base(a)}.csv`} download>{t('factorAnalysis.csv')}</a>
              <a class="button secondary" href={`/api/v1${base(a)}`}>{t('factorAnalysis.json')}</a>
            </p>
          </section>
          {charts ? <section class="section" id="charts"><Charts chrome={props.chrome} a={a} c={charts} /></section> : null}
        </>
      ) : null}
      {terminal && props.m.canChange ? <DeleteButton chrome={props.chrome} action={`${base(a)}/delete`} question={t('factorAnalysis.delete')} label={t('factorAnalysis.deleteLabel')} /> : null}
    </div>
  );
}

export function AnalysisPage(props: { chrome: PageChrome; m: AnalysisPageModel }) {
  const { t, fmt } = props.chrome;
  const { a, factorTitle } = props.m;
  const p = a.params;
  return (
    <Layout chrome={props.chrome} title={t('factorAnalysis.pageTitle', { id: a.id, factor: factorTitle })} section="factors">
      <p><a href={`/factors/${encodeURIComponent(a.factorId)}`}>{t('factorAnalysis.back', { factor: factorTitle })}</a></p>
      <h1>{t('factorAnalysis.heading', { id: a.id, factor: factorTitle })}</h1>
      <p class="muted">
        {t('factorAnalysis.period', { from: day(p.start_date), to: day(p.end_date), horizons: fmt.list(p.horizons.map(String)), quantiles: p.quantiles })}
        {' · '}{t('factorAnalysis.created', { when: localTime(a.createdAt, props.chrome.timeZone), zone: props.chrome.timeZone, owner: a.ownerName ?? '—' })}
        {a.dataVersion ? <> · {t('factorAnalysis.marketData')} <code title={t('factorAnalysis.dataVersionTitle')}>{a.dataVersion}</code></> : null}
      </p>
      <p class="muted small">
        {p.universe === 'codes' ? <code>{(p.codes ?? []).join(' ')}</code> : t('factorAnalysis.universeAll')}
        {p.industry_neutral ? <> · {t('factorAnalysis.industryNeutral')}</> : null}
        {p.size_neutral ? <> · {t('factorAnalysis.sizeNeutral')}</> : null}
        {p.exclude_st ? <> · {t('factorAnalysis.excludeSt')}</> : null}
        {p.exclude_new_listings ? <> · {t('factorAnalysis.excludeNew')} {t('factorAnalysis.newDays')} {p.new_listing_days}</> : null}
      </p>
      <p class="small">{t('factorAnalysis.rule')}</p>
      <AnalysisBody chrome={props.chrome} m={props.m} />
    </Layout>
  );
}
