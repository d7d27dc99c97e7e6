/**
 * The sweep page: while it runs, the live part (sets done, best so far, ETA, cancel) polls its own
 * fragment every second; once the run has ended the same fragment answers the results in its place
 * (table, heatmap, robustness, overfitting statistics, walk-forward), and polling stops.
 */
import type { Sweep, SetMetricName, WalkForwardResult } from '../../src/sweeps/sweep.types.ts';
import type { RobustRow, LambdaHistogram } from '../../src/sweeps/sweeps.view-model.ts';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import { DeleteButton } from '../confirm.tsx';
import { BacktestStatus } from '../backtests/parts.tsx';
import { ConfigSummary } from './list-page.tsx';
import { day, duration, when } from '../backtests/format.ts';
import { LineChart } from '../backtests/charts.tsx';
import { HeatmapSection, OverfittingView, RobustnessView, SetsTable, type HeatmapModel, type SetsTableModel } from './results.tsx';
import { fmtMetric, fmtParam, metricLabels } from './metrics.ts';

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
  if (!canChange) return null;
  return (
    <div class="run-controls" id="sweep-controls">
      {(s.status === 'queued' || s.status === 'running') && !s.control ? (
        <form method="post" action={`/sweeps/${s.id}/pause`} class="inline"><CsrfField chrome={props.chrome} /><button type="submit" class="secondary" id="pause-sweep" title="Stops after the sets in hand; the finished sets are kept">Pause</button></form>
      ) : null}
      {s.status === 'paused' || s.control === 'pause' ? (
        <form method="post" action={`/sweeps/${s.id}/resume`} class="inline"><CsrfField chrome={props.chrome} /><button type="submit" id="resume-sweep" title="Runs the sets not stored yet">Resume</button></form>
      ) : null}
      {!terminal && s.control !== 'cancel' ? (
        <form method="post" action={`/sweeps/${s.id}/cancel`} class="inline"><CsrfField chrome={props.chrome} /><button type="submit" class="danger" id="cancel-sweep">Cancel</button></form>
      ) : null}
      {terminal ? (
        <DeleteButton chrome={props.chrome} action={`/sweeps/${s.id}/delete`} question={`Delete sweep “${s.name}” and all its sets?`} />
      ) : null}
    </div>
  );
}

/** Sets done of planned, the best so far on the objective, the ETA. */
export function SweepProgress(props: { s: Sweep; now: number }) {
  const { s } = props;
  if (s.status === 'queued') return <div class="bt-progress"><progress max="1"></progress><span class="muted">queued: waiting for a worker slot</span></div>;
  const planned = s.plannedSets || 0;
  const f = planned ? Math.min(1, (s.setsDone + s.setsFailed) / planned) : s.progress?.fraction ?? 0;
  const etaAt = s.progress?.etaAt ? Date.parse(s.progress.etaAt) : NaN;
  const eta = Number.isFinite(etaAt) && f < 1 ? Math.max(0, Math.round((etaAt - props.now) / 1000)) : null;
  return (
    <div class="bt-progress">
      <progress max="1" value={f}>{Math.floor(f * 100)}%</progress>
      <span class="bt-progress-text">
        <strong id="sweep-sets-done">{s.setsDone + s.setsFailed} of {planned} sets</strong>
        {s.setsFailed ? <span> ({s.setsFailed} failed)</span> : null}
        {s.best ? <span> · best {metricLabels[s.objective]} so far <strong id="sweep-best">{fmtMetric(s.objective, s.best.value)}</strong> (set {s.best.ordinal})</span> : null}
        {eta !== null ? <span class="muted"> · ETA {eta < 1 ? 'under a second' : `${eta} s`}</span> : null}
        {s.progress?.current ? <span class="muted"> · {s.progress.current}</span> : null}
      </span>
    </div>
  );
}

