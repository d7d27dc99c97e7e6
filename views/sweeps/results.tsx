/**
 * A finished sweep's results: the table of every set (sorted and filtered on the server, in a
 * scroll box), the heatmap with its pickers, the robustness view and the overfitting statistics.
 * Each part is a fragment its own route answers too, so htmx swaps just that part while a normal
 * GET of the page (no JavaScript) gives the same result.
 */
import type { SetMetricName, SweepDsr, SweepPbo, SweepSet } from '../../src/sweeps/sweep.types.ts';
import type { LambdaHistogram, RobustRow } from '../../src/sweeps/sweeps.view-model.ts';
import type { PageChrome, T } from '../layout.tsx';
import { CsrfField } from '../layout.tsx';
import { num, pct } from '../backtests/format.ts';
import { Heatmap, LambdaChart, type HeatmapData } from './heatmap.tsx';
import { fmtMetric, fmtParam, metricLabel } from './metrics.ts';

/** The table's query as the page keeps it in the URL. */
export interface SetsQuery {
  sort: SetMetricName | 'ordinal';
  dir: 'asc' | 'desc';
  status: '' | 'succeeded' | 'failed';
  /** Filter: this metric between fmin and fmax (either may be blank). */
  fm: SetMetricName;
  fmin: string;
  fmax: string;
  offset: number;
  limit: number;
}

export interface SetsTableModel {
  sweepId: number;
  /** The swept parameters, in grid order. */
  params: string[];
  sets: SweepSet[];
  total: number;
  q: SetsQuery;
  metrics: readonly SetMetricName[];
  bestOrdinal: number | null;
  canRun: boolean;
  /** A walk-forward's sets: each ran on one window's in-sample range (shown in a column). */
  windowed: boolean;
}

/** The query string of a table state (only what differs from the defaults). */
export function setsQueryString(q: SetsQuery, change: Partial<SetsQuery> = {}): string {
  const s = { ...q, ...change };
  const p = new URLSearchParams();
  if (s.sort !== 'ordinal') p.set('sort', s.sort);
  if (s.dir !== 'asc') p.set('dir', s.dir);
  if (s.status) p.set('status', s.status);
  if (s.fmin !== '' || s.fmax !== '') {
    p.set('fm', s.fm);
    if (s.fmin !== '') p.set('fmin', s.fmin);
    if (s.fmax !== '') p.set('fmax', s.fmax);
  }
  if (s.offset) p.set('offset', String(s.offset));
  const t = p.toString();
  return t ? `?${t}` : '';
}

