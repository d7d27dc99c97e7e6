import { CsrfField, Layout, type PageChrome, type T } from '../layout.tsx';
import { Value } from '../values.tsx';
import { durationMs, localTime } from '../backtests/format.ts';
import { DeleteButton } from '../confirm.tsx';
import { fmtDate } from '../market/format.ts';
import type { Run } from '../../src/runs/run.types.ts';
import type { SlotNote, Task, TaskStatus } from '../../src/scheduler/task.types.ts';
import type { StepGraph } from '../../src/runs/executor-registry.ts';
import { NoRunsRow, ProgressBar, StatusBadge } from '../runs/run-parts.tsx';
import { Countdown, DagSvg, duration, StateBadge, TasksBody } from './parts.tsx';

function Subnav(props: { at: 'tasks' | 'stats' | 'new'; admin: boolean }) {
  return (
    <nav class="subnav">
      <a href="/scheduler" aria-current={props.at === 'tasks' ? 'page' : undefined}>Tasks</a>
      <a href="/scheduler/stats" aria-current={props.at === 'stats' ? 'page' : undefined}>Stats</a>
      {props.admin ? <a href="/scheduler/new" aria-current={props.at === 'new' ? 'page' : undefined}>New task</a> : null}
      <a href="/runs">All runs</a>
    </nav>
  );
}

export function TasksPage(props: { chrome: PageChrome; statuses: TaskStatus[]; admin: boolean }) {
  return (
    <Layout chrome={props.chrome} title="Scheduler" section="scheduler" refreshSeconds={props.statuses.some((x) => x.state === 'running') ? 10 : undefined}>
      <Subnav at="tasks" admin={props.admin} />
      <h1>Scheduler</h1>
      <p class="muted">Cron and interval tasks. Each slot fires once however many instances run; status updates live.</p>
      <div hx-sse:connect="/scheduler/stream"></div>
      <table class="runs">
        <thead>
          <tr>
            <th>Task</th>
            <th>Schedule</th>
            <th>State</th>
            <th>Next run</th>
            <th>Last run</th>
            <th>Progress</th>
            <th class="num">Waiting</th>
          </tr>
        </thead>
        <TasksBody statuses={props.statuses} />
      </table>
    </Layout>
  );
}

function OpButton(props: { chrome: PageChrome; task: Task; op: string; label: string; cls?: string }) {
  return (
    <form method="post" action={`/scheduler/tasks/${props.task.id}/${props.op}`} class="inline">
      <CsrfField chrome={props.chrome} />
      <button type="submit" class={props.cls ?? 'secondary'}>{props.label}</button>
    </form>
  );
}

/** The trading-day policy's warning: the calendar does not cover the next 30 days. */
function CalendarWarning(props: { status: TaskStatus }) {
  const cal = props.status.calendar;
  if (!cal?.warning) return null;
  return (
    <div class="error-box calendar-warning" role="alert" id="calendar-warning">
      <p>
        <strong>Trade calendar short:</strong> {cal.warning}
      </p>
      <p class="muted small">{cal.coveredThrough ? `Covered through ${fmtDate(cal.coveredThrough)}.` : 'No calendar row for today.'} See the trade_calendar dataset on /market.</p>
    </div>
  );
}

