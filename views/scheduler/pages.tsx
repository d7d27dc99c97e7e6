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

function Subnav(props: { t: T; at: 'tasks' | 'stats' | 'new'; admin: boolean }) {
  const { t } = props;
  return (
    <nav class="subnav">
      <a href="/scheduler" aria-current={props.at === 'tasks' ? 'page' : undefined}>{t('scheduler.tab.tasks')}</a>
      <a href="/scheduler/stats" aria-current={props.at === 'stats' ? 'page' : undefined}>{t('scheduler.tab.stats')}</a>
      {props.admin ? <a href="/scheduler/new" aria-current={props.at === 'new' ? 'page' : undefined}>{t('scheduler.tab.new')}</a> : null}
      <a href="/runs">{t('scheduler.tab.runs')}</a>
    </nav>
  );
}

export function TasksPage(props: { chrome: PageChrome; statuses: TaskStatus[]; admin: boolean }) {
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('scheduler.title')} section="scheduler" refreshSeconds={props.statuses.some((x) => x.state === 'running') ? 10 : undefined}>
      <Subnav t={t} at="tasks" admin={props.admin} />
      <h1>{t('scheduler.title')}</h1>
      <p class="muted">{t('scheduler.intro')}</p>
      <div hx-sse:connect="/scheduler/stream"></div>
      <table class="runs">
        <thead>
          <tr>
            <th>{t('scheduler.col.task')}</th>
            <th>{t('scheduler.col.schedule')}</th>
            <th>{t('scheduler.col.state')}</th>
            <th>{t('scheduler.col.next')}</th>
            <th>{t('scheduler.col.last')}</th>
            <th>{t('scheduler.col.progress')}</th>
            <th class="num">{t('scheduler.col.waiting')}</th>
          </tr>
        </thead>
        <TasksBody t={t} statuses={props.statuses} />
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
function CalendarWarning(props: { t: T; status: TaskStatus }) {
  const { t } = props;
  const cal = props.status.calendar;
  if (!cal?.warning) return null;
  return (
    <div class="error-box calendar-warning" role="alert" id="calendar-warning">
      <p>
        <strong>{t('scheduler.calShort')}</strong> {cal.warning}
      </p>
      <p class="muted small">{cal.coveredThrough ? t('scheduler.coveredThrough', { date: fmtDate(cal.coveredThrough) }) : t('scheduler.noCalendarRow')}{t('scheduler.seeCalendar')}</p>
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
  const tr = props.chrome.t;
  return (
    <Layout chrome={props.chrome} title={t.name} section="scheduler" refreshSeconds={live ? 5 : undefined}>
      <Subnav t={tr} at="tasks" admin={props.admin} />
      <h1>
        {t.name} <StateBadge t={tr} state={s.state} />
      </h1>
      {t.description ? <p class="lead">{t.description}</p> : null}
      <CalendarWarning t={tr} status={s} />
      {props.admin ? (
        <div class="toolbar" id="task-ops">
          <OpButton chrome={props.chrome} task={t} op="trigger" label={tr('scheduler.trigger')} cls="primary" />
          {t.enabled ? <OpButton chrome={props.chrome} task={t} op="disable" label={tr('scheduler.disable')} /> : <OpButton chrome={props.chrome} task={t} op="enable" label={tr('scheduler.enable')} />}
          {t.paused ? <OpButton chrome={props.chrome} task={t} op="resume" label={tr('scheduler.resume')} /> : <OpButton chrome={props.chrome} task={t} op="pause" label={tr('scheduler.pause')} />}
          <a href={`/scheduler/tasks/${t.id}/edit`}>{tr('scheduler.edit')}</a>
          <DeleteButton chrome={props.chrome} action={`/scheduler/tasks/${t.id}/delete`} question={tr('scheduler.deleteQuestion', { name: t.name })} />
        </div>
      ) : null}
      {props.admin ? (
        <details class="trigger-overrides">
          <summary>{tr('scheduler.overridesSummary')}</summary>
          <form method="post" action={`/scheduler/tasks/${t.id}/trigger`}>
            <CsrfField chrome={props.chrome} />
            <label>
              {tr('scheduler.overridesLabel')}
              <textarea name="overrides" rows={4} class="mono" placeholder={JSON.stringify(t.config)}>{''}</textarea>
            </label>
            <button type="submit" class="secondary">{tr('scheduler.overridesSubmit')}</button>
          </form>
        </details>
      ) : null}
      <dl class="facts">
        <dt>{tr('scheduler.schedule')}</dt>
        <dd>{s.describe}</dd>
        <dt>{tr('scheduler.executor')}</dt>
        <dd>{t.executor}</dd>
        <dt>{tr('scheduler.nextRuns')}</dt>
        <dd>
          {s.next.length ? (
            <ol class="next-runs">
              {upcoming.map(({ at, skipped }) =>
                skipped ? (
                  <li class="slot-skipped">
                    <s>{localTime(at, t.timezone)}</s> <span class="badge">{tr('scheduler.skipped', { days: t.tradingDays ?? '' })}</span>
                  </li>
                ) : (
                  <li>
                    {localTime(at, t.timezone)} <span class="muted">({t.timezone})</span> {at === s.next[0] ? <Countdown t={tr} at={at} /> : null}
                  </li>
                ),
              )}
            </ol>
          ) : (
            <span class="muted">{tr(t.enabled ? 'scheduler.onlyWhenTriggered' : 'scheduler.disabledNone')}</span>
          )}
        </dd>
        <dt>{tr('scheduler.policies')}</dt>
        <dd>
          {tr('scheduler.policyText', { overlap: t.overlap, max: t.maxConcurrent, misfire: t.misfire, catchUp: t.maxCatchUp, grace: t.graceSeconds, attempts: t.maxAttempts, timeout: t.timeoutMs ? tr('scheduler.s', { n: t.timeoutMs / 1000 }) : tr('scheduler.none') })}
        </dd>
        <dt>{tr('scheduler.tradingDays')}</dt>
        <dd id="trading-days">
          {t.tradingDays ? (
            <>
              {tr('scheduler.tradingDaysText', { days: t.tradingDays })}
              {s.calendar?.coveredThrough ? <span class="muted">{tr('scheduler.calendarThrough', { date: fmtDate(s.calendar.coveredThrough) })}</span> : null}
            </>
          ) : (
            <span class="muted">{tr('scheduler.everySlot')}</span>
          )}
        </dd>
        {props.showConfig ? (
          <>
            <dt>{tr('scheduler.config')}</dt>
            <dd>
              {/* A workflow's steps come out as a table (id, executor, params, depends on); other configs as a list. */}
              <div class="config"><Value value={t.config} codeKeys /></div>
            </dd>
          </>
        ) : null}
      </dl>
      {props.dag ? (
        <section>
          <h2>{tr('scheduler.workflow')} {props.dag.runId ? <a href={`/runs/${props.dag.runId}`}>{tr('scheduler.runN', { id: props.dag.runId })}</a> : <span class="muted">{tr('scheduler.notRunYet')}</span>}</h2>
          <div class="dag-frame" id="dag" hx-get={`/scheduler/tasks/${t.id}/dag`} hx-trigger="every 2s" hx-swap="outerHTML">
            <DagSvg t={tr} steps={props.dag.steps} layers={props.dag.layers} state={props.dag.state} />
          </div>
        </section>
      ) : null}
      <h2>{tr('scheduler.history')}</h2>
      <p class="muted">
        {tr('scheduler.historyIntro', { total: props.total, withNotes: props.notes.length ? tr('scheduler.historyNotes') : '' })}
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
          <th class="num">{props.t('scheduler.col.run')}</th>
          <th>{props.t('scheduler.col.slot', { zone: props.timeZone })}</th>
          <th>{props.t('scheduler.col.status')}</th>
          <th>{props.t('scheduler.col.progress')}</th>
          <th class="num">{props.t('scheduler.col.took')}</th>
          <th>{props.t('scheduler.col.error')}</th>
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
                <span class="badge">{props.t('scheduler.skippedBadge')}</span>
              </td>
              <td colspan={2}></td>
              <td class="small">{note.message}</td>
            </tr>
          ) : (
            <tr>
              <td class="num">
                <a href={`/runs/${r.id}`}>#{r.id}</a>
              </td>
              <td>{r.scheduledFor ? localTime(r.scheduledFor, props.timeZone) : <span class="muted">{r.parentRunId ? props.t('scheduler.stepOf', { id: r.parentRunId }) : props.t('scheduler.triggered')}</span>}</td>
              <td>
                <StatusBadge t={props.t} run={r} />
              </td>
              <td class="progress-cell">
                <ProgressBar t={props.t} progress={r.progress} status={r.status} timeZone={props.timeZone} />
              </td>
              <td class="num">{duration(r)}</td>
              <td class="small">
                <span class="field-error">{r.error?.message ?? ''}</span>
                {note ? <span class="badge warn" title={note.message}>{props.t('scheduler.calendarMissing')}</span> : null}
              </td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}

export function StatsPage(props: { chrome: PageChrome; admin: boolean; stats: Array<{ taskId: number; name: string; runs: number; successRate: number | null; avgMs: number | null; p95Ms: number | null; lastFailureAt: string | null; lastFailure: string | null }> }) {
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('scheduler.stats')} section="scheduler">
      <Subnav t={t} at="stats" admin={props.admin} />
      <h1>{t('scheduler.stats')}</h1>
      <table class="runs">
        <thead>
          <tr>
            <th>{t('scheduler.col.task')}</th>
            <th class="num">{t('scheduler.col.runs')}</th>
            <th>{t('scheduler.col.success')}</th>
            <th class="num">{t('scheduler.col.avg')}</th>
            <th class="num">p95</th>
            <th>{t('scheduler.col.lastFailure')}</th>
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
                {s.lastFailureAt ? localTime(s.lastFailureAt, props.chrome.timeZone) : <span class="muted">{t('scheduler.none')}</span>}
                {s.lastFailure ? <div class="field-error small">{s.lastFailure}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
