/**
 * `zquant sweep` and `zquant walk-forward`: the API's submission in command-line form (the
 * backtest's options plus --space, --mode, --budget, --seed, --objective, and for a walk-forward
 * the windows), checked by the same schema, strategy check and market checks, then run in this
 * process on the same thread pool as the `sweep` executor (one panel shared by every thread). A
 * progress line goes to stderr, the result as JSON to stdout. Nothing is stored: the command is for
 * scripts and quick looks; sweeps to keep and browse go through the API or the pages. Refusals
 * print the API's message and exit 2.
 */
import { availableParallelism } from 'node:os';
import type { CommandIo, CommandStores } from '../admin/command-io.ts';
import { isStrategyFile, submitFromOptions, UsageError, optionOfField } from '../engine/backtest.command.ts';
import { computeMetrics } from '../engine/metrics/metrics.ts';
import { parseInput } from '../http/contract.ts';
import { AppError } from '../http/errors.ts';
import { isoDay } from '../market/days.ts';
import { specOf } from '../backtests/backtests.service.ts';
import type { SubmitBacktest } from '../backtests/backtests.contract.ts';
import { backtestRunLimitsOf } from '../backtests/backtest.executor.ts';
import { makePanelCache } from '../backtests/panel-cache.ts';
import { answerableSpec, planBacktest } from '../backtests/plan.ts';
import { SweepInputError } from './errors.ts';
import { setMetricsOf } from './set-metrics.ts';
import { runSetsOnThreads } from './sweep-pool.ts';
import { sweepStatistics } from './sweep-stats.ts';
import type { SweepThreadSet, SweepThreadSetResult } from './sweep.thread.ts';
import { SubmitSweepSchema } from './sweeps.contract.ts';
import { modeOf, planOf, sweepInputAppError, sweepSubmitLimitsOf } from './sweeps.service.ts';
import { builtinSweepStrategy, sweepStrategy, type SweepStrategy } from './sweep-strategy.service.ts';
import type { SweepStrategyCode } from './sweep.thread.ts';
import { checkWithJsonSchema } from './checks.ts';
import type { ParamsJsonSchema } from './space.ts';
import { checkStrategyCode } from '../strategies/dry-run.ts';
import { strategyVersionOf } from '../strategies/strategies.service.ts';
import type { Principal } from '../auth/access.ts';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { chainSegments, walkForwardWindows } from './walk-forward.ts';

const numberOr = (v: unknown) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);

/** The options as the API's sweep submission. */
function bodyOf(values: Record<string, unknown>, walk: boolean): Record<string, unknown> {
  const body = submitFromOptions(values);
  if (typeof values.space !== 'string') throw new UsageError(`--space is required: JSON of the swept parameters, e.g. '{"short_window":{"from":2,"to":21,"step":1},"long_window":{"values":[20,40,60]}}'`);
  try {
    body.space = JSON.parse(values.space);
  } catch {
    throw new UsageError(`--space must be JSON, e.g. '{"short_window":{"from":2,"to":21,"step":1}}'`);
  }
  if (values.mode !== undefined) body.mode = values.mode;
  if (values.budget !== undefined) body.budget = numberOr(values.budget);
  if (values.seed !== undefined) body.seed = numberOr(values.seed);
  if (values.objective !== undefined) body.objective = values.objective;
  if (walk) {
    if (values['in-sample'] === undefined || values['out-of-sample'] === undefined) throw new UsageError('--in-sample N and --out-of-sample N (trading days) are required');
    body.windows = {
      kind: values.anchored ? 'anchored' : 'rolling', in_sample_days: numberOr(values['in-sample']), out_of_sample_days: numberOr(values['out-of-sample']),
      ...(values.step !== undefined ? { step_days: numberOr(values.step) } : {}),
    };
  }
  return body;
}

/** Whoever holds the data directory may sweep any saved strategy (as `zquant backtest --strategy-id`). */
const cliPrincipal: Principal = { userId: 0, username: 'zquant sweep', role: 'admin', via: 'token' };

/**
 * The strategy of the options and the code the threads run: a built-in by name, a saved strategy
 * (--strategy-id, its current version) or a .js/.ts file (its params schema read by the sandbox's check).
 */