export function TaskPage(props: {
  chrome: PageChrome;
  status: TaskStatus;
  runs: Run[];
  total: number;
  notes: SlotNote[];
  admin: boolean;
  showConfig: boolean;
  dag: (StepGraph & { runId: number | null }) | null;
}) {
  const s = props.status;
  const t = s.task;
  const skippedNext = s.calendar?.skippedNext ?? [];
  const upcoming = [...s.next.map((at) => ({ at, skipped: false })), ...skippedNext.map((at) => ({ at, skipped: true }))].sort((a, b) => a.at.getTime() - b.at.getTime());
  // While one of its runs is queued or running the page follows it; without JavaScript it reloads.
  const live = props.runs.some((r) => r.status === 'queued' || r.status === 'running' || r.status === 'paused');
  return (
    <Layout chrome={props.chrome} title={t.name} section="scheduler" refreshSeconds={live ? 5 : undefined}>
      <Subnav at="tasks" admin={props.admin} />
      <h1>
        {t.name} <StateBadge state={s.state} />
      </h1>
      {t.description ? <p class="lead">{t.description}</p> : null}
      <CalendarWarning status={s} />
      {props.admin ? (
        <div class="toolbar" id="task-ops">
          <OpButton chrome={props.chrome} task={t} op="trigger" label="Trigger now" cls="primary" />
          {t.enabled ? <OpButton chrome={props.chrome} task={t} op="disable" label="Disable" /> : <OpButton chrome={props.chrome} task={t} op="enable" label="Enable" />}
          {t.paused ? <OpButton chrome={props.chrome} task={t} op="resume" label="Resume" /> : <OpButton chrome={props.chrome} task={t} op="pause" label="Pause" />}
          <a href={`/scheduler/tasks/${t.id}/edit`}>Edit</a>
          <DeleteButton chrome={props.chrome} action={`/scheduler/tasks/${t.id}/delete`} question={`Delete task “${t.name}”? Its schedule stops; its past runs stay.`} />
        </div>
      ) : null}
      {props.admin ? (
        <details class="trigger-overrides">
          <summary>Trigger once with other parameters</summary>
          <form method="post" action={`/scheduler/tasks/${t.id}/trigger`}>
            <CsrfField chrome={props.chrome} />
            <label>
              Overrides (JSON, merged over the task's config for this run only; the task keeps its config)
              <textarea name="overrides" rows={4} class="mono" placeholder={JSON.stringify(t.config)}>{''}</textarea>
            </label>
            <button type="submit" class="secondary">Trigger with overrides</button>
          </form>
        </details>
      ) : null}
      <dl class="facts">
        <dt>Schedule</dt>
        <dd>{s.describe}</dd>
        <dt>Executor</dt>
        <dd>{t.executor}</dd>
        <dt>Next runs</dt>
        <dd>
          {s.next.length ? (
            <ol class="next-runs">
              {upcoming.map(({ at, skipped }) =>
                skipped ? (
                  <li class="slot-skipped">
                    <s>{localTime(at, t.timezone)}</s> <span class="badge">skipped: {t.tradingDays} closed</span>
                  </li>
                ) : (
                  <li>
                    {localTime(at, t.timezone)} <span class="muted">({t.timezone})</span> {at === s.next[0] ? <Countdown at={at} /> : null}
                  </li>
                ),
              )}
            </ol>
          ) : (
            <span class="muted">{t.enabled ? 'only when triggered' : 'disabled: none'}</span>
          )}
        </dd>
        <dt>Policies</dt>
        <dd>
          overlap {t.overlap} (max {t.maxConcurrent}), misfire {t.misfire} (catch up ≤ {t.maxCatchUp}, grace {t.graceSeconds} s), attempts {t.maxAttempts}, timeout {t.timeoutMs ? `${t.timeoutMs / 1000} s` : 'none'}
        </dd>
        <dt>Trading days</dt>
        <dd id="trading-days">
          {t.tradingDays ? (
            <>
              only on {t.tradingDays} trading days: a slot on a day its trade calendar marks closed is skipped (shown in the history below); a day the calendar has no row for fires with a warning
              {s.calendar?.coveredThrough ? <span class="muted"> · calendar through {fmtDate(s.calendar.coveredThrough)}</span> : null}
            </>
          ) : (
            <span class="muted">every slot (no trading-day policy)</span>
          )}
        </dd>
        {props.showConfig ? (
          <>
            <dt>Config</dt>
            <dd>
              {/* A workflow's steps come out as a table (id, executor, params, depends on); other configs as a list. */}
              <div class="config"><Value value={t.config} codeKeys /></div>
            </dd>
          </>
        ) : null}
      </dl>
      {props.dag ? (
        <section>
          <h2>Workflow {props.dag.runId ? <a href={`/runs/${props.dag.runId}`}>run #{props.dag.runId}</a> : <span class="muted">(not run yet)</span>}</h2>
          <div class="dag-frame" id="dag" hx-get={`/scheduler/tasks/${t.id}/dag`} hx-trigger="every 2s" hx-swap="outerHTML">
            <DagSvg steps={props.dag.steps} layers={props.dag.layers} state={props.dag.state} />
          </div>
        </section>
      ) : null}
      <h2>Run history</h2>
      <p class="muted">
        {props.total} runs, newest first{props.notes.length ? ', with the slots skipped on closed days or fired without a calendar row' : ''}. Open a run for its live log.
      </p>
      <RunHistory t={props.chrome.t} taskId={t.id} runs={props.runs} notes={props.notes} timeZone={props.chrome.timeZone} />
    </Layout>
  );
}

/** A run, or a slot the trading-day policy passed over (or fired unchecked), in one history newest first. */
type HistoryRow = { at: Date; run: Run; note: SlotNote | null } | { at: Date; run: null; note: SlotNote };

function historyRows(runs: Run[], notes: SlotNote[]): HistoryRow[] {
  const noteOf = new Map(notes.filter((n) => n.outcome === 'fired').map((n) => [n.scheduledFor.getTime(), n]));
  const rows: HistoryRow[] = runs.map((r) => ({ at: r.scheduledFor ?? r.queuedAt, run: r, note: r.scheduledFor ? (noteOf.get(r.scheduledFor.getTime()) ?? null) : null }));
  // Only skipped slots among the runs' time span (older ones would sit below runs not listed), or all when there are no runs.
  const oldest = runs.length ? Math.min(...rows.map((x) => x.at.getTime())) : -Infinity;
  for (const n of notes) if (n.outcome === 'skipped' && n.scheduledFor.getTime() >= oldest) rows.push({ at: n.scheduledFor, run: null, note: n });
  return rows.sort((a, b) => b.at.getTime() - a.at.getTime());
}

export function RunHistory(props: { t: T; taskId: number; runs: Run[]; notes: SlotNote[]; timeZone: string }) {
  const live = props.runs.some((r) => r.status === 'queued' || r.status === 'running' || r.status === 'paused');
  return (
    <table class="runs" id="task-runs" hx-get={live ? `/scheduler/tasks/${props.taskId}/history` : undefined} hx-trigger={live ? 'every 1s' : undefined} hx-swap="outerHTML">
      <thead>
        <tr>
          <th class="num">Run</th>
          <th>Slot ({props.timeZone})</th>
          <th>Status</th>
          <th>Progress</th>
          <th class="num">Took</th>
          <th>Error or reason</th>
        </tr>
      </thead>
      <tbody>
        {props.notes.length ? null : <NoRunsRow t={props.t} runs={props.runs} colspan={6} />}
        {historyRows(props.runs, props.notes).map(({ run: r, note }) =>
          r === null ? (
            <tr class="slot-skipped">
              <td class="num muted">—</td>
              <td>{localTime(note.scheduledFor, props.timeZone)}</td>
              <td>
                <span class="badge">skipped</span>
              </td>
              <td colspan={2}></td>
              <td class="small">{note.message}</td>
            </tr>
          ) : (
            <tr>
              <td class="num">
                <a href={`/runs/${r.id}`}>#{r.id}</a>
              </td>
              <td>{r.scheduledFor ? localTime(r.scheduledFor, props.timeZone) : <span class="muted">{r.parentRunId ? `step of #${r.parentRunId}` : 'triggered'}</span>}</td>
              <td>
                <StatusBadge t={props.t} run={r} />
              </td>
              <td class="progress-cell">
                <ProgressBar t={props.t} progress={r.progress} status={r.status} />
              </td>
              <td class="num">{duration(r)}</td>
              <td class="small">
                <span class="field-error">{r.error?.message ?? ''}</span>
                {note ? <span class="badge warn" title={note.message}>calendar missing: fired unchecked</span> : null}
              </td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}

export function StatsPage(props: { chrome: PageChrome; admin: boolean; stats: Array<{ taskId: number; name: string; runs: number; successRate: number | null; avgMs: number | null; p95Ms: number | null; lastFailureAt: string | null; lastFailure: string | null }> }) {
  return (
    <Layout chrome={props.chrome} title="Scheduler stats" section="scheduler">
      <Subnav at="stats" admin={props.admin} />
      <h1>Scheduler stats</h1>
      <table class="runs">
        <thead>
          <tr>
            <th>Task</th>
            <th class="num">Runs</th>
            <th>Success rate</th>
            <th class="num">Average</th>
            <th class="num">p95</th>
            <th>Last failure</th>
          </tr>
        </thead>
        <tbody>
          {props.stats.map((s) => (
            <tr>
              <td>
                <a href={`/scheduler/tasks/${s.taskId}`}>{s.name}</a>
              </td>
              <td class="num">{s.runs}</td>
              <td>
                {s.successRate === null ? (
                  <span class="muted">—</span>
                ) : (
                  <>
                    <progress max="1" value={s.successRate}></progress> {(s.successRate * 100).toFixed(1)}%
                  </>
                )}
              </td>
              <td class="num">{s.avgMs === null ? '' : durationMs(s.avgMs)}</td>
              <td class="num">{s.p95Ms === null ? '' : durationMs(s.p95Ms)}</td>
              <td>
                {s.lastFailureAt ? localTime(s.lastFailureAt, props.chrome.timeZone) : <span class="muted">none</span>}
                {s.lastFailure ? <div class="field-error small">{s.lastFailure}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
