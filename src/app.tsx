import { Hono, type Context } from 'hono';
import type { Config } from './config.ts';
import type { PgStore } from './db/database.ts';
import type { Assets } from './http/assets.ts';
import { AppError } from './http/errors.ts';
import { isApiPath, renderError } from './http/on-error.tsx';
import { requestContext, type RequestVars } from './http/request-context.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Logger } from './logger.ts';
import type { MarketStore } from './market/duckdb.ts';
import { assetRoutes } from './routes/assets.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { homeRoutes } from './routes/home.routes.tsx';
import type { PageChrome } from '../views/layout.tsx';

/** Everything the HTTP layer needs, built by server.ts (or a test) and handed in. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  pg: PgStore;
  market: MarketStore;
  assets: Assets;
  version: string;
  startedAt: Date;
}

export type AppEnv = { Variables: RequestVars };
export type PageChromeFn = (c: Context) => PageChrome;

/** Builds the Hono app. Pure: no I/O happens until a request arrives. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const chrome: PageChromeFn = () => ({ assets: deps.assets });

  app.use('*', requestContext(deps.logger));
  app.use('*', securityHeaders());

  app.route('/', healthRoutes(deps));
  app.route('/', assetRoutes(deps.assets));
  app.route('/', homeRoutes({ chrome, version: deps.version, postgresKind: deps.pg.kind, marketPath: deps.market.path }));

  app.notFound((c) => {
    const what = isApiPath(c.req.path) ? `no endpoint ${c.req.method} ${c.req.path}` : `no page at ${c.req.path}`;
    return renderError(c, new AppError(404, 'not_found', `${what}; see / for what exists`), chrome, deps.logger);
  });
  app.onError((err, c) => renderError(c, err, chrome, deps.logger));
  return app;
}
