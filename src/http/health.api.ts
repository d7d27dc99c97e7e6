import { Hono } from 'hono';
import { pingPostgres, type PgStore } from '../db/database.ts';
import type { AppEnv } from './env.ts';
import { pingMarket, type MarketStore } from '../market/duckdb.ts';

/**
 * Liveness (process up) and readiness (both stores answer a query). Both answer anyone, so a failed
 * check names the store and nothing of the error (a driver's message can hold hosts, users and
 * SQL): that goes to the log under the request id, which the answer carries.
 */
export function healthRoutes(deps: { pg: PgStore; market: MarketStore; version: string; startedAt: Date }) {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) =>
    c.json({ status: 'ok', version: deps.version, uptimeS: Math.round((Date.now() - deps.startedAt.getTime()) / 1000) }),
  );
  app.get('/readyz', async (c) => {
    const checks: Record<string, { ok: boolean; error?: string; ms: number }> = {};
    const probe = async (name: string, fn: () => Promise<unknown>) => {
      const t = performance.now();
      try {
        await fn();
        checks[name] = { ok: true, ms: Math.round(performance.now() - t) };
      } catch (err) {
        c.get('log').error('readiness check failed', { store: name, err: err as Error });
        checks[name] = { ok: false, error: `${name} does not answer (the server log has why, under request ${c.get('requestId')})`, ms: Math.round(performance.now() - t) };
      }
    };
    await Promise.all([
      probe('postgres', () => pingPostgres(deps.pg.db)),
      probe('duckdb', () => pingMarket(deps.market)),
    ]);
    const ready = Object.values(checks).every((x) => x.ok);
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });
  return app;
}
