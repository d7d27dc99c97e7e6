import { z } from 'zod';

/** Every setting the server reads from the environment, with its default. */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (what: string) =>
  z.coerce.number({ message: `expected ${what}` }).int({ message: `expected ${what}` }).positive({ message: `expected ${what}` });

export const configSchema = z.object({
  PORT: z.coerce
    .number({ message: 'expected a port number 0-65535' })
    .int({ message: 'expected a port number 0-65535' })
    .min(0, { message: 'expected a port number 0-65535' })
    .max(65535, { message: 'expected a port number 0-65535' })
    .default(3000),
  HOST: z.string().min(1, { message: 'expected a host name or address' }).default('127.0.0.1'),
  DATA_DIR: z.string().min(1, { message: 'expected a directory path' }).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'expected a postgres:// URL, or leave it unset for the embedded database' })
    .optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent'], { message: 'expected one of debug, info, warn, error, silent' }).default('info'),
  TUSHARE_TOKEN: z.string().optional(),
  TUSHARE_URL: z.string().url({ message: 'expected an http(s) URL' }).default('http://api.tushare.pro'),
  TUSHARE_CALLS_PER_MINUTE: positiveInt('a positive whole number of calls per minute').default(200),
  ZQUANT_ADMIN_PASSWORD: z.string().optional(),
  ZQUANT_SECRET_KEY: z.string().optional(),
  SEED_DEMO: booleanFlag.default(true),
  DEMO_STOCKS: positiveInt('a positive number of stocks').default(300),
  DEMO_YEARS: positiveInt('a positive number of years').default(5),
  WORKERS: positiveInt('a positive number of worker slots').optional(),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false'], { message: 'expected auto, true or false' }).default('auto'),
  CORS_ORIGINS: z.string().optional(),
  SHUTDOWN_TIMEOUT_MS: positiveInt('a positive number of milliseconds').default(10_000),
  TRUST_PROXY: booleanFlag.default(false),
  SESSION_TTL_HOURS: positiveInt('a positive number of hours').default(168),
  API_RATE_LIMIT_PER_MINUTE: positiveInt('a positive number of requests per minute').default(600),
  LOGIN_FAILURES_PER_USERNAME: positiveInt('a positive number of failed logins per 15 minutes').default(5),
  LOGIN_FAILURES_PER_IP: positiveInt('a positive number of failed logins per 15 minutes').default(20),
  PANEL_CACHE_MB: positiveInt('a positive number of megabytes').default(2048),
  RUN_IO_CONCURRENCY: positiveInt('a positive number of slots').default(4),
  SCHEDULER_SWEEP_MS: positiveInt('a positive number of milliseconds').default(10_000),
  RUN_LEASE_MS: positiveInt('a positive number of milliseconds').default(30_000),
  RUN_HEARTBEAT_MS: positiveInt('a positive number of milliseconds').optional(),
  RUN_POLL_MS: positiveInt('a positive number of milliseconds').default(5_000),
  RUN_MAX_RETRY_DELAY_MS: positiveInt('a positive number of milliseconds').default(600_000),
  RUN_ABORT_GRACE_MS: positiveInt('a positive number of milliseconds').default(5_000),
  BACKTEST_MAX_ORDERS: positiveInt('a positive number of orders').default(200_000),
  BACKTEST_MAX_ORDERS_PER_DAY: positiveInt('a positive number of orders').default(20_000),
  BACKTEST_MAX_RESULT_MB: positiveInt('a positive number of megabytes').default(64),
  BACKTEST_MAX_RUNNING_PER_USER: positiveInt('a positive number of backtests').default(2),
  BACKTEST_MAX_QUEUED_PER_USER: positiveInt('a positive number of backtests').default(20),
  BACKTEST_TIMEOUT_MS: positiveInt('a positive number of milliseconds').default(600_000),
  SWEEP_MAX_SETS: positiveInt('a positive number of parameter sets').default(10_000),
  BODY_LIMIT_KB: positiveInt('a positive number of kilobytes').default(1024),
  UPLOAD_BODY_LIMIT_KB: positiveInt('a positive number of kilobytes').default(8192),
  RETAIN_RUNS_DAYS: positiveInt('a positive number of days').default(90),
  RETAIN_RUNS_MAX: positiveInt('a positive number of runs').default(100_000),
  RETAIN_RUN_LOGS_DAYS: positiveInt('a positive number of days').default(30),
  RETAIN_BACKTESTS_DAYS: positiveInt('a positive number of days').default(365),
  RETAIN_SYNC_LOG_DAYS: positiveInt('a positive number of days').default(180),
  ROLE: z.enum(['all', 'web', 'worker'], { message: 'expected all, web or worker' }).default('all'),
  SNAPSHOT_DIR: z.string().min(1, { message: 'expected a directory path' }).optional(),
  SNAPSHOT_URL: z.string().url({ message: 'expected the http(s) URL of the web process' }).optional(),
  SNAPSHOT_TOKEN: z.string().optional(),
  SNAPSHOT_KEEP: positiveInt('a positive number of versions').default(3),
  SWEEP_THREADS: positiveInt('a positive number of threads').optional(),
  DEFAULT_LOCALE: z.enum(['zh-CN', 'en'], { message: 'expected zh-CN or en' }).default('zh-CN'),
  SWEEP_HELPER_RUNS: z.coerce.number({ message: 'expected a whole number of runs from 0 to 64' }).int({ message: 'expected a whole number of runs from 0 to 64' }).min(0, { message: 'expected a whole number of runs from 0 to 64' }).max(64, { message: 'expected a whole number of runs from 0 to 64' }).default(0),
});

