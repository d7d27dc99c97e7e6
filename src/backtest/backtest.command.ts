/**
 * `zquant backtest`: runs one backtest against a panel from an injected loader (the market store's
 * panel loader in the CLI) and prints a summary table, or the whole result as JSON with --json.
 * Wire it in src/cli.ts with `options: backtestCommandOptions` and
 * `run: ({ values }) => runBacktestCommand(values, { loadPanel })`.
 */
import { readFileSync } from 'node:fs';
import type { BenchmarkSeries, Panel } from './engine/panel.ts';
import type { BacktestResult, FillTiming } from './engine/types.ts';
import { runBacktest, type StrategySpec } from './run-backtest.ts';
import { builtinStrategies } from './strategies/registry.ts';
import type { Metrics } from './metrics/metrics.ts';

export interface PanelQuery {
  /** ts_codes, or 'all' for every stock listed at some point in the range (delisted included). */
  codes: string[] | 'all';
  /** YYYYMMDD, inclusive. */
  start: number;
  end: number;
  /** Trading days to load before `start` so indicators are warm on the first day. */
  warmupDays: number;
  benchmark: string | null;
  /** Daily-basic fields the strategy may read. */
  fields: string[];
}

export type LoadPanel = (q: PanelQuery) => Promise<{ panel: Panel; benchmark: BenchmarkSeries | null }>;

export const backtestCommandOptions = {
  strategy: { type: 'string' },
  params: { type: 'string' },
  codes: { type: 'string' },
  universe: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  capital: { type: 'string' },
  benchmark: { type: 'string' },
  'fill-at': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const backtestCommandUsage =
  'zquant backtest --strategy <name|file.js|file.ts> [--params JSON] --codes a,b|--universe all --start YYYY-MM-DD --end YYYY-MM-DD [--capital N] [--benchmark 000300.SH] [--fill-at next_open|same_close] [--json]';

export interface CommandIo {
  stdout(s: string): void;
  stderr(s: string): void;
}
const processIo: CommandIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

class UsageError extends Error {}

function parseDay(v: unknown, name: string): number {
  const m = typeof v === 'string' ? /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v) : null;
  if (!m) throw new UsageError(`--${name} must be a date YYYY-MM-DD, got "${String(v ?? '')}"`);
  return Number(m[1] + m[2] + m[3]);
}

function strategySpec(values: Record<string, unknown>): StrategySpec {
  const name = values.strategy;
  if (typeof name !== 'string' || !name) throw new UsageError(`--strategy is required: one of ${Object.keys(builtinStrategies).join(', ')}, or a .js/.ts file`);
  let params: unknown = {};
  if (typeof values.params === 'string') {
    try {
      params = JSON.parse(values.params);
    } catch {
      throw new UsageError(`--params must be JSON, e.g. '{"short_window":5}'`);
    }
  }
  if (/\.(m?js|ts)$/.test(name)) {
    let source: string;
    try {
      source = readFileSync(name, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read strategy file ${name}: ${(err as Error).message}`);
    }
    return { kind: 'user', source, language: name.endsWith('.ts') ? 'ts' : 'js', params };
  }
  if (!Object.hasOwn(builtinStrategies, name)) throw new UsageError(`unknown strategy "${name}": use one of ${Object.keys(builtinStrategies).join(', ')}, or a .js/.ts file`);
  return { kind: 'builtin', name, params };
}

export const FIELDS_BY_STRATEGY: Record<string, string[]> = { pe_pb_value: ['pe_ttm', 'pb'], turnover_rate: ['turnover_rate'] };

export async function runBacktestCommand(values: Record<string, unknown>, deps: { loadPanel: LoadPanel; io?: CommandIo }): Promise<number> {
  const io = deps.io ?? processIo;
  let spec: StrategySpec;
  let query: PanelQuery;
  let capital: number;
  let fillTiming: FillTiming;
  try {
    spec = strategySpec(values);
    const start = parseDay(values.start, 'start');
    const end = parseDay(values.end, 'end');
    if (end < start) throw new UsageError(`--end (${end}) is before --start (${start})`);
    let codes: string[] | 'all';
    if (typeof values.codes === 'string') codes = values.codes.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
    else if (values.universe === 'all') codes = 'all';
    else throw new UsageError('give --codes 600000.SH,000001.SZ or --universe all');
    if (codes !== 'all' && codes.length === 0) throw new UsageError('--codes is empty');
    capital = values.capital === undefined ? 1_000_000 : Number(values.capital);
    if (!(capital > 0)) throw new UsageError(`--capital must be a positive number of CNY, got "${String(values.capital)}"`);
    const fill = values['fill-at'] ?? 'next_open';
    if (fill !== 'next_open' && fill !== 'same_close') throw new UsageError(`--fill-at must be next_open or same_close, got "${String(fill)}"`);
    fillTiming = fill;
    const benchmark = typeof values.benchmark === 'string' ? values.benchmark : '000300.SH';
    query = { codes, start, end, warmupDays: 120, benchmark, fields: spec.kind === 'builtin' ? FIELDS_BY_STRATEGY[spec.name] ?? [] : ['pe', 'pe_ttm', 'pb', 'ps', 'turnover_rate', 'total_mv', 'circ_mv'] };
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`zquant backtest: ${err.message}\nusage: ${backtestCommandUsage}\n`);
      return 2;
    }
    throw err;
  }
  const { panel, benchmark } = await deps.loadPanel(query);
  if (panel.codes.length === 0 || panel.dates.length === 0) {
    io.stderr(`zquant backtest: no market data for those codes between ${query.start} and ${query.end}; sync data first (zquant sync) or widen the range\n`);
    return 1;
  }
  const out = await runBacktest({ panel, benchmark, strategy: spec, config: { initialCash: capital, startDate: query.start, endDate: query.end, fillTiming } });
  if (!out.ok) {
    const e = out.error;
    const where = e.line ? ` at line ${e.line}:${e.column}` : '';
    const when = e.date ? ` on ${e.date}` : '';
    io.stderr(`zquant backtest: ${e.code}${where}${when}: ${e.message}\n`);
    for (const l of out.logs.slice(-20)) io.stderr(`  log: ${l}\n`);
    return 1;
  }
  if (values.json) io.stdout(JSON.stringify(resultToJson(out.result, out.metrics)) + '\n');
  else io.stdout(summary(out.result, out.metrics, spec, capital));
  return 0;
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

function summary(r: BacktestResult, m: Metrics, spec: StrategySpec, capital: number): string {
  const rejected = new Map<string, number>();
  for (const o of r.orders) if (o.reason && o.reason !== 'lot_size') rejected.set(o.reason, (rejected.get(o.reason) ?? 0) + 1);
  const final = r.total[r.total.length - 1];
  const rows: [string, string][] = [
    ['strategy', spec.kind === 'builtin' ? spec.name : 'user code'],
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