function SortHeader(props: { m: SetsTableModel; col: SetMetricName | 'ordinal'; label: string }) {
  const { m } = props;
  const active = m.q.sort === props.col;
  // A metric sorts best first (higher is better for every one of them), the ordinal in order.
  const dir: 'asc' | 'desc' = active ? (m.q.dir === 'asc' ? 'desc' : 'asc') : props.col === 'ordinal' ? 'asc' : 'desc';
  const qs = setsQueryString(m.q, { sort: props.col, dir, offset: 0 });
  return (
    <th aria-sort={active ? (m.q.dir === 'asc' ? 'ascending' : 'descending') : undefined} class="num">
      <a href={`/sweeps/${m.sweepId}${qs}#sets`} hx-get={`/sweeps/${m.sweepId}/sets${qs}`} hx-target="#sweep-sets" hx-swap="outerHTML" data-sort={props.col}>
        {props.label}{active ? (m.q.dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </a>
    </th>
  );
}

export function SetsTable(props: { chrome: PageChrome; m: SetsTableModel }) {
  const { m } = props;
  const { t } = props.chrome;
  const base = `/sweeps/${m.sweepId}`;
  const prev = m.q.offset > 0 ? setsQueryString(m.q, { offset: Math.max(0, m.q.offset - m.q.limit) }) : null;
  const next = m.q.offset + m.sets.length < m.total ? setsQueryString(m.q, { offset: m.q.offset + m.q.limit }) : null;
  return (
    <div id="sweep-sets">
      <form method="get" action={`${base}#sets`} class="sets-filter" hx-get={`${base}/sets`} hx-target="#sweep-sets" hx-swap="outerHTML">
        <input type="hidden" name="sort" value={m.q.sort} />
        <input type="hidden" name="dir" value={m.q.dir} />
        <label>{t('sweeps.col.status')}
          <select name="status">
            <option value="" selected={m.q.status === ''}>{t('sweeps.sets.all')}</option>
            <option value="succeeded" selected={m.q.status === 'succeeded'}>{t('runs.status.succeeded')}</option>
            <option value="failed" selected={m.q.status === 'failed'}>{t('runs.status.failed')}</option>
          </select>
        </label>
        <label>{t('sweeps.sets.where')}
          <select name="fm">{m.metrics.map((k) => <option value={k} selected={m.q.fm === k}>{metricLabel(t, k)}</option>)}</select>
        </label>
        <label>{t('sweeps.form.from')}<input type="number" name="fmin" value={m.q.fmin} step="any" placeholder={t('sweeps.sets.min')} /></label>
        <label>{t('sweeps.form.to')}<input type="number" name="fmax" value={m.q.fmax} step="any" placeholder={t('sweeps.sets.max')} /></label>
        <button type="submit" class="secondary">{t('sweeps.sets.filter')}</button>
        <span class="muted small">{t('sweeps.sets.count', { count: m.total })}{m.total > m.sets.length ? t('sweeps.sets.shown', { from: m.q.offset + 1, to: m.q.offset + m.sets.length }) : ''}{t('sweeps.sets.fractions')}</span>
      </form>
      <div class="scroll-x table-box">
        <table class="compact sweep-sets">
          <thead>
            <tr>
              <SortHeader m={m} col="ordinal" label="#" />
              {m.windowed ? <th class="num">{t('sweeps.sets.window')}</th> : null}
              {m.params.map((p) => <th><code>{p}</code></th>)}
              {m.metrics.map((k) => <SortHeader m={m} col={k} label={metricLabel(t, k)} />)}
              <th></th>
            </tr>
          </thead>
          <tbody>
            {m.sets.map((s) => (
              <tr class={s.ordinal === m.bestOrdinal ? 'best-set' : s.status === 'failed' ? 'failed-set' : undefined} data-ordinal={s.ordinal}>
                <td class="num">{s.ordinal}{s.ordinal === m.bestOrdinal ? <span class="tag" title={t('sweeps.sets.bestTitle')}>{t('sweeps.sets.best')}</span> : null}</td>
                {m.windowed ? <td class="num">{s.windowIndex ?? '—'}</td> : null}
                {m.params.map((p) => <td class="num">{fmtParam(s.params[p])}</td>)}
                {s.status === 'failed' ? (
                  <td colspan={m.metrics.length} class="muted">{t('sweeps.sets.failed', { reason: s.error ?? t('sweeps.sets.noReason') })}</td>
                ) : (
                  m.metrics.map((k) => <td class="num">{fmtMetric(k, s.metrics[k])}</td>)
                )}
                <td>
                  {m.canRun && s.status === 'succeeded' ? (
                    <form method="post" action={`${base}/sets/${s.ordinal}/backtest`} class="inline">
                      <CsrfField chrome={props.chrome} />
                      <button type="submit" class="secondary small" title={t('sweeps.sets.runTitle', { n: s.ordinal })}>{t('sweeps.sets.run')}</button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {prev !== null || next !== null ? (
        <p class="pager">
          {prev !== null ? <a href={`${base}${prev}#sets`} hx-get={`${base}/sets${prev}`} hx-target="#sweep-sets" hx-swap="outerHTML">{t('sweeps.sets.previous')}</a> : null}{' '}
          {next !== null ? <a href={`${base}${next}#sets`} hx-get={`${base}/sets${next}`} hx-target="#sweep-sets" hx-swap="outerHTML">{t('sweeps.sets.next')}</a> : null}
        </p>
      ) : null}
    </div>
  );
}

/** The heatmap's pickers and the current choice. */
export interface HeatmapModel {
  sweepId: number;
  axes: { name: string; values: unknown[] }[];
  x: string;
  y: string;
  metric: SetMetricName;
  agg: 'max' | 'mean' | 'fixed';
  /** With agg fixed: the other parameters' chosen values (as text). */
  fixed: Record<string, string>;
  metrics: readonly SetMetricName[];
  data: HeatmapData | null;
  /** Why nothing is drawn: a single swept parameter, or the same one picked for both axes. */
  problem: 'oneParameter' | 'sameAxes' | null;
}

export function HeatmapSection(props: { t: T; m: HeatmapModel }) {
  const { m, t } = props;
  const base = `/sweeps/${m.sweepId}`;
  const others = m.axes.filter((a) => a.name !== m.x && a.name !== m.y);
  const pick = (name: string, current: string) => (
    <select name={name}>{m.axes.map((a) => <option value={a.name} selected={a.name === current}>{a.name}</option>)}</select>
  );
  return (
    <div id="sweep-heatmap">
      <form method="get" action={`${base}#heatmap`} class="heatmap-pickers" hx-get={`${base}/heatmap`} hx-trigger="change, submit" hx-target="#sweep-heatmap" hx-swap="outerHTML">
        <label>{t('sweeps.hm.columns')}{pick('x', m.x)}</label>
        <label>{t('sweeps.hm.rows')}{pick('y', m.y)}</label>
        <label>{t('sweeps.hm.metric')}<select name="metric">{m.metrics.map((k) => <option value={k} selected={k === m.metric}>{metricLabel(t, k)}</option>)}</select></label>
        {others.length ? (
          <label>{t('sweeps.hm.others')}
            <select name="agg">
              <option value="max" selected={m.agg === 'max'}>{t('sweeps.hm.max')}</option>
              <option value="mean" selected={m.agg === 'mean'}>{t('sweeps.hm.mean')}</option>
              <option value="fixed" selected={m.agg === 'fixed'}>{t('sweeps.hm.fixed')}</option>
            </select>
          </label>
        ) : <input type="hidden" name="agg" value="max" />}
        {others.map((a) => (
          <label class={m.agg === 'fixed' ? '' : 'muted'}><code>{a.name}</code> =
            <select name={`fix.${a.name}`}>{a.values.map((v) => <option value={fmtParam(v)} selected={m.fixed[a.name] === fmtParam(v)}>{fmtParam(v)}</option>)}</select>
          </label>
        ))}
        <noscript><button type="submit" class="secondary">{t('sweeps.hm.draw')}</button></noscript>
      </form>
      {m.problem ? <p class="muted">{t(m.problem === 'oneParameter' ? 'sweeps.hm.oneParam' : 'sweeps.hm.same')}</p> : m.data ? <Heatmap t={props.t} data={m.data} /> : null}
      <p class="muted small">{t('sweeps.hm.help')}</p>
    </div>
  );
}

export function RobustnessView(props: { t: T; rows: RobustRow[]; sd: number; metric: SetMetricName; params: string[] }) {
  const { metric, t } = props;
  if (!props.rows.length) return <p class="muted">{t('sweeps.rb.none')}</p>;
  const label = metricLabel(t, metric);
  return (
    <>
      <p class="muted small">{t('sweeps.rb.help', { metric: label, sd: fmtMetric(metric, props.sd) })}</p>
      <div class="scroll-x table-box">
        <table class="compact robustness">
          <thead><tr><th class="num">#</th>{props.params.map((p) => <th><code>{p}</code></th>)}<th class="num">{label}</th><th class="num">{t('sweeps.rb.mean')}</th><th class="num">{t('sweeps.rb.worst')}</th><th class="num">{t('sweeps.rb.n')}</th><th>{t('sweeps.rb.reading')}</th></tr></thead>
          <tbody>
            {props.rows.map((r) => (
              <tr class={`robust-${r.verdict}`}>
                <td class="num">{r.ordinal}</td>
                {props.params.map((p) => <td class="num">{fmtParam(r.params[p])}</td>)}
                <td class="num">{fmtMetric(metric, r.value)}</td>
                <td class="num">{fmtMetric(metric, r.neighbourMean)}</td>
                <td class="num">{fmtMetric(metric, r.neighbourMin)}</td>
                <td class="num">{r.neighbours}</td>
                <td><span class={`verdict ${r.verdict}`}>{t(`sweeps.rb.${r.verdict}`)}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function OverfittingView(props: { t: T; dsr: SweepDsr | null; pbo: SweepPbo | null; lambdas: LambdaHistogram | null; notes: string[] }) {
  const { dsr, pbo, t } = props;
  const int = (n: number) => n.toLocaleString('en-US');
  return (
    <div class="overfitting">
      <div class="metrics">
        <div class="metric" id="sweep-dsr">
          <div class="metric-label">{t('sweeps.of.dsr')}</div>
          <div class="metric-value">{dsr ? pct(dsr.dsr, 1) : '—'}</div>
          <div class="metric-hint muted">{t('sweeps.of.dsrHint', { trials: dsr ? dsr.trials : 'N' })}</div>
        </div>
        <div class="metric" id="sweep-pbo">
          <div class="metric-label">{t('sweeps.of.pbo')}</div>
          <div class="metric-value">{pbo ? pct(pbo.pbo, 1) : '—'}</div>
          <div class="metric-hint muted">{t('sweeps.of.pboHint')}</div>
        </div>
      </div>
      {dsr ? (
        <dl class="facts">
          <dt>{t('sweeps.of.inputs')}</dt>
          <dd>{t('sweeps.of.dsrInputs', { sharpe: num(dsr.observedSharpe, 4), trials: dsr.trials, expected: num(dsr.expectedMaxSharpe, 4), periods: dsr.periods, skew: num(dsr.skewness, 2), kurt: num(dsr.kurtosis, 2) })}</dd>
          <dt>{t('sweeps.of.formula')}</dt>
          <dd class="small"><code>DSR = Φ((SR − SR₀)·√(T−1) / √(1 − γ₃·SR + (γ₄−1)/4·SR²)), SR₀ = √V[SR]·((1−γ)Φ⁻¹(1−1/N) + γΦ⁻¹(1−1/(Ne)))</code>. {t('sweeps.of.dsrSource')}</dd>
        </dl>
      ) : null}
      {pbo ? (
        <dl class="facts">
          <dt>{t('sweeps.of.inputs')}</dt>
          <dd>{t('sweeps.of.pboInputs', { sets: pbo.configurations, periods: pbo.periods, partitions: pbo.partitions, combinations: int(pbo.combinations) })}</dd>
          <dt>{t('sweeps.of.method')}</dt>
          <dd class="small">{t('sweeps.of.pboMethod')}</dd>
        </dl>
      ) : null}
      {props.lambdas ? (
        <figure class="lambda-figure">
          <LambdaChart t={props.t} h={props.lambdas} />
          <figcaption class="muted small">{t('sweeps.of.lambdaCaption', { combinations: int(props.lambdas.combinations), below: int(props.lambdas.atOrBelowZero) })}</figcaption>
        </figure>
      ) : null}
      {props.notes.length ? <ul class="muted small">{props.notes.map((n) => <li>{n}</li>)}</ul> : null}
    </div>
  );
}
