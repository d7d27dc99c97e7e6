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
import { fmtMetric, fmtParam, metricLabels } from './metrics.ts';

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
  const base = `/sweeps/${m.sweepId}`;
  const prev = m.q.offset > 0 ? setsQueryString(m.q, { offset: Math.max(0, m.q.offset - m.q.limit) }) : null;
  const next = m.q.offset + m.sets.length < m.total ? setsQueryString(m.q, { offset: m.q.offset + m.q.limit }) : null;
  return (
    <div id="sweep-sets">
      <form method="get" action={`${base}#sets`} class="sets-filter" hx-get={`${base}/sets`} hx-target="#sweep-sets" hx-swap="outerHTML">
        <input type="hidden" name="sort" value={m.q.sort} />
        <input type="hidden" name="dir" value={m.q.dir} />
        <label>Status
          <select name="status">
            <option value="" selected={m.q.status === ''}>all</option>
            <option value="succeeded" selected={m.q.status === 'succeeded'}>succeeded</option>
            <option value="failed" selected={m.q.status === 'failed'}>failed</option>
          </select>
        </label>
        <label>Where
          <select name="fm">{m.metrics.map((k) => <option value={k} selected={m.q.fm === k}>{metricLabels[k]}</option>)}</select>
        </label>
        <label>from<input type="number" name="fmin" value={m.q.fmin} step="any" placeholder="min" /></label>
        <label>to<input type="number" name="fmax" value={m.q.fmax} step="any" placeholder="max" /></label>
        <button type="submit" class="secondary">Filter</button>
        <span class="muted small">{m.total} set{m.total === 1 ? '' : 's'}{m.total > m.sets.length ? `, ${m.q.offset + 1}–${m.q.offset + m.sets.length} shown` : ''} · percentages as fractions in the filter (0.1 = 10%)</span>
      </form>
      <div class="scroll-x table-box">
        <table class="compact sweep-sets">
          <thead>
            <tr>
              <SortHeader m={m} col="ordinal" label="#" />
              {m.windowed ? <th class="num">window</th> : null}
              {m.params.map((p) => <th><code>{p}</code></th>)}
              {m.metrics.map((k) => <SortHeader m={m} col={k} label={metricLabels[k]} />)}
              <th></th>
            </tr>
          </thead>
          <tbody>
            {m.sets.map((s) => (
              <tr class={s.ordinal === m.bestOrdinal ? 'best-set' : s.status === 'failed' ? 'failed-set' : undefined} data-ordinal={s.ordinal}>
                <td class="num">{s.ordinal}{s.ordinal === m.bestOrdinal ? <span class="tag" title="best on the objective">best</span> : null}</td>
                {m.windowed ? <td class="num">{s.windowIndex ?? '—'}</td> : null}
                {m.params.map((p) => <td class="num">{fmtParam(s.params[p])}</td>)}
                {s.status === 'failed' ? (
                  <td colspan={m.metrics.length} class="muted">failed: {s.error ?? 'no reason recorded'}</td>
                ) : (
                  m.metrics.map((k) => <td class="num">{fmtMetric(k, s.metrics[k])}</td>)
                )}
                <td>
                  {m.canRun && s.status === 'succeeded' ? (
                    <form method="post" action={`${base}/sets/${s.ordinal}/backtest`} class="inline">
                      <CsrfField chrome={props.chrome} />
                      <button type="submit" class="secondary small" title={`Run set ${s.ordinal} as a normal backtest with its full result page`}>Run as backtest</button>
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
          {prev !== null ? <a href={`${base}${prev}#sets`} hx-get={`${base}/sets${prev}`} hx-target="#sweep-sets" hx-swap="outerHTML">← previous</a> : null}{' '}
          {next !== null ? <a href={`${base}${next}#sets`} hx-get={`${base}/sets${next}`} hx-target="#sweep-sets" hx-swap="outerHTML">next →</a> : null}
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
  /** Why nothing is drawn (a bad choice, a single swept parameter). */
  problem: string | null;
}

export function HeatmapSection(props: { t: T; m: HeatmapModel }) {
  const { m } = props;
  const base = `/sweeps/${m.sweepId}`;
  const others = m.axes.filter((a) => a.name !== m.x && a.name !== m.y);
  const pick = (name: string, current: string) => (
    <select name={name}>{m.axes.map((a) => <option value={a.name} selected={a.name === current}>{a.name}</option>)}</select>
  );
  return (
    <div id="sweep-heatmap">
      <form method="get" action={`${base}#heatmap`} class="heatmap-pickers" hx-get={`${base}/heatmap`} hx-trigger="change, submit" hx-target="#sweep-heatmap" hx-swap="outerHTML">
        <label>Columns (x){pick('x', m.x)}</label>
        <label>Rows (y){pick('y', m.y)}</label>
        <label>Metric<select name="metric">{m.metrics.map((k) => <option value={k} selected={k === m.metric}>{metricLabels[k]}</option>)}</select></label>
        {others.length ? (
          <label>Other parameters
            <select name="agg">
              <option value="max" selected={m.agg === 'max'}>best (max) over them</option>
              <option value="mean" selected={m.agg === 'mean'}>mean over them</option>
              <option value="fixed" selected={m.agg === 'fixed'}>fixed at…</option>
            </select>
          </label>
        ) : <input type="hidden" name="agg" value="max" />}
        {others.map((a) => (
          <label class={m.agg === 'fixed' ? '' : 'muted'}><code>{a.name}</code> =
            <select name={`fix.${a.name}`}>{a.values.map((v) => <option value={fmtParam(v)} selected={m.fixed[a.name] === fmtParam(v)}>{fmtParam(v)}</option>)}</select>
          </label>
        ))}
        <noscript><button type="submit" class="secondary">Draw</button></noscript>
      </form>
      {m.problem ? <p class="muted">{m.problem}</p> : m.data ? <Heatmap t={props.t} data={m.data} /> : null}
      <p class="muted small">Hover a cell for its value. Colours diverge from zero (red above, green below; from the middle when every value has one sign); white: no set ran there.</p>
    </div>
  );
}

export function RobustnessView(props: { rows: RobustRow[]; sd: number; metric: SetMetricName; params: string[] }) {
  const { metric } = props;
  if (!props.rows.length) return <p class="muted">No finished set to compare.</p>;
  const verdicts: Record<RobustRow['verdict'], string> = {
    spike: 'lone spike', plateau: 'plateau', slope: 'on a slope', alone: 'no neighbour ran',
  };
  return (
    <>
      <p class="muted small">
        The best sets on {metricLabels[metric]}, each beside the mean of its grid neighbours (one step along one parameter).
        A set more than one standard deviation of {metricLabels[metric]} across all sets ({fmtMetric(metric, props.sd)}) above its neighbours is a
        lone spike — likely luck; within half of one, a plateau — the neighbourhood agrees.
      </p>
      <div class="scroll-x table-box">
        <table class="compact robustness">
          <thead><tr><th class="num">#</th>{props.params.map((p) => <th><code>{p}</code></th>)}<th class="num">{metricLabels[metric]}</th><th class="num">neighbours' mean</th><th class="num">worst neighbour</th><th class="num">n</th><th>reading</th></tr></thead>
          <tbody>
            {props.rows.map((r) => (
              <tr class={`robust-${r.verdict}`}>
                <td class="num">{r.ordinal}</td>
                {props.params.map((p) => <td class="num">{fmtParam(r.params[p])}</td>)}
                <td class="num">{fmtMetric(metric, r.value)}</td>
                <td class="num">{fmtMetric(metric, r.neighbourMean)}</td>
                <td class="num">{fmtMetric(metric, r.neighbourMin)}</td>
                <td class="num">{r.neighbours}</td>
                <td><span class={`verdict ${r.verdict}`}>{verdicts[r.verdict]}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function OverfittingView(props: { t: T; dsr: SweepDsr | null; pbo: SweepPbo | null; lambdas: LambdaHistogram | null; notes: string[] }) {
  const { dsr, pbo } = props;
  return (
    <div class="overfitting">
      <div class="metrics">
        <div class="metric" id="sweep-dsr">
          <div class="metric-label">Deflated Sharpe Ratio</div>
          <div class="metric-value">{dsr ? pct(dsr.dsr, 1) : '—'}</div>
          <div class="metric-hint muted">Probability that the best set's true Sharpe is above what {dsr ? dsr.trials : 'N'} trials would give by luck alone.</div>
        </div>
        <div class="metric" id="sweep-pbo">
          <div class="metric-label">Probability of Backtest Overfitting</div>
          <div class="metric-value">{pbo ? pct(pbo.pbo, 1) : '—'}</div>
          <div class="metric-hint muted">How often the in-sample best set ranks at or below the median out of sample.</div>
        </div>
      </div>
      {dsr ? (
        <dl class="facts">
          <dt>Inputs</dt>
          <dd>
            best Sharpe {num(dsr.observedSharpe, 4)} against the expected maximum of {dsr.trials} trials {num(dsr.expectedMaxSharpe, 4)}
            {' '}(per day), {dsr.periods} daily returns, skewness {num(dsr.skewness, 2)}, kurtosis {num(dsr.kurtosis, 2)}
          </dd>
          <dt>Formula</dt>
          <dd class="small">DSR = Φ((SR − SR₀)·√(T−1) / √(1 − γ₃·SR + (γ₄−1)/4·SR²)), SR₀ = √V[SR]·((1−γ)Φ⁻¹(1−1/N) + γΦ⁻¹(1−1/(Ne))). Bailey and López de Prado, "The Deflated Sharpe Ratio", Journal of Portfolio Management 40(5), 2014.</dd>
        </dl>
      ) : null}
      {pbo ? (
        <dl class="facts">
          <dt>Inputs</dt>
          <dd>{pbo.configurations} sets × {pbo.periods} days, {pbo.partitions} partitions, {pbo.combinations.toLocaleString('en-US')} combinations</dd>
          <dt>Method</dt>
          <dd class="small">Combinatorially symmetric cross-validation: for each half of the partitions as in-sample, λ = logit of the in-sample best's out-of-sample rank; PBO = share of λ ≤ 0. Bailey, Borwein, López de Prado and Zhu, "The Probability of Backtest Overfitting", Journal of Computational Finance 20(4), 2017.</dd>
        </dl>
      ) : null}
      {props.lambdas ? (
        <figure class="lambda-figure">
          <LambdaChart t={props.t} h={props.lambdas} />
          <figcaption class="muted small">λ over {props.lambdas.combinations.toLocaleString('en-US')} combinations; bars left of the dashed line (λ ≤ 0: {props.lambdas.atOrBelowZero.toLocaleString('en-US')}) make the PBO.</figcaption>
        </figure>
      ) : null}
      {props.notes.length ? <ul class="muted small">{props.notes.map((n) => <li>{n}</li>)}</ul> : null}
    </div>
  );
}
