/** The sweeps list (live while any runs) and the one-line summary of a sweep's search. */
import type { Sweep } from '../../src/sweeps/sweep.types.ts';
import { Layout, type PageChrome, type T } from '../layout.tsx';
import { BacktestStatus } from '../backtests/parts.tsx';
import { localTime, pct } from '../backtests/format.ts';
import { fmtMetric, fmtParam, metricLabel } from './metrics.ts';

/** The search in words: the swept parameters, the mode and the objective. */
export function searchText(t: T, s: Sweep): string {
  const axes = Object.entries(s.space).map(([name, a]) => ('values' in a ? `${name} ∈ {${a.values.map(fmtParam).join(', ')}}` : t('sweeps.search.range', { name, from: a.from, to: a.to, step: a.step })));
  const mode = s.mode === 'grid' ? t('sweeps.search.grid') : t(s.mode === 'lhs' ? 'sweeps.search.lhs' : 'sweeps.search.random', { budget: s.budget ?? '', seed: s.seed ?? '' });
  return t('sweeps.search.text', { axes: axes.join(' × ') || t('sweeps.search.noAxes'), mode, objective: metricLabel(t, s.objective) });
}

export function ConfigSummary(props: { t: T; s: Sweep }) {
  const { t } = props;
  const { s } = props;
  const base = Object.entries(s.spec.params).filter(([k]) => !(k in s.space));
  return (
    <p class="small sweep-summary">
      <span>{searchText(t, s)}</span>
      {base.length ? <span class="muted">{t('sweeps.fixed', { list: base.map(([k, v]) => `${k} ${fmtParam(v)}`).join(', ') })}</span> : null}
      {s.windows ? <span class="muted">{t('sweeps.windows', { kind: s.windows.kind, inDays: s.windows.inSampleDays, outDays: s.windows.outOfSampleDays, step: s.windows.stepDays })}</span> : null}
    </p>
  );
}

export function SweepRows(props: { t: T; sweeps: Sweep[]; live: boolean; timeZone: string }) {
  return (
    <tbody id="sweep-list-body" hx-get={props.live ? '/sweeps/rows' : undefined} hx-trigger={props.live ? 'every 2s' : undefined} hx-swap="outerHTML">
      {props.sweeps.map((s) => (
        <tr>
          <td class="num"><a href={`/sweeps/${s.id}`}>#{s.id}</a></td>
          <td><a href={`/sweeps/${s.id}`}>{s.name}</a>{s.kind === 'walk_forward' ? <span class="tag">{props.t('sweeps.walkForward')}</span> : null}</td>
          <td>{s.spec.strategy.name}</td>
          <td><BacktestStatus t={props.t} status={s.status} control={s.control} /></td>
          <td class="num nowrap">{s.setsDone + s.setsFailed} / {s.plannedSets}{s.status === 'running' && s.plannedSets ? <progress max="1" value={(s.setsDone + s.setsFailed) / s.plannedSets}></progress> : null}</td>
          <td class="num">{s.best ? `${fmtMetric(s.objective, s.best.value)}` : '—'} <span class="muted small">{s.best ? metricLabel(props.t, s.objective) : ''}</span></td>
          <td class="num">{s.dsr === null ? '—' : pct(s.dsr, 1)}</td>
          <td class="num">{s.pbo === null ? '—' : pct(s.pbo, 1)}</td>
          <td class="nowrap">{localTime(s.createdAt, props.timeZone)}</td>
        </tr>
      ))}
    </tbody>
  );
}

export function SweepListPage(props: { chrome: PageChrome; sweeps: Sweep[]; total: number; live: boolean; canCreate: boolean }) {
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('sweeps.title')} section="sweeps">
      <h1>{t('sweeps.heading')}</h1>
      <p>
        {t('sweeps.intro')}
        {props.canCreate ? <> <a class="button" href="/sweeps/new" id="new-sweep">{t('sweeps.new')}</a></> : null}
      </p>
      {props.sweeps.length ? (
        <div class="scroll-x table-box">
          <table class="compact sweeps">
            <thead><tr><th class="num">#</th><th>{t('sweeps.col.name')}</th><th>{t('sweeps.col.strategy')}</th><th>{t('sweeps.col.status')}</th><th class="num">{t('sweeps.col.setsDone')}</th><th class="num">{t('sweeps.col.best')}</th><th class="num">DSR</th><th class="num">PBO</th><th>{t('sweeps.col.createdIn', { zone: props.chrome.timeZone })}</th></tr></thead>
            <SweepRows t={props.chrome.t} sweeps={props.sweeps} live={props.live} timeZone={props.chrome.timeZone} />
          </table>
        </div>
      ) : <p class="muted">{t('sweeps.none')}</p>}
      {props.total > props.sweeps.length ? <p class="muted small">{t('sweeps.showing', { shown: props.sweeps.length, total: props.total })}</p> : null}
    </Layout>
  );
}
