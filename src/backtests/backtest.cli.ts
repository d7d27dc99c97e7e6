/**
 * `zquant backtest` wired to the real market store: loads the panel and the benchmark the way the
 * `backtest` executor does, from the market store it is handed (opened by the command line under
 * the data directory's lock, or a running server's own for a `zquant backtest` sent over its admin
 * socket).
 */
import { resolve } from 'node:path';
import type { CommandIo, CommandStores } from '../admin/commands.ts';
import { runBacktestCommand, type LoadPanel } from '../backtest/backtest.command.ts';
import { makePanelCache } from './panel-cache.ts';
import { addDays } from '../market/days.ts';

export async function runBacktestCli(stores: CommandStores, io: CommandIo, values: Record<string, unknown>): Promise<number> {
  const market = await stores.market();
  const cache = makePanelCache(market);
  const loadPanel: LoadPanel = async (q) => {
    // Trading days of warm-up as calendar days (about 245 trading days a year).
    const { panel } = await cache.get({
      codes: q.codes === 'all' ? null : q.codes, boards: null, excludeSt: false, start: addDays(q.start, -(Math.ceil((q.warmupDays * 365) / 245) + 10)), end: q.end, fields: q.fields, adjust: 'hfq',
    });
    const benchmark = q.benchmark ? await cache.benchmark(q.benchmark, panel) : null;
    return { panel, benchmark };
  };
  // A strategy file is the caller's, relative to the caller's directory.
  const strategy = values.strategy;
  const resolved = typeof strategy === 'string' && /\.(m?js|ts)$/.test(strategy) ? { ...values, strategy: resolve(io.cwd, strategy) } : values;
  return runBacktestCommand(resolved, { loadPanel, io });
}
