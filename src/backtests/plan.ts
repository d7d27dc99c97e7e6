/**
 * One plan from a backtest spec to the engine (README, "Backtests and strategies" → "One plan"): `planBacktest`
 * turns a stored spec into the panel to load (the panel cache's key), the engine's configuration and
 * the strategy to run. The `backtest` and `scheduled_backtest` executors (so the API and the pages),
 * `zquant backtest` and, later, sweeps all run a spec through it, so the same spec loads the same
 * panel and simulates with the same settings wherever it is submitted.
 *
 * `answerableSpec` is the other half, run where a spec is made (submit, rerun, the CLI, a scheduled
 * run): it refuses what the market data cannot answer — unknown codes, dates outside the data, an
 * empty universe, a benchmark without index data — with a 400 naming the field, and settles the
 * period to the trading days that will actually be simulated.
 *
 * Warm-up rule: the panel starts `warmupTradingDays` (250, about one trading year: the longest
 * common indicator, the 250-day line, is warm on the first simulated day) trading days before the
 * first simulated day, counted on the SSE calendar (the days with bars where it has none) — or where
 * the data begins, when it begins later. Indicators with longer windows start with NaN. The rule is
 * the same for every entry point and every strategy; the panel cache resolves it to a date when it
 * loads (PanelKey.warmupDays).
 */
import type { BacktestConfig } from '../engine/types.ts';
import type { StrategySpec } from '../engine/run-backtest.ts';
import { getBuiltinStrategy } from '../engine/builtins/registry.ts';
import { factorsInCode } from '../engine/market-views.ts';
import { AppError } from '../http/errors.ts';
import { addDays, isoDay } from '../market/days.ts';
import type { MarketStore } from '../market/duckdb.ts';
import * as market from '../market/market.service.ts';
import { factorCoverage as factorCoverageOf } from '../factors/factors.service.ts';
import type { BacktestSpec } from './backtest-request.ts';
import type { PanelKey } from './panel-cache.ts';

/** Trading days loaded before the first simulated day (see the warm-up rule above). */
export const warmupTradingDays = 250;

/** The daily-basic fields user code is given (whatever it declares): the set it has always had. */
export const userCodeFields = ['pe', 'pe_ttm', 'pb', 'ps', 'turnover_rate', 'total_mv', 'circ_mv'] as const;

/** A user strategy's code, from the stored version (executors) or a file (the CLI). */
export interface StrategyCode {
  source: string;
  language: 'js' | 'ts';
  /** The sandbox's wall-time bound for it (BACKTEST_TIMEOUT_MS in the server). */
  timeoutMs?: number;
}

export interface BacktestPlan {
  /** What to load: universe, range with warm-up, fields, adjust mode. */
  panelKey: PanelKey;
  /** The engine's configuration (the run's bounds — maxOrders, … — are the caller's to add). */
  config: Partial<BacktestConfig>;
  strategy: StrategySpec;
  /** Index code to load beside the panel, or null. */
  benchmark: string | null;
  /** Stored factors (src/factors ids) the strategy reads with ctx.factor: loaded beside the panel, aligned to it. */
  factors: string[];
}

/**
 * The stored factors a spec's strategy reads: a built-in's factorsOf(params) (none when its params do
 * not parse: the run refuses them anyway), in user code every ctx.factor('…') named with a literal.
 */
export function factorsOf(spec: BacktestSpec, code?: StrategyCode): string[] {
  if (spec.strategy.kind === 'user') return code ? factorsInCode(code.source) : [];
  const def = getBuiltinStrategy(spec.strategy.name);
  if (!def?.factorsOf) return [];
  try {
    return [...new Set(def.factorsOf(def.params.parse(spec.params ?? {})))].sort();
  } catch {
    return [];
  }
}

/** The daily-basic fields a spec's strategy reads: a built-in's declared ones, user code all of userCodeFields. */
export function fieldsOf(spec: BacktestSpec): string[] {
  if (spec.strategy.kind === 'user') return [...userCodeFields];
  return [...(getBuiltinStrategy(spec.strategy.name)?.fields ?? [])].sort();
}

