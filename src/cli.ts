import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { makeLogger } from './logger.ts';
import { version } from './version.ts';

/**
 * The `zquant` command line. Each subcommand declares its own options; `--data-dir` and
 * `--database-url` are accepted by all and override the environment.
 */
export interface Subcommand {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  run(ctx: { config: Config; values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}

const commonOptions = {
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The subcommands. Features add their entry here with a lazy import of their module, so that
 * `zquant --help` loads nothing heavy and importing this file does nothing.
 */
const subcommands: Record<string, Subcommand> = {
  serve: {
    summary: 'start the HTTP server, workers and scheduler',
    usage: 'zquant serve [--port N] [--host H] [--data-dir DIR] [--database-url URL]',
    options: { port: { type: 'string' }, host: { type: 'string' } },
    async run({ config }) {
      const { runServer } = await import('./server.ts');
      await runServer(config);
      return 0;
    },
  },
  migrate: {
    summary: 'bring both stores (Postgres and DuckDB) to the latest schema, then exit',
    usage: 'zquant migrate [--data-dir DIR] [--database-url URL]',
    options: {},
    async run({ config }) {
      const { openStores } = await import('./server.ts');
      const logger = makeLogger({ level: config.logLevel });
      const { pg, market } = await openStores(config, logger);
      await market.close();
      await pg.close();
      process.stdout.write(`migrated: postgres (${pg.kind}) and duckdb (${market.path})\n`);
      return 0;
    },
  },
  user: {
    summary: 'create a user or reset a password (a generated one is printed when none is given)',
    usage: 'zquant user create --username NAME --role viewer|analyst|admin [--password-stdin]\n       zquant user reset-password --username NAME [--password-stdin]',
    options: { username: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    allowPositionals: true,
    async run({ config, values, positionals }) {
      const { userCommand } = await import('./auth/accounts.cli.ts');
      return userCommand(config, values, positionals);
    },
  },
  token: {
    summary: 'create an API token for a user and print it (for scripted set-ups)',
    usage: 'zquant token create --username NAME [--expires-days N] [--name LABEL]',
    options: { username: { type: 'string' }, 'expires-days': { type: 'string' }, name: { type: 'string' } },
    allowPositionals: true,
    async run({ config, values, positionals }) {
      const { tokenCommand } = await import('./auth/accounts.cli.ts');
      return tokenCommand(config, values, positionals);
    },
  },
  sync: {
    summary: 'sync a market dataset from Tushare or the demo generator (progress on stderr)',
    usage: 'zquant sync <dataset> [--codes 600000.SH,…] [--start YYYYMMDD] [--end YYYYMMDD] [--source tushare|demo] [--restart]',
    options: { codes: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, source: { type: 'string' }, restart: { type: 'boolean' } },
    allowPositionals: true,
    async run({ config, values, positionals }) {
      const { runSyncCommand } = await import('./market/market.cli.ts');
      return runSyncCommand(config, values, positionals);
    },
  },
  import: {
    summary: 'import CSV files (Tushare field names as columns) into a market dataset',
    usage: 'zquant import --dataset daily_bars FILE…',
    options: { dataset: { type: 'string' } },
    allowPositionals: true,
    async run({ config, values, positionals }) {
      const { runImportCommand } = await import('./market/market.cli.ts');
      return runImportCommand(config, values, positionals);
    },
  },
  metrics: {
    summary: 'performance metrics of a date,nav or date,return CSV, as JSON',
    usage: 'zquant metrics FILE.csv [--periods-per-year N] [--risk-free R] [--benchmark-column COL]',
    options: { 'periods-per-year': { type: 'string' }, 'risk-free': { type: 'string' }, 'benchmark-column': { type: 'string' } },
    allowPositionals: true,
    async run({ values, positionals }) {
      const { runMetricsCommand } = await import('./backtest/metrics/metrics.command.ts');
      return runMetricsCommand(positionals, values);
    },
  },
  selfcheck: {
    summary: 'start a worker thread from this build and report where it ran (checks the single executable)',
    usage: 'zquant selfcheck',
    options: {},
    async run() {
      const { startWorker } = await import('./runtime/workers.ts');
      const worker = startWorker('probe', { workerData: 'selfcheck' });
      const message = await new Promise<unknown>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      process.stdout.write(`${JSON.stringify({ worker: message })}\n`);
      return 0;
    },
  },
  backtest: {
    summary: 'run one backtest against the local market data and print its metrics (or --json)',
    usage: 'zquant backtest --strategy <name|file.js> [--params JSON] --codes a,b|--universe all --start YYYY-MM-DD --end YYYY-MM-DD [--capital N] [--benchmark 000300.SH] [--fill-at next_open|same_close] [--json]',
    options: {
      strategy: { type: 'string' }, params: { type: 'string' }, codes: { type: 'string' }, universe: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' },
      capital: { type: 'string' }, benchmark: { type: 'string' }, 'fill-at': { type: 'string' }, json: { type: 'boolean' },
    },
    async run({ config, values }) {
      const { runBacktestCli } = await import('./backtests/backtest.cli.ts');
      return runBacktestCli(config, values);
    },
  },
  healthcheck: {
    summary: 'exit 0 when the server at HOST:PORT answers /healthz with 200 (the container health check)',
    usage: 'zquant healthcheck [--port N] [--host H] [--url URL]',
    options: { port: { type: 'string' }, host: { type: 'string' }, url: { type: 'string' } },
    async run({ config, values }) {
      const { healthcheck } = await import('./runtime/healthcheck.ts');
      const r = await healthcheck(config, typeof values.url === 'string' ? values.url : undefined);
      (r.ok ? process.stdout : process.stderr).write(`${r.ok ? 'healthy' : 'unhealthy'}: ${r.detail}\n`);
      return r.ok ? 0 : 1;
    },
  },
};

function mainHelp(): string {
  const lines = [
    `zquant ${version} — quant research server for the China A-share market`,
    '',
    'usage: zquant <command> [options]',
    '',
    'commands:',
    ...Object.entries(subcommands).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`),
    '',
    'options for every command:',
    '  --data-dir DIR        where embedded data lives (env DATA_DIR, default ./data)',
    '  --database-url URL    a postgres:// server instead of the embedded database (env DATABASE_URL)',
    '  -h, --help            show help for the command',
    '  --version             print the version',
  ];
  return lines.join('\n') + '\n';
}

/** Runs the command line; returns the exit code. Errors the user can fix are one line on stderr. */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(mainHelp());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    // The runtime too: the single executable embeds the Node.js that built it.
    process.stdout.write(`${version} (node ${process.version})\n`);
    return 0;
  }
  const command = subcommands[name];
  if (!command) {
    process.stderr.write(`zquant: unknown command "${name}"; run zquant --help for the list\n`);
    return 2;
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...commonOptions, ...command.options },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    values = parsed.values as Record<string, unknown>;
    positionals = parsed.positionals;
  } catch (err) {
    process.stderr.write(`zquant ${name}: ${(err as Error).message}\nusage: ${command.usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${command.summary}\n\nusage: ${command.usage}\n`);
    return 0;
  }
  const overrides: Record<string, string | undefined> = { ...env };
  if (typeof values['data-dir'] === 'string') overrides.DATA_DIR = values['data-dir'];
  if (typeof values['database-url'] === 'string') overrides.DATABASE_URL = values['database-url'];
  if (typeof values.port === 'string') overrides.PORT = values.port;
  if (typeof values.host === 'string') overrides.HOST = values.host;
  let config: Config;
  try {
    config = loadConfig(overrides);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`zquant: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  try {
    return await command.run({ config, values, positionals });
  } catch (err) {
    process.stderr.write(`zquant ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}
