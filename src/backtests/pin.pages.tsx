import { Hono } from 'hono';
import { principalOf, requireRole } from '../auth/access.ts';
import { auditActor } from '../audit/audit.service.ts';
import type { AppEnv } from '../http/env.ts';
import { pathId } from '../http/input.ts';
import { pinBacktest } from './backtests.service.ts';
import type { BacktestPagesDeps } from './pages.deps.ts';

/** The backtest page's Pin / Unpin buttons: housekeeping keeps a pinned backtest (and its run) whatever its age. */
export function pinPages(deps: Pick<BacktestPagesDeps, 'db' | 'trustProxy'>) {
  const app = new Hono<AppEnv>();
  for (const [action, pinned] of [['pin', true], ['unpin', false]] as const) {
    app.post(`/backtests/:id{[0-9]+}/${action}`, requireRole('analyst'), async (c) => {
      const id = pathId(c.req.param('id'), 'backtest');
      await pinBacktest(deps.db, principalOf(c), id, pinned, auditActor(c, deps.trustProxy));
      return c.redirect(`/backtests/${id}`, 303);
    });
  }
  return app;
}
