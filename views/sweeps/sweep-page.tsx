/**
 * The sweep page: while it runs, the live part (sets done, best so far, ETA, cancel) polls its own
 * fragment every second; once the run has ended the same fragment answers the results in its place
 * (table, heatmap, robustness, overfitting statistics, walk-forward), and polling stops.
 */
import type { Sweep, SetMetricName, WalkForwardResult } from '../../src/sweeps/sweep.types.ts';
import type { RobustRow, LambdaHistogram } from '../../src/sweeps/sweeps.view-model.ts';
import { CsrfField, Layout, type PageChrome, type T } from '../layout.tsx';
import { DeleteButton } from '../confirm.tsx';
import { BacktestStatus } from '../backtests/parts.tsx';
import { ConfigSummary } from './list-page.tsx';
import { day, duration, localTime } from '../backtests/format.ts';
import { LineChart } from '../backtests/charts.tsx';
import { HeatmapSection, OverfittingView, RobustnessView, SetsTable, type HeatmapModel, type SetsTableModel } from './results.tsx';
import { fmtMetric, fmtParam, metricLabel } from './metrics.ts';

export interface SweepResultsModel {
  table: SetsTableModel;
  heatmap: HeatmapModel | null;
  robust: { rows: RobustRow[]; sd: number; metric: SetMetricName; params: string[] } | null;
  lambdas: LambdaHistogram | null;
}

export interface SweepBodyModel {
  s: Sweep;
  terminal: boolean;
  canChange: boolean;
  /** Present once the run has ended (and something ran). */
  results: SweepResultsModel | null;
  now: number;
}

function Controls(props: { chrome: PageChrome; m: SweepBodyModel }) {
  const { s, terminal, canChange } = props.m;
  const { t } = props.chrome;
  if (!canChange) return null;
  return (
    <div class="run-controls" id="sweep-controls">
      {(s.status === 'queued' || s.status === 'running') && !s.control ? (
        <form method="post" action={`/sweeps/${s.id}/pause`} class="inline"><CsrfField chrome={props.chrome} /><button type="submit" class="secondary" id="pause-sweep" title={t('sweeps.page.pauseTitle')}>{t('sweeps.page.pause')}</button></form>
      ) : null}
      {s.status === 'paused' || s.control === 'pause' ? (
        <form method="post" action={`/sweeps/${s.id}/resume`} class="inline"><CsrfField chrome={props.chrome} /><button type="submit" id="resume-sweep" title={t('sweeps.page.resumeTitle')}>{t('sweeps.page.resume')}</button></form>
      ) : null}
      {!terminal && s.control !== 'cancel' ? (
        <form method="post" action={`/sweeps/${s.id}/cancel`} class="inline"><CsrfField chrome={props.chrome} /><button type="submit" class="danger" id="cancel-sweep">{t('sweeps.page.cancel')}</button></form>
      ) : null}
      {terminal ? (
        <DeleteButton chrome={props.chrome} action={`/sweeps/${s.id}/delete`} question={t('sweeps.page.deleteQuestion', { name: s.name })} />
      ) : null}
    </div>
  );
}

/** Sets done of planned, the best so far on the objective, the ETA. */
export function SweepProgress(props: { t: T; s: Sweep; now: number }) {
  const { s, t } = props;
  if (s.status === 'queued') return <div class="bt-progress"><progress max="1"></progress><span class="muted">{t('runs.progress.queued')}</span></div>;
  const planned = s.plannedSets || 0;
  const f = planned ? Math.min(1, (s.setsDone + s.setsFailed) / planned) : s.progress?.fraction ?? 0;
  const etaAt = s.progress?.etaAt ? Date.parse(s.progress.etaAt) : NaN;
  const eta = Number.isFinite(etaAt) && f < 1 ? Math.max(0, Math.round((etaAt - props.now) / 1000)) : null;
  return (
    <div class="bt-progress">
      <progress max="1" value={f}>{Math.floor(f * 100)}%</progress>
      <span class="bt-progress-text">
        <strong id="sweep-sets-done">{t('sweeps.page.setsOf', { done: s.setsDone + s.setsFailed, planned })}</strong>
        {s.setsFailed ? <span>{t('sweeps.page.failedCount', { n: s.setsFailed })}</span> : null}
        {s.best ? <span>{t.rich('sweeps.page.bestSoFar', { b: (x) => <strong id="sweep-best">{x}</strong> }, { metric: metricLabel(t, s.objective), value: fmtMetric(s.objective, s.best.value), n: s.best.ordinal })}</span> : null}
        {eta !== null ? <span class="muted">{t('runs.progress.eta', { eta: eta < 1 ? t('runs.progress.underSecond') : t('runs.progress.seconds', { s: eta }) })}</span> : null}
        {s.progress?.current ? <span class="muted"> · {s.progress.current}</span> : null}
      </span>
    </div>
  );
}

