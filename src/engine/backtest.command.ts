/**
 * `zquant backtest`'s options, what they mean as a backtest submission, and how its result is
 * printed. The options are the API's submit body (POST /api/v1/backtests) in command-line form:
 * `submitFromOptions` turns them into that body, which the CLI (src/backtests/backtest.cli.ts) runs
 * through the API's own request schema and market checks, and then the one plan every entry point
 * uses (src/backtests/plan.ts). Light on purpose (types only): the command table imports it for help.
 */
import type { BacktestResult } from './types.ts';
import type { Metrics } from './metrics/metrics.ts';

export const backtestCommandOptions = {
  strategy: { type: 'string' },
  'strategy-id': { type: 'string' },
  params: { type: 'string' },
  codes: { type: 'string' },
  universe: { type: 'string' },
  boards: { type: 'string' },
  'exclude-st': { type: 'boolean' },
  start: { type: 'string' },
  end: { type: 'string' },
  capital: { type: 'string' },
  benchmark: { type: 'string' },
  adjust: { type: 'string' },
  'fill-at': { type: 'string' },
  'commission-rate': { type: 'string' },
  'min-commission': { type: 'string' },
  'stamp-duty': { type: 'string' },
  'transfer-fee': { type: 'string' },
  'slippage-bps': { type: 'string' },
  'on-error': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const backtestCommandUsage =
  'zquant backtest --strategy <name|file.js|file.ts> | --strategy-id N [--params JSON] [--codes a,b | --universe all [--boards main,chinext,star,bse] [--exclude-st]] ' +
  '--start YYYY-MM-DD --end YYYY-MM-DD [--capital N] [--benchmark 000300.SH|none] [--adjust hfq|qfq|none] [--fill-at next_open|same_close] ' +
  '[--commission-rate R] [--min-commission CNY] [--stamp-duty R|schedule] [--transfer-fee R|schedule|0] [--slippage-bps N] [--on-error fail|skip_day] [--json]';

/** The submit body's field each option sets (for messages that name the field). */
export const optionOfField: Record<string, string> = {
  strategy: 'strategy', strategy_id: 'strategy-id', params: 'params', codes: 'codes', universe: 'universe', boards: 'boards', exclude_st: 'exclude-st', start_date: 'start', end_date: 'end',
  capital: 'capital', benchmark: 'benchmark', adjust: 'adjust', fill_timing: 'fill-at', commission_rate: 'commission-rate', min_commission: 'min-commission',
  stamp_duty: 'stamp-duty', transfer_fee: 'transfer-fee', slippage_bps: 'slippage-bps', on_error: 'on-error',
};

/** A mistake in the options themselves (not JSON, …): exit 2 with the usage. */
export class UsageError extends Error {}

/** A strategy given as a file rather than a built-in name. */
export const isStrategyFile = (name: unknown): name is string => typeof name === 'string' && /\.(m?js|ts)$/.test(name);

/** A number as typed, or the text itself so the request schema names the field ("expected number"). */
const numberOr = (v: string) => (v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);
const rateOr = (v: string) => (v === 'schedule' ? v : numberOr(v));
const listOf = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);

/**
 * The options as an API submit body (snake_case), left for the request schema to check and default.
 * A strategy file is not part of the body (the caller reads it); `--strategy-id` is a stored
 * strategy (its current version); `--benchmark none` is null.
 */
