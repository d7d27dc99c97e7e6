/**
 * `zquant backtest` wired to the real market store (opened by the command line under the data
 * directory's lock, or a running server's own for a `zquant backtest` sent over its admin socket).
 * The options become the API's submit body (backtest.command.ts submitFromOptions), checked by the
 * API's request schema and the same market checks (backtests.contract.ts SubmitBacktestSchema, specOf;
 * plan.ts answerableSpec), then run through the one plan (plan.ts planBacktest) on the same panel
 * cache as the `backtest` executor — so a spec gives the same numbers here as through the API.
 * Refusals print the API's message and exit 2; a strategy error exits 1.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { CommandIo, CommandStores } from '../admin/command-io.ts';
import { backtestCommandUsage, isStrategyFile, optionOfField, resultToJson, submitFromOptions, summary, UsageError } from '../engine/backtest.command.ts';
import { builtinStrategies } from '../engine/builtins/registry.ts';
import { runBacktest } from '../engine/run-backtest.ts';
import { AppError } from '../http/errors.ts';
import type { BacktestSpec, StrategyRef } from './backtest-request.ts';
import type { Principal } from '../auth/access.ts';
import { builtinStrategyRef, specOf, strategyOfSubmit } from './backtests.service.ts';
import { SubmitBacktestSchema } from './backtests.contract.ts';
import { parseInput } from '../http/contract.ts';
import { makePanelCache } from './panel-cache.ts';
import { answerableSpec, planBacktest, type StrategyCode } from './plan.ts';
import { withFactorFields } from '../factors/factors.service.ts';

/** Whoever holds the data directory may run any saved strategy. */
const cliPrincipal: Principal = { userId: 0, username: 'zquant backtest', role: 'admin', via: 'token' };

export async function runBacktestCli(stores: Pick<CommandStores, 'pg' | 'market'>, io: Pick<CommandIo, 'stdout' | 'stderr' | 'cwd'>, values: Record<string, unknown>): Promise<number> {
  const market = await stores.market();
  let spec: BacktestSpec;
  let code: StrategyCode | undefined;
  try {
    const name = values.strategy;
    if ((typeof name !== 'string' || !name) && values['strategy-id'] === undefined) {
      throw new UsageError(`--strategy is required: one of ${Object.keys(builtinStrategies).join(', ')}, or a .js/.ts file (or --strategy-id N, a saved strategy)`);
    }
    // Missing dates are a usage mistake (with the usage line); a date given is the schema's to check.
    for (const o of ['start', 'end'] as const) if (typeof values[o] !== 'string' || !values[o]) throw new UsageError(`--${o} must be a date YYYY-MM-DD, got ""`);
    const b = parseInput(SubmitBacktestSchema, submitFromOptions(values));
    let ref: { strategy: StrategyRef; params: Record<string, unknown>; code?: StrategyCode };
    if (isStrategyFile(name)) {
      if (b.strategy_id) throw new UsageError('give --strategy (a built-in or a file) or --strategy-id (a saved strategy), not both');
      // A strategy file is the caller's, relative to the caller's directory.
      const file = resolve(io.cwd, name);
      try {
        code = { source: readFileSync(file, 'utf8'), language: file.endsWith('.ts') ? 'ts' : 'js' };
      } catch (err) {
        throw new UsageError(`cannot read strategy file ${name}: ${(err as Error).message}`);
      }
      ref = { strategy: { kind: 'user', name: basename(file), strategyId: null, versionId: null, version: null }, params: b.params };
    } else {
      // A saved strategy (--strategy-id) is read from the database; the command line sees every user's.
      ref = b.strategy_id ? await strategyOfSubmit((await stores.pg()).db, cliPrincipal, b) : builtinStrategyRef(b.strategy, b.params);
      code = ref.code;
    }
    spec = await answerableSpec(market, specOf(b, ref.strategy, ref.params));
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`zquant backtest: ${err.message}\nusage: ${backtestCommandUsage}\n`);
      return 2;
    }
    if (err instanceof AppError && err.status === 400) {
      // The API's message; the option that sets the field when its name differs.
      const field = String((err.details as { field?: string } | undefined)?.field ?? '');
      const option = optionOfField[field.split('.')[0]];
      io.stderr(`zquant backtest: ${err.message}\n${option && option !== field ? `(${field} is --${option} here)\n` : ''}`);
      return 2;
    }
    throw err;
  }
  const plan = planBacktest(spec, code);
  const cache = makePanelCache(market);
  const { panel: loaded } = await cache.get(plan.panelKey);
  // Stored factors the strategy reads (ctx.factor, factor_rank), beside the panel; a user factor's owner is read from the database.
  let panel = loaded;
  try {
    const db = plan.factors.some((f) => /^u\d/.test(f)) ? (await stores.pg()).db : (null as never);
    panel = await withFactorFields(db, market, cliPrincipal, loaded, plan.factors);
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    io.stderr(`zquant backtest: ${err.message}\n`);
    return 2;
  }
  const benchmark = plan.benchmark ? await cache.benchmark(plan.benchmark, panel) : null;
  const out = await runBacktest({ panel, benchmark, strategy: plan.strategy, config: plan.config });
  if (!out.ok) {
    const e = out.error;
    const where = e.line ? ` at line ${e.line}:${e.column}` : '';
    const when = e.date ? ` on ${e.date}` : '';
    io.stderr(`zquant backtest: ${e.code}${where}${when}: ${e.message}\n`);
    for (const l of out.logs.slice(-20)) io.stderr(`  log: ${l}\n`);
    return 1;
  }
  if (values.json) io.stdout(JSON.stringify({ spec, ...resultToJson(out.result, out.metrics) }) + '\n');
  else io.stdout(summary(out.result, out.metrics, spec.strategy.kind === 'builtin' ? spec.strategy.name : `user code (${spec.strategy.name})`, spec.capital));
  return 0;
}
