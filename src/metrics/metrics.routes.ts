import { Hono } from 'hono';
import { routePath } from 'hono/route';
import type { MiddlewareHandler } from 'hono';
import { requireScope } from '../auth/access.ts';
import type { AppEnv } from '../http/env.ts';
import type { Metrics } from './metrics.service.ts';

/**
 * GET /metrics in Prometheus's text format, for an admin or a `metrics`-scoped token of one (a
 * Prometheus server sends it as `Authorization: Bearer zq_…`; see the README).
 */
export function metricsRoutes(metrics: Metrics) {
  const app = new Hono<AppEnv>();
  app.get('/metrics', requireScope('metrics'), async (c) => {
    const text = await metrics.scrape();
    return c.body(text, 200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
  });
  return app;
}

/**
 * Times every request by its matched route pattern (`/api/v1/backtests/:id`, never the raw path);
 * one that matched no route counts as `unmatched`.
 */
export function requestTiming(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const t0 = performance.now();
    try {
      await next();
    } finally {
      const route = routePath(c, -1);
      metrics.observeRequest(c.req.method, route === '/*' || route === '*' ? 'unmatched' : route, c.res.status, (performance.now() - t0) / 1000);
    }
  };
}
