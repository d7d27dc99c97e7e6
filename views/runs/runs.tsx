import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import type { Run, RunEvent } from '../../src/runs/run.types.ts';
import type { RunLinks } from '../../src/runs/runs.service.ts';
import { LogLine, NoRunsRow, ProgressBar, ResultBox, StatusBadge, TimelineItem } from './run-parts.tsx';

/** The table body of the runs list; refreshed in place while any run is live. */
export function RunsTableBody(props: { runs: Run[]; live: boolean }) {
  return (
    <tbody id="runs-body" hx-get={props.live ? '/runs/table' : undefined} hx-trigger={props.live ? 'every 2s' : undefined} hx-swap="outerHTML">
      <NoRunsRow runs={props.runs} colspan={6} />
      {props.runs.map((r) => (
        <tr>
          <td class="num"><a href={`/runs/${r.id}`}>#{r.id}</a></td>
          <td>{r.executor}</td>
          <td><StatusBadge run={r} /></td>
          <td class="progress-cell"><ProgressBar progress={r.progress} status={r.status} /></td>
          <td>{r.queuedAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
          <td class="num">{r.startedAt && r.finishedAt ? `${((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)} s` : ''}</td>
        </tr>
      ))}
    </tbody>
  );
}

export function RunsPage(props: { chrome: PageChrome; runs: Run[]; total: number; live: boolean }) {
  return (
    <Layout chrome={props.chrome} title="Runs" section="scheduler">
      <h1>Runs</h1>
      <p class="muted">{props.total} runs: backtests, scheduled fires and manual triggers, newest first. Times are UTC.</p>
      <table class="runs">
        <thead>
          <tr>
            <th class="num">Run</th>
            <th>Executor</th>
            <th>Status</th>
            <th>Progress</th>
            <th>Queued</th>
            <th class="num">Took</th>
          </tr>
        </thead>
        <RunsTableBody runs={props.runs} live={props.live} />
      </table>
    </Layout>
  );
}

/** The buttons a caller may use on this run now (`terminal`: the run has ended, from the page). */
export function RunControls(props: { chrome: PageChrome; run: Run; terminal: boolean; canControl: boolean; links: RunLinks }) {
  const r = props.run;
  const rerun = props.links.subject?.rerun;
  if (!props.canControl) return <div id="run-controls"></div>;
  const button = (action: string, label: string, cls = 'secondary') => (
    <form method="post" action={`/runs/${r.id}/${action}`} class="inline">
      <CsrfField chrome={props.chrome} />
      <button type="submit" class={cls}>{label}</button>
    </form>
  );
  return (
    <div id="run-controls" class="run-controls">
      {r.status === 'running' || r.status === 'queued' ? (r.control === 'pause' ? button('resume', 'Resume') : button('pause', 'Pause')) : null}
      {r.status === 'paused' ? button('resume', 'Resume') : null}
      {!props.terminal && r.control !== 'cancel' ? button('cancel', 'Cancel', 'danger') : null}
      {props.terminal && rerun ? (
        <form method="post" action={rerun.action} class="inline">
          <CsrfField chrome={props.chrome} />
          <button type="submit" class="secondary">{rerun.label}</button>
        </form>
      ) : null}
      {props.terminal && !rerun ? button('retry', 'Retry as a new run') : null}
    </div>
  );
}

export function RunPage(props: { chrome: PageChrome; run: Run; links: RunLinks; terminal: boolean; timeline: RunEvent[]; logs: RunEvent[]; resumeAfterSeq: number; canControl: boolean }) {
  const r = props.run;
  const l = props.links;
  const live = !props.terminal;
  return (
    <Layout chrome={props.chrome} title={`Run ${r.id}`} section="scheduler" refreshSeconds={live ? 3 : undefined}>
      <p><a href="/runs">← Runs</a></p>
      <h1>
        Run #{r.id} · {r.executor} <span id="run-status"><StatusBadge run={r} /></span>
      </h1>
      {live ? <div id="run-live" hx-sse:connect={`/runs/${r.id}/stream?last_event_id=${props.resumeAfterSeq}`} hx-sse:close="done"></div> : null}
      <div id="run-controls-box"><RunControls chrome={props.chrome} run={r} terminal={props.terminal} canControl={props.canControl} links={l} /></div>
      <div id="run-progress"><ProgressBar progress={r.progress} status={r.status} /></div>
      <dl class="facts">
        {l.subject ? (<><dt>{l.subject.kind[0].toUpperCase() + l.subject.kind.slice(1)}</dt><dd><a href={l.subject.href}>{l.subject.name}</a> (#{l.subject.id})</dd></>) : null}
        {r.parentRunId !== null ? (<><dt>Step of</dt><dd><a href={`/runs/${r.parentRunId}`}>run #{r.parentRunId}</a></dd></>) : null}
        <dt>Params</dt>
        <dd><code>{JSON.stringify(r.params)}</code></dd>
        <dt>Queued</dt>
        <dd>{r.queuedAt.toISOString()}{r.queuedBy !== null ? ` by ${l.owner ?? `user ${r.queuedBy} (deleted)`}` : ' by the system'}</dd>
        {r.retryOfRunId !== null ? (<><dt>Retry of</dt><dd><a href={`/runs/${r.retryOfRunId}`}>#{r.retryOfRunId}</a></dd></>) : null}
        {r.taskId !== null ? (<><dt>Task</dt><dd>{l.task ? <a href={`/scheduler/tasks/${l.task.id}`}>{l.task.name}</a> : `#${r.taskId} (deleted)`}{r.scheduledFor ? ` · slot ${r.scheduledFor.toISOString()}` : ''}</dd></>) : null}
      </dl>
      <h2>Result</h2>
      <div id="run-result"><ResultBox run={r} /></div>
      <h2>Timeline</h2>
      <ol id="run-timeline" class="timeline">{props.timeline.map((e) => <TimelineItem event={e} />)}</ol>
      <h2>Log</h2>
      <ol id="run-log" class="run-log">{props.logs.map((e) => <LogLine event={e} />)}</ol>
    </Layout>
  );
}
