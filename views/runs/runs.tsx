import { CsrfField, Layout, type MessageKey, type PageChrome, type T } from '../layout.tsx';
import type { Run, RunEvent } from '../../src/runs/run.types.ts';
import type { RunLinks } from '../../src/runs/runs.service.ts';
import { LogLine, NoRunsRow, ProgressBar, ResultBox, StatusBadge, TimelineItem } from './run-parts.tsx';
import { durationMs, localTime } from '../backtests/format.ts';
import { Value } from '../values.tsx';

/** The table body of the runs list; refreshed in place while any run is live. */
export function RunsTableBody(props: { t: T; runs: Run[]; live: boolean; timeZone: string; query?: string }) {
  const { t } = props;
  return (
    <tbody id="runs-body" hx-get={props.live ? `/runs/table${props.query ?? ''}` : undefined} hx-trigger={props.live ? 'every 2s' : undefined} hx-swap="outerHTML">
      <NoRunsRow t={t} runs={props.runs} colspan={6} />
      {props.runs.map((r) => (
        <tr>
          <td class="num"><a href={`/runs/${r.id}`}>#{r.id}</a></td>
          <td>{r.executor}</td>
          <td><StatusBadge t={t} run={r} /></td>
          <td class="progress-cell"><ProgressBar t={t} progress={r.progress} status={r.status} timeZone={props.timeZone} /></td>
          <td class="nowrap">{localTime(r.queuedAt, props.timeZone)}</td>
          <td class="num">{r.startedAt && r.finishedAt ? durationMs(r.finishedAt.getTime() - r.startedAt.getTime()) : ''}</td>
        </tr>
      ))}
    </tbody>
  );
}

export function RunsPage(props: { chrome: PageChrome; runs: Run[]; total: number; live: boolean; by?: { id: number; name: string | null } | null }) {
  const by = props.by;
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('runs.title')} section="scheduler" refreshSeconds={props.live ? 5 : undefined}>
      <h1>{t('runs.title')}{by ? t('runs.queuedBy', { name: by.name ?? t('runs.userN', { id: by.id }) }) : ''}</h1>
      <p class="muted">
        {t('runs.intro', { total: props.total, zone: props.chrome.timeZone })}
        {by ? <> <a href="/runs">{t('runs.all')}</a></> : null}
      </p>
      <table class="runs">
        <thead>
          <tr>
            <th class="num">{t('runs.col.run')}</th>
            <th>{t('runs.col.executor')}</th>
            <th>{t('runs.col.status')}</th>
            <th>{t('runs.col.progress')}</th>
            <th>{t('runs.col.queued')}</th>
            <th class="num">{t('runs.col.took')}</th>
          </tr>
        </thead>
        <RunsTableBody t={t} runs={props.runs} live={props.live} timeZone={props.chrome.timeZone} query={by ? `?by=${by.id}` : ''} />
      </table>
    </Layout>
  );
}

/** The buttons a caller may use on this run now (`terminal`: the run has ended, from the page). */
export function RunControls(props: { chrome: PageChrome; run: Run; terminal: boolean; canControl: boolean; links: RunLinks }) {
  const r = props.run;
  const rerun = props.links.subject?.rerun;
  const { t } = props.chrome;
  if (!props.canControl) return <div id="run-controls"></div>;
  const button = (action: string, label: string, cls = 'secondary') => (
    <form method="post" action={`/runs/${r.id}/${action}`} class="inline">
      <CsrfField chrome={props.chrome} />
      <button type="submit" class={cls}>{label}</button>
    </form>
  );
  return (
    <div id="run-controls" class="run-controls">
      {r.status === 'running' || r.status === 'queued' ? (r.control === 'pause' ? button('resume', t('runs.resume')) : button('pause', t('runs.pause'))) : null}
      {r.status === 'paused' ? button('resume', t('runs.resume')) : null}
      {!props.terminal && r.control !== 'cancel' ? button('cancel', t('runs.cancel'), 'danger') : null}
      {props.terminal && rerun ? (
        <form method="post" action={rerun.action} class="inline">
          <CsrfField chrome={props.chrome} />
          <button type="submit" class="secondary">{rerun.label === 'Rerun the backtest' ? t('runs.rerunBacktest') : rerun.label}</button>
        </form>
      ) : null}
      {props.terminal && !rerun ? button('retry', t('runs.retry')) : null}
    </div>
  );
}

