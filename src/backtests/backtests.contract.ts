/**
 * The backtests API's contract (conventions in src/http/contract.ts): the submission, the list
 * query, and every answer — the backtest, its result (metrics and series), performance (round
 * trips, positions), fills and orders. Results are stored as the engine wrote them; the mappers
 * here are the one place they become the API's names (snake_case, days YYYY-MM-DD).
 */
import { z } from '@hono/zod-openapi';
import type { CorporateAction, Fill, Order, RoundTrip, SkippedDay } from '../engine/types.ts';
import type { Metrics } from '../engine/metrics/metrics.ts';
import { instant, instantSchema, isoDaySchema } from '../http/contract.ts';
import { isoDay } from '../market/days.ts';
import { boundedDate, boundedInt, pageQuery } from '../http/input.ts';
import { boards } from './backtest-request.ts';
import { progressJson, RunErrorSchema, RunProgressSchema, runErrorJson } from '../runs/runs.contract.ts';
import { runStatuses, type RunStatus } from '../runs/run.types.ts';
import type { Backtest, KeyMetrics } from './backtest.types.ts';
import type { StoredExtras, StoredPosition, StoredSeries } from './results.ts';

/** A day as a submission writes it. */
const submitDay = (field: string) => boundedDate(field).describe('YYYY-MM-DD, from 1990-01-01 to 2100-12-31');

/** POST /backtests/{id}/rerun's optional body: which market data version the rerun reads. */
export const RerunBacktestSchema = z
  .object({
    data_version: z
      .string()
      .regex(/^(latest|[0-9a-f]{16})$/, { message: 'expected "latest" or a data version (16 hex digits, as a backtest\'s data_version shows)' })
      .optional()
      .describe('Absent: the version the backtest ran on (identical numbers); "latest": the newest market data; or a version id'),
  })
  .strict()
  .openapi('RerunBacktest');

export const SubmitBacktestSchema = z
  .object({
    name: z.string().max(200).optional().describe('A label for the list; the strategy name when absent'),
    strategy: z.string().min(1).max(100).optional().describe('A built-in strategy: dual_ma, simple_ma, momentum, mean_reversion, bollinger, rsi, grid, pe_pb_value, turnover_rate'),
    strategy_id: z.number().int().positive().optional().describe('Or the id of one of your own strategies (its current version runs and is recorded)'),
    params: z.record(z.string(), z.unknown()).default({}).describe("The strategy's parameters (see its JSON Schema); defaults fill the rest"),
    universe: z.enum(['all', 'codes']).optional().describe("'all': every stock listed in the range (filters: boards, exclude_st); 'codes': the stocks in `codes` (the default when codes are given)"),
    codes: z.array(z.string().regex(/^\d{6}\.(SH|SZ|BJ)$/i, 'expected ts_codes such as 600000.SH')).max(6000).optional(),
    boards: z.array(z.enum(boards)).optional().describe('With universe all: only these boards'),
    exclude_st: z.boolean().default(false).describe('With universe all: leave out stocks tagged ST on any day of the range'),
    start_date: submitDay('start_date'),
    end_date: submitDay('end_date'),
    capital: z.number().positive().max(1e12).default(1_000_000).describe('Starting cash, CNY'),
    benchmark: z.string().max(20).nullable().default('000300.SH').describe('Index ts_code to compare with, or null'),
    adjust: z.enum(['hfq', 'qfq', 'none']).default('hfq').describe("Prices the strategy's signals see. 'hfq': backward-adjusted (as of each day; the default); 'qfq': forward-adjusted to end_date (levels as charts show them today, which uses end_date's factors); 'none': raw prices with adjustment factors ignored. With hfq and qfq, fills are at actual prices and dividends and splits are applied to holdings on ex-dates"),
    fill_timing: z.enum(['next_open', 'same_close']).default('next_open'),
    commission_rate: z.number().min(0).max(0.01).optional(),
    min_commission: z.number().min(0).max(1000).optional(),
    stamp_duty: z.union([z.literal('schedule'), z.number().min(0).max(0.01)]).optional().describe("Stamp duty: 'schedule' (the default: 0.05% on sells from 2023-08-28, 0.1% on sells from 2008-09-19, both sides before) or a fixed rate on sells"),
    transfer_fee: z.union([z.literal('schedule'), z.number().min(0).max(0.001)]).optional().describe("Transfer fee on both sides: 'schedule' (the default: 0.001% of value from 2022-04-29, 0.002% from 2015-08-01, before that Shanghai per share and Shenzhen none; Beijing none), a fixed rate of value, or 0 for none"),
    slippage_bps: z.number().min(0).max(1000).optional(),
    on_error: z.enum(['fail', 'skip_day']).default('fail').describe("A strategy error: 'fail' ends the run (the default); 'skip_day' records it among the result's skipped days and carries on with the next day"),
  })
  .strict()
  .openapi('BacktestSubmit');

