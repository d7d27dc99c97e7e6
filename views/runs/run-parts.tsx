import type { Run, RunEvent, RunProgress } from '../../src/runs/run.types.ts';
import { localTime } from '../backtests/format.ts';
import { Value } from '../values.tsx';

/** One fragment per live widget; the page stream sends the same ones. */
/** The row a runs table (the runs list, a task's run history) shows while it has no runs: nothing otherwise. */
export function NoRunsRow(props: { runs: readonly unknown[]; colspan: number }) {
  if (props.runs.length > 0) return null;
  return (
    <tr>
      <td colspan={props.colspan} class="muted">No runs yet.</td>
    </tr>
  );
}

export function StatusBadge(props: { run: Pick<Run, 'status' | 'attempt' | 'maxAttempts' | 'control'> }) {
  const r = props.run;
  return (
    <span class={`badge ${r.status}`}>
      {r.status}
      {r.control ? ` (${r.control} asked)` : ''}
      {r.maxAttempts > 1 ? ` · attempt ${r.attempt}/${r.maxAttempts}` : ''}
    </span>
  );
}

/**
 * A run's progress as its status makes it true: live (bar, ETA while running) until it ends; then
 * its final state — done, or where a cancelled, failed or abandoned run stopped — never a live-looking
 * "39.1 % · ETA" on a run that will not move again.
 */
export function ProgressBar(props: { progress: RunProgress | null; status: Run['status'] }) {
  const p = props.progress;
  const pct = p?.fraction == null ? null : Math.round(p.fraction * 1000) / 10;
  const where = [pct === null ? '' : `${pct}%`, p && p.processed !== null && p.total !== null ? `${p.processed}/${p.total}` : '', p?.current ?? ''].filter(Boolean).join(' · ');
  switch (props.status) {
    case 'succeeded':
      return <span class="run-progress done">done{p && p.processed !== null && p.total !== null ? ` · ${p.processed}/${p.total}` : ''}</span>;
    case 'cancelled':
      return <span class="run-progress muted">{where ? `cancelled at ${where}` : 'cancelled before it started'}</span>;
    case 'failed':
      return <span class="run-progress muted">{where ? `failed at ${where}` : 'failed before any progress'}</span>;
    case 'abandoned':
      return <span class="run-progress muted">{where ? `abandoned at ${where}` : 'abandoned'}</span>;
    default:
      break;
  }
  if (!p || (p.fraction === null && p.processed === null)) return <span class="muted">{props.status === 'queued' ? 'waiting for a slot' : 'no progress yet'}</span>;
  return (
    <span class="run-progress">
      <progress max="1" value={p.fraction ?? undefined}>{pct === null ? '' : `${pct}%`}</progress>
      <span class="muted">
        {pct === null ? '' : `${pct}%`}
        {p.processed !== null && p.total !== null ? ` · ${p.processed}/${p.total}` : ''}
        {p.current ? ` · ${p.current}` : ''}
        {props.status === 'running' && p.etaAt && (p.fraction ?? 0) < 1 ? ` · ETA ${p.etaAt.slice(11, 19)} UTC` : ''}
        {props.status === 'paused' ? ' · paused' : ''}
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

export function TimelineItem(props: { event: RunEvent; timeZone: string }) {
  const e = props.event;
  if (e.kind !== 'status') return null;
  const d = e.data;
  return (
    <li>
      <time datetime={e.at.toISOString()}>{localTime(e.at, props.timeZone)}</time> <span class={`badge ${d.status}`}>{d.status}</span>
      {d.attempt ? ` attempt ${d.attempt}` : ''}
      {d.reason ? ` · ${d.reason}` : ''}
      {d.error ? ` · ${d.error.code}: ${d.error.message}` : ''}
      {d.runAfter ? ` · not before ${localTime(String(d.runAfter), props.timeZone)}` : ''}
    </li>
  );
}

export function ResultBox(props: { run: Run }) {
  const r = props.run;
  if (r.error) {
    return (
      <section class="error-box">
        <strong>{r.error.code}</strong>: {r.error.message}
      </section>
    );
  }
  if (r.result === null || r.result === undefined) return <p class="muted">no result yet</p>;
  // A workflow's steps come out as a table whose run ids link to the step runs.
  return <div class="run-result"><Value value={r.result} /></div>;
}