/**
 * The plan of a spec. `code` is required for a user strategy (its source is not in the spec); a
 * built-in's params are passed as stored (the engine parses them again).
 */
export function planBacktest(spec: BacktestSpec, code?: StrategyCode): BacktestPlan {
  const u = spec.universe;
  const panelKey: PanelKey = {
    codes: u.kind === 'codes' ? [...u.codes].sort() : null,
    boards: u.kind === 'all' && u.boards ? [...u.boards].sort() : null,
    excludeSt: u.kind === 'all' && u.excludeSt,
    start: spec.startDate,
    end: spec.endDate,
    warmupDays: warmupTradingDays,
    fields: fieldsOf(spec),
    adjust: spec.adjust,
  };
  const c = spec.costs;
  const config: Partial<BacktestConfig> = {
    initialCash: spec.capital,
    startDate: spec.startDate,
    endDate: spec.endDate,
    fillTiming: spec.fillTiming,
    onError: spec.onError ?? 'fail',
    ...(c.commissionRate !== undefined ? { commissionRate: c.commissionRate } : {}),
    ...(c.minCommission !== undefined ? { minCommission: c.minCommission } : {}),
    ...(c.stampDuty !== undefined ? { stampDuty: c.stampDuty } : {}),
    // The engine's `transferFee: 'schedule' | number` (renamed from transferFeeRate in engine/types.ts).
    ...(c.transferFee !== undefined ? { transferFee: c.transferFee } : {}),
    ...(c.slippageBps !== undefined ? { slippageBps: c.slippageBps } : {}),
  };
  let strategy: StrategySpec;
  if (spec.strategy.kind === 'user') {
    if (!code) throw new Error(`planBacktest: the code of user strategy "${spec.strategy.name}" is needed`);
    strategy = { kind: 'user', source: code.source, language: code.language, params: spec.params, ...(code.timeoutMs !== undefined ? { timeoutMs: code.timeoutMs } : {}) };
  } else strategy = { kind: 'builtin', name: spec.strategy.name, params: spec.params };
  return { panelKey, config, strategy, benchmark: spec.benchmark, factors: factorsOf(spec, code) };
}

function refuse(field: string, message: string): AppError {
  return new AppError(400, 'invalid_request', `${field}: ${message}`, { field });
}

const list = (xs: readonly string[], max = 10) => (xs.length > max ? `${xs.slice(0, max).join(', ')} and ${xs.length - max} more` : xs.join(', '));

/**
 * The spec as the market data can answer it, or a 400 `invalid_request` naming the field:
 * - `codes`: codes the store knows neither in its stock list nor by any bar, or none of the codes has
 *   a bar in the period;
 * - `start_date` / `end_date`: a day outside the data's coverage (first to last day with bars; a
 *   weekend or holiday just outside it is fine when the calendar says no trading day lies between),
 *   or no trading day in the period;
 * - `boards` / `exclude_st` / `universe`: a universe of all stocks left empty (by that filter);
 * - `benchmark`: an index without data in the period (the message lists those that have some).
 * The returned spec's startDate and endDate are the first and last trading days simulated.
 */
