/**
 * The `backtest` executor (CPU kind): loads the backtest's config, gets the panel (from the warm
 * cache or DuckDB), runs the engine on a worker thread (built-in or sandboxed user code) with
 * progress as days done and the current date, and stores the results. Cancel aborts the thread;
 * a strategy error ends the run failed with its line, column and date (never retried).
 */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import { configDefaults, type Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { MarketStore } from '../market/duckdb.ts';
import { defineExecutor, RunError, type RunContext, type RunSubject } from '../runs/executor-registry.ts';
import type { Backtest } from './backtest.types.ts';
import { runInThread } from '../runs/thread-host.ts';
import { strategyCodeOf } from '../strategies/strategies.service.ts';
import { runOwnerOf } from '../scheduler/tasks.service.ts';
import type { BacktestThreadInput, BacktestThreadOutcome } from './backtest.thread.ts';
import { AppError } from '../http/errors.ts';
import { parseInput } from '../http/contract.ts';
import { dayPattern, type BacktestSpec } from './backtest-request.ts';
import { SubmitBacktestSchema } from './backtests.contract.ts';
import { backtestExecutorName, backtestOfRun, createRunBacktest, getBacktest, recordBacktestDataVersion, specFromSubmit, storeResult } from './backtests.service.ts';
import type { DataVersions } from '../snapshots/data-versions.ts';
import { makeLiveData } from '../snapshots/live-data.ts';
import type { PanelCache, PanelKey } from './panel-cache.ts';
import { planBacktest, type StrategyCode } from './plan.ts';
import { addDays, isoDay, ymdOf } from '../market/days.ts';
import { barRange } from '../market/market.service.ts';
import { withFactorFields } from '../factors/factors.service.ts';
import type { Principal } from '../auth/access.ts';

/** The panel a spec loads (planBacktest's key; kept for the tests and benches that read the cache). */
export const panelKeyOf = (spec: BacktestSpec): PanelKey => planBacktest(spec, { source: '', language: 'js' }).panelKey;

/** What bounds one backtest run (BACKTEST_MAX_ORDERS, BACKTEST_MAX_ORDERS_PER_DAY, BACKTEST_MAX_RESULT_MB, BACKTEST_TIMEOUT_MS). */
export interface BacktestRunLimits {
  maxOrders: number;
  maxOrdersPerDay: number;
  maxResultBytes: number;
  /** Wall time of the whole run; the sandbox gets the same bound for user code. */
  timeoutMs: number;
}

/** The run limits of the configuration (its defaults when none is given). */
export function backtestRunLimitsOf(config: Config = configDefaults()): BacktestRunLimits {
  return { maxOrders: config.backtestMaxOrders, maxOrdersPerDay: config.backtestMaxOrdersPerDay, maxResultBytes: config.backtestMaxResultBytes, timeoutMs: config.backtestTimeoutMs };
}

/** What the backtest executors are built with, by server.ts. */
export interface BacktestExecutorDeps {
  /** Backtests, strategies and tasks are read and results stored through their services on this database. */
  db: Kysely<Database>;
  /** The market data a scheduled backtest's range and universe are checked against. */
  market: MarketStore;
  /** The process's warm-panel cache (bounded by PANEL_CACHE_MB), shared by every backtest run. */
  panels: PanelCache;
  /** Bounds of each run; the configuration's defaults when absent. */
  limits?: BacktestRunLimits;
  /**
   * The market data by version (src/snapshots): a worker's replicas, or the live store with its
   * content version; absent, the live `market` and `panels` (what tests built without one get).
   */
  data?: DataVersions;
}

/** The deps' data versions, or the live store's (made once per deps object). */
const liveFallback = new WeakMap<BacktestExecutorDeps, DataVersions>();
export function dataOf(o: Pick<BacktestExecutorDeps, 'data' | 'market' | 'panels'>): DataVersions {
  if (o.data) return o.data;
  let live = liveFallback.get(o as BacktestExecutorDeps);
  if (!live) liveFallback.set(o as BacktestExecutorDeps, (live = makeLiveData(o.market, o.panels)));
  return live;
}

/** The message of a run stopped by a bound names the bound and the setting that raises it. */
function limitHint(e: BacktestThreadOutcome & { ok: false }): string {
  const err = e.error;
  switch (err.code) {
    case 'order_limit':
      return err.scope === 'run'
        ? `; a backtest may place ${err.limit} orders (BACKTEST_MAX_ORDERS): place fewer, e.g. rebalance less often or skip orders already met`
        : `; one day may see ${err.limit} orders (BACKTEST_MAX_ORDERS_PER_DAY): place fewer per day`;
    case 'result_too_large':
      return ` (BACKTEST_MAX_RESULT_MB); nothing was stored: shorten the period, narrow the universe or place fewer orders`;
    default:
      return '';
  }
}

async function runOne(backtestId: number, o: BacktestExecutorDeps, ctx: RunContext): Promise<unknown> {
  const bt = await getBacktest(o.db, backtestId);
  if (!bt) throw new RunError('not_found', `backtest ${backtestId} no longer exists (deleted)`, { retryable: false });
  // The data version it reads: the one a rerun pinned, else the latest; recorded before it runs.
  const data = await dataOf(o).acquire(bt.dataVersion, (m) => ctx.log('warn', m));
  try {
    if (bt.dataVersion !== data.version) await recordBacktestDataVersion(o.db, backtestId, data.version);
    ctx.log('info', `market data version ${data.version}${bt.dataVersion === data.version ? ' (pinned)' : ''}`);
    return await simulate(bt, { ...o, market: data.market, panels: data.panels }, ctx);
  } finally {
    data.release();
  }
}

async function simulate(bt: Backtest, o: BacktestExecutorDeps, ctx: RunContext): Promise<unknown> {
  const backtestId = bt.id;
  const limits = o.limits ?? backtestRunLimitsOf();
  const db = o.db;
  const spec = bt.spec;
  let code: StrategyCode | undefined;
  if (spec.strategy.kind === 'user') {
    const v = spec.strategy.versionId ? await strategyCodeOf(db, spec.strategy.versionId) : undefined;
    if (!v) throw new RunError('strategy_missing', `the code version this backtest recorded is gone`, { retryable: false });
    code = { source: v.source, language: v.language, timeoutMs: limits.timeoutMs };
  }
  const plan = planBacktest(spec, code);
  const strategy = plan.strategy;

  const cache = o.panels;
  const t0 = Date.now();
  const key = plan.panelKey;
  const before = cache.stats().hits;
  const { panel } = await cache.get(key);
  const warm = cache.stats().hits > before;
  ctx.log('info', `panel: ${panel.codes.length} stocks × ${panel.dates.length} days (${warm ? 'warm, from memory' : 'loaded from DuckDB'} in ${Date.now() - t0} ms)`);
  if (panel.codes.length === 0 || panel.dates.length === 0 || panel.dates[panel.dates.length - 1] < spec.startDate) {
    throw new RunError('no_data', `no market data for this universe between ${spec.startDate} and ${spec.endDate}; sync data first or widen the range`, { retryable: false });
  }
  ctx.signal.throwIfAborted();
  // First progress as soon as the panel is in memory: 0 of N days (the thread's start-up follows).
  let days = 0;
  for (let d = 0; d < panel.dates.length; d++) if (panel.dates[d] >= spec.startDate && panel.dates[d] <= spec.endDate) days++;
  ctx.progress({ processed: 0, total: days, current: isoDay(spec.startDate) });
  const benchmark = plan.benchmark ? await cache.benchmark(plan.benchmark, panel) : null;
  if (plan.benchmark && !benchmark) ctx.log('warn', `benchmark ${plan.benchmark}: no index data in this range; metrics without a benchmark`);

  // Stored factors the strategy reads (ctx.factor), aligned to the panel, as the backtest's owner may see them.
  let runPanel = panel;
  if (plan.factors.length) {
    const { owner } = await runOwnerOf(db, ctx.runId);
    if (!owner) throw new RunError('no_owner', 'a backtest reading factors runs as a user: the run has no owner', { retryable: false });
    runPanel = await withFactorFields(db, o.market, { userId: owner.id, username: owner.username, role: owner.role, via: 'token' } as Principal, panel, plan.factors).catch((err: unknown) => {
      if (err instanceof AppError) throw new RunError(err.code === 'not_found' ? 'factor_not_found' : 'factor_missing', err.message, { retryable: false });
      throw err;
    });
    ctx.log('info', `factors: ${plan.factors.join(', ')} loaded beside the panel`);
  }

  const t1 = Date.now();
  const input: BacktestThreadInput = {
    panel: runPanel, benchmark, strategy, capital: spec.capital, maxResultBytes: limits.maxResultBytes,
    config: { ...plan.config, maxOrders: limits.maxOrders, maxOrdersPerDay: limits.maxOrdersPerDay },
  };
  // Defence in depth behind the sealed realm: user code must leave the shared panel as it found it.
  if (strategy.kind === 'user') cache.seal(panel);
  const outcome = await runInThread<BacktestThreadInput, BacktestThreadOutcome>('backtest', input, {
    signal: ctx.signal,
    onProgress: (u) => ctx.progress(u),
    onLog: (level, message) => ctx.log(level, message),
    graceMs: 2000,
  }).finally(() => {
    if (strategy.kind === 'user' && !cache.verify(panel)) {
      ctx.log('error', 'the cached panel changed during a user-code run: evicted; the sandbox let a write through (report this)');
      throw new RunError('panel_altered', 'the market data changed while the strategy ran, which the sandbox must prevent; the data was reloaded for later runs and this run failed', { retryable: false });
    }
  });
  if (!outcome.ok) {
    const e = outcome.error;
    if (e.code === 'aborted') throw ctx.signal.reason ?? new Error('aborted');
    for (const l of outcome.logs.slice(-50)) ctx.log('info', `strategy: ${l}`);
    const where = e.line ? ` at line ${e.line}, column ${e.column}` : '';
    const when = e.date ? ` on ${isoDay(e.date)}` : '';
    const message = `${e.message}${where}${when}${limitHint(outcome)}`;
    ctx.log('error', `${e.code}: ${message}`);
    throw new RunError(e.code, message, { retryable: false, detail: { line: e.line, column: e.column, date: e.date ? isoDay(e.date) : null } });
  }
  ctx.log('info', `simulated ${outcome.days} days in ${Date.now() - t1} ms: ${outcome.orders} orders, ${outcome.fills} fills, result ${(outcome.bytes / 2 ** 20).toFixed(1)} MB`);
  for (const l of outcome.logs.slice(0, 200)) ctx.log('info', `strategy: ${l}`);
  if (outcome.logs.length > 200) ctx.log('info', `… ${outcome.logs.length - 200} more strategy log lines in the JSON export`);
  const { row: stored, columns } = outcome;
  await storeResult(db, backtestId, stored, columns);
  ctx.progress({ fraction: 1, processed: outcome.days, total: outcome.days, current: 'done' });
  return { backtest_id: backtestId, total_return: columns.total_return, annualized_return: columns.annualized_return, sharpe: columns.sharpe, max_drawdown: columns.max_drawdown, final_value: columns.final_value };
}

/** The `backtest` executor: simulates a backtest row the backtests service queued. */
export const makeBacktestExecutor = (options: BacktestExecutorDeps) => defineExecutor({
  name: backtestExecutorName,
  description: 'runs one backtest (see /backtests); queued by POST /api/v1/backtests, not directly',
  params: z.object({ backtest_id: z.number().int().positive() }).strict(),
  kind: 'backtest',
  // Queued through the backtests API, which writes the config row first; the generic runs API is for admins only.
  queueRole: 'admin',
  // The wall-time bound of every backtest run (BACKTEST_TIMEOUT_MS): past it the run fails with code `timeout`.
  defaults: { maxAttempts: 1, timeoutMs: (options.limits ?? backtestRunLimitsOf()).timeoutMs },
  run: (p, ctx) => runOne(p.backtest_id, options, ctx),
  subject: async (p) => backtestSubject(await getBacktest(options.db, p.backtest_id)),
});

/** A backtest as the subject of its run: linked from the run's page, and run again by a rerun. */
function backtestSubject(b: Backtest | null): RunSubject | null {
  if (!b) return null;
  return { kind: 'backtest', id: b.id, name: b.name, href: `/backtests/${b.id}`, rerun: { action: `/backtests/${b.id}/rerun`, label: 'Rerun the backtest', api: `/api/v1/backtests/${b.id}/rerun` } };
}

const dayOrLatest = z.union([z.literal('latest'), z.string().regex(dayPattern, 'expected a date YYYY-MM-DD or "latest"')]);

/**
 * A scheduled task's backtest: the fields of a backtest submission (POST /api/v1/backtests), with
 * the range either fixed or moving — `end_date: "latest"` is the newest trading day in the store
 * when the run starts, and `lookback_days` (calendar days) may replace `start_date`.
 */
export const scheduledBacktestParams = SubmitBacktestSchema
  .omit({ start_date: true, end_date: true })
  .extend({
    start_date: z.string().regex(dayPattern, 'expected a date YYYY-MM-DD').optional().describe('First simulated day; or give lookback_days'),
    end_date: dayOrLatest.default('latest').describe('Last simulated day, or "latest": the newest trading day with bars when the run starts'),
    lookback_days: z.number().int().min(1).max(36_500).optional().describe('Calendar days before end_date to start from (instead of start_date)'),
  })
  .refine((p) => (p.start_date === undefined) !== (p.lookback_days === undefined), { message: 'give start_date or lookback_days (one of them)', path: ['start_date'] });

/**
 * `scheduled_backtest`: each run creates a new backtest (listed on /backtests, owned by whoever
 * triggered the run, else the task's owner) tied to this run, and simulates it here — so a nightly
 * task leaves one backtest per night, each with its own results. A retry reuses the backtest its
 * first attempt created (kept in the checkpoint).
 */
export const makeScheduledBacktestExecutor = (options: BacktestExecutorDeps) => defineExecutor({
  name: 'scheduled_backtest',
  description: 'creates and runs a backtest from a saved submission (e.g. a nightly re-run to the latest day); results appear on /backtests',
  params: scheduledBacktestParams,
  kind: 'backtest',
  queueRole: 'admin',
  // The wall-time bound of every backtest run (BACKTEST_TIMEOUT_MS): past it the run fails with code `timeout`.
  defaults: { maxAttempts: 1, timeoutMs: (options.limits ?? backtestRunLimitsOf()).timeoutMs },
  subject: async (_p, run) => backtestSubject(await backtestOfRun(options.db, run.id)),
  async run(p, ctx) {
    const db = options.db;
    const resumed = (ctx.resume as { backtest_id?: number } | null)?.backtest_id;
    if (resumed) return runOne(resumed, options, ctx);
    const { taskName, owner } = await runOwnerOf(db, ctx.runId);
    if (!owner || owner.disabled) {
      throw new RunError('no_owner', 'a scheduled backtest belongs to a user: trigger it as one, or give the task an owner who exists and is enabled', { retryable: false });
    }
    let end: number;
    if (p.end_date === 'latest') {
      const bars = await barRange(options.market);
      if (!bars) throw new RunError('no_data', 'no daily bars in the market store: sync data first', { retryable: false });
      end = bars.last;
    } else end = ymdOf(p.end_date);
    const start = p.lookback_days ? addDays(end, -p.lookback_days) : ymdOf(p.start_date!);
    const { lookback_days: _l, start_date: _s, end_date: _e, ...rest } = p;
    const submit = { ...rest, start_date: isoDay(start), end_date: isoDay(end) };
    let built: Awaited<ReturnType<typeof specFromSubmit>>;
    try {
      built = await specFromSubmit({ db, market: options.market }, { userId: owner.id, username: owner.username, role: owner.role, via: 'token' }, parseInput(SubmitBacktestSchema, submit));
    } catch (err) {
      // The message names its field already ("codes: unknown stock …"), as the API's does.
      if (err instanceof AppError) throw new RunError('invalid_config', err.message, { retryable: false, detail: err.details });
      throw err;
    }
    const { spec, name } = built;
    const id = await createRunBacktest(db, owner.id, taskName !== null ? `${name} (task ${taskName})` : name, spec, ctx.runId);
    await ctx.checkpoint({ backtest_id: id });
    ctx.log('info', `backtest ${id} for ${owner.username}: ${isoDay(spec.startDate)} → ${isoDay(spec.endDate)}`);
    return runOne(id, options, ctx);
  },
});
