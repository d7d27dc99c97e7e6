import { parseArgs, type ParseArgsConfig } from 'node:util';
import { commonOptions, storeCommands } from './admin/commands.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
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
  /** `args`: the command's arguments as typed (forwarded as they are to a server that holds the data directory). */
  run(ctx: { config: Config; args: string[]; values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}

/**
 * The commands that use the stores (src/admin/commands.ts): run here under the data directory's
 * lock, or by the server that holds it, over its admin socket.
 */
const storeSubcommands: Record<string, Subcommand> = Object.fromEntries(
  Object.entries(storeCommands).map(([name, command]) => [
    name,
    {
      summary: command.summary,
      usage: command.usage,
      options: command.options,
      allowPositionals: 'allowPositionals' in command ? command.allowPositionals : false,
      async run(ctx) {
        const { dispatchStoreCommand } = await import('./admin/admin.dispatch.ts');
        return dispatchStoreCommand(name, command, ctx);
      },
    } satisfies Subcommand,
  ]),
);

/**
 * The subcommands. Features add their entry here with a lazy import of their module, so that
 * `zquant --help` loads nothing heavy and importing this file does nothing.
 */
const subcommands: Record<string, Subcommand> = {
  serve: {
    summary: 'start the HTTP server, workers and scheduler (or, with --role, only the web or a worker process)',
    usage: 'zquant serve [--port N] [--host H] [--data-dir DIR] [--database-url URL] [--role all|web|worker]',
    options: { port: { type: 'string' }, host: { type: 'string' }, role: { type: 'string' } },
    async run({ config }) {
      const { runServer } = await import('./server.ts');
      // A worker serves no HTTP: its own start-up (src/worker.ts); web and all start the server.
      await runServer(config, config.role === 'worker' ? (await import('./worker.ts')).startWorker : undefined);
      return 0;
    },
  },
  ...storeSubcommands,
  restore: {
    summary: 'restore a backup archive into an empty data directory (and an empty DATABASE_URL when set)',
    usage: 'zquant restore FILE [--data-dir DIR] [--database-url URL]',
    options: {},
    allowPositionals: true,
    async run({ config, positionals }) {
      const { runRestoreCommand } = await import('./backup/backup.cli.ts');
      return runRestoreCommand(config, positionals);
    },
  },
  metrics: {
    summary: 'performance metrics of a date,nav or date,return CSV, as JSON',
    usage: 'zquant metrics FILE.csv [--periods-per-year N] [--risk-free R] [--benchmark-column COL]',
    options: { 'periods-per-year': { type: 'string' }, 'risk-free': { type: 'string' }, 'benchmark-column': { type: 'string' } },
    allowPositionals: true,
    async run({ values, positionals }) {
      const { runMetricsCommand } = await import('./engine/metrics/metrics.command.ts');
      return runMetricsCommand(positionals, values);
    },
  },
  selfcheck: {
    summary: 'start a worker thread from this build and report where it ran (checks the single executable)',
    usage: 'zquant selfcheck',
    options: {},
    async run() {
      const { startWorker } = await import('./binary/workers.ts');
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
  healthcheck: {
    summary: 'exit 0 when the server at HOST:PORT answers /healthz with 200 (the container health check)',
    usage: 'zquant healthcheck [--port N] [--host H] [--url URL]',
    options: { port: { type: 'string' }, host: { type: 'string' }, url: { type: 'string' } },
    async run({ config, values }) {
      const { healthcheck } = await import('./binary/healthcheck.ts');
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
  // serve's --role is the process role; `user create --role analyst` is a user's role, not ROLE.
  if (name === 'serve' && typeof values.role === 'string') overrides.ROLE = values.role;
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
    return await command.run({ config, args: rest, values, positionals });
  } catch (err) {
    process.stderr.write(`zquant ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}
