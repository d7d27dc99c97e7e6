import { Hono } from 'hono';
import type { Authenticate } from './auth/access.ts';
import type { Config } from './config.ts';
import type { PgStore } from './db/database.ts';
import { makeApiRouter } from './http/api.ts';
import type { Assets } from './http/assets.ts';
import { makeChrome } from './http/chrome.ts';
import { documentApi } from './http/openapi.ts';
import type { AppEnv } from './http/env.ts';
import { AppError } from './http/errors.ts';
import { isApiPath, renderError } from './http/on-error.tsx';
import { requestContext } from './http/request-context.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Logger } from './logger.ts';
import type { MarketStore } from './market/duckdb.ts';
import { apiDocsRoutes } from './routes/api-docs.routes.tsx';
import { assetRoutes } from './routes/assets.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { homeRoutes } from './routes/home.routes.tsx';

export type { AppEnv } from './http/env.ts';

/** Everything the HTTP layer needs, built by server.ts (or a test) and handed in. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  pg: PgStore;
  market: MarketStore;
  assets: Assets;
  version: string;
  startedAt: Date;
  /** Who is calling; anonymous when not given. */
  authenticate?: Authenticate;
}

/** Builds the Hono app. Pure: no I/O happens until a request arrives. */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const chrome = makeChrome(deps.assets);
  const authenticate: Authenticate = deps.authenticate ?? (async () => null);

  app.use('*', requestContext(deps.logger));
  app.use('*', securityHeaders());
  app.use('*', async (c, next) => {
    c.set('csrfToken', null);
    c.set('principal', await authenticate(c));
    await next();
  });

  // Public: liveness, readiness, static files.
  app.route('/', healthRoutes(deps));
  app.route('/', assetRoutes(deps.assets));

  // JSON API (stable contract), described by /api/v1/openapi.json.
  const api = makeApiRouter();
  const apiDocument = documentApi(api, deps.version);
  app.route('/api/v1', api);

  // Pages (hypermedia, free to change).
  app.route('/', apiDocsRoutes({ chrome, document: apiDocument }));
  app.route('/', homeRoutes({ chrome, version: deps.version, postgresKind: deps.pg.kind, marketPath: deps.market.path }));

  app.notFound((c) => {
    const what = isApiPath(c.req.path) ? `no endpoint ${c.req.method} ${c.req.path}` : `no page at ${c.req.path}`;
    return renderError(c, new AppError(404, 'not_found', `${what}; see / for what exists`), chrome, deps.logger);
  });
  app.onError((err, c) => renderError(c, err, chrome, deps.logger));
  return app;
}
