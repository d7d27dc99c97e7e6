import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config.ts';
import { backtestCommandOptions, backtestCommandUsage } from '../engine/backtest.command.ts';
import type { CommandIo, CommandStores } from './command-io.ts';

const sweepCore = "--strategy NAME|FILE.js|FILE.ts | --strategy-id N --space JSON [--mode grid|random|lhs] [--budget N] [--seed N] [--objective sharpe|total_return|…] [--params JSON] [--codes a,b | --universe all] --start YYYY-MM-DD --end YYYY-MM-DD [backtest options] [--threads N]";
const sweepUsage = `zquant sweep ${sweepCore}`;
/** `zquant sweep` / `walk-forward` options beyond the backtest's (src/sweeps/sweep.cli.ts). */
const sweepOptions = {
  space: { type: 'string' },
  mode: { type: 'string' },
  budget: { type: 'string' },
  seed: { type: 'string' },
  objective: { type: 'string' },
  threads: { type: 'string' },
  'in-sample': { type: 'string' },
  'out-of-sample': { type: 'string' },
  step: { type: 'string' },
  anchored: { type: 'boolean' },
} as const;
const walkForwardUsage = `zquant walk-forward ${sweepCore} --in-sample DAYS --out-of-sample DAYS [--step DAYS] [--anchored]`;

/**
 * The subcommands that use the stores (`migrate`, `user`, `token`, `sync`, `import`, `backtest`).
 * Each runs with stores handed to it and writes through `io`, so the same code runs in a
 * standalone `zquant` process (stores opened here, under the data directory's lock) and inside a
 * running server for a `zquant` that reached it over the admin socket (the server's open stores,
 * output streamed back). See admin.dispatch.ts for which one happens.
 */
export interface StoreCommandContext {
  config: Config;
  values: Record<string, unknown>;
  positionals: string[];
  stores: CommandStores;
  io: CommandIo;
}

export interface StoreCommand {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  /** Which stores it uses: `pg` alone never needs the data directory when DATABASE_URL is set. */
  needs: 'pg' | 'market' | 'both';
  /** Whether the caller's stdin is part of the request (sent over the socket when forwarded). */
  readsStdin?(values: Record<string, unknown>): boolean;
  exec(ctx: StoreCommandContext): Promise<number>;
}

