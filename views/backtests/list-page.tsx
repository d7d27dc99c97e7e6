/** The backtests list: filters, sortable columns, server-side pages, live progress for running tasks, compare/rerun/delete. */
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import { DeleteButton } from '../confirm.tsx';
import { CsrfField, Layout, type PageChrome } from '../layout.tsx';
import { day, num, pct, signClass, signedPct, when } from './format.ts';
import { BacktestProgress, BacktestStatus, strategyLabel } from './parts.tsx';

export interface ListState {
  status: string;
  strategy: string;
  q: string;
  from: string;
  to: string;
  sort: string;
  dir: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** One backtest of the list, with what the page decided about it: whether its run has ended, whether this caller may rerun or delete it. */
export interface ListRow {
  b: Backtest;
  terminal: boolean;
  canChange: boolean;
}

export function listQueryString(s: ListState, over: Partial<ListState> = {}): string {
  const v = { ...s, ...over };
  const qs = new URLSearchParams();
  for (const k of ['status', 'strategy', 'q', 'from', 'to'] as const) if (v[k]) qs.set(k, v[k]);
  if (v.sort !== 'created') qs.set('sort', v.sort);
  if (v.dir !== 'desc') qs.set('dir', v.dir);
  if (v.offset) qs.set('offset', String(v.offset));
  const s2 = qs.toString();
  return s2 ? `?${s2}` : '';
}

export function ListBody(props: { chrome: PageChrome; rows: ListRow[]; state: ListState }) {
  const live = props.rows.some((r) => !r.terminal);
  const qs = listQueryString(props.state);
  return (
    <tbody id="bt-list-body" hx-get={live ? `/backtests/rows${qs}` : undefined} hx-trigger={live ? 'every 2s' : undefined} hx-swap="outerHTML">
      {props.rows.length === 0 ? (
        <tr><td colspan={11} class="muted">No backtests here yet. <a href="/backtests/new">Run one</a>.</td></tr>
      ) : null}
      {props.rows.map(({ b, terminal, canChange }) => (
        <tr>
          <td><input type="checkbox" name="ids" value={String(b.id)} form="compare-form" disabled={b.status !== 'succeeded'} aria-label={`select #${b.id} to compare`} /></td>
          <td class="num"><a href={`/backtests/${b.id}`}>#{b.id}</a></td>
          <td><a href={`/backtests/${b.id}`}>{b.name}</a><div class="muted small">{strategyLabel(b)}{b.ownerName ? ` · ${b.ownerName}` : ''}</div></td>
          <td class="nowrap small">{day(b.spec.startDate)}<br />{day(b.spec.endDate)}</td>
          <td>{terminal ? <BacktestStatus t={props.chrome.t} status={b.status} /> : <div class="list-progress"><BacktestStatus t={props.chrome.t} status={b.status} control={b.control} /><BacktestProgress t={props.chrome.t} progress={b.progress} status={b.status} /></div>}</td>
          <td class={`num ${signClass(b.metrics?.totalReturn)}`}>{signedPct(b.metrics?.totalReturn)}</td>
          <td class={`num ${signClass(b.metrics?.annualizedReturn)}`}>{signedPct(b.metrics?.annualizedReturn)}</td>
          <td class="num">{num(b.metrics?.sharpe)}</td>
          <td class="num">{pct(b.metrics?.maxDrawdown)}</td>
          <td class="small nowrap">{when(b.createdAt)}<br /><span class="muted">{b.finishedAt ? `done ${when(b.finishedAt).slice(11)}` : b.startedAt ? `started ${when(b.startedAt).slice(11)}` : ''}</span></td>
          <td class="nowrap">
            {canChange && terminal ? (
              <>
                <form method="post" action={`/backtests/${b.id}/rerun`} class="inline"><CsrfField chrome={props.chrome} /><button type="submit" class="link small">rerun</button></form>{' '}
                <DeleteButton chrome={props.chrome} action={`/backtests/${b.id}/delete`} question={`Delete backtest “${b.name}” and its stored results?`} label="delete" cls="link small danger-link" />
              </>
            ) : null}
          </td>
        </tr>
      ))}
    </tbody>
  );
}

function SortHeader(props: { state: ListState; col: string; label: string; num?: boolean }) {
  const active = props.state.sort === props.col;
  const dir = active && props.state.dir === 'desc' ? 'asc' : 'desc';
  return (
    <th class={props.num ? 'num' : ''} aria-sort={active ? (props.state.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <a href={`/backtests${listQueryString(props.state, { sort: props.col, dir, offset: 0 })}`}>{props.label}{active ? (props.state.dir === 'asc' ? ' ▲' : ' ▼') : ''}</a>
    </th>
  );
}

export function ListPage(props: { chrome: PageChrome; rows: ListRow[]; total: number; state: ListState; statuses: readonly string[]; strategies: string[]; canCreate: boolean }) {
  const s = props.state;
  const last = Math.min(props.total, s.offset + props.rows.length);
  return (
    <Layout chrome={props.chrome} title="Backtests" section="backtests">
      <div class="toolbar">
        <h1>Backtests</h1>
        {props.canCreate ? <a class="button" href="/backtests/new">New backtest</a> : null}
      </div>
      <form method="get" action="/backtests" class="filters">
        <label>Search<input type="search" name="q" value={s.q} placeholder="name or strategy" /></label>
        <label>Status
          <select name="status">
            <option value="">any</option>
            {props.statuses.map((st) => <option value={st} selected={s.status === st}>{st}</option>)}
          </select>
        </label>
        <label>Strategy
          <select name="strategy">
            <option value="">any</option>
            {props.strategies.map((n) => <option value={n} selected={s.strategy === n}>{n}</option>)}
          </select>
        </label>
        <label>Created from<input type="date" name="from" value={s.from} /></label>
        <label>to<input type="date" name="to" value={s.to} /></label>
        <input type="hidden" name="sort" value={s.sort} />
        <input type="hidden" name="dir" value={s.dir} />
        <button type="submit" class="secondary">Filter</button>
      </form>
      <form id="compare-form" method="get" action="/backtests/compare" class="compare-bar">
        <span class="muted small">Tick 2–5 finished backtests, then</span> <button type="submit" class="secondary small">Compare</button>
      </form>
      <table class="backtests">
        <thead>
          <tr>
            <th></th>
            <SortHeader state={s} col="created" label="#" num />
            <th>Name · strategy</th>
            <th>Period</th>
            <th>Status</th>
            <SortHeader state={s} col="total_return" label="Return" num />
            <SortHeader state={s} col="annualized_return" label="Annual" num />
            <SortHeader state={s} col="sharpe" label="Sharpe" num />
            <SortHeader state={s} col="max_drawdown" label="Max DD" num />
            <SortHeader state={s} col="finished" label="Created · done (UTC)" />
            <th></th>
          </tr>
        </thead>
        <ListBody chrome={props.chrome} rows={props.rows} state={s} />
      </table>
      <p class="pager">
        {s.offset > 0 ? <a href={`/backtests${listQueryString(s, { offset: Math.max(0, s.offset - s.limit) })}`}>← Newer</a> : <span class="muted">← Newer</span>}
        <span class="muted"> {props.total ? `${s.offset + 1}–${last} of ${props.total}` : '0 backtests'} </span>
        {last < props.total ? <a href={`/backtests${listQueryString(s, { offset: s.offset + s.limit })}`}>Older →</a> : <span class="muted">Older →</span>}
      </p>
    </Layout>
  );
}
