import type { Run, RunEvent, RunProgress } from '../../src/runs/run.types.ts';
import { localTime } from '../backtests/format.ts';
import { Value } from '../values.tsx';
import type { MessageKey, T } from '../../src/i18n/i18n.ts';

/** One fragment per live widget; the page stream sends the same ones. */
/** The row a runs table (the runs list, a task's run history) shows while it has no runs: nothing otherwise. */
export function NoRunsRow(props: { t: T; runs: readonly unknown[]; colspan: number }) {
  if (props.runs.length > 0) return null;
  return (
    <tr>
      <td colspan={props.colspan} class="muted">{props.t('runs.noRuns')}</td>
    </tr>
  );
}

export function StatusBadge(props: { t: T; run: Pick<Run, 'status' | 'attempt' | 'maxAttempts' | 'control'> }) {
  const { t } = props;
  const r = props.run;
  return (
    <span class={`badge ${r.status}`}>
      {t(`runs.status.${r.status}`)}
      {r.control ? t('runs.controlAsked', { control: t(`runs.control.${r.control}` as MessageKey) }) : ''}
      {r.maxAttempts > 1 ? t('runs.attempt', { attempt: r.attempt, max: r.maxAttempts }) : ''}
    </span>
  );
}

/**
 * A run's progress as its status makes it true: live (bar, ETA while running) until it ends; then
 * its final state — done, or where a cancelled, failed or abandoned run stopped — never a live-looking
 * "39.1 % · ETA" on a run that will not move again.
 */
/** `timeZone`: the reader's (chrome.timeZone), which the ETA is given in. */
export function ProgressBar(props: { t: T; progress: RunProgress | null; status: Run['status']; timeZone: string }) {
  const { t } = props;
  const p = props.progress;
  const pct = p?.fraction == null ? null : Math.round(p.fraction * 1000) / 10;
  const where = [pct === null ? '' : `${pct}%`, p && p.processed !== null && p.total !== null ? `${p.processed}/${p.total}` : '', p?.current ?? ''].filter(Boolean).join(' · ');
  switch (props.status) {
    case 'succeeded':
      return <span class="run-progress done">{t('runs.done')}{p && p.processed !== null && p.total !== null ? ` · ${p.processed}/${p.total}` : ''}</span>;
    case 'cancelled':
      return <span class="run-progress muted">{where ? t('runs.cancelledAt', { where }) : t('runs.cancelledBefore')}</span>;
    case 'failed':
      return <span class="run-progress muted">{where ? t('runs.failedAt', { where }) : t('runs.failedBefore')}</span>;
    case 'abandoned':
      return <span class="run-progress muted">{where ? t('runs.abandonedAt', { where }) : t('runs.abandoned')}</span>;
    default:
      break;
  }
  if (!p || (p.fraction === null && p.processed === null)) return <span class="muted">{t(props.status === 'queued' ? 'runs.waiting' : 'runs.noProgress')}</span>;
  return (
    <span class="run-progress">
      <progress max="1" value={p.fraction ?? undefined}>{pct === null ? '' : `${pct}%`}</progress>
      <span class="muted">
        {pct === null ? '' : `${pct}%`}
        {p.processed !== null && p.total !== null ? ` · ${p.processed}/${p.total}` : ''}
        {p.current ? ` · ${p.current}` : ''}
        {props.status === 'running' && p.etaAt && (p.fraction ?? 0) < 1 ? t('runs.eta', { time: localTime(p.etaAt, props.timeZone).slice(11), zone: props.timeZone }) : ''}
        {props.status === 'paused' ? t('runs.pausedSuffix') : ''}
      </span>
    </span>
  );
}

export function LogLine(props: { event: RunEvent; timeZone: string }) {
  const e = props.event;
  if (e.kind !== 'log') return null;
  return (
    <li class={`log-${e.data.level}`}>
      <time datetime={e.at.toISOString()}>{localTime(e.at, props.timeZone).slice(11)}.{String(e.at.getMilliseconds()).padStart(3, '0')}</time> <span class="level">{e.data.level}</span> {e.data.message}
    </li>
  );
}

export function TimelineItem(props: { t: T; event: RunEvent; timeZone: string }) {
  const { t } = props;
  const e = props.event;
  if (e.kind !== 'status') return null;
  const d = e.data;
  return (
    <li>
      <time datetime={e.at.toISOString()}>{localTime(e.at, props.timeZone)}</time> <span class={`badge ${d.status}`}>{t(`runs.status.${d.status}`)}</span>
      {d.attempt ? t('runs.tl.attempt', { n: d.attempt }) : ''}
      {d.reason ? ` · ${d.reason}` : ''}
      {d.error ? ` · ${d.error.code}: ${d.error.message}` : ''}
      {d.runAfter ? t('runs.tl.notBefore', { time: localTime(String(d.runAfter), props.timeZone) }) : ''}
    </li>
  );
}

export function ResultBox(props: { t: T; run: Run }) {
  const r = props.run;
  if (r.error) {
    return (
      <section class="error-box">
        <strong>{r.error.code}</strong>: {r.error.message}
      </section>
    );
  }
  if (r.result === null || r.result === undefined) return <p class="muted">{props.t('runs.noResult')}</p>;
  // A workflow's steps come out as a table whose run ids link to the step runs.
  return <div class="run-result"><Value value={r.result} /></div>;
}