export type SubmitBacktest = z.output<typeof SubmitBacktestSchema>;


export const WaitQuery = z.object({ wait: boundedInt(0, 600).optional().describe('Block up to this many seconds; answers 200 with the result when the backtest ends in time') }).strict();

export const BacktestListQuery = z
  .object({
    status: z.enum(runStatuses as [RunStatus, ...RunStatus[]]).optional(),
    strategy: z.string().max(100).optional(),
    q: z.string().max(100).optional().describe('Search in names and strategies'),
    from: boundedDate('from').optional().describe('Created on or after'),
    to: boundedDate('to').optional().describe('Created before the end of this day'),
    sort: z.enum(['created', 'total_return', 'annualized_return', 'sharpe', 'max_drawdown', 'finished']).default('created'),
    dir: z.enum(['asc', 'desc']).default('desc'),
    ...pageQuery(500, 50).shape,
  })
  .strict();
export const SliceQuery = pageQuery(5000, 100).strict();
export const OrdersQuery = pageQuery(5000, 100).extend({ rejected: z.enum(['true', 'false']).optional().describe('Only orders that did not fill completely') }).strict();

const ratio = z.number().nullable();

export const KeyMetricsSchema = z
  .object({
    total_return: ratio, annualized_return: ratio, sharpe: ratio, max_drawdown: ratio, volatility: ratio, excess_return: ratio,
    final_value: z.number().nullable().describe('CNY'), trade_count: z.number().int().nullable(),
  })
  .openapi('BacktestKeyMetrics');
const keyMetricsJson = (m: KeyMetrics): z.infer<typeof KeyMetricsSchema> => ({
  total_return: m.totalReturn, annualized_return: m.annualizedReturn, sharpe: m.sharpe, max_drawdown: m.maxDrawdown, volatility: m.volatility,
  excess_return: m.excessReturn, final_value: m.finalValue, trade_count: m.tradeCount,
});

const StrategyRefSchema = z.object({
  kind: z.enum(['builtin', 'user']),
  name: z.string(),
  strategy_id: z.number().int().nullable(),
  version_id: z.number().int().nullable(),
  version: z.number().int().nullable(),
});
const UniverseSchema = z.union([
  z.object({ kind: z.literal('all'), boards: z.array(z.string()).nullable(), exclude_st: z.boolean() }),
  z.object({ kind: z.literal('codes'), codes: z.array(z.string()) }),
]);
const CostsSchema = z
  .object({
    commission_rate: z.number().optional(),
    min_commission: z.number().optional(),
    stamp_duty: z.union([z.literal('schedule'), z.number()]).optional(),
    transfer_fee: z.union([z.literal('schedule'), z.number()]).optional(),
    slippage_bps: z.number().optional(),
  })
  .describe('The cost settings given at submission; absent ones are the engine defaults');