type Raw = z.output<typeof configSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly logLevel: Raw['LOG_LEVEL'];
  readonly tushareToken: string | null;
  readonly tushareUrl: string;
  readonly tushareCallsPerMinute: number;
  readonly adminPassword: string | null;
  /** Base64 of the 32-byte key that seals task secrets; DATA_DIR/secret.key when unset (src/secrets/secret-key.ts). */
  readonly secretKey: string | null;
  readonly seedDemo: boolean;
  readonly demoStocks: number;
  readonly demoYears: number;
  readonly workers: number | null;
  readonly cookieSecure: 'auto' | 'true' | 'false';
  readonly corsOrigins: readonly string[];
  readonly shutdownTimeoutMs: number;
  /** Believe X-Forwarded-For / X-Forwarded-Proto (only behind a reverse proxy you run). */
  readonly trustProxy: boolean;
  readonly sessionTtlHours: number;
  /** Requests per minute per caller (user, else IP) on /api/*. */
  readonly apiRateLimitPerMinute: number;
  /** Failed logins allowed per 15 minutes for one username, and for one client address. */
  readonly loginFailuresPerUsername: number;
  readonly loginFailuresPerIp: number;
  /** Run machinery: io slots, lease length, heartbeat (default lease/3), fallback poll, retry cap, grace after abort. */
  /** Bound of the warm backtest panels kept in memory. */
  readonly panelCacheMb: number;
  readonly runIoConcurrency: number;
  /** How often the scheduler looks at every task besides its timers (catch-up after downtime, lost NOTIFYs). */
  readonly schedulerSweepMs: number;
  readonly runLeaseMs: number;
  readonly runHeartbeatMs: number;
  readonly runPollMs: number;
  readonly runMaxRetryDelayMs: number;
  readonly runAbortGraceMs: number;
  /**
   * Bounds of one backtest, so one strategy cannot exhaust the process or the store: orders per run
   * and per simulated day (counted in the engine), bytes of the serialized result, and wall time.
   */
  readonly backtestMaxOrders: number;
  readonly backtestMaxOrdersPerDay: number;
  readonly backtestMaxResultBytes: number;
  readonly backtestTimeoutMs: number;
  /** Per user: backtests running at once (enforced when runs are claimed) and waiting (enforced at submit, 429). */
  readonly backtestMaxRunningPerUser: number;
  readonly backtestMaxQueuedPerUser: number;
  /** Parameter sets one sweep may run (a grid over it, or a larger budget, is refused with the count named). */
  readonly sweepMaxSets: number;
  /** Largest request body, in bytes: forms and JSON, and the routes that take code or CSV files (strategies, imports). */
  readonly bodyLimitBytes: number;
  readonly uploadBodyLimitBytes: number;
  /** What housekeeping keeps (src/housekeeping/): finished runs by age and count, log lines, unpinned backtests, sync-log rows. */
  readonly retention: Retention;
  /** Past one machine (src/snapshots): what this process does, and where market snapshots are published or fetched. */
  readonly role: 'all' | 'web' | 'worker';
  /** A directory of snapshot versions (a shared volume): the web process publishes into it, workers read it. */
  readonly snapshotDir: string | null;
  /** A worker without a shared volume fetches snapshots from the web process at this URL, with a worker-scoped token. */
  readonly snapshotUrl: string | null;
  readonly snapshotToken: string | null;
  /** Snapshot versions kept besides those queued or running work pins. */
  readonly snapshotKeep: number;
  /** Extra runs a sweep queues so that other worker processes take sets of it too (0: one process runs it all). */
  readonly sweepHelperRuns: number;
  /** Threads one sweep run uses in this process (default: every core). */
  readonly sweepThreads: number | null;
  /** The interface language when neither the user's choice nor Accept-Language names one of ours. */
  readonly defaultLocale: 'zh-CN' | 'en';
}