function WalkForwardView(props: { t: T; wf: WalkForwardResult; objective: SetMetricName; params: string[] }) {
  const { wf, objective, t } = props;
  const shown: SetMetricName[] = [...new Set<SetMetricName>([objective, 'sharpe', 'total_return', 'max_drawdown'])];
  const windows = wf.windows;
  return (
    <section class="section" id="walk-forward">
      <h2>{t('sweeps.wf.heading')}</h2>
      {wf.metrics ? <p>{t('sweeps.wf.chained')} {shown.map((k) => <span class="wf-metric">{metricLabel(t, k)} <strong>{fmtMetric(k, wf.metrics![k])}</strong> </span>)}</p> : null}
      {wf.curve.dates.length > 1 ? (
        <LineChart t={t} dates={wf.curve.dates} lines={[{ label: t('sweeps.wf.curveLabel'), values: wf.curve.values, cls: 'line-0' }]} title={t('sweeps.wf.curveTitle')} baseline={1} />
      ) : <p class="muted">{t('sweeps.wf.noCurve')}</p>}
      <h3>{t('sweeps.wf.perWindow')}</h3>
      <div class="scroll-x table-box">
        <table class="compact wf-windows">
          <thead>
            <tr>
              <th class="num">{t('sweeps.sets.window')}</th><th>{t('sweeps.wf.inSample')}</th><th>{t('sweeps.wf.outOfSample')}</th>{props.params.map((p) => <th><code>{p}</code></th>)}
              {shown.map((k) => <th class="num">{t('sweeps.wf.is', { metric: metricLabel(t, k) })}</th>)}{shown.map((k) => <th class="num">{t('sweeps.wf.oos', { metric: metricLabel(t, k) })}</th>)}
            </tr>
          </thead>
          <tbody>
            {windows.map((w) => (
              <tr>
                <td class="num">{w.index}</td>
                <td class="nowrap">{day(w.isStart)} → {day(w.isEnd)}</td>
                <td class="nowrap">{day(w.oosStart)} → {day(w.oosEnd)}</td>
                {props.params.map((p) => <td class="num">{fmtParam(w.params?.[p])}</td>)}
                {shown.map((k) => <td class="num">{fmtMetric(k, w.inSample?.[k])}</td>)}
                {shown.map((k) => <td class="num">{fmtMetric(k, w.outOfSample?.[k])}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {windows.length > 1 ? (
        <>
          <h3>{t('sweeps.wf.chosen')}</h3>
          {props.params.filter((p) => windows.some((w) => typeof w.params?.[p] === 'number')).map((p) => (
            <LineChart
              t={t}
              dates={windows.map((w) => w.oosStart)}
              lines={[{ label: p, values: windows.map((w) => (typeof w.params?.[p] === 'number' ? (w.params[p] as number) : null)), cls: 'line-1' }]}
              height={150}
              title={t('sweeps.wf.chosenTitle', { param: p })}
              format={(v) => fmtParam(v)}
            />
          ))}
        </>
      ) : null}
    </section>
  );
}

/** What replaces the live part: errors, the results, the exports. */
function Results(props: { chrome: PageChrome; m: SweepBodyModel }) {
  const { s, results } = props.m;
  const { t } = props.chrome;
  const st = s.stats ?? {};
  return (
    <>
      {s.error ? <section class="error-box" role="alert"><h2>{t(s.status === 'cancelled' ? 'sweeps.page.wasCancelled' : 'sweeps.page.failed')}</h2><p><strong>{s.error.code}</strong>: {s.error.message}</p>{s.setsDone ? <p>{t('sweeps.page.keptBelow', { n: s.setsDone })}</p> : null}</section> : null}
      {s.status === 'cancelled' && !s.error ? <p class="notice">{t('sweeps.page.cancelledKept', { n: s.setsDone })}</p> : null}
      {st.walkForward ? <WalkForwardView t={t} wf={st.walkForward} objective={s.objective} params={Object.keys(s.space)} /> : null}
      {results ? (
        <>
          {st.dsr || st.pbo || s.kind === 'sweep' ? (
            <section class="section" id="overfitting">
              <h2>{t('sweeps.page.luck')}</h2>
              <OverfittingView t={props.chrome.t} dsr={st.dsr ?? null} pbo={st.pbo ?? null} lambdas={results.lambdas} notes={st.notes ?? []} />
            </section>
          ) : st.notes?.length ? <ul class="muted small">{st.notes.map((n) => <li>{n}</li>)}</ul> : null}
          {results.heatmap ? (
            <section class="section" id="heatmap">
              <h2>{t('sweeps.page.heatmap')}</h2>
              <HeatmapSection t={props.chrome.t} m={results.heatmap} />
            </section>
          ) : null}
          {results.robust ? (
            <section class="section" id="robustness">
              <h2>{t('sweeps.page.robustness')}</h2>
              <RobustnessView t={t} rows={results.robust.rows} sd={results.robust.sd} metric={results.robust.metric} params={results.robust.params} />
            </section>
          ) : null}
          <section class="section" id="sets">
            <h2>{t(s.kind === 'walk_forward' ? 'sweeps.page.everyWindowSet' : 'sweeps.page.everySet')}</h2>
            <p class="exports">
              <a class="button secondary" href={`/sweeps/${s.id}/export/sets.csv`} download>{t('sweeps.page.csv')}</a>
              <a class="button secondary" href={`/sweeps/${s.id}/export/sets.json`} download>{t('sweeps.page.json')}</a>
            </p>
            <SetsTable chrome={props.chrome} m={results.table} />
          </section>
        </>
      ) : null}
    </>
  );
}

/** The part of the page that changes: polling while the run is live, the results once it has ended. */
export function SweepBody(props: { chrome: PageChrome; m: SweepBodyModel }) {
  const { s, terminal } = props.m;
  const { t } = props.chrome;
  const live = !terminal;
  return (
    <div id="sweep-live" hx-get={live ? `/sweeps/${s.id}/live` : undefined} hx-trigger={live ? 'every 1s' : undefined} hx-swap="outerHTML">
      <p>
        <span id="sweep-status"><BacktestStatus t={props.chrome.t} status={s.status} control={s.control} /></span>
        {s.finishedAt && s.startedAt ? <span class="muted">{t('runs.took', { d: duration(s.startedAt, s.finishedAt) })}</span> : null}
        {s.skipped ? <span class="muted" title={s.skipReasons.map((r) => `${r.count}× ${r.message}`).join('\n')}>{t('sweeps.page.skipped', { n: s.skipped })}</span> : null}
      </p>
      <Controls chrome={props.chrome} m={props.m} />
      {live ? (
        <div class="bt-progress-box" id="sweep-progress">
          <SweepProgress t={t} s={s} now={props.m.now} />
          <noscript><p class="muted small">{t('sweeps.page.reload')}</p></noscript>
        </div>
      ) : (
        <>
          {s.best && s.status === 'succeeded' && s.kind === 'sweep' ? <p id="sweep-best-line">{t.rich('sweeps.page.bestLine', { b: (x) => <strong>{x}</strong> }, { metric: metricLabel(t, s.objective), value: fmtMetric(s.objective, s.best.value), n: s.best.ordinal, total: s.setsDone })}</p> : null}
          <Results chrome={props.chrome} m={props.m} />
        </>
      )}
    </div>
  );
}

export function SweepPage(props: { chrome: PageChrome; m: SweepBodyModel }) {
  const { s } = props.m;
  const { t, timeZone } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('sweeps.page.title', { id: s.id })} section="sweeps">
      <p><a href="/sweeps">← {t('sweeps.title')}</a></p>
      <h1>#{s.id} · {s.name}</h1>
      <p class="muted">
        {s.kind === 'walk_forward' ? `${t('sweeps.walkForward')} · ` : ''}{s.spec.strategy.name} · {day(s.spec.startDate)} → {day(s.spec.endDate)} · {t('sweeps.page.created', { time: localTime(s.createdAt, timeZone), zone: timeZone })}{s.ownerName ? t('sweeps.page.by', { name: s.ownerName }) : ''}
        {s.dataVersion ? <>{t('sweeps.page.marketData')}<code title={t('sweeps.page.dataVersionTitle')}>{s.dataVersion}</code></> : null}
      </p>
      <ConfigSummary t={props.chrome.t} s={s} />
      <SweepBody chrome={props.chrome} m={props.m} />
    </Layout>
  );
}
