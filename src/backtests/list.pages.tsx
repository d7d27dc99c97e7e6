/** GET /backtests (the list), its live rows fragment, and the compare page. */
import { Hono, type Context } from 'hono';
import { dayProblem, offsetQuery } from '../http/input.ts';
import { canChangeOwned, principalOf, requireRole, roleAtLeast, type Principal } from '../auth/access.ts';
import type { AppEnv } from '../http/env.ts';
import { isTerminal, runStatuses, type RunStatus } from '../runs/run.types.ts';
import { ListBody, ListPage, type ListRow, type ListState } from '../../views/backtests/list-page.tsx';
import { ComparePage } from '../../views/backtests/compare-page.tsx';
import type { BacktestPagesDeps } from './pages.deps.ts';
import { backtestStrategyNames, listBacktests, resultParts, visibleBacktest, type ListQuery } from './backtests.service.ts';
import type { Backtest } from './backtest.types.ts';
import { addDays, ymdOf } from '../market/days.ts';
import { dayStartIn } from '../http/zoned-day.ts';
import { AppError } from '../http/errors.ts';
import type { StoredSeries } from './results.ts';
import type { Metrics } from '../engine/metrics/metrics.ts';

const sorts = ['created', 'total_return', 'annualized_return', 'sharpe', 'max_drawdown', 'finished'] as const;
/** A filter day: empty, or YYYY-MM-DD within the input layer's range (else 400 naming the field). */
const isDay = (s: string, field: string) => {
  if (!s) return '';
  const why = /^\d{4}-\d{2}-\d{2}$/.test(s) ? dayProblem(s) : 'expected a date YYYY-MM-DD';
  if (why) throw new AppError(400, 'invalid_request', `${field}: ${why}`, { field });
  return s;
};

function stateOf(c: Context): ListState {
  const q = (k: string) => c.req.query(k) ?? '';
  const status = runStatuses.includes(q('status') as RunStatus) ? q('status') : '';
  const sort = (sorts as readonly string[]).includes(q('sort')) ? q('sort') : 'created';
  return { status, strategy: q('strategy').slice(0, 100), q: q('q').slice(0, 100), from: isDay(q('from'), 'from'), to: isDay(q('to'), 'to'), sort, dir: q('dir') === 'asc' ? 'asc' : 'desc', offset: offsetQuery(q('offset')), limit: 25 };
}

const rowsFor = (p: Principal, backtests: Backtest[]): ListRow[] =>
  backtests.map((b) => ({ b, terminal: isTerminal(b.status), canChange: canChangeOwned(p, b.ownerId) }));

export function listRoutes(deps: BacktestPagesDeps) {
  const { db, chrome } = deps;
  const app = new Hono<AppEnv>();
  // Filter days are days on the reader's clock (the zone the page shows times in), `to` inclusive:
  // from 00:00 on `from` to 24:00 on `to` there. The API's filter days stay UTC days.
  const load = async (c: Context<AppEnv>, s: ListState, timeZone: string) =>
    listBacktests(db, principalOf(c), {
      status: (s.status || undefined) as RunStatus | undefined, strategy: s.strategy || undefined, q: s.q || undefined,
      from: s.from ? dayStartIn(ymdOf(s.from), timeZone) : undefined, to: s.to ? dayStartIn(addDays(ymdOf(s.to), 1), timeZone) : undefined,
      sort: s.sort as ListQuery['sort'], dir: s.dir, limit: s.limit, offset: s.offset,
    });

  app.get('/backtests', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const s = stateOf(c);
    const ch = chrome(c);
    const [{ backtests, total }, names] = await Promise.all([
      load(c, s, ch.timeZone),
      backtestStrategyNames(db, p),
    ]);
    return c.html(<ListPage chrome={ch} rows={rowsFor(p, backtests)} total={total} state={s} statuses={runStatuses} strategies={names} canCreate={roleAtLeast(p.role, 'analyst')} />);
  });

  app.get('/backtests/rows', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const s = stateOf(c);
    const ch = chrome(c);
    const { backtests } = await load(c, s, ch.timeZone);
    return c.html(<ListBody chrome={ch} rows={rowsFor(p, backtests)} state={s} />);
  });

  app.get('/backtests/compare', requireRole('viewer'), async (c) => {
    const p = principalOf(c);
    const ids = [...new Set(c.req.queries('ids')?.flatMap((v) => v.split(',')).filter((v) => /^[1-9][0-9]{0,14}$/.test(v)).map(Number) ?? [])];
    if (ids.length > 5) throw new AppError(400, 'invalid_request', 'ids: compare at most 5 backtests at once', { field: 'ids' });
    const picked: { b: Backtest; series: StoredSeries; metrics: Metrics }[] = [];
    for (const id of ids) {
      const b = await visibleBacktest(db, p, id);
      if (b.status !== 'succeeded') throw new AppError(409, 'not_finished', `backtest ${id} is ${b.status}; only finished backtests can be compared`);
      const parts = await resultParts(db, b, ['series', 'metrics']);
      picked.push({ b, series: parts.series as StoredSeries, metrics: parts.metrics as Metrics });
    }
    const { backtests: candidates } = await listBacktests(db, p, { status: 'succeeded', sort: 'created', dir: 'desc', limit: 50, offset: 0 });
    return c.html(<ComparePage chrome={chrome(c)} picked={picked} candidates={candidates} />);
  });
  return app;
}