/** Retention of history; what is running or queued, pinned, or needed by something kept is never pruned. */
export interface Retention {
  readonly runsDays: number;
  readonly runsMax: number;
  readonly runLogsDays: number;
  readonly backtestsDays: number;
  readonly syncLogDays: number;
}

/** Thrown when the environment holds a value the server cannot use; the message is one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the environment once; an empty string counts as unset. */
/** The configuration with every setting at its default (reads no environment): for code built without one. */
export function configDefaults(): Config {
  return loadConfig({});
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    const got = cleaned[name];
    throw new ConfigError(`configuration error: ${name}: ${issue.message}${got === undefined ? '' : `, got ${JSON.stringify(got)}`}`);
  }
  const c = parsed.data;
  return Object.freeze({
    port: c.PORT,
    host: c.HOST,
    dataDir: c.DATA_DIR,
    databaseUrl: c.DATABASE_URL ?? null,
    logLevel: c.LOG_LEVEL,
    tushareToken: c.TUSHARE_TOKEN ?? null,
    tushareUrl: c.TUSHARE_URL,
    tushareCallsPerMinute: c.TUSHARE_CALLS_PER_MINUTE,
    adminPassword: c.ZQUANT_ADMIN_PASSWORD ?? null,
    secretKey: c.ZQUANT_SECRET_KEY ?? null,
    seedDemo: c.SEED_DEMO,
    demoStocks: c.DEMO_STOCKS,
    demoYears: c.DEMO_YEARS,
    workers: c.WORKERS ?? null,
    cookieSecure: c.COOKIE_SECURE,
    corsOrigins: Object.freeze((c.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    trustProxy: c.TRUST_PROXY,
    sessionTtlHours: c.SESSION_TTL_HOURS,
    apiRateLimitPerMinute: c.API_RATE_LIMIT_PER_MINUTE,
    loginFailuresPerUsername: c.LOGIN_FAILURES_PER_USERNAME,
    loginFailuresPerIp: c.LOGIN_FAILURES_PER_IP,
    panelCacheMb: c.PANEL_CACHE_MB,
    runIoConcurrency: c.RUN_IO_CONCURRENCY,
    schedulerSweepMs: c.SCHEDULER_SWEEP_MS,
    runLeaseMs: c.RUN_LEASE_MS,
    runHeartbeatMs: c.RUN_HEARTBEAT_MS ?? Math.max(50, Math.floor(c.RUN_LEASE_MS / 3)),
    runPollMs: c.RUN_POLL_MS,
    runMaxRetryDelayMs: c.RUN_MAX_RETRY_DELAY_MS,
    runAbortGraceMs: c.RUN_ABORT_GRACE_MS,
    backtestMaxOrders: c.BACKTEST_MAX_ORDERS,
    backtestMaxOrdersPerDay: c.BACKTEST_MAX_ORDERS_PER_DAY,
    backtestMaxResultBytes: c.BACKTEST_MAX_RESULT_MB * 2 ** 20,
    backtestTimeoutMs: c.BACKTEST_TIMEOUT_MS,
    backtestMaxRunningPerUser: c.BACKTEST_MAX_RUNNING_PER_USER,
    backtestMaxQueuedPerUser: c.BACKTEST_MAX_QUEUED_PER_USER,
    sweepMaxSets: c.SWEEP_MAX_SETS,
    bodyLimitBytes: c.BODY_LIMIT_KB * 1024,
    uploadBodyLimitBytes: c.UPLOAD_BODY_LIMIT_KB * 1024,
    retention: Object.freeze({
      runsDays: c.RETAIN_RUNS_DAYS,
      runsMax: c.RETAIN_RUNS_MAX,
      runLogsDays: c.RETAIN_RUN_LOGS_DAYS,
      backtestsDays: c.RETAIN_BACKTESTS_DAYS,
      syncLogDays: c.RETAIN_SYNC_LOG_DAYS,
    }),
    role: c.ROLE,
    snapshotDir: c.SNAPSHOT_DIR ?? null,
    snapshotUrl: c.SNAPSHOT_URL ?? null,
    snapshotToken: c.SNAPSHOT_TOKEN ?? null,
    snapshotKeep: c.SNAPSHOT_KEEP,
    sweepHelperRuns: c.SWEEP_HELPER_RUNS,
    sweepThreads: c.SWEEP_THREADS ?? null,
    defaultLocale: c.DEFAULT_LOCALE,
  });
}
