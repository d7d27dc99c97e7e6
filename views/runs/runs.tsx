import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import type { Run, RunEvent } from '../../src/runs/run.types.ts';
import type { RunLinks } from '../../src/runs/runs.service.ts';
import { LogLine, NoRunsRow, ProgressBar, ResultBox, StatusBadge, TimelineItem } from './run-parts.tsx';
import { durationMs, localTime } from '../backtests/format.ts';
import { Value } from '../values.tsx';

/** The table body of the runs list; refreshed in place while any run is live. */
export function RunsTableBody(props: { runs: Run[]; live: boolean; timeZone: string; query?: string }) {
  return (
    <tbody id="runs-body" hx-get={props.live ? `/runs/table${props.query ?? ''}` : undefined} hx-trigger={props.live ? 'every 2s' : undefined} hx-swap="outerHTML">
      <NoRunsRow runs={props.runs} colspan={6} />
      {props.runs.map((r) => (
        <tr>
          <td class="num"><a href={`/runs/${r.id}`}>#{r.id}</a></td>
          <td>{r.executor}</td>
          <td><StatusBadge run={r} /></td>
          <td class="progress-cell"><ProgressBar progress={r.progress} status={r.status} /></td>
          <td class="nowrap">{localTime(r.queuedAt, props.timeZone)}</td>
          <td class="num">{r.startedAt && r.finishedAt ? durationMs(r.finishedAt.getTime() - r.startedAt.getTime()) : ''}</td>
        </tr>
      ))}
    </tbody>
  );
}

export function RunsPage(props: { chrome: PageChrome; runs: Run[]; total: number; live: boolean; by?: { id: number; name: string | null } | null }) {
  const by = props.by;
  return (
    <Layout chrome={props.chrome} title="Runs" section="scheduler" refreshSeconds={props.live ? 5 : undefined}>
      <h1>Runs{by ? ` queued by ${by.name ?? `user ${by.id}`}` : ''}</h1>
      <p class="muted">
        {props.total} runs: backtests, scheduled fires and manual triggers, newest first. Times are {props.chrome.timeZone}.
        {by ? <> <a href="/runs">All runs</a></> : null}
      </p>
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
        <RunsTableBody runs={props.runs} live={props.live} timeZone={props.chrome.timeZone} query={by ? `?by=${by.id}` : ''} />
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
  const tz = props.chrome.timeZone;
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
        <dd><Value value={r.params} codeKeys /></dd>
        <dt>Queued</dt>
        <dd>
          {localTime(r.queuedAt, tz)}{' '}
          {r.queuedBy !== null ? (l.owner ? <>by <a href={`/runs?by=${r.queuedBy}`}>{l.owner}</a></> : `by user ${r.queuedBy} (deleted)`) : 'by the system'}
        </dd>
        {r.startedAt ? (<><dt>Started</dt><dd>{localTime(r.startedAt, tz)}</dd></>) : null}
        {r.finishedAt ? (<><dt>Finished</dt><dd>{localTime(r.finishedAt, tz)}{r.startedAt ? ` · took ${durationMs(r.finishedAt.getTime() - r.startedAt.getTime())}` : ''}</dd></>) : null}
        {r.retryOfRunId !== null ? (<><dt>Retry of</dt><dd><a href={`/runs/${r.retryOfRunId}`}>#{r.retryOfRunId}</a></dd></>) : null}
        {r.taskId !== null ? (<><dt>Task</dt><dd>{l.task ? <a href={`/scheduler/tasks/${l.task.id}`}>{l.task.name}</a> : `#${r.taskId} (deleted)`}{r.scheduledFor ? ` · slot ${localTime(r.scheduledFor, tz)}` : ''}</dd></>) : null}
      </dl>
      <p class="muted small">Times are {tz}.</p>
      <h2>Result</h2>
      <div id="run-result"><ResultBox run={r} /></div>
      <h2>Timeline</h2>
      <ol id="run-timeline" class="timeline">{props.timeline.map((e) => <TimelineItem event={e} timeZone={tz} />)}</ol>
      <h2>Log</h2>
      <ol id="run-log" class="run-log">{props.logs.map((e) => <LogLine event={e} timeZone={tz} />)}</ol>
    </Layout>
  );
}