export const storeCommands = {
  migrate: {
    summary: 'bring both stores (Postgres and DuckDB) to the latest schema, then exit (with a server running: its status)',
    usage: 'zquant migrate [--dry-run] [--data-dir DIR] [--database-url URL]',
    options: { 'dry-run': { type: 'boolean' } },
    needs: 'both',
    async exec({ stores, io, values }) {
      if (values['dry-run']) {
        // What migrating would do, changing nothing: per store, the pending versions in order.
        const status = await stores.migrationStatus();
        for (const [name, s] of Object.entries(status)) {
          if (s.newer.length) io.stdout(`${name}: newer than this zquant: ${s.newer.join(', ')} (run a newer zquant)\n`);
          io.stdout(s.pending.length ? `${name}: ${s.pending.length} pending: ${s.pending.join(', ')}\n` : `${name}: up to date (${s.applied.length} applied)\n`);
        }
        return Object.values(status).some((s) => s.newer.length) ? 1 : 0;
      }
      // Opening a store migrates it; a running server did so when it started.
      const pg = await stores.pg();
      const market = await stores.market();
      io.stdout(`migrated: postgres (${pg.kind}) and duckdb (${market.path})\n`);
      return 0;
    },
  },
  prune: {
    summary: 'prune run history, run logs, unpinned backtests and sync-log rows past their retention (RETAIN_*), then reclaim space; --dry-run only counts',
    usage: 'zquant prune [--dry-run] [--data-dir DIR] [--database-url URL]',
    options: { 'dry-run': { type: 'boolean' } },
    needs: 'both',
    async exec({ config, stores, io, values }) {
      const { runPruneCommand } = await import('../housekeeping/housekeeping.cli.ts');
      return runPruneCommand(config, stores, io, values);
    },
  },
  backup: {
    summary: 'write one archive (tar, mode 0600) of both stores and a manifest; with a server running, it takes it (backtests and syncs go on)',
    usage: 'zquant backup --to FILE [--data-dir DIR] [--database-url URL]',
    options: { to: { type: 'string' } },
    needs: 'both',
    async exec({ config, stores, io, values }) {
      const { runBackupCommand } = await import('../backup/backup.cli.ts');
      return runBackupCommand(config, stores, io, values);
    },
  },
  user: {
    summary: 'create a user or reset a password (a generated one is printed when none is given)',
    usage: 'zquant user create --username NAME --role viewer|analyst|admin [--password-stdin]\n       zquant user reset-password --username NAME [--password-stdin] [--keep-tokens]',
    options: { username: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' }, 'keep-tokens': { type: 'boolean' } },
    allowPositionals: true,
    needs: 'pg',
    readsStdin: (values) => values['password-stdin'] === true,
    async exec({ stores, io, values, positionals }) {
      const { userCommand } = await import('../auth/accounts.cli.ts');
      return userCommand(stores, io, values, positionals);
    },
  },
  token: {
    summary: 'create an API token for a user and print it (for scripted set-ups)',
    usage: 'zquant token create --username NAME [--expires-days N] [--name LABEL] [--scope metrics]',
    options: { username: { type: 'string' }, 'expires-days': { type: 'string' }, name: { type: 'string' }, scope: { type: 'string' } },
    allowPositionals: true,
    needs: 'pg',
    async exec({ stores, io, values, positionals }) {
      const { tokenCommand } = await import('../auth/accounts.cli.ts');
      return tokenCommand(stores, io, values, positionals);
    },
  },
  sync: {
    summary: 'sync a market dataset from Tushare or the demo generator (progress on stderr)',
    usage: 'zquant sync <dataset> [--codes 600000.SH,…] [--start YYYYMMDD] [--end YYYYMMDD] [--source tushare|demo] [--restart]',
    options: { codes: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, source: { type: 'string' }, restart: { type: 'boolean' } },
    allowPositionals: true,
    needs: 'both',
    async exec({ config, stores, io, values, positionals }) {
      const { runSyncCommand } = await import('../market/market.cli.ts');
      return runSyncCommand(config, stores, io, values, positionals);
    },
  },
  import: {
    summary: 'import CSV files (Tushare field names as columns) into a market dataset',
    usage: 'zquant import --dataset daily_bars FILE…',
    options: { dataset: { type: 'string' } },
    allowPositionals: true,
    needs: 'both',
    async exec({ stores, io, values, positionals }) {
      const { runImportCommand } = await import('../market/market.cli.ts');
      return runImportCommand(stores, io, values, positionals);
    },
  },
  backtest: {
    summary: 'run one backtest against the local market data and print its metrics (or --json)',
    usage: backtestCommandUsage,
    options: backtestCommandOptions,
    needs: 'market',
    async exec({ stores, io, values }) {
      const { runBacktestCli } = await import('../backtests/backtest.cli.ts');
      return runBacktestCli(stores, io, values);
    },
  },
  sweep: {
    summary: 'sweep a strategy (built-in, saved or a file) over a parameter space on the local market data; progress on stderr, every set and DSR/PBO as JSON',
    usage: sweepUsage,
    options: { ...backtestCommandOptions, ...sweepOptions },
    needs: 'market',
    async exec({ stores, io, values }) {
      const { runSweepCli } = await import('../sweeps/sweep.cli.ts');
      return runSweepCli(stores, io, values, false, sweepUsage);
    },
  },
  'walk-forward': {
    summary: 'walk-forward a strategy (built-in, saved or a file): optimise each in-sample window, run the winner out of sample, chain the segments; JSON',
    usage: walkForwardUsage,
    options: { ...backtestCommandOptions, ...sweepOptions },
    needs: 'market',
    async exec({ stores, io, values }) {
      const { runSweepCli } = await import('../sweeps/sweep.cli.ts');
      return runSweepCli(stores, io, values, true, walkForwardUsage);
    },
  },
  factor: {
    summary: 'compute a factor (built-in or user) into the market store, or analyse its stored values (IC, Rank IC, quantiles); progress on stderr, JSON',
    usage: 'zquant factor compute ID [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--codes 600000.SH,…]\n       zquant factor analyse ID --start YYYY-MM-DD --end YYYY-MM-DD [--horizons 1,5,20] [--quantiles 5] [--codes …] [--boards …] [--industry-neutral] [--size-neutral] [--exclude-st] [--exclude-new-listings] [--new-listing-days 60]',
    options: {
      start: { type: 'string' }, end: { type: 'string' }, codes: { type: 'string' },
      // factor analyse (src/factors/analysis/analysis.cli.ts)
      horizons: { type: 'string' }, quantiles: { type: 'string' }, boards: { type: 'string' }, 'industry-neutral': { type: 'boolean' }, 'size-neutral': { type: 'boolean' },
      'exclude-st': { type: 'boolean' }, 'exclude-new-listings': { type: 'boolean' }, 'new-listing-days': { type: 'string' },
    },
    allowPositionals: true,
    needs: 'both',
    async exec({ stores, io, values, positionals }) {
      if (positionals[0] === 'analyse' && positionals.length <= 2) {
        const { analyseCommand } = await import('../factors/analysis/analysis.cli.ts');
        return analyseCommand(stores, io, values, positionals[1]);
      }
      const { factorCommand } = await import('../factors/factor.cli.ts');
      return factorCommand(stores, io, values, positionals);
    },
  },
} satisfies Record<string, StoreCommand>;

export type StoreCommandName = keyof typeof storeCommands;

export function isStoreCommand(name: string): name is StoreCommandName {
  return Object.hasOwn(storeCommands, name);
}

/** Options every command accepts (cli.ts); a holder running a forwarded command ignores them. */
export const commonOptions = {
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Runs a store command from its arguments as typed, the way the holder of the data directory
 * runs one that reached it over the admin socket: parsed with the same options, then the same
 * `exec`. Errors the caller can fix are one line on its stderr, as on the command line.
 */
export async function runStoreCommand(name: string, args: string[], ctx: { config: Config; stores: CommandStores; io: CommandIo }): Promise<number> {
  if (!isStoreCommand(name)) {
    ctx.io.stderr(`zquant: unknown command "${name}"; run zquant --help for the list\n`);
    return 2;
  }
  const command: StoreCommand = storeCommands[name];
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { ...commonOptions, ...command.options }, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (err) {
    ctx.io.stderr(`zquant ${name}: ${(err as Error).message}\nusage: ${command.usage}\n`);
    return 2;
  }
  try {
    return await command.exec({ ...ctx, values: parsed.values, positionals: parsed.positionals });
  } catch (err) {
    ctx.io.stderr(`zquant ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}
