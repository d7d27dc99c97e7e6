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
import { bodyLimits } from './http/body-limit.ts';
import { inputGuard } from './http/input.ts';
import { errorPages } from './http/error.pages.tsx';
import { isApiPath, renderError } from './http/on-error.ts';
import { requestContext } from './http/request-context.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Logger } from './logger.ts';
import type { MarketStore } from './market/duckdb.ts';
import { apiDocsRoutes } from './http/api-docs.pages.tsx';
import { assetRoutes } from './http/assets.routes.ts';
import { healthRoutes } from './http/health.api.ts';
import { homeRoutes } from './home/home.pages.tsx';
import { cors } from 'hono/cors';
import { makeLoginThrottle, type AccountsDeps } from './auth/accounts.deps.ts';
import { apiRateLimit } from './auth/api-rate-limit.ts';
import { makeAuthenticate } from './auth/authenticate.ts';
import { makeStoreAccessWatch } from './auth/access-check.service.ts';
import type { AccessWatch } from './auth/access-watch.ts';
import { csrfProtection } from './auth/csrf.ts';
import { SlidingWindowLimiter } from './auth/rate-limit.ts';
import { accountRoutes } from './auth/account.pages.tsx';
import { adminRoutes } from './admin/admin.pages.tsx';
import { storagePages } from './housekeeping/storage.pages.tsx';
import { pinPages } from './backtests/pin.pages.tsx';
import { authRoutes } from './auth/login.pages.tsx';
import { accountsApi } from './auth/accounts.api.ts';
import { marketApi } from './market/market.api.ts';
import { marketPages } from './market/market.pages.tsx';
import { marketSummary } from './market/market.service.ts';
import type { ExecutorRegistry } from './runs/executor-registry.ts';
import { runsApi } from './runs/runs.api.ts';
import { runsPages } from './runs/runs.pages.tsx';
import type { RunsService } from './runs/runs.service.ts';
import { schedulerApi } from './scheduler/scheduler.api.ts';
import { schedulerPages } from './scheduler/scheduler.pages.tsx';
import type { SecretBox } from './secrets/secret-box.ts';
import { backtestsApi } from './backtests/backtests.api.ts';
import { backtestsPages } from './backtests/backtests.pages.tsx';
import { backtestSubmitLimitsOf } from './backtests/backtests.service.ts';
import { sweepsApi } from './sweeps/sweeps.api.ts';
import { sweepSubmitLimitsOf } from './sweeps/sweeps.service.ts';
import { sweepsPages } from './sweeps/sweeps.pages.tsx';
import { strategiesApi } from './strategies/strategies.api.ts';
import { factorsApi } from './factors/factors.api.ts';
import { analysesApi } from './factors/analysis/analyses.api.ts';
import { alertsApi } from './alerts/alerts.api.ts';
import { alertsPages } from './alerts/alerts.pages.tsx';
import { strategiesPages } from './strategies/strategies.pages.tsx';
import { factorsPages } from './factors/factors.pages.tsx';
import { analysesPages } from './factors/analysis/analyses.pages.tsx';
import { metricsRoutes, requestTiming } from './metrics/metrics.routes.ts';
import { snapshotsApi } from './snapshots/snapshots.api.ts';
import type { SnapshotPublisher } from './snapshots/snapshots.service.ts';
import type { Metrics } from './metrics/metrics.service.ts';

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
  /** Who is calling; the real session-cookie/bearer-token authentication when not given (tests override). */
  authenticate?: Authenticate;
  /** The clock for throttles and expiry, in epoch ms (tests inject a fixed one). */
  now?: () => number;
  /** The run machinery's service (server.ts starts it with workers). */
  runs: RunsService;
  /** The executors runs may name (server.ts builds them with the services they use). */
  executors: ExecutorRegistry;
  /** Ends event streams when their caller's access ends (server.ts closes it at stop); one over `pg` when absent. */
  accessWatch?: AccessWatch;
  /** Seals secrets of task configs (server.ts opens it from DATA_DIR/secret.key or ZQUANT_SECRET_KEY); saving a secret is refused without it. */
  secrets?: SecretBox | null;
  /** What /metrics reports; without it there is no /metrics (and requests are not timed). */
  metrics?: Metrics;
  /** The market snapshots this process publishes, served to worker tokens under /api/v1/market/snapshots (absent: not served). */
  snapshots?: Pick<SnapshotPublisher, 'dir' | 'list'>;
  /** Told after a page wrote the market store (a CSV import): the snapshot publisher's cue, as a sync's. */
  onMarketChanged?: (reason: string) => void;
}

