/** The task page: status and live progress while it runs; the whole result in place when it ends. */
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import { DeleteButton } from '../confirm.tsx';
import type { RunEvent } from '../../src/runs/run.types.ts';
import { LogLine, TimelineItem } from '../runs/run-parts.tsx';
import { CsrfField, Layout, type MessageKey, type PageChrome, type T } from '../layout.tsx';
import { day, duration, localTime, money, pct } from './format.ts';
import { Value } from '../values.tsx';
import { BacktestProgress, BacktestStatus, strategyLabel } from './parts.tsx';
import type { ResultData } from '../../src/backtests/results.ts';
import { ResultView } from './result.tsx';

const adjustText: Record<string, MessageKey> = { hfq: 'backtests.adjust.hfq', qfq: 'backtests.adjust.qfq', none: 'backtests.adjust.none' };

export function ErrorView(props: { t: T; b: Backtest }) {
  const { t } = props;
  const e = props.b.error;
  if (!e) return null;
  const d = (e.detail ?? {}) as { line?: number | null; column?: number | null; date?: number | null };
  return (
    <section class="error-box" role="alert">
      <h2>{t(props.b.status === 'cancelled' ? 'backtests.err.cancelled' : 'backtests.err.failed')}</h2>
      <p><strong>{e.code}</strong>: {e.message}</p>
      {d.line ? <p>{t.rich('backtests.err.where', { b: (s) => <strong>{s}</strong> }, { line: d.line, column: d.column ?? '' })}{d.date ? t('backtests.err.on', { date: day(d.date) }) : ''}{props.b.spec.strategy.strategyId ? <> · <a href={`/strategies/${props.b.spec.strategy.strategyId}/edit`}>{t('backtests.err.edit')}</a></> : null}</p> : null}
    </section>
  );
}

/** What fills #bt-result: the result when succeeded, the error when failed/cancelled, nothing while running. */
export function ResultArea(props: { t: T; b: Backtest; r: ResultData | null }) {
  if (props.r) return <ResultView t={props.t} b={props.b} r={props.r} />;
  if (props.b.error || props.b.status === 'cancelled') return <ErrorView t={props.t} b={props.b} />;
  return null;
}

/** The buttons for this backtest now (`terminal`: its run has ended, from the page). */
export function Controls(props: { chrome: PageChrome; b: Backtest; terminal: boolean; canChange: boolean }) {
  const b = props.b;
  const { t } = props.chrome;
  if (!props.canChange) return <div id="bt-controls"></div>;
  const post = (action: string, label: string, cls = 'secondary') => (
    <form method="post" action={`/backtests/${b.id}/${action}`} class="inline">
      <CsrfField chrome={props.chrome} />
      <button type="submit" class={cls}>{label}</button>
    </form>
  );
  return (
    <div id="bt-controls" class="run-controls">
      {!props.terminal && b.control !== 'cancel' ? post('cancel', t('backtests.ctl.cancel'), 'danger') : null}
      {props.terminal ? post('rerun', t('backtests.ctl.rerun')) : null}
      {props.terminal ? <a class="button secondary" href={`/backtests/new?from=${b.id}`}>{t('backtests.ctl.rerunChanges')}</a> : null}
      {b.status === 'succeeded' ? <a class="button secondary" href={`/backtests/compare?ids=${b.id}`}>{t('backtests.ctl.compare')}</a> : null}
      {props.terminal ? post(b.pinned ? 'unpin' : 'pin', t(b.pinned ? 'backtests.ctl.unpin' : 'backtests.ctl.pin')) : null}
      {props.terminal ? <DeleteButton chrome={props.chrome} action={`/backtests/${b.id}/delete`} question={t('backtests.list.deleteQuestion', { name: b.name })} /> : null}
    </div>
  );
}

export function ConfigFacts(props: { t: T; b: Backtest }) {
  const { t } = props;
  const s = props.b.spec;
  const u = s.universe;
  return (
    <dl class="facts">
      <dt>{t('backtests.cfg.strategy')}</dt>
      <dd>{s.strategy.kind === 'user' ? <a href={`/strategies/${s.strategy.strategyId}`}>{strategyLabel(props.b)}</a> : <a href={`/strategies/builtin/${s.strategy.name}`}>{s.strategy.name}</a>} <span class="muted">{t(s.strategy.kind === 'user' ? 'backtests.cfg.userCode' : 'backtests.cfg.builtin')}</span></dd>
      <dt>{t('backtests.cfg.params')}</dt>
      <dd>{Object.keys(s.params).length ? <Value value={s.params} codeKeys /> : t('backtests.cfg.defaults')}</dd>
      <dt>{t('backtests.cfg.universe')}</dt>
      <dd>{u.kind === 'codes' ? t('backtests.cfg.codes', { count: u.codes.length, codes: `${u.codes.slice(0, 12).join(', ')}${u.codes.length > 12 ? ' …' : ''}` }) : `${t('backtests.cfg.allListed')}${u.boards ? t('backtests.cfg.onBoards', { boards: u.boards.join(', ') }) : ''}${u.excludeSt ? t('backtests.cfg.stExcluded') : ''}`}</dd>
      <dt>{t('backtests.cfg.period')}</dt>
      <dd>{day(s.startDate)} → {day(s.endDate)}</dd>
      <dt>{t('backtests.cfg.capital')}</dt>
      <dd>{t('backtests.cfg.cny', { n: money(s.capital, 0) })}</dd>
      <dt>{t('backtests.cfg.benchmark')}</dt>
      <dd>{s.benchmark ?? t('backtests.cfg.none')}</dd>
      <dt>{t('backtests.cfg.prices')}</dt>
      <dd>{adjustText[s.adjust] ? t(adjustText[s.adjust]) : s.adjust}</dd>
      <dt>{t('backtests.cfg.fills')}</dt>
      <dd>{t(s.fillTiming === 'next_open' ? 'backtests.spec.nextOpen' : 'backtests.spec.sameClose')}</dd>
      <dt>{t('backtests.cfg.costs')}</dt>
      <dd><CostsTable t={t} costs={s.costs} /></dd>
    </dl>
  );
}