export function RunPage(props: { chrome: PageChrome; run: Run; links: RunLinks; terminal: boolean; timeline: RunEvent[]; logs: RunEvent[]; resumeAfterSeq: number; canControl: boolean }) {
  const r = props.run;
  const l = props.links;
  const live = !props.terminal;
  const tz = props.chrome.timeZone;
  const { t } = props.chrome;
  const subjectKey = (kind: string) => `runs.subject.${kind}` as MessageKey;
  const subjects = new Set(['backtest', 'sweep', 'analysis']);
  return (
    <Layout chrome={props.chrome} title={t('runs.run.title', { id: r.id })} section="scheduler" refreshSeconds={live ? 3 : undefined}>
      <p><a href="/runs">{t('runs.back')}</a></p>
      <h1>
        {t('runs.run.heading', { id: r.id, executor: r.executor })} <span id="run-status"><StatusBadge t={t} run={r} /></span>
      </h1>
      {live ? <div id="run-live" hx-sse:connect={`/runs/${r.id}/stream?last_event_id=${props.resumeAfterSeq}&tz=${encodeURIComponent(tz)}`} hx-sse:close="done"></div> : null}
      <div id="run-controls-box"><RunControls chrome={props.chrome} run={r} terminal={props.terminal} canControl={props.canControl} links={l} /></div>
      <div id="run-progress"><ProgressBar t={t} progress={r.progress} status={r.status} timeZone={tz} /></div>
      <dl class="facts">
        {l.subject ? (<><dt>{subjects.has(l.subject.kind) ? t(subjectKey(l.subject.kind)) : l.subject.kind[0].toUpperCase() + l.subject.kind.slice(1)}</dt><dd><a href={l.subject.href}>{l.subject.name}</a> (#{l.subject.id})</dd></>) : null}
        {r.parentRunId !== null ? (<><dt>{t('runs.stepOf')}</dt><dd><a href={`/runs/${r.parentRunId}`}>{t('runs.runN', { id: r.parentRunId })}</a></dd></>) : null}
        <dt>{t('runs.params')}</dt>
        <dd><Value value={r.params} codeKeys /></dd>
        <dt>{t('runs.queued')}</dt>
        <dd>
          {localTime(r.queuedAt, tz)}{' '}
          {r.queuedBy !== null ? (l.owner ? <>{t.rich('runs.byUser', { link: (s) => <a href={`/runs?by=${r.queuedBy}`}>{s}</a> }, { name: l.owner })}</> : t('runs.byDeleted', { id: r.queuedBy })) : t('runs.bySystem')}
        </dd>
        {r.startedAt ? (<><dt>{t('runs.started')}</dt><dd>{localTime(r.startedAt, tz)}</dd></>) : null}
        {r.finishedAt ? (<><dt>{t('runs.finished')}</dt><dd>{localTime(r.finishedAt, tz)}{r.startedAt ? t('runs.took', { d: durationMs(r.finishedAt.getTime() - r.startedAt.getTime()) }) : ''}</dd></>) : null}
        {r.retryOfRunId !== null ? (<><dt>{t('runs.retryOf')}</dt><dd><a href={`/runs/${r.retryOfRunId}`}>#{r.retryOfRunId}</a></dd></>) : null}
        {r.taskId !== null ? (<><dt>{t('runs.task')}</dt><dd>{l.task ? <a href={`/scheduler/tasks/${l.task.id}`}>{l.task.name}</a> : t('runs.taskDeleted', { id: r.taskId })}{r.scheduledFor ? t('runs.slot', { time: localTime(r.scheduledFor, tz) }) : ''}</dd></>) : null}
      </dl>
      <p class="muted small">{t('runs.timesAre', { zone: tz })}</p>
      <h2>{t('runs.result')}</h2>
      <div id="run-result"><ResultBox t={t} run={r} /></div>
      <h2>{t('runs.timeline')}</h2>
      <ol id="run-timeline" class="timeline">{props.timeline.map((e) => <TimelineItem t={t} event={e} timeZone={tz} />)}</ol>
      <h2>{t('runs.log')}</h2>
      <ol id="run-log" class="run-log">{props.logs.map((e) => <LogLine event={e} timeZone={tz} />)}</ol>
    </Layout>
  );
}
