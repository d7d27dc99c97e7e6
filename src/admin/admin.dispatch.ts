import type { Config } from '../config.ts';
import type { PgStore } from '../db/database.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { version } from '../version.ts';
import { runRemote } from './admin.client.ts';
import { startAdminServer } from './admin.server.ts';
import type { CommandIo, CommandStores } from './command-io.ts';
import type { StoreCommand } from './commands.ts';
import { lockDataDir } from './data-dir-lock.ts';

/**
 * A store command typed on the command line. When it needs the data directory (DuckDB always,
 * Postgres unless DATABASE_URL is set) it takes the directory's lock first; when a server holds
 * it, the command goes over the admin socket to that server and nothing here opens a store.
 * Otherwise it opens only the stores it asks for, here, and closes them.
 */
export async function dispatchStoreCommand(name: string, command: StoreCommand, ctx: { config: Config; args: string[]; values: Record<string, unknown>; positionals: string[] }): Promise<number> {
  const { config } = ctx;
  const needsDataDir = command.needs !== 'pg' || !config.databaseUrl;
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    // The first signal asks the command to stop (a sync records how far it got); a second one leaves at once.
    if (interrupt.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    interrupt.abort(new Error(`interrupted (${signal})`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (!needsDataDir) return await runHere(command, ctx, interrupt.signal);
    const attempt = await lockDataDir(config.dataDir);
    if (!attempt.acquired) {
      if (!attempt.holder) {
        process.stderr.write(`zquant ${name}: DATA_DIR ${config.dataDir} is locked by a process that does not answer on ${attempt.socketPath}; try again in a moment\n`);
        return 1;
      }
      const stdin = command.readsStdin?.(ctx.values) ? await readProcessStdin() : null;
      return await runRemote(
        attempt.socketPath,
        { command: name, args: ctx.args, stdin, cwd: process.cwd(), tty: Boolean(process.stderr.isTTY) },
        { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
        interrupt.signal,
      );
    }
    // Held for the command's whole run: a server started meanwhile says who has the directory.
    const lock = attempt.lock;
    const admin = startAdminServer(lock, { pid: process.pid, role: [name, ...ctx.positionals.slice(0, 1)].join(' '), version }, { dataDir: config.dataDir });
    try {
      return await runHere(command, ctx, interrupt.signal);
    } finally {
      await admin.stop();
      await lock.release();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function runHere(command: StoreCommand, ctx: { config: Config; values: Record<string, unknown>; positionals: string[] }, signal: AbortSignal): Promise<number> {
  const stores = openLocalStores(ctx.config);
  const io: CommandIo = {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readStdin: readProcessStdin,
    cwd: process.cwd(),
    tty: Boolean(process.stderr.isTTY),
    signal,
  };
  try {
    return await command.exec({ config: ctx.config, values: ctx.values, positionals: ctx.positionals, stores, io });
  } finally {
    await stores.close();
  }
}

/** Opens each store on first use (Postgres migrated, DuckDB migrated as it opens); close() closes what was opened. */
export function openLocalStores(config: Config): CommandStores & { close(): Promise<void> } {
  let pg: Promise<PgStore> | null = null;
  let market: Promise<MarketStore> | null = null;
  return {
    pg() {
      pg ??= (async () => {
        const { openPostgres, pgliteDirFor } = await import('../db/database.ts');
        const { migratePostgres } = await import('../db/migrate.ts');
        const store = await openPostgres({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirFor(config.dataDir) });
        try {
          await migratePostgres(store.db);
        } catch (err) {
          await store.close().catch(() => {});
          throw err;
        }
        return store;
      })();
      return pg;
    },
    market() {
      market ??= (async () => {
        const { marketPathFor, openMarketStore } = await import('../market/duckdb.ts');
        return openMarketStore(marketPathFor(config.dataDir));
      })();
      return market;
    },
    async migrationStatus() {
      // Opened here without migrating (pg() and market() migrate as they open), and closed again.
      const { openPostgres, pgliteDirFor } = await import('../db/database.ts');
      const { postgresMigrationStatus } = await import('../db/migrate.ts');
      const { marketPathFor, readMarketMigrationStatus } = await import('../market/duckdb.ts');
      const store = await openPostgres({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirFor(config.dataDir) });
      try {
        return { postgres: await postgresMigrationStatus(store.db), duckdb: await readMarketMigrationStatus(marketPathFor(config.dataDir)) };
      } finally {
        await store.close();
      }
    },
    async close() {
      const opened = await Promise.allSettled([market, pg].filter((p) => p !== null));
      for (const r of opened) if (r.status === 'fulfilled') await r.value.close();
    },
  };
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