export const BacktestSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    status: z.enum(runStatuses as [RunStatus, ...RunStatus[]]),
    progress: RunProgressSchema.nullable(),
    owner: z.object({ id: z.number().int(), username: z.string().nullable() }),
    strategy: StrategyRefSchema,
    params: z.record(z.string(), z.unknown()),
    universe: UniverseSchema,
    start_date: isoDaySchema.describe('The first simulated trading day'),
    end_date: isoDaySchema.describe('The last simulated trading day'),
    capital: z.number().describe('CNY'),
    benchmark: z.string().nullable(),
    adjust: z.enum(['hfq', 'qfq', 'none']),
    fill_timing: z.enum(['next_open', 'same_close']),
    on_error: z.enum(['fail', 'skip_day']),
    costs: CostsSchema,
    metrics: KeyMetricsSchema.nullable(),
    error: RunErrorSchema.nullable(),
    run_id: z.number().int().nullable(),
    rerun_of: z.number().int().nullable(),
    pinned: z.boolean().describe('Kept by housekeeping whatever its age (POST/DELETE …/pin); unpinned results go after RETAIN_BACKTESTS_DAYS'),
    data_version: z.string().nullable().describe('The market data snapshot version it ran on (a rerun reads the same one unless asked for "latest"); null before its run starts'),
    created_at: instantSchema,
    started_at: instantSchema.nullable(),
    finished_at: instantSchema.nullable(),
    links: z.object({
      self: z.string(), events: z.string().nullable().describe('SSE: progress until done'), result: z.string(), performance: z.string(), trades: z.string(), page: z.string(),
    }),
  })
  .openapi('Backtest');

export function backtestLinks(id: number, runId: number | null) {
  return {
    self: `/api/v1/backtests/${id}`,
    events: runId ? `/api/v1/runs/${runId}/events` : null,
    result: `/api/v1/backtests/${id}/result`,
    performance: `/api/v1/backtests/${id}/performance`,
    trades: `/api/v1/backtests/${id}/trades`,
    page: `/backtests/${id}`,
  };
}

export function backtestJson(b: Backtest): z.infer<typeof BacktestSchema> {
  const s = b.spec;
  const u = s.universe;
  const c = s.costs;
  const costs: z.infer<typeof CostsSchema> = {};
  if (c.commissionRate !== undefined) costs.commission_rate = c.commissionRate;
  if (c.minCommission !== undefined) costs.min_commission = c.minCommission;
  if (c.stampDuty !== undefined) costs.stamp_duty = c.stampDuty;
  if (c.transferFee !== undefined) costs.transfer_fee = c.transferFee;
  if (c.slippageBps !== undefined) costs.slippage_bps = c.slippageBps;
  return {
    id: b.id,
    name: b.name,
    status: b.status,
    progress: b.progress ? progressJson(b.progress) : null,
    owner: { id: b.ownerId, username: b.ownerName },
    strategy: { kind: s.strategy.kind, name: s.strategy.name, strategy_id: s.strategy.strategyId, version_id: s.strategy.versionId, version: s.strategy.version },
    params: s.params,
    universe: u.kind === 'all' ? { kind: 'all', boards: u.boards, exclude_st: u.excludeSt } : { kind: 'codes', codes: u.codes },
    start_date: isoDay(s.startDate),
    end_date: isoDay(s.endDate),
    capital: s.capital,
    benchmark: s.benchmark,
    adjust: s.adjust,
    fill_timing: s.fillTiming,
    on_error: s.onError ?? 'fail',
    costs,
    metrics: b.metrics ? keyMetricsJson(b.metrics) : null,
    error: b.error ? runErrorJson(b.error) : null,
    run_id: b.runId,
    rerun_of: b.rerunOf,
    pinned: b.pinned,
    data_version: b.dataVersion,
    created_at: instant(b.createdAt),
    started_at: instant(b.startedAt),
    finished_at: instant(b.finishedAt),
    links: backtestLinks(b.id, b.runId),
  };
}