/** Builds the Hono app. Pure: no I/O happens until a request arrives. */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const chrome = makeChrome(deps.assets);
  const errorView = errorPages(chrome);
  const now = deps.now ?? Date.now;
  const authenticate: Authenticate = deps.authenticate ?? makeAuthenticate({ db: deps.pg.db, now });
  // Listens on first use (the first stream), so building the app still does no I/O.
  const accessWatch = deps.accessWatch ?? makeStoreAccessWatch(deps.pg, now, (err) => deps.logger.error('access watch failed', { err: err as Error }));
  const accounts: AccountsDeps = { db: deps.pg.db, config: deps.config, now, chrome, loginThrottle: makeLoginThrottle(deps.pg.db, deps.config, now) };

  app.use('*', requestContext(deps.logger));
  if (deps.metrics) app.use('*', requestTiming(deps.metrics));
  app.use('*', securityHeaders());
  // CORS only when CORS_ORIGINS names origins; bearer tokens, never cookies, cross origins.
  if (deps.config.corsOrigins.length) {
    app.use('/api/*', cors({ origin: [...deps.config.corsOrigins], allowHeaders: ['Authorization', 'Content-Type'], allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], maxAge: 600 }));
  }
  app.use('*', async (c, next) => {
    c.set('csrfToken', null);
    c.set('credential', null);
    c.set('accessWatch', accessWatch);
    c.set('defaultLocale', deps.config.defaultLocale);
    c.set('principal', await authenticate(c));
    await next();
  });
  // Bodies are bounded before anything reads one (the CSRF check reads forms); then checked once.
  app.use('*', bodyLimits({
    defaultBytes: deps.config.bodyLimitBytes,
    uploadBytes: deps.config.uploadBodyLimitBytes,
    uploadPaths: ['/api/v1/strategies', '/strategies', '/market/import'],
    render: (c, err) => renderError(c, err, errorView, deps.logger),
  }));
  app.use('*', csrfProtection());
  app.use('/api/*', apiRateLimit(new SlidingWindowLimiter(deps.config.apiRateLimitPerMinute, 60_000, now), deps.config.trustProxy));
  app.use('*', inputGuard({ publicForms: ['/login'] }));

  // Public: liveness, readiness, static files.
  app.route('/', healthRoutes(deps));
  app.route('/', assetRoutes(deps.assets));
  // For monitoring: admins and metrics-scoped tokens.
  if (deps.metrics) app.route('/', metricsRoutes(deps.metrics));

  // JSON API (stable contract), described by /api/v1/openapi.json. Feature routers join `api`
  // before it is mounted: Hono copies routes when app.route() is called.
  const api = makeApiRouter();
  api.route('/', accountsApi(accounts));
  api.route('/', marketApi({ market: deps.market, pg: deps.pg }));
  if (deps.snapshots) api.route('/', snapshotsApi({ snapshots: deps.snapshots }));
  const { executors, runs } = deps;
  api.route('/', runsApi({ runs, registry: executors }));
  api.route('/', schedulerApi({ db: deps.pg.db, registry: executors, runs, trustProxy: deps.config.trustProxy, secrets: deps.secrets ?? null, market: deps.market }));
  const backtestLimits = backtestSubmitLimitsOf(deps.config);
  api.route('/', backtestsApi({ db: deps.pg.db, runs, limits: backtestLimits, market: deps.market, trustProxy: deps.config.trustProxy }));
  api.route('/', sweepsApi({ db: deps.pg.db, runs, limits: sweepSubmitLimitsOf(deps.config), backtestLimits, market: deps.market, trustProxy: deps.config.trustProxy }));
  api.route('/', strategiesApi({ db: deps.pg.db, trustProxy: deps.config.trustProxy }));
  api.route('/', factorsApi({ db: deps.pg.db, market: deps.market, runs, trustProxy: deps.config.trustProxy }));
  api.route('/', analysesApi({ db: deps.pg.db, market: deps.market, runs, maxQueuedPerUser: deps.config.backtestMaxQueuedPerUser, trustProxy: deps.config.trustProxy }));
  api.route('/', alertsApi({ db: deps.pg.db, secrets: deps.secrets ?? null, runs, trustProxy: deps.config.trustProxy }));
  const apiDocument = documentApi(api, deps.version);
  app.route('/api/v1', api);

  // Pages (hypermedia, free to change).
  app.route('/', apiDocsRoutes({ chrome, document: apiDocument }));
  app.route('/', authRoutes(accounts));
  app.route('/', accountRoutes(accounts));
  app.route('/', adminRoutes(accounts));
  app.route('/', alertsPages({ db: deps.pg.db, secrets: deps.secrets ?? null, runs, trustProxy: deps.config.trustProxy, chrome }));
  app.route('/', storagePages({ db: deps.pg.db, pgKind: deps.pg.kind, market: deps.market, retention: deps.config.retention, dataDir: deps.config.dataDir, runs, chrome }));
  app.route('/', homeRoutes({ chrome, version: deps.version, postgresKind: deps.pg.kind, marketPath: deps.market.path, marketSummary: () => marketSummary(deps.market, deps.pg) }));
  app.route('/', marketPages({ chrome, market: deps.market, pg: deps.pg, config: deps.config, logger: deps.logger, runs, onMarketChanged: deps.onMarketChanged }));
  app.route('/', runsPages({ runs, chrome }));
  app.route('/', schedulerPages({ db: deps.pg.db, registry: executors, runs, trustProxy: deps.config.trustProxy, chrome, secrets: deps.secrets ?? null, market: deps.market }));
  app.route('/', backtestsPages({ db: deps.pg.db, runs, limits: backtestLimits, chrome, market: deps.market, trustProxy: deps.config.trustProxy }));
  app.route('/', pinPages({ db: deps.pg.db, trustProxy: deps.config.trustProxy }));
  app.route('/', sweepsPages({ db: deps.pg.db, runs, market: deps.market, config: deps.config, backtestLimits, chrome, trustProxy: deps.config.trustProxy }));
  app.route('/', strategiesPages({ db: deps.pg.db, chrome, trustProxy: deps.config.trustProxy }));
  app.route('/', factorsPages({ db: deps.pg.db, market: deps.market, runs, chrome, trustProxy: deps.config.trustProxy }));
  app.route('/', analysesPages({ db: deps.pg.db, market: deps.market, runs, maxQueuedPerUser: deps.config.backtestMaxQueuedPerUser, chrome, trustProxy: deps.config.trustProxy }));

  app.notFound((c) => {
    const what = isApiPath(c.req.path) ? `no endpoint ${c.req.method} ${c.req.path}` : `no page at ${c.req.path}`;
    return renderError(c, new AppError(404, 'not_found', `${what}; see / for what exists`), errorView, deps.logger);
  });
  app.onError((err, c) => renderError(c, err, errorView, deps.logger));
  return app;
}
