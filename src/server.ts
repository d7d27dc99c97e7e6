import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.tsx';
import type { Config } from './config.ts';
import { openPostgres, pgliteDirFor, type PgStore } from './db/database.ts';
import { migratePostgres } from './db/migrate.ts';
import { makeAssets, type Assets } from './http/assets.ts';
import { makeLogger, type Logger } from './logger.ts';
import { marketPathFor, openMarketStore, type MarketStore } from './market/duckdb.ts';
import { publicFiles } from './runtime/public-files.ts';
import { version } from './version.ts';

export interface StartOptions {
  logger?: Logger;
  /** The public/ folder's files; read from the source tree when not given (the binary embeds them). */
  assets?: Assets;
}

export interface RunningServer {
  readonly url: string;
  readonly pg: PgStore;
  readonly market: MarketStore;
  /** Stops accepting, finishes or aborts in-flight work, closes stores. Runs once. */
  stop(): Promise<void>;
}

/** Opens both stores and brings their schemas to the latest version. */
export async function openStores(config: Config, logger: Logger): Promise<{ pg: PgStore; market: MarketStore }> {
  const pg = await openPostgres({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirFor(config.dataDir) });
  try {
    const applied = await migratePostgres(pg.db);
    if (applied.length) logger.info('postgres migrated', { applied });
    const market = await openMarketStore(marketPathFor(config.dataDir));
    return { pg, market };
  } catch (err) {
    await pg.close().catch(() => {});
    throw err;
  }
}

/** public/: from the source tree under node, from the executable when running as the binary. */
export function defaultAssets(): Assets {
  return makeAssets(publicFiles());
}

/** config → stores → migrate → HTTP. Later stages (workers, scheduler) hang in between. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? makeLogger({ level: config.logLevel });
  const startedAt = new Date();
  const assets = options.assets ?? defaultAssets();
  const { pg, market } = await openStores(config, logger);

  const app = createApp({ config, logger, pg, market, assets, version, startedAt });
  let server: ServerType;
  try {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (err) {
    await market.close();
    await pg.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info('listening', {
    url,
    version,
    postgres: pg.kind,
    dataDir: config.dataDir,
    startupMs: Date.now() - startedAt.getTime(),
  });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const timer = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      await market.close();
      await pg.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { url, pg, market, stop };
}

/** What `zquant serve` does: start, then stop cleanly on SIGINT/SIGTERM and exit 0. */
export async function runServer(config: Config): Promise<void> {
  const logger = makeLogger({ level: config.logLevel });
  const running = await startServer(config, { logger });
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info('signal received', { signal });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      running.stop().then(resolve, (err) => {
        logger.error('shutdown failed', { err });
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
