/**
 * `zquant backtest` wired to the real market store: opens the DuckDB file of the data directory
 * (the server must not hold it: DuckDB allows one process per file) and loads the panel and the
 * benchmark the way the `backtest` executor does.
 */
import type { Config } from '../config.ts';
import { runBacktestCommand, type LoadPanel } from '../backtest/backtest.command.ts';
import { marketPathFor, openMarketStore } from '../market/duckdb.ts';
import { makePanelCache } from './panel-cache.ts';
import { addDays } from '../market/days.ts';

export async function runBacktestCli(config: Config, values: Record<string, unknown>): Promise<number> {
  const market = await openMarketStore(marketPathFor(config.dataDir));
  try {
    const cache = makePanelCache(market);
    const loadPanel: LoadPanel = async (q) => {
      // Trading days of warm-up as calendar days (about 245 trading days a year).
      const { panel } = await cache.get({
        codes: q.codes === 'all' ? null : q.codes, boards: null, excludeSt: false, start: addDays(q.start, -(Math.ceil((q.warmupDays * 365) / 245) + 10)), end: q.end, fields: q.fields, adjust: 'hfq',
      });
      const benchmark = q.benchmark ? await cache.benchmark(q.benchmark, panel) : null;
      return { panel, benchmark };
    };
    return await runBacktestCommand(values, { loadPanel });
  } finally {
    await market.close();
  }
}