type Costs = Backtest['spec']['costs'];
const scheduleText = { stampDuty: 'backtests.cost.stampSchedule', transferFee: 'backtests.cost.transferSchedule' } as const;
/** Each cost as the run used it: the value given, else the engine's default (src/engine/types.ts defaultConfig), marked so. */
export function costRows(t: T, c: Costs): Array<[label: string, text: string, given: boolean]> {
  // One text per value, given or default, so equal costs read the same (compare marks only real differences).
  const percent = (v: number) => `${Number((v * 100).toFixed(4))}%`;
  const rate = (v: number | 'schedule' | undefined, which: keyof typeof scheduleText): string => (v === undefined || v === 'schedule' ? t(scheduleText[which]) : v === 0 ? t('backtests.cfg.none') : percent(v));
  return [
    [t('backtests.cost.commission'), percent(c.commissionRate ?? 0.0003), c.commissionRate !== undefined],
    [t('backtests.cost.minCommission'), t('backtests.cfg.cny', { n: money(c.minCommission ?? 5, 2) }), c.minCommission !== undefined],
    [t('backtests.cost.stampDuty'), rate(c.stampDuty, 'stampDuty'), c.stampDuty !== undefined],
    [t('backtests.cost.transferFee'), rate(c.transferFee, 'transferFee'), c.transferFee !== undefined],
    [t('backtests.cost.slippage'), c.slippageBps ? t('backtests.cost.bp', { n: c.slippageBps }) : t('backtests.cfg.none'), c.slippageBps !== undefined],
  ];
}

export function CostsTable(props: { t: T; costs: Costs }) {
  const { t } = props;
  return (
    <table class="compact costs">
      <tbody>{costRows(t, props.costs).map(([label, text, given]) => <tr><th>{label}</th><td>{text}{given ? '' : <span class="muted">{t('backtests.cost.default')}</span>}</td></tr>)}</tbody>
    </table>
  );
}

export function TaskPage(props: { chrome: PageChrome; b: Backtest; terminal: boolean; r: ResultData | null; timeline: RunEvent[]; logs: RunEvent[]; canChange: boolean }) {
  const { b } = props;
  const live = !props.terminal && b.runId !== null;
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('backtests.task.title', { id: b.id })} section="backtests" refreshSeconds={live ? 3 : undefined}>
      <p><a href="/backtests">{t('backtests.create.back')}</a></p>
      <h1>
        #{b.id} · {b.name} <span id="bt-status"><BacktestStatus t={props.chrome.t} status={b.status} control={b.control} /></span>
      </h1>
      <p class="muted">
        {strategyLabel(b)} · {day(b.spec.startDate)} → {day(b.spec.endDate)} · {t('backtests.task.created', { time: localTime(b.createdAt, props.chrome.timeZone), zone: props.chrome.timeZone })}
        {b.ownerName ? t('backtests.task.by', { name: b.ownerName }) : ''}
        {b.finishedAt ? t('backtests.task.took', { d: duration(b.startedAt, b.finishedAt) }) : ''}
        {b.rerunOf ? <> · {t('backtests.task.rerunOf')} <a href={`/backtests/${b.rerunOf}`}>#{b.rerunOf}</a></> : null}
        {b.runId ? <> · <a href={`/runs/${b.runId}`}>{t('backtests.task.itsRun', { id: b.runId })}</a></> : null}
        {b.pinned ? <> · <span class="badge" title={t('backtests.task.pinnedTitle')}>{t('backtests.task.pinned')}</span></> : null}
        {b.dataVersion ? <> · {t('backtests.task.marketData')} <code title={t('backtests.task.dataVersionTitle')}>{b.dataVersion}</code></> : null}
      </p>
      {live ? <div id="bt-live" hx-sse:connect={`/backtests/${b.id}/stream?last_event_id=${b.eventSeq}&tz=${encodeURIComponent(props.chrome.timeZone)}`} hx-sse:close="done"></div> : null}
      <div id="bt-controls-box"><Controls chrome={props.chrome} b={b} terminal={props.terminal} canChange={props.canChange} /></div>
      <div id="bt-progress" class={live ? 'bt-progress-box' : 'bt-progress-box hidden'}>{live ? <BacktestProgress t={props.chrome.t} progress={b.progress} status={b.status} /> : null}</div>
      <div id="bt-result"><ResultArea t={t} b={b} r={props.r} /></div>
      <details class="section" open={!props.r}>
        <summary>{t('backtests.task.runLog')}</summary>
        <ol id="bt-log" class="run-log">{props.logs.map((e) => <LogLine event={e} timeZone={props.chrome.timeZone} />)}</ol>
      </details>
      <details class="section">
        <summary>{t('backtests.task.config')}</summary>
        <ConfigFacts t={t} b={b} />
      </details>
      <details class="section">
        <summary>{t('backtests.task.timeline')}</summary>
        <ol id="bt-timeline" class="timeline">{props.timeline.map((e) => <TimelineItem t={props.chrome.t} event={e} timeZone={props.chrome.timeZone} />)}</ol>
      </details>
    </Layout>
  );
}
