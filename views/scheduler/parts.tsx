import type { Run } from '../../src/runs/run.types.ts';
import type { TaskStatus } from '../../src/scheduler/task.types.ts';
import type { StepGraph } from '../../src/runs/executor-registry.ts';
import { durationMs, localTime } from '../backtests/format.ts';
import type { MessageKey, T } from '../../src/i18n/i18n.ts';

export function StateBadge(props: { t: T; state: TaskStatus['state'] }) {
  const cls = props.state === 'running' ? 'running' : props.state === 'late' ? 'failed' : props.state === 'idle' ? 'succeeded' : '';
  return <span class={`badge ${cls}`}>{props.t(`scheduler.state.${props.state}`)}</span>;
}

/** A countdown to an instant; public/js/app.js ticks every <time data-countdown>. */
export function Countdown(props: { t: T; at: Date | undefined }) {
  const { t } = props;
  if (!props.at) return <span class="muted">—</span>;
  const secs = Math.max(0, Math.round((props.at.getTime() - Date.now()) / 1000));
  return (
    <time datetime={props.at.toISOString()} data-countdown="1">
      {t('scheduler.in', { d: secs < 120 ? t('scheduler.s', { n: secs }) : secs < 7200 ? t('scheduler.min', { n: Math.round(secs / 60) }) : t('scheduler.h', { n: Math.round(secs / 3600) }) })}
    </time>
  );
}

export function duration(r: Pick<Run, 'startedAt' | 'finishedAt'>): string {
  if (!r.startedAt) return '';
  return durationMs((r.finishedAt ?? new Date()).getTime() - r.startedAt.getTime());
}

export function TasksBody(props: { t: T; statuses: TaskStatus[] }) {
  const { t } = props;
  return (
    <tbody id="tasks-body">
      {props.statuses.length === 0 ? (
        <tr>
          <td colspan={7} class="muted">{t('scheduler.noTasks')}</td>
        </tr>
      ) : null}
      {props.statuses.map((s) => (
        <tr>
          <td>
            <a href={`/scheduler/tasks/${s.task.id}`}>{s.task.name}</a>
            <div class="muted small">{s.task.executor}</div>
          </td>
          <td>
            {s.describe}
            {s.task.tradingDays ? <div class="muted small">{t('scheduler.onlyOn', { days: s.task.tradingDays })}{s.calendar?.warning ? <> <span class="badge warn">{t('scheduler.calendarShort')}</span></> : null}</div> : null}
          </td>
          <td>
            <StateBadge t={t} state={s.state} />
          </td>
          <td>
            {s.next[0] ? (
              <>
                <Countdown t={t} at={s.next[0]} />
                <div class="muted small">{localTime(s.next[0], s.task.timezone)}</div>
              </>
            ) : (
              <span class="muted">{t(s.task.enabled ? 'scheduler.manual' : 'scheduler.disabled')}</span>
            )}
          </td>
          <td>
            {s.lastRun ? (
              <>
                <a href={`/runs/${s.lastRun.id}`}>#{s.lastRun.id}</a> <span class={`badge ${s.lastRun.status}`}>{t(`runs.status.${s.lastRun.status}` as MessageKey)}</span>
                {s.lastRun.error ? <div class="field-error small">{s.lastRun.error}</div> : null}
              </>
            ) : (
              <span class="muted">{t('scheduler.never')}</span>
            )}
          </td>
          <td class="progress-cell">{s.progress !== null ? <progress max="1" value={s.progress}></progress> : s.running ? <span class="muted">{t('scheduler.running')}</span> : null}</td>
          <td class="num">{s.queued ? t('scheduler.queued', { n: s.queued }) : ''}</td>
        </tr>
      ))}
    </tbody>
  );
}

const nodeW = 150;
const nodeH = 40;
const gapX = 60;
const gapY = 24;

/** The workflow's DAG as SVG: one column per dependency depth (`layers`, the step ids by depth, computed by the page route), each node coloured by its step status. */
export function DagSvg(props: StepGraph & { t: T }) {
  const { t } = props;
  const cols = props.layers;
  const pos = new Map<string, { x: number; y: number }>();
  cols.forEach((col, i) => col.forEach((id, j) => pos.set(id, { x: 10 + i * (nodeW + gapX), y: 10 + j * (nodeH + gapY) })));
  const width = 20 + cols.length * (nodeW + gapX) - gapX;
  const height = 20 + Math.max(...cols.map((c) => c.length)) * (nodeH + gapY) - gapY;
  return (
    <svg class="dag" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={t('scheduler.dagLabel')}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="dag-arrow" />
        </marker>
      </defs>
      {props.steps.flatMap((s) =>
        s.depends_on.map((d) => {
          const a = pos.get(d)!;
          const b = pos.get(s.id)!;
          return <line class="dag-edge" x1={a.x + nodeW} y1={a.y + nodeH / 2} x2={b.x} y2={b.y + nodeH / 2} marker-end="url(#arrow)" />;
        }),
      )}
      {props.steps.map((s) => {
        const p = pos.get(s.id)!;
        const st = props.state?.[s.id];
        const status = st?.status ?? 'pending';
        const label = (
          <>
            <rect class={`dag-node ${status}`} x={p.x} y={p.y} width={nodeW} height={nodeH} rx="6" />
            <text class="dag-label" x={p.x + 8} y={p.y + 17}>{s.id}</text>
            <text class="dag-sub" x={p.x + 8} y={p.y + 32}>{`${s.task ? t('scheduler.dagTask', { name: s.task }) : s.executor} · ${status}`}</text>
          </>
        );
        return st?.runId ? <a href={`/runs/${st.runId}`}>{label}</a> : <g>{label}</g>;
      })}
    </svg>
  );
}
