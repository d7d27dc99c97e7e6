/** The task page: status and live progress while it runs; the whole result in place when it ends. */
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import { DeleteButton } from '../confirm.tsx';
import type { RunEvent } from '../../src/runs/run.types.ts';
import { LogLine, TimelineItem } from '../runs/run-parts.tsx';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import { day, duration, localTime, money, pct } from './format.ts';
import { Value } from '../values.tsx';
import { BacktestProgress, BacktestStatus, strategyLabel } from './parts.tsx';
import type { ResultData } from '../../src/backtests/results.ts';
import { ResultView } from './result.tsx';

const adjustText: Record<string, string> = {
  hfq: 'signals on backward-adjusted prices (hfq); fills at actual prices, corporate actions applied',
  qfq: 'signals on prices forward-adjusted to the end date (qfq); fills at actual prices, corporate actions applied',
  none: 'raw prices, adjustment ignored',
};

export function ErrorView(props: { b: Backtest }) {
  const e = props.b.error;
  if (!e) return null;
  const d = (e.detail ?? {}) as { line?: number | null; column?: number | null; date?: number | null };
  return (
    <section class="error-box" role="alert">
      <h2>The backtest {props.b.status === 'cancelled' ? 'was cancelled' : 'failed'}</h2>
      <p><strong>{e.code}</strong>: {e.message}</p>
      {d.line ? <p>Strategy code: line <strong>{d.line}</strong>, column {d.column}{d.date ? ` · on ${day(d.date)}` : ''}{props.b.spec.strategy.strategyId ? <> · <a href={`/strategies/${props.b.spec.strategy.strategyId}/edit`}>edit the strategy</a></> : null}</p> : null}
    </section>
  );
}

/** What fills #bt-result: the result when succeeded, the error when failed/cancelled, nothing while running. */
export function ResultArea(props: { b: Backtest; r: ResultData | null }) {
  if (props.r) return <ResultView b={props.b} r={props.r} />;
  if (props.b.error || props.b.status === 'cancelled') return <ErrorView b={props.b} />;
  return null;
}

/** The buttons for this backtest now (`terminal`: its run has ended, from the page). */
export function Controls(props: { chrome: PageChrome; b: Backtest; terminal: boolean; canChange: boolean }) {
  const b = props.b;
  if (!props.canChange) return <div id="bt-controls"></div>;
  const post = (action: string, label: string, cls = 'secondary') => (
    <form method="post" action={`/backtests/${b.id}/${action}`} class="inline">
      <CsrfField chrome={props.chrome} />
      <button type="submit" class={cls}>{label}</button>
    </form>
  );
  return (
    <div id="bt-controls" class="run-controls">
      {!props.terminal && b.control !== 'cancel' ? post('cancel', 'Cancel', 'danger') : null}
      {props.terminal ? post('rerun', 'Rerun') : null}
      {props.terminal ? <a class="button secondary" href={`/backtests/new?from=${b.id}`}>Rerun with changes</a> : null}
      {b.status === 'succeeded' ? <a class="button secondary" href={`/backtests/compare?ids=${b.id}`}>Compare…</a> : null}
      {props.terminal ? post(b.pinned ? 'unpin' : 'pin', b.pinned ? 'Unpin' : 'Pin (keep)') : null}
      {props.terminal ? <DeleteButton chrome={props.chrome} action={`/backtests/${b.id}/delete`} question={`Delete backtest “${b.name}” and its stored results?`} /> : null}
    </div>
  );
}

export function ConfigFacts(props: { b: Backtest }) {
  const s = props.b.spec;
  const u = s.universe;
  return (
    <dl class="facts">
      <dt>Strategy</dt>
      <dd>{s.strategy.kind === 'user' ? <a href={`/strategies/${s.strategy.strategyId}`}>{strategyLabel(props.b)}</a> : <a href={`/strategies/builtin/${s.strategy.name}`}>{s.strategy.name}</a>} <span class="muted">({s.strategy.kind === 'user' ? 'your code, this exact version' : 'built-in'})</span></dd>
      <dt>Parameters</dt>
      <dd>{Object.keys(s.params).length ? <Value value={s.params} codeKeys /> : "the strategy's defaults"}</dd>
      <dt>Universe</dt>
      <dd>{u.kind === 'codes' ? `${u.codes.length} stocks: ${u.codes.slice(0, 12).join(', ')}${u.codes.length > 12 ? ' …' : ''}` : `all listed${u.boards ? ` on ${u.boards.join(', ')}` : ''}${u.excludeSt ? ', ST excluded' : ''}`}</dd>
      <dt>Period</dt>
      <dd>{day(s.startDate)} → {day(s.endDate)}</dd>
      <dt>Capital</dt>
      <dd>{money(s.capital, 0)} CNY</dd>
      <dt>Benchmark</dt>
      <dd>{s.benchmark ?? 'none'}</dd>
      <dt>Prices</dt>
      <dd>{adjustText[s.adjust] ?? s.adjust}</dd>
      <dt>Fills</dt>
      <dd>{s.fillTiming === 'next_open' ? "next day's open" : "same day's close (optimistic)"}</dd>
      <dt>Costs</dt>
      <dd><CostsTable costs={s.costs} /></dd>
    </dl>
  );
}

