import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import type { Run } from '../../src/runs/run.types.ts';
import type { Task, TaskStatus } from '../../src/scheduler/task.types.ts';
import type { WorkflowParams } from '../../src/executors/workflow.graph.ts';
import type { StepState } from '../../src/executors/workflow.executor.ts';
import { NoRunsRow, ProgressBar, StatusBadge } from '../runs/run-parts.tsx';
import { Countdown, DagSvg, duration, iso, StateBadge, TasksBody, zoned } from './parts.tsx';

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
    <Layout chrome={props.chrome} title="Scheduler" section="scheduler">
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

export function TaskPage(props: { chrome: PageChrome; status: TaskStatus; runs: Run[]; total: number; admin: boolean; showConfig: boolean; dag: { steps: WorkflowParams['steps']; layers: string[][]; state: Record<string, StepState> | null; runId: number | null } | null }) {
  const s = props.status;
  const t = s.task;
  return (
    <Layout chrome={props.chrome} title={t.name} section="scheduler">
      <Subnav at="tasks" admin={props.admin} />
      <h1>
        {t.name} <StateBadge state={s.state} />
      </h1>
      {t.description ? <p class="lead">{t.description}</p> : null}
      {props.admin ? (
        <div class="toolbar" id="task-ops">
          <OpButton chrome={props.chrome} task={t} op="trigger" label="Trigger now" cls="primary" />
          {t.enabled ? <OpButton chrome={props.chrome} task={t} op="disable" label="Disable" /> : <OpButton chrome={props.chrome} task={t} op="enable" label="Enable" />}
          {t.paused ? <OpButton chrome={props.chrome} task={t} op="resume" label="Resume" /> : <OpButton chrome={props.chrome} task={t} op="pause" label="Pause" />}
          <a href={`/scheduler/tasks/${t.id}/edit`}>Edit</a>
          <OpButton chrome={props.chrome} task={t} op="delete" label="Delete" cls="danger" />
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
              {s.next.map((d, i) => (
                <li>
                  {zoned(d, t.timezone)} <span class="muted">({t.timezone})</span> {i === 0 ? <Countdown at={d} /> : null}
                </li>
              ))}
            </ol>
          ) : (
            <span class="muted">{t.enabled ? 'only when triggered' : 'disabled: none'}</span>
          )}
        </dd>
        <dt>Policies</dt>
        <dd>
          overlap {t.overlap} (max {t.maxConcurrent}), misfire {t.misfire} (catch up ≤ {t.maxCatchUp}, grace {t.graceSeconds} s), attempts {t.maxAttempts}, timeout {t.timeoutMs ? `${t.timeoutMs / 1000} s` : 'none'}
        </dd>
        {props.showConfig ? (
          <>
            <dt>Config</dt>
            <dd>
              <pre class="config">{JSON.stringify(t.config, null, 2)}</pre>
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
      <p class="muted">{props.total} runs, newest first. Open a run for its live log.</p>
      <RunHistory taskId={t.id} runs={props.runs} />
    </Layout>
  );
}

export function RunHistory(props: { taskId: number; runs: Run[] }) {
  const live = props.runs.some((r) => r.status === 'queued' || r.status === 'running' || r.status === 'paused');
  return (
    <table class="runs" id="task-runs" hx-get={live ? `/scheduler/tasks/${props.taskId}/history` : undefined} hx-trigger={live ? 'every 1s' : undefined} hx-swap="outerHTML">
      <thead>
        <tr>
          <th class="num">Run</th>
          <th>Slot</th>
          <th>Status</th>
          <th>Progress</th>
          <th class="num">Took</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>
        <NoRunsRow runs={props.runs} colspan={6} />
        {props.runs.map((r) => (
          <tr>
            <td class="num">
              <a href={`/runs/${r.id}`}>#{r.id}</a>
            </td>
            <td>{r.scheduledFor ? iso(r.scheduledFor) : <span class="muted">{r.parentRunId ? `step of #${r.parentRunId}` : 'triggered'}</span>}</td>
            <td>
              <StatusBadge run={r} />
            </td>
            <td class="progress-cell">
              <ProgressBar progress={r.progress} />
            </td>
            <td class="num">{duration(r)}</td>
            <td class="field-error small">{r.error?.message ?? ''}</td>
          </tr>
        ))}
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
              <td class="num">{s.avgMs === null ? '' : `${s.avgMs} ms`}</td>
              <td class="num">{s.p95Ms === null ? '' : `${s.p95Ms} ms`}</td>
              <td>
                {s.lastFailureAt ? iso(new Date(s.lastFailureAt)) : <span class="muted">none</span>}
                {s.lastFailure ? <div class="field-error small">{s.lastFailure}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
