import { Hono } from 'hono';
import type { SSEMessage } from 'hono/streaming';
import { pathId } from '../http/input.ts';
import { principalOf, requireRole } from '../auth/access.ts';
import { redactSecrets } from '../secrets/secret-box.ts';
import { timeZoneOf, type PageChromeFn } from '../http/chrome.ts';
import type { AppEnv } from '../http/env.ts';
import { AppError } from '../http/errors.ts';
import { LogLine, ProgressBar, ResultBox, StatusBadge, TimelineItem } from '../../views/runs/run-parts.tsx';
import { RunControls, RunPage, RunsPage, RunsTableBody } from '../../views/runs/runs.tsx';
import { canControlRun, controllableRun, visibleRun } from './runs.api.ts';
import { streamRunEvents } from './run-sse.ts';
import { isTerminal, type Run } from './run.types.ts';
import type { RunsService } from './runs.service.ts';

const html = async (node: unknown) => String(await (node as { toString(): string | Promise<string> }).toString());
const partial = (target: string, swap: string, body: string) => `<hx-partial hx-target="${target}" hx-swap="${swap}">${body}</hx-partial>`;

/** Pages for runs: the live list, a run with its timeline, log tail and result, and the page-flavoured stream. */
export function runsPages(deps: { runs: RunsService; chrome: PageChromeFn }) {
  const { runs, chrome } = deps;
  const app = new Hono<AppEnv>();
  const idOf = (raw: string) => pathId(raw, 'run');
  // ?by=<user id>: the runs one user queued ("by li.wei" on a run page links here).
  const byOf = (c: Parameters<PageChromeFn>[0]) => {
    const raw = c.req.query('by');
    return raw === undefined || raw === '' ? undefined : pathId(raw, 'by');
  };
  const listFor = async (c: Parameters<PageChromeFn>[0]) => {
    const p = principalOf(c);
    const by = byOf(c);
    const { runs: list, total } = await runs.listRuns({ visibleTo: p.role === 'admin' ? undefined : p.userId, queuedBy: by }, { limit: 100, offset: 0 });
    return { list, total, by, live: list.some((r) => !isTerminal(r.status)) };
  };

  app.get('/runs', requireRole('viewer'), async (c) => {
    const { list, total, live, by } = await listFor(c);
    const byName = by === undefined ? null : list.length ? (await runs.links(list[0])).owner : null;
    return c.html(<RunsPage chrome={chrome(c)} runs={list} total={total} live={live} by={by === undefined ? null : { id: by, name: byName }} />);
  });

  app.get('/runs/table', requireRole('viewer'), async (c) => {
    const { list, live, by } = await listFor(c);
    return c.html(<RunsTableBody t={chrome(c).t} runs={list} live={live} timeZone={chrome(c).timeZone} query={by === undefined ? '' : `?by=${by}`} />);
  });

  app.get('/runs/:id{[0-9]+}', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const run = await visibleRun(runs, p, idOf(c.req.param('id')));
    // One read of the history feeds the timeline, the log tail and the stream's resume point, so
    // the live stream starts exactly after what the page shows (no line twice, none missed).
    const events = await runs.events(run.id, 0, 5000);
    const shownSeq = Math.max(run.eventSeq, events.length ? events[events.length - 1].seq : 0);
    const logs = events.filter((e) => e.kind === 'log').slice(-200);
    return c.html(
      <RunPage chrome={chrome(c)} run={{ ...run, params: redactSecrets(run.params) }} links={await runs.links(run)} terminal={isTerminal(run.status)} timeline={events.filter((e) => e.kind === 'status')} logs={logs} resumeAfterSeq={shownSeq} canControl={canControlRun(p, run)} />,
    );
  });

  // The page's stream: the same events as /api/v1/runs/:id/events, as HTML partials for hx-sse.
  app.get('/runs/:id{[0-9]+}/stream', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const pageChrome = chrome(c);
    // The zone the page was drawn in: its tz cookie may have changed since (the first page is drawn before app.js sets it).
    const zone = timeZoneOf(c.req.query('tz') ?? pageChrome.timeZone);
    const run = await visibleRun(runs, p, idOf(c.req.param('id')));
    const controls = async (r: Run) => partial('#run-controls-box', 'innerHTML', await html(<RunControls chrome={pageChrome} run={r} terminal={isTerminal(r.status)} canControl={canControlRun(p, r)} links={await runs.links(r)} />));
    return streamRunEvents(c, runs, run.id, {
      event: (e) => {
        const id = String(e.seq);
        switch (e.kind) {
          case 'progress':
            return [{ id, data: partial('#run-progress', 'innerHTML', String(<ProgressBar t={pageChrome.t} progress={e.data} status="running" timeZone={zone} />)) }];
          case 'log':
            return [{ id, data: partial('#run-log', 'beforeend', String(<LogLine event={e} timeZone={zone} />)) }];
          case 'status': {
            const badge = <StatusBadge t={pageChrome.t} run={{ status: e.data.status, attempt: e.data.attempt, maxAttempts: run.maxAttempts, control: null }} />;
            return [{ id, data: partial('#run-status', 'innerHTML', String(badge)) + partial('#run-timeline', 'beforeend', String(<TimelineItem t={pageChrome.t} event={e} timeZone={zone} />)) }];
          }
        }
      },
      done: async (r): Promise<SSEMessage[]> => [
        // The final state replaces the live bar: done, or where it stopped.
        { data: partial('#run-result', 'innerHTML', await html(<ResultBox t={pageChrome.t} run={r} />)) + partial('#run-progress', 'innerHTML', String(<ProgressBar t={pageChrome.t} progress={r.progress} status={r.status} timeZone={zone} />)) + (await controls(r)) },
        { event: 'done', data: r.status },
      ],
    });
  });

  for (const action of ['cancel', 'pause', 'resume', 'retry'] as const) {
    app.post(`/runs/:id{[0-9]+}/${action}`, requireRole('analyst'), async (c) => {
      const p = principalOf(c);
      const run = await controllableRun(runs, p, idOf(c.req.param('id')));
      const after = action === 'retry' ? await runs.retry(run.id, p.userId) : await runs[action](run.id);
      return c.redirect(`/runs/${after.id}`, 303);
    });
  }
  return app;
}