async function strategyOfOptions(stores: CommandStores, cwd: string, values: Record<string, unknown>, b: { strategy?: string; strategy_id?: number }): Promise<{ s: SweepStrategy; code: SweepStrategyCode }> {
  const name = values.strategy;
  if (isStrategyFile(name)) {
    if (b.strategy_id !== undefined) throw new UsageError('give --strategy (a built-in or a file) or --strategy-id (a saved strategy), not both');
    const file = resolve(cwd, name);
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read strategy file ${name}: ${(err as Error).message}`);
    }
    const language = file.endsWith('.ts') ? 'ts' : 'js';
    const checked = await checkStrategyCode(source, language);
    if (!checked.ok) {
      const e = checked.error;
      throw new AppError(400, 'invalid_strategy', `strategy: ${name}${e.line ? ` at line ${e.line}, column ${e.column}` : ''}: ${e.message}`, { field: 'strategy' });
    }
    const schema = (checked.paramsSchema ?? { type: 'object', properties: {} }) as ParamsJsonSchema;
    return {
      s: { ref: { kind: 'user', name: basename(file), strategyId: null, versionId: null, version: null }, schema, check: checkWithJsonSchema(schema) },
      code: { kind: 'user', source, language, timeoutMs: backtestRunLimitsOf().timeoutMs },
    };
  }
  if (b.strategy_id === undefined) {
    const s = builtinSweepStrategy(b);
    return { s, code: { kind: 'builtin', name: s.ref.name } };
  }
  const db = (await stores.pg()).db;
  const s = await sweepStrategy(db, cliPrincipal, b);
  const v = (await strategyVersionOf(db, s.ref.versionId!))!;
  return { s, code: { kind: 'user', source: v.source, language: v.language, timeoutMs: backtestRunLimitsOf().timeoutMs } };
}

export async function runSweepCli(stores: CommandStores, io: Pick<CommandIo, 'stdout' | 'stderr' | 'tty' | 'signal' | 'cwd'>, values: Record<string, unknown>, walk: boolean, usage: string): Promise<number> {
  const name = walk ? 'walk-forward' : 'sweep';
  const market = await stores.market();
  let prepared;
  try {
    const b = parseInput(SubmitSweepSchema, bodyOf(values, walk));
    const { s, code } = await strategyOfOptions(stores, io.cwd, values, b);
    const spec = await answerableSpec(market, specOf(b as SubmitBacktest, s.ref, b.params));
    const { plan } = planOf(s, b.space, modeOf(b.mode, b.budget, b.seed), b.params, sweepSubmitLimitsOf().maxSets);
    prepared = { b, spec, plan, code };
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`zquant ${name}: ${err.message}\nusage: ${usage}\n`);
      return 2;
    }
    const e = err instanceof SweepInputError ? sweepInputAppError(err) : err;
    if (e instanceof AppError && e.status === 400) {
      const field = String((e.details as { field?: string } | undefined)?.field ?? '');
      const option = optionOfField[field.split('.')[0]];
      io.stderr(`zquant ${name}: ${e.message}\n${option && option !== field ? `(${field} is --${option} here)\n` : ''}`);
      return 2;
    }
    throw e;
  }
  const { b, spec, plan, code } = prepared;
  const candidates = [...plan.candidates()];
  const tally = plan.tally;
  const bt = planBacktest(spec, code.kind === 'user' ? code : undefined);
  const cache = makePanelCache(market);
  const { panel } = await cache.get(bt.panelKey);
  const benchmark = bt.benchmark ? await cache.benchmark(bt.benchmark, panel) : null;
  const limits = backtestRunLimitsOf();
  const input = { panel, benchmark, strategy: code, capital: spec.capital, config: { ...bt.config, maxOrders: limits.maxOrders, maxOrdersPerDay: limits.maxOrdersPerDay } };
  const threads = typeof values.threads === 'string' ? Math.max(1, Number(values.threads) || 1) : availableParallelism();
  const objective = b.objective;
  const t0 = Date.now();
  const run = async (sets: SweepThreadSet[], total: number, label: string) => {
    const results = new Map<number, SweepThreadSetResult>();
    let best: { v: number; ordinal: number } | null = null;
    await runSetsOnThreads(input, sets, {
      threads, signal: io.signal,
      onSet: (r) => {
        results.set(r.ordinal, r);
        const v = r.metrics?.[objective];
        if (typeof v === 'number' && Number.isFinite(v) && (!best || v > best.v)) best = { v, ordinal: r.ordinal };
        const b2 = best as { v: number; ordinal: number } | null;
        const line = `${label}: ${results.size}/${total} sets, ${((Date.now() - t0) / 1000).toFixed(1)} s${b2 ? `, best ${objective} ${b2.v.toFixed(4)} (set ${b2.ordinal})` : ''}`;
        io.stderr(io.tty ? `\r${line}\x1b[K` : results.size === total || results.size % 25 === 0 ? `${line}\n` : '');
      },
    });
    if (io.tty) io.stderr('\n');
    return results;
  };
  const counts = { planned: candidates.length, skipped: tally.skipped, duplicates: tally.duplicates, skip_reasons: tally.skipReasons };
  if (!walk) {
    const sets = candidates.map((c) => ({ ordinal: c.ordinal, windowIndex: null, gridIndex: c.gridIndex, params: c.params }));
    const results = await run(sets, sets.length, 'sweep');
    if (io.signal.aborted) return 130;
    const ok = sets.filter((s) => results.get(s.ordinal)?.metrics);
    let bestOrdinal: number | null = null;
    for (const s of ok) {
      const v = results.get(s.ordinal)!.metrics![objective];
      if (v !== null && Number.isFinite(v) && (bestOrdinal === null || v > results.get(bestOrdinal)!.metrics![objective]!)) bestOrdinal = s.ordinal;
    }
    const stats = sweepStatistics(ok.map((s) => ({ ordinal: s.ordinal, returns: results.get(s.ordinal)!.returns! })), bestOrdinal);
    io.stdout(JSON.stringify({
      strategy: spec.strategy.name, start_date: isoDay(spec.startDate), end_date: isoDay(spec.endDate), objective, counts: { ...counts, done: ok.length, failed: sets.length - ok.length },
      seconds: (Date.now() - t0) / 1000, best: bestOrdinal === null ? null : { ordinal: bestOrdinal, params: sets[bestOrdinal].params, metrics: results.get(bestOrdinal)!.metrics },
      dsr: stats.dsr, pbo: stats.pbo, notes: stats.notes,
      sets: sets.map((s) => ({ ordinal: s.ordinal, params: s.params, metrics: results.get(s.ordinal)?.metrics ?? null, error: results.get(s.ordinal)?.error ?? null })),
    }) + '\n');
    return 0;
  }
  // Walk-forward: windows over the period's trading days, every window's in-sample sets in one pass, then the winners out of sample.
  const days: number[] = [];
  for (let d = 0; d < panel.dates.length; d++) if (panel.dates[d] >= spec.startDate && panel.dates[d] <= spec.endDate) days.push(panel.dates[d]);
  const w = b.windows!;
  let windows;
  try {
    windows = walkForwardWindows(days.length, { kind: w.kind, inSampleDays: w.in_sample_days, outOfSampleDays: w.out_of_sample_days, stepDays: w.step_days }).windows;
  } catch (err) {
    if (err instanceof SweepInputError) {
      io.stderr(`zquant walk-forward: windows: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const m = candidates.length;
  const inSample = windows.flatMap((win) => candidates.map((c) => ({ ordinal: win.index * m + c.ordinal, windowIndex: win.index, gridIndex: c.gridIndex, params: c.params, startDate: days[win.isStart], endDate: days[win.isEnd] })));
  const isResults = await run(inSample, inSample.length, 'in-sample');
  if (io.signal.aborted) return 130;
  const winners = windows.map((win) => {
    let best: SweepThreadSet | null = null;
    for (const s of inSample.slice(win.index * m, (win.index + 1) * m)) {
      const v = isResults.get(s.ordinal)?.metrics?.[objective];
      if (v !== null && v !== undefined && Number.isFinite(v) && (!best || v > isResults.get(best.ordinal)!.metrics![objective]!)) best = s;
    }
    return best;
  });
  const oosSets = windows.flatMap((win, i) => (winners[i] ? [{ ordinal: win.index, windowIndex: win.index, gridIndex: -1, params: winners[i]!.params, startDate: days[win.oosStart], endDate: days[win.oosEnd], keepNav: true }] : []));
  const oos = await run(oosSets, oosSets.length, 'out-of-sample');
  const segments = oosSets.map((s) => oos.get(s.ordinal)?.nav).filter((n): n is NonNullable<typeof n> => !!n);
  const curve = chainSegments(segments);
  const metrics = segments.length ? setMetricsOf(computeMetrics({ dates: curve.dates, values: curve.values }), spec.capital * curve.values[curve.values.length - 1]) : null;
  io.stdout(JSON.stringify({
    strategy: spec.strategy.name, start_date: isoDay(spec.startDate), end_date: isoDay(spec.endDate), objective, counts, seconds: (Date.now() - t0) / 1000,
    windows: windows.map((win, i) => ({
      index: win.index,
      in_sample: { start_date: isoDay(days[win.isStart]), end_date: isoDay(days[win.isEnd]) },
      out_of_sample: { start_date: isoDay(days[win.oosStart]), end_date: isoDay(days[win.oosEnd]) },
      params: winners[i]?.params ?? null,
      in_sample_metrics: winners[i] ? isResults.get(winners[i]!.ordinal)!.metrics : null,
      out_of_sample_metrics: oos.get(win.index)?.metrics ?? null,
    })),
    out_of_sample: { metrics, curve: { dates: curve.dates.map(isoDay), values: Array.from(curve.values) } },
  }) + '\n');
  return 0;
}