export const BacktestListSchema = z
  .object({ backtests: z.array(BacktestSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('BacktestList');

export const DrawdownSchema = z.object({
  max_drawdown: z.number(),
  peak_date: isoDaySchema.nullable(),
  trough_date: isoDaySchema.nullable(),
  recovery_date: isoDaySchema.nullable().describe('First day back at the peak value; null when not recovered'),
  duration_periods: z.number().int(),
  longest_underwater_periods: z.number().int(),
});

export const MetricsSchema = z
  .object({
    periods: z.number().int().describe('Simulated days; the NAV series has one more point (the starting capital)'),
    periods_per_year: z.number(),
    risk_free_rate: z.number(),
    start_date: isoDaySchema.nullable().describe('The starting point: the trading day before the first simulated day'),
    end_date: isoDaySchema.nullable(),
    total_return: ratio, annualized_return: ratio, volatility: ratio, sharpe: ratio, sortino: ratio, calmar: ratio,
    drawdown: DrawdownSchema,
    benchmark_return: ratio, benchmark_annualized_return: ratio, excess_return: ratio, annualized_excess_return: ratio,
    alpha: ratio, beta: ratio, tracking_error: ratio, information_ratio: ratio,
    trade_count: z.number().int(), win_rate: ratio, profit_loss_ratio: ratio, profit_factor: ratio, avg_holding_days: ratio, turnover: ratio, exposure: ratio,
    monthly: z.array(z.object({ year: z.number().int(), month: z.number().int(), return: z.number() })),
    yearly: z.array(z.object({ year: z.number().int(), return: z.number() })),
  })
  .openapi('BacktestMetrics', { description: 'Every metric, defined once in src/engine/metrics/metrics.ts; ratios are fractions (0.05 = 5 %); null where undefined' });

const day = (d: number | null | undefined) => (d ? isoDay(d) : null);
export function metricsJson(m: Metrics): z.infer<typeof MetricsSchema> {
  const d = m.drawdown;
  return {
    periods: m.periods, periods_per_year: m.periodsPerYear, risk_free_rate: m.riskFreeRate, start_date: day(m.startDate), end_date: day(m.endDate),
    total_return: m.totalReturn, annualized_return: m.annualizedReturn, volatility: m.volatility, sharpe: m.sharpe, sortino: m.sortino, calmar: m.calmar,
    drawdown: {
      max_drawdown: d.maxDrawdown, peak_date: day(d.peakDate), trough_date: day(d.troughDate), recovery_date: day(d.recoveryDate),
      duration_periods: d.durationPeriods, longest_underwater_periods: d.longestUnderwaterPeriods,
    },
    benchmark_return: m.benchmarkReturn, benchmark_annualized_return: m.benchmarkAnnualizedReturn, excess_return: m.excessReturn, annualized_excess_return: m.annualizedExcessReturn,
    alpha: m.alpha, beta: m.beta, tracking_error: m.trackingError, information_ratio: m.informationRatio,
    trade_count: m.tradeCount, win_rate: m.winRate, profit_loss_ratio: m.profitLossRatio, profit_factor: m.profitFactor, avg_holding_days: m.avgHoldingDays,
    turnover: m.turnover, exposure: m.exposure, monthly: m.monthly, yearly: m.yearly,
  };
}

const column = z.array(z.number().nullable());
export const SeriesSchema = z
  .object({
    dates: z.array(isoDaySchema),
    nav: column.describe('Portfolio value / capital; point 0 is the starting capital (1)'),
    total: column.describe('CNY'),
    cash: column.describe('CNY'),
    market_value: column.describe('CNY'),
    benchmark: column.nullable().describe('The benchmark rebased to 1 at point 0; null on days without an index close; null without a benchmark'),
    drawdown: column,
  })
  .openapi('BacktestSeries', { description: 'Daily series as columns; point 0 is the starting capital, dated the trading day before the first simulated day' });
export const seriesJson = (s: StoredSeries): z.infer<typeof SeriesSchema> => ({
  dates: s.dates.map((d) => isoDay(d)), nav: s.nav, total: s.total, cash: s.cash, market_value: s.marketValue, benchmark: s.benchmark, drawdown: s.drawdown,
});

export const BacktestResultSchema = z
  .object({
    id: z.number().int(),
    status: z.enum(runStatuses as [RunStatus, ...RunStatus[]]),
    metrics: MetricsSchema,
    series: SeriesSchema,
    fill_timing: z.string().describe('How fills were priced, in words'),
    benchmark: z.string().nullable().describe('The index the metrics compare with; null when none (or none had data)'),
  })
  .openapi('BacktestResult');
export const BacktestWithResultSchema = BacktestSchema.extend({ result: z.object({ metrics: MetricsSchema, series: SeriesSchema }) }).openapi('BacktestWithResult');

export const RoundTripSchema = z
  .object({
    code: z.string(), entry_date: isoDaySchema, exit_date: isoDaySchema, holding_days: z.number().int().describe('Trading days'),
    bought_shares: z.number(), avg_entry_price: z.number(), avg_exit_price: z.number(),
    pnl: z.number().describe('CNY: sell proceeds + dividends − buy cost − all fees'), return_pct: z.number(),
  })
  .openapi('RoundTrip');
export const roundTripJson = (t: RoundTrip): z.infer<typeof RoundTripSchema> => ({
  code: t.code, entry_date: isoDay(t.entryDate), exit_date: isoDay(t.exitDate), holding_days: t.holdingDays, bought_shares: t.boughtShares,
  avg_entry_price: t.avgEntryPrice, avg_exit_price: t.avgExitPrice, pnl: t.pnl, return_pct: t.returnPct,
});
export const PositionSchema = z.object({ code: z.string(), shares: z.number(), price: z.number(), value: z.number().describe('CNY'), weight: z.number() }).openapi('Position');
export const positionJson = (p: StoredPosition): z.infer<typeof PositionSchema> => ({ code: p.code, shares: p.shares, price: p.price, value: p.value, weight: p.weight });

export const PerformanceSchema = z
  .object({
    id: z.number().int(),
    metrics: MetricsSchema,
    trades: z.array(RoundTripSchema).describe('Round trips: a position opened from 0 and closed back to 0'),
    positions: z.array(PositionSchema).describe('Held at the end'),
    not_filled: z.record(z.string(), z.number().int()).describe('Orders that did not fill (fully), by reason'),
  })
  .openapi('BacktestPerformance');

export const FillSchema = z
  .object({
    order_id: z.number().int(), date: isoDaySchema, code: z.string(), side: z.enum(['buy', 'sell']), shares: z.number(), price: z.number(), value: z.number(),
    commission: z.number(), stamp_duty: z.number(), transfer_fee: z.number(), price_basis: z.enum(['open', 'close', 'limit', 'delisting']),
  })
  .openapi('Fill', { description: 'One execution: shares, CNY price and value, and its fees in CNY' });
export const fillJson = (f: Fill): z.infer<typeof FillSchema> => ({
  order_id: f.orderId, date: isoDay(f.date), code: f.code, side: f.side, shares: f.shares, price: f.price, value: f.value,
  commission: f.commission, stamp_duty: f.stampDuty, transfer_fee: f.transferFee, price_basis: f.priceBasis,
});
export const FillPageSchema = z
  .object({ id: z.number().int(), trades: z.array(FillSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('FillPage');

export const OrderSchema = z
  .object({
    id: z.number().int(), code: z.string(), kind: z.string().describe('shares, value, percent, target_shares, target_value or target_percent'),
    amount: z.number().describe('Shares, CNY or a fraction of portfolio value, by kind'), limit_price: z.number().nullable(), placed_date: isoDaySchema,
    status: z.string(), reason: z.string().nullable(), requested_shares: z.number(), filled_shares: z.number(),
    avg_price: z.number().nullable().describe('Null when nothing filled'), costs: z.number(), done_date: isoDaySchema.nullable(),
  })
  .openapi('Order');
export const orderJson = (o: Order): z.infer<typeof OrderSchema> => ({
  id: o.id, code: o.code, kind: o.kind, amount: o.amount, limit_price: o.limitPrice ?? null, placed_date: isoDay(o.placedDate), status: o.status, reason: o.reason ?? null,
  requested_shares: o.requestedShares, filled_shares: o.filledShares, avg_price: o.filledShares ? o.avgPrice : null, costs: o.costs, done_date: day(o.doneDate),
});
export const OrderPageSchema = z
  .object({ id: z.number().int(), orders: z.array(OrderSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('OrderPage');

/** The rest of a result, as the JSON export writes it beside metrics, series and positions. */
export function exportExtrasJson(e: StoredExtras) {
  const actions = e.corporateActions as CorporateAction[];
  const skipped = e.skippedDays as SkippedDay[];
  return {
    fill_timing: e.fillTimingLabel,
    benchmark: e.benchmarkCode,
    not_filled: e.notFilled,
    order_count: e.orderCount,
    fill_count: e.fillCount,
    corporate_actions: actions.map((a) => ({ date: isoDay(a.date), code: a.code, shares_before: a.sharesBefore, shares_after: a.sharesAfter, cash: a.cash, factor_ratio: a.factorRatio })),
    skipped_days: skipped.map((d) => ({ date: isoDay(d.date), message: d.message, line: d.line ?? null, column: d.column ?? null })),
    logs: e.logs,
  };
}

