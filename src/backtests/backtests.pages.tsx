/** Backtest pages: the list, the create form, the task page with its live stream, result fragments, exports, compare. */
import { Hono, type Context } from 'hono';
import { pathId, offsetQuery } from '../http/input.ts';
import type { SSEMessage } from 'hono/streaming';
import type { Child } from 'hono/jsx';
import type { MessageKey } from '../i18n/i18n.ts';
import { canChangeOwned, principalOf, requireRole } from '../auth/access.ts';
import { auditActor } from '../audit/audit.service.ts';
import type { AppEnv } from '../http/env.ts';
import { timeZoneOf } from '../http/chrome.ts';
import { AppError } from '../http/errors.ts';
import { streamRunEvents } from '../runs/run-sse.ts';
import { isTerminal } from '../runs/run.types.ts';
import { LogLine, TimelineItem } from '../../views/runs/run-parts.tsx';
import { BacktestProgress, BacktestStatus } from '../../views/backtests/parts.tsx';
import { FillsTable, OrdersTable } from '../../views/backtests/result.tsx';
import { BacktestTablePage } from '../../views/backtests/table-page.tsx';
import { Controls, ResultArea, TaskPage } from '../../views/backtests/task-page.tsx';
import {
  cancelBacktest, changeableBacktest, deleteBacktest, getBacktest, rerunBacktest, visibleBacktest,
} from './backtests.service.ts';
import { afterAction, confirmFirst } from '../http/confirm.pages.tsx';
import { fillsPage, loadResultData, ordersPage } from './result-data.ts';
import { exportRoutes } from './exports.pages.tsx';
import { createRoutes } from './create.pages.tsx';
import { listRoutes } from './list.pages.tsx';
import type { BacktestPagesDeps } from './pages.deps.ts';

const html = async (node: unknown) => String(await (node as { toString(): string | Promise<string> }).toString());
const partial = (target: string, swap: string, body: string) => `<hx-partial hx-target="${target}" hx-swap="${swap}">${body}</hx-partial>`;

export const idOf = (raw: string) => pathId(raw, 'backtest');
const offsetOf = (c: Context) => offsetQuery(c.req.query('offset'));

