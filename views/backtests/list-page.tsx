/** The backtests list: filters, sortable columns, server-side pages, live progress for running tasks, compare/rerun/delete. */
import type { Backtest } from '../../src/backtests/backtest.types.ts';
import { DeleteButton } from '../confirm.tsx';
import { CsrfField, Layout, type MessageKey, type PageChrome } from '../layout.tsx';
import { day, localTime, num, pct, signClass, signedPct } from './format.ts';
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
  const { t, timeZone: tz } = props.chrome;
  const live = props.rows.some((r) => !r.terminal);
  const qs = listQueryString(props.state);
  return (
    <tbody id="bt-list-body" hx-get={live ? `/backtests/rows${qs}` : undefined} hx-trigger={live ? 'every 2s' : undefined} hx-swap="outerHTML">
      {props.rows.length === 0 ? (
        <tr><td colspan={11} class="muted">{t.rich('backtests.list.empty', { link: (s) => <a href="/backtests/new">{s}</a> })}</td></tr>
      ) : null}
      {props.rows.map(({ b, terminal, canChange }) => (
        <tr>
          <td><input type="checkbox" name="ids" value={String(b.id)} form="compare-form" disabled={b.status !== 'succeeded'} aria-label={t('backtests.list.select', { id: b.id })} /></td>
          <td class="num"><a href={`/backtests/${b.id}`}>#{b.id}</a></td>
          <td><a href={`/backtests/${b.id}`}>{b.name}</a><div class="muted small">{strategyLabel(b)}{b.ownerName ? ` · ${b.ownerName}` : ''}</div></td>
          <td class="nowrap small">{day(b.spec.startDate)}<br />{day(b.spec.endDate)}</td>
          <td>{terminal ? <BacktestStatus t={props.chrome.t} status={b.status} /> : <div class="list-progress"><BacktestStatus t={props.chrome.t} status={b.status} control={b.control} /><BacktestProgress t={props.chrome.t} progress={b.progress} status={b.status} /></div>}</td>
          <td class={`num ${signClass(b.metrics?.totalReturn)}`}>{signedPct(b.metrics?.totalReturn)}</td>
          <td class={`num ${signClass(b.metrics?.annualizedReturn)}`}>{signedPct(b.metrics?.annualizedReturn)}</td>
          <td class="num">{num(b.metrics?.sharpe)}</td>
          <td class="num">{pct(b.metrics?.maxDrawdown)}</td>
          <td class="small nowrap">{localTime(b.createdAt, tz)}<br /><span class="muted">{b.finishedAt ? t('backtests.list.done', { time: localTime(b.finishedAt, tz).slice(11) }) : b.startedAt ? t('backtests.list.started', { time: localTime(b.startedAt, tz).slice(11) }) : ''}</span></td>
          <td class="nowrap">
            {canChange && terminal ? (
              <>
                <form method="post" action={`/backtests/${b.id}/rerun`} class="inline"><CsrfField chrome={props.chrome} /><button type="submit" class="link small">{t('backtests.list.rerun')}</button></form>{' '}
                <DeleteButton chrome={props.chrome} action={`/backtests/${b.id}/delete`}  question={t('backtests.list.deleteQuestion', { name: b.name })} label={t('backtests.list.delete')} cls="link small danger-link" />
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
  const { t } = props.chrome;
  return (
    <Layout chrome={props.chrome} title={t('backtests.title')} section="backtests">
      <div class="toolbar">
        <h1>{t('backtests.title')}</h1>
        {props.canCreate ? <a class="button" href="/backtests/new">{t('backtests.new')}</a> : null}
      </div>
      <form method="get" action="/backtests" class="filters">
        <label>{t('backtests.list.search')}<input type="search" name="q" value={s.q} placeholder={t('backtests.list.searchPlaceholder')} /></label>
        <label>{t('backtests.list.status')}
          <select name="status">
            <option value="">{t('backtests.list.any')}</option>
            {props.statuses.map((st) => <option value={st} selected={s.status === st}>{t(`runs.status.${st}` as MessageKey)}</option>)}
          </select>
        </label>
        <label>{t('backtests.list.strategy')}
          <select name="strategy">
            <option value="">{t('backtests.list.any')}</option>
            {props.strategies.map((n) => <option value={n} selected={s.strategy === n}>{n}</option>)}
          </select>
        </label>
        <label>{t('backtests.list.createdFrom')}<input type="date" name="from" value={s.from} /></label>
        <label>{t('backtests.list.to')}<input type="date" name="to" value={s.to} /></label>
        <input type="hidden" name="sort" value={s.sort} />
        <input type="hidden" name="dir" value={s.dir} />
        <button type="submit" class="secondary">{t('backtests.list.filter')}</button>
      </form>
      <p class="muted small">{t('backtests.list.daysIn', { zone: props.chrome.timeZone })}</p>
      <form id="compare-form" method="get" action="/backtests/compare" class="compare-bar">
        <span class="muted small">{t('backtests.list.tick')}</span> <button type="submit" class="secondary small">{t('backtests.list.compare')}</button>
      </form>
      <table class="backtests">
        <thead>
          <tr>
            <th></th>
            <SortHeader state={s} col="created" label="#" num />
            <th>{t('backtests.col.nameStrategy')}</th>
            <th>{t('backtests.col.period')}</th>
            <th>{t('backtests.col.status')}</th>
            <SortHeader state={s} col="total_return" label={t('backtests.col.return')} num />
            <SortHeader state={s} col="annualized_return" label={t('backtests.col.annual')} num />
            <SortHeader state={s} col="sharpe" label={t('backtests.col.sharpe')} num />
            <SortHeader state={s} col="max_drawdown" label={t('backtests.col.maxDd')} num />
            <SortHeader state={s} col="finished" label={t('backtests.col.createdDone', { zone: props.chrome.timeZone })} />
            <th></th>
          </tr>
        </thead>
        <ListBody chrome={props.chrome} rows={props.rows} state={s} />
      </table>
      <p class="pager">
        {s.offset > 0 ? <a href={`/backtests${listQueryString(s, { offset: Math.max(0, s.offset - s.limit) })}`}>{t('backtests.list.newer')}</a> : <span class="muted">{t('backtests.list.newer')}</span>}
        <span class="muted"> {props.total ? t('backtests.list.range', { from: s.offset + 1, to: last, total: props.total }) : t('backtests.list.count', { count: 0 })} </span>
        {last < props.total ? <a href={`/backtests${listQueryString(s, { offset: s.offset + s.limit })}`}>{t('backtests.list.older')}</a> : <span class="muted">{t('backtests.list.older')}</span>}
      </p>
    </Layout>
  );
}