export function submitFromOptions(values: Record<string, unknown>): Record<string, unknown> {
  const v = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const body: Record<string, unknown> = {};
  const strategy = v('strategy');
  if (strategy !== undefined && !isStrategyFile(strategy)) body.strategy = strategy;
  if (v('strategy-id') !== undefined) body.strategy_id = numberOr(v('strategy-id')!);
  const params = v('params');
  if (params !== undefined) {
    try {
      body.params = JSON.parse(params);
    } catch {
      throw new UsageError(`--params must be JSON, e.g. '{"short_window":5}'`);
    }
  }
  const codes = v('codes');
  if (codes !== undefined) body.codes = listOf(codes).map((c) => c.toUpperCase());
  if (v('universe') !== undefined) body.universe = v('universe');
  if (v('boards') !== undefined) body.boards = listOf(v('boards')!);
  if (values['exclude-st'] === true) body.exclude_st = true;
  if (v('start') !== undefined) body.start_date = v('start');
  if (v('end') !== undefined) body.end_date = v('end');
  if (v('capital') !== undefined) body.capital = numberOr(v('capital')!);
  const benchmark = v('benchmark');
  if (benchmark !== undefined) body.benchmark = benchmark === '' || benchmark.toLowerCase() === 'none' ? null : benchmark;
  if (v('adjust') !== undefined) body.adjust = v('adjust');
  if (v('fill-at') !== undefined) body.fill_timing = v('fill-at');
  if (v('commission-rate') !== undefined) body.commission_rate = numberOr(v('commission-rate')!);
  if (v('min-commission') !== undefined) body.min_commission = numberOr(v('min-commission')!);
  if (v('stamp-duty') !== undefined) body.stamp_duty = rateOr(v('stamp-duty')!);
  if (v('transfer-fee') !== undefined) body.transfer_fee = rateOr(v('transfer-fee')!);
  if (v('slippage-bps') !== undefined) body.slippage_bps = numberOr(v('slippage-bps')!);
  if (v('on-error') !== undefined) body.on_error = v('on-error');
  return body;
}

/** The result as plain JSON (typed arrays as arrays). */
export function resultToJson(result: BacktestResult, metrics: Metrics): Record<string, unknown> {
  const plain = (v: unknown): unknown => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v);
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result)) r[k] = k === 'snapshots' ? Object.fromEntries(Object.entries(v as object).map(([a, b]) => [a, plain(b)])) : plain(v);
  return { metrics, result: r };
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);
const num = (v: number | null, d = 2) => (v === null ? '—' : v.toFixed(d));

/** The printed table: the strategy's name, the simulated period, fills and the key metrics. */
export function summary(r: BacktestResult, m: Metrics, strategy: string, capital: number): string {
  const rejected = new Map<string, number>();
  for (const o of r.orders) if (o.reason && o.reason !== 'lot_size') rejected.set(o.reason, (rejected.get(o.reason) ?? 0) + 1);
  const final = r.total[r.total.length - 1];
  const rows: [string, string][] = [
    ['strategy', strategy],
    ['period', `${r.dates[0]} – ${r.dates[r.dates.length - 1]} (${r.dates.length} days)`],
    ['fills', r.fillTimingLabel],
    ['capital → final', `${capital.toFixed(0)} → ${final.toFixed(2)}`],
    ['total return', pct(m.totalReturn)],
    ['annualized return', pct(m.annualizedReturn)],
    ['benchmark return', `${pct(m.benchmarkReturn)}${r.benchmarkCode ? ` (${r.benchmarkCode})` : ''}`],
    ['excess return', pct(m.excessReturn)],
    ['volatility', pct(m.volatility)],
    ['sharpe / sortino', `${num(m.sharpe)} / ${num(m.sortino)}`],
    ['max drawdown', `${pct(m.drawdown.maxDrawdown)} (${m.drawdown.peakDate ?? '—'} → ${m.drawdown.troughDate ?? '—'}, recovered ${m.drawdown.recoveryDate ?? 'no'})`],
    ['alpha / beta', `${num(m.alpha, 4)} / ${num(m.beta, 3)}`],
    ['trades / win rate', `${m.tradeCount} / ${pct(m.winRate)}`],
    ['orders', `${r.orders.length} (${r.fills.length} fills)`],
    ['not filled', rejected.size ? [...rejected].map(([k, v]) => `${k} ${v}`).join(', ') : 'none'],
  ];
  if (r.skippedDays.length) rows.push(['skipped days', String(r.skippedDays.length)]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}