export async function answerableSpec(store: MarketStore, spec: BacktestSpec): Promise<BacktestSpec> {
  const u = spec.universe;
  if (u.kind === 'codes') {
    const unknown = await market.unknownCodes(store, u.codes);
    if (unknown.length) {
      throw refuse('codes', `unknown stock${unknown.length > 1 ? 's' : ''} ${list(unknown)}: not in the market data's stock list nor its daily bars (search with GET /api/v1/market/stocks?q=…, or sync stocks and daily_bars first)`);
    }
  }
  const bars = await market.barDateRange(store);
  if (!bars) throw refuse('start_date', 'the market data has no daily bars yet: sync daily_bars (zquant sync daily_bars) or seed the demo market first');
  const covered = `the market data covers ${isoDay(bars.first)} to ${isoDay(bars.last)}`;
  const cal = await market.calendarRange(store);
  // A day outside the bars is answerable only when the calendar knows it and no trading day lies between it and the data.
  const noTradingDays = async (a: number, b: number) => cal !== null && cal.first <= a && cal.last >= b && (await market.tradingDaysIn(store, a, b)) === null;
  if (spec.startDate > bars.last) throw refuse('start_date', `${isoDay(spec.startDate)} is after the last day with data; ${covered}`);
  if (spec.endDate < bars.first) throw refuse('end_date', `${isoDay(spec.endDate)} is before the first day with data; ${covered}`);
  if (spec.startDate < bars.first && !(await noTradingDays(spec.startDate, addDays(bars.first, -1)))) {
    throw refuse('start_date', `${isoDay(spec.startDate)} is before the first day with data; ${covered}`);
  }
  if (spec.endDate > bars.last && !(await noTradingDays(addDays(bars.last, 1), spec.endDate))) {
    throw refuse('end_date', `${isoDay(spec.endDate)} is after the last day with data; ${covered}`);
  }
  const days = await market.tradingDaysIn(store, Math.max(spec.startDate, bars.first), Math.min(spec.endDate, bars.last));
  if (!days) throw refuse('start_date', `no trading day between ${isoDay(spec.startDate)} and ${isoDay(spec.endDate)}; ${covered}`);
  const start = days.first;
  const end = days.last;
  const period = `between ${isoDay(start)} and ${isoDay(end)}`;

  if (u.kind === 'codes') {
    const traded = await market.codesWithBars(store, u.codes, start, end);
    if (traded.size === 0) throw refuse('codes', `no daily bars ${period} for ${list(u.codes)}: pick a period in which they trade, or other stocks`);
  } else {
    const n = await market.universeCounts(store, start, end, u.boards);
    if (n.listed === 0) throw refuse('universe', `no stock in the market data's stock list is listed ${period}: sync stocks (zquant sync stocks) or pick another period`);
    if (n.onBoards === 0) throw refuse('boards', `no stock of the board${u.boards!.length > 1 ? 's' : ''} ${u.boards!.join(', ')} is listed ${period} (${n.listed} of other boards are): tick other boards, or none for all`);
    if (u.excludeSt && n.notSt === 0) throw refuse('exclude_st', `every stock of this universe carries an ST tag on some day ${period}, and exclude_st leaves them all out: allow ST stocks or widen the universe`);
  }

  // A built-in reading a stored factor (factor_rank): the factor must have values in the period.
  for (const name of factorsOf(spec)) {
    const stored = await factorCoverageOf(store, name);
    if (!stored || stored.last < start || stored.first > end) {
      const have = stored ? `it has values from ${isoDay(stored.first)} to ${isoDay(stored.last)} only` : 'nothing is stored for it';
      throw refuse('params.factor', `factor ${name}: ${have}, none ${period}; compute it first (POST /api/v1/factors/${name}/computations, or /factors/${name})`);
    }
  }

  if (spec.benchmark) {
    const indexes = await market.indexCoverage(store);
    const have = indexes.find((i) => i.code === spec.benchmark);
    const others = indexes.length
      ? `index data exists for ${list(indexes.map((i) => `${i.code} (${isoDay(i.first)} to ${isoDay(i.last)})`))}`
      : 'the market data has no index data';
    const how = 'sync it (zquant sync index_daily --codes CODE), or pass benchmark null (--benchmark none) for none';
    if (!have) throw refuse('benchmark', `no index data for ${spec.benchmark}; ${others}: pick one of them, ${how}`);
    if (have.last < start || have.first > end) throw refuse('benchmark', `${spec.benchmark} has index data from ${isoDay(have.first)} to ${isoDay(have.last)} only, none ${period}: ${how}`);
  }
  return start === spec.startDate && end === spec.endDate ? spec : { ...spec, startDate: start, endDate: end };
}
