import type { Config } from '../../config.ts';
import type { PgStore } from '../../db/database.ts';
import type { Logger } from '../../logger.ts';
import type { MarketStore } from '../duckdb.ts';
import { addDays, isWeekend, toYmd } from '../days.ts';
import { saveDemoParams } from '../sync/make-source.ts';
import { openSyncLog } from '../sync/sync-log.service.ts';
import { defaultDemoParams } from './generator.ts';
import { isMarketEmpty, seedDemoMarket } from './seed.ts';

/**
 * On a first start (empty market store) fills it with the demo market, ending on the last
 * weekday before today, so a new user can backtest at once. Logged, and recorded in sync_log.
 */
export async function seedDemoOnFirstStart(deps: { pg: PgStore; market: MarketStore; config: Config; logger: Logger }, now = new Date()): Promise<void> {
  if (!(await isMarketEmpty(deps.market))) return;
  let end = addDays(toYmd(now), -1);
  while (isWeekend(end)) end = addDays(end, -1);
  const params = {
    ...defaultDemoParams,
    stocks: deps.config.demoStocks,
    years: deps.config.demoYears,
    end,
  };
  const log = await openSyncLog(deps.pg.db, { source: 'demo', endpoint: 'first start', dataset: 'all', params }, { leaseMs: deps.config.runLeaseMs, heartbeatMs: deps.config.runHeartbeatMs });
  try {
    const r = await seedDemoMarket(deps.market, params);
    await saveDemoParams(deps.market, params);
    await log.finish({ counts: { inserted: r.rows, updated: 0, unchanged: 0, deleted: 0 }, lastCompletedDate: params.end, result: 'success', error: null });
    deps.logger.info('demo market seeded', { stocks: r.stocks, days: r.days, rows: r.rows, generateMs: Math.round(r.generateMs), writeMs: Math.round(r.writeMs) });
  } catch (err) {
    await log.finish({ counts: { inserted: 0, updated: 0, unchanged: 0, deleted: 0 }, lastCompletedDate: null, result: 'failed', error: (err as Error).message });
    throw err;
  }
}