type Costs = Backtest['spec']['costs'];
const scheduleText = { stampDuty: 'by schedule (0.05% on sells from 2023-08-28)', transferFee: 'by schedule (0.001% of value from 2022-04-29)' };
/** Each cost as the run used it: the value given, else the engine's default (src/engine/types.ts defaultConfig), marked so. */
export function costRows(c: Costs): Array<[label: string, text: string, given: boolean]> {
  const rate = (v: number | 'schedule' | undefined, which: keyof typeof scheduleText): string => (v === undefined || v === 'schedule' ? scheduleText[which] : v === 0 ? 'none' : pct(v, 4));
  return [
    ['Commission', c.commissionRate === undefined ? '0.03%' : pct(c.commissionRate, 4), c.commissionRate !== undefined],
    ['Minimum commission', `${money(c.minCommission ?? 5, 2)} CNY`, c.minCommission !== undefined],
    ['Stamp duty', rate(c.stampDuty, 'stampDuty'), c.stampDuty !== undefined],
    ['Transfer fee', rate(c.transferFee, 'transferFee'), c.transferFee !== undefined],
    ['Slippage', c.slippageBps ? `${c.slippageBps} bp` : 'none', c.slippageBps !== undefined],
  ];
}

export function CostsTable(props: { costs: Costs }) {
  return (
    <table class="compact costs">
      <tbody>{costRows(props.costs).map(([label, text, given]) => <tr><th>{label}</th><td>{text}{given ? '' : <span class="muted"> (default)</span>}</td></tr>)}</tbody>
    </table>
  );
}

export function TaskPage(props: { chrome: PageChrome; b: Backtest; terminal: boolean; r: ResultData | null; timeline: RunEvent[]; logs: RunEvent[]; canChange: boolean }) {
  const { b } = props;
  const live = !props.terminal && b.runId !== null;
  return (
    <Layout chrome={props.chrome} title={`Backtest ${b.id}`} section="backtests" refreshSeconds={live ? 3 : undefined}>
      <p><a href="/backtests">← Backtests</a></p>
      <h1>
        #{b.id} · {b.name} <span id="bt-status"><BacktestStatus t={props.chrome.t} status={b.status} control={b.control} /></span>
      </h1>
      <p class="muted">
        {strategyLabel(b)} · {day(b.spec.startDate)} → {day(b.spec.endDate)} · created {localTime(b.createdAt, props.chrome.timeZone)} ({props.chrome.timeZone})
        {b.ownerName ? ` by ${b.ownerName}` : ''}
        {b.finishedAt ? ` · took ${duration(b.startedAt, b.finishedAt)}` : ''}
        {b.rerunOf ? <> · rerun of <a href={`/backtests/${b.rerunOf}`}>#{b.rerunOf}</a></> : null}
        {b.runId ? <> · <a href={`/runs/${b.runId}`}>its run #{b.runId}</a></> : null}
        {b.pinned ? <> · <span class="badge" title="kept by housekeeping whatever its age">pinned</span></> : null}
        {b.dataVersion ? <> · market data <code title="the snapshot version it ran on; a rerun reads the same one">{b.dataVersion}</code></> : null}
      </p>
      {live ? <div id="bt-live" hx-sse:connect={`/backtests/${b.id}/stream?last_event_id=${b.eventSeq}`} hx-sse:close="done"></div> : null}
      <div id="bt-controls-box"><Controls chrome={props.chrome} b={b} terminal={props.terminal} canChange={props.canChange} /></div>
      <div id="bt-progress" class={live ? 'bt-progress-box' : 'bt-progress-box hidden'}>{live ? <BacktestProgress t={props.chrome.t} progress={b.progress} status={b.status} /> : null}</div>
      <div id="bt-result"><ResultArea b={b} r={props.r} /></div>
      <details class="section" open={!props.r}>
        <summary>Run log</summary>
        <ol id="bt-log" class="run-log">{props.logs.map((e) => <LogLine event={e} timeZone={props.chrome.timeZone} />)}</ol>
      </details>
      <details class="section">
        <summary>Config</summary>
        <ConfigFacts b={b} />
      </details>
      <details class="section">
        <summary>Timeline</summary>
        <ol id="bt-timeline" class="timeline">{props.timeline.map((e) => <TimelineItem event={e} timeZone={props.chrome.timeZone} />)}</ol>
      </details>
    </Layout>
  );
}