export function backtestsPages(deps: BacktestPagesDeps) {
  const { db, runs, chrome } = deps;
  const app = new Hono<AppEnv>();

  // Static paths first: /backtests/new and /backtests/compare are not ids.
  app.route('/', listRoutes(deps));
  app.route('/', createRoutes(deps));

  app.get('/backtests/:id{[0-9]+}', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const b = await visibleBacktest(db, p, idOf(c.req.param('id')));
    const [r, events, logs] = await Promise.all([
      loadResultData(db, b),
      b.runId ? runs.events(b.runId, 0, 500) : Promise.resolve([]),
      b.runId ? runs.logs(b.runId, 300) : Promise.resolve([]),
    ]);
    return c.html(<TaskPage chrome={chrome(c)} b={b} terminal={isTerminal(b.status)} r={r} timeline={events.filter((e) => e.kind === 'status')} logs={logs} canChange={canChangeOwned(p, b.ownerId)} />);
  });

  // The page's stream: the run's events as HTML partials; at the end the whole result, in place.
  app.get('/backtests/:id{[0-9]+}/stream', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const pageChrome = chrome(c);
    // The zone the page was drawn in: its tz cookie may have changed since (the first page is drawn before app.js sets it).
    const zone = timeZoneOf(c.req.query('tz') ?? pageChrome.timeZone);
    const b = await visibleBacktest(db, p, idOf(c.req.param('id')));
    if (!b.runId) throw new AppError(404, 'not_found', `backtest ${b.id} has no run`);
    return streamRunEvents(c, runs, b.runId, {
      event: (e) => {
        const id = String(e.seq);
        switch (e.kind) {
          case 'progress':
            return [{ id, data: partial('#bt-progress', 'innerHTML', String(<BacktestProgress t={pageChrome.t} progress={e.data} status="running" />)) }];
          case 'log':
            return [{ id, data: partial('#bt-log', 'beforeend', String(<LogLine event={e} timeZone={zone} />)) }];
          case 'status':
            return [{ id, data: partial('#bt-status', 'innerHTML', String(<BacktestStatus t={pageChrome.t} status={e.data.status} />)) + partial('#bt-timeline', 'beforeend', String(<TimelineItem t={pageChrome.t} event={e} timeZone={zone} />)) }];
        }
      },
      done: async (): Promise<SSEMessage[]> => {
        const done = (await getBacktest(db, b.id))!;
        const r = await loadResultData(db, done).catch(() => null);
        const body =
          partial('#bt-result', 'innerHTML', await html(<ResultArea t={pageChrome.t} b={done} r={r} />)) +
          partial('#bt-progress', 'innerHTML', '') +
          partial('#bt-status', 'innerHTML', String(<BacktestStatus t={pageChrome.t} status={done.status} />)) +
          partial('#bt-controls-box', 'innerHTML', await html(<Controls chrome={pageChrome} b={done} terminal={isTerminal(done.status)} canChange={canChangeOwned(p, done.ownerId)} />));
        return [{ data: body }, { event: 'done', data: done.status }];
      },
    });
  });

  // The tables' paging and filter links: htmx swaps the table in place; followed without it (no
  // JavaScript, a new tab) the same URL answers a whole page around the table.
  const tableAnswer = (c: Context<AppEnv>, b: Awaited<ReturnType<typeof visibleBacktest>>, what: MessageKey, table: Child) => {
    c.header('Vary', 'HX-Request', { append: true });
    if (c.req.header('HX-Request') === 'true') return c.html(<>{table}</>);
    return c.html(<BacktestTablePage chrome={chrome(c)} b={b} what={what}>{table}</BacktestTablePage>);
  };

  app.get('/backtests/:id{[0-9]+}/fills', requireRole('viewer'), async (c) => {
    const b = await visibleBacktest(db, principalOf(c), idOf(c.req.param('id')));
    return tableAnswer(c, b, 'readable.table.fills', <FillsTable t={chrome(c).t} id={b.id} page={await fillsPage(db, b.id, offsetOf(c))} />);
  });

  app.get('/backtests/:id{[0-9]+}/orders', requireRole('viewer'), async (c) => {
    const b = await visibleBacktest(db, principalOf(c), idOf(c.req.param('id')));
    const rejected = c.req.query('rejected') === 'true';
    return tableAnswer(c, b, rejected ? 'readable.table.notFilled' : 'readable.table.orders', <OrdersTable t={chrome(c).t} id={b.id} page={await ordersPage(db, b.id, offsetOf(c), rejected)} />);
  });

  app.post('/backtests/:id{[0-9]+}/cancel', requireRole('analyst'), async (c) => {
    const id = idOf(c.req.param('id'));
    await cancelBacktest(deps, principalOf(c), auditActor(c, deps.trustProxy), id);
    return c.redirect(`/backtests/${id}`, 303);
  });

  app.post('/backtests/:id{[0-9]+}/rerun', requireRole('analyst'), async (c) => {
    const b = await rerunBacktest(deps, principalOf(c), idOf(c.req.param('id')));
    return c.redirect(`/backtests/${b.id}`, 303);
  });

  app.post('/backtests/:id{[0-9]+}/delete', requireRole('analyst'), async (c) => {
    const id = idOf(c.req.param('id'));
    const b = await changeableBacktest(db, principalOf(c), id);
    const ask = await confirmFirst(c, chrome, (t) => ({
      title: t('confirm.backtest.title', { name: b.name }),
      what: [
        t('confirm.backtest.what'),
        ...(isTerminal(b.status) ? [] : [t('confirm.unfinished')]),
        ...(b.runId ? [t('confirm.backtest.runStays', { id: b.runId })] : []),
      ],
      action: `/backtests/${id}/delete`, cancel: `/backtests/${id}`, label: t('confirm.backtest.label'), section: 'backtests',
    }));
    if (ask) return ask;
    await deleteBacktest(deps, principalOf(c), id, auditActor(c, deps.trustProxy));
    return afterAction(c, '/backtests');
  });

  app.route('/', exportRoutes(deps));
  return app;
}