function WalkForwardView(props: { wf: WalkForwardResult; objective: SetMetricName; params: string[] }) {
  const { wf, objective } = props;
  const shown: SetMetricName[] = [...new Set<SetMetricName>([objective, 'sharpe', 'total_return', 'max_drawdown'])];
  const windows = wf.windows;
  return (
    <section class="section" id="walk-forward">
      <h2>Walk-forward: out of sample</h2>
      {wf.metrics ? <p>Chained out-of-sample: {shown.map((k) => <span class="wf-metric">{metricLabels[k]} <strong>{fmtMetric(k, wf.metrics![k])}</strong> </span>)}</p> : null}
      {wf.curve.dates.length > 1 ? (
        <LineChart dates={wf.curve.dates} lines={[{ label: 'Out of sample, chained', values: wf.curve.values, cls: 'line-0' }]} title="The out-of-sample segments chained into one equity curve" baseline={1} />
      ) : <p class="muted">No out-of-sample curve.</p>}
      <h3>In sample vs out of sample, per window</h3>
      <div class="scroll-x table-box">
        <table class="compact wf-windows">
          <thead>
            <tr>
              <th class="num">window</th><th>in sample</th><th>out of sample</th>{props.params.map((p) => <th><code>{p}</code></th>)}
              {shown.map((k) => <th class="num">IS {metricLabels[k]}</th>)}{shown.map((k) => <th class="num">OOS {metricLabels[k]}</th>)}
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
          <h3>Chosen parameters per window</h3>
          {props.params.filter((p) => windows.some((w) => typeof w.params?.[p] === 'number')).map((p) => (
            <LineChart
              dates={windows.map((w) => w.oosStart)}
              lines={[{ label: p, values: windows.map((w) => (typeof w.params?.[p] === 'number' ? (w.params[p] as number) : null)), cls: 'line-1' }]}
              height={150}
              title={`${p} chosen in sample, by out-of-sample start`}
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
  const st = s.stats ?? {};
  return (
    <>
      {s.error ? <section class="error-box" role="alert"><h2>The sweep {s.status === 'cancelled' ? 'was cancelled' : 'failed'}</h2><p><strong>{s.error.code}</strong>: {s.error.message}</p>{s.setsDone ? <p>The {s.setsDone} sets that finished are kept below.</p> : null}</section> : null}
      {s.status === 'cancelled' && !s.error ? <p class="notice">Cancelled; the {s.setsDone} sets that finished are kept below.</p> : null}
      {st.walkForward ? <WalkForwardView wf={st.walkForward} objective={s.objective} params={Object.keys(s.space)} /> : null}
      {results ? (
        <>
          {st.dsr || st.pbo || s.kind === 'sweep' ? (
            <section class="section" id="overfitting">
              <h2>How likely is the best set luck?</h2>
              <OverfittingView t={props.chrome.t} dsr={st.dsr ?? null} pbo={st.pbo ?? null} lambdas={results.lambdas} notes={st.notes ?? []} />
            </section>
          ) : st.notes?.length ? <ul class="muted small">{st.notes.map((n) => <li>{n}</li>)}</ul> : null}
          {results.heatmap ? (
            <section class="section" id="heatmap">
              <h2>Heatmap</h2>
              <HeatmapSection t={props.chrome.t} m={results.heatmap} />
            </section>
          ) : null}
          {results.robust ? (
            <section class="section" id="robustness">
              <h2>Robustness: spike or plateau?</h2>
              <RobustnessView rows={results.robust.rows} sd={results.robust.sd} metric={results.robust.metric} params={results.robust.params} />
            </section>
          ) : null}
          <section class="section" id="sets">
            <h2>{s.kind === 'walk_forward' ? 'Every in-sample set, by window' : 'Every set'}</h2>
            <p class="exports">
              <a class="button secondary" href={`/sweeps/${s.id}/export/sets.csv`} download>Table as CSV</a>
              <a class="button secondary" href={`/sweeps/${s.id}/export/sets.json`} download>Table as JSON</a>
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
  const live = !terminal;
  return (
    <div id="sweep-live" hx-get={live ? `/sweeps/${s.id}/live` : undefined} hx-trigger={live ? 'every 1s' : undefined} hx-swap="outerHTML">
      <p>
        <span id="sweep-status"><BacktestStatus t={props.chrome.t} status={s.status} control={s.control} /></span>
        {s.finishedAt && s.startedAt ? <span class="muted"> · took {duration(s.startedAt, s.finishedAt)}</span> : null}
        {s.skipped ? <span class="muted" title={s.skipReasons.map((r) => `${r.count}× ${r.message}`).join('\n')}> · {s.skipped} combinations skipped by the strategy's constraints</span> : null}
      </p>
      <Controls chrome={props.chrome} m={props.m} />
      {live ? (
        <div class="bt-progress-box" id="sweep-progress">
          <SweepProgress s={s} now={props.m.now} />
          <noscript><p class="muted small">Reload the page to see the progress.</p></noscript>
        </div>
      ) : (
        <>
          {s.best && s.status === 'succeeded' && s.kind === 'sweep' ? <p id="sweep-best-line">Best {metricLabels[s.objective]}: <strong>{fmtMetric(s.objective, s.best.value)}</strong> (set {s.best.ordinal}) of {s.setsDone} sets.</p> : null}
          <Results chrome={props.chrome} m={props.m} />
        </>
      )}
    </div>
  );
}

export function SweepPage(props: { chrome: PageChrome; m: SweepBodyModel }) {
  const { s } = props.m;
  return (
    <Layout chrome={props.chrome} title={`Sweep ${s.id}`} section="sweeps">
      <p><a href="/sweeps">← Sweeps</a></p>
      <h1>#{s.id} · {s.name}</h1>
      <p class="muted">
        {s.kind === 'walk_forward' ? 'walk-forward · ' : ''}{s.spec.strategy.name} · {day(s.spec.startDate)} → {day(s.spec.endDate)} · created {when(s.createdAt)} UTC{s.ownerName ? ` by ${s.ownerName}` : ''}
        {s.dataVersion ? <> · market data <code title="the snapshot version its sets ran on">{s.dataVersion}</code></> : null}
      </p>
      <ConfigSummary t={props.chrome.t} s={s} />
      <SweepBody chrome={props.chrome} m={props.m} />
    </Layout>
  );
}
