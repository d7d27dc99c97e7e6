import type { MarketStore } from '../duckdb.ts';
import { appendBatch, type Batch } from '../store/batch.ts';
import { concatBatches } from '../store/concat.ts';
import { generateDemoMarket, type DemoMarket, type DemoParams } from './generator.ts';
import {
  demoAdjFactors, demoCalendarRows, demoDailyBars, demoDailyBasic, demoIndexDaily, demoLimitPrices, demoStocks, demoStPeriods, demoSuspensions,
} from './rows.ts';

export interface SeedResult {
  rows: number;
  stocks: number;
  days: number;
  generateMs: number;
  writeMs: number;
}

/** Whether the market store holds no stocks yet (a first start). */
export async function isMarketEmpty(market: MarketStore): Promise<boolean> {
  const rows = await market.query('select count(*)::integer as n from stocks');
  return Number(rows[0].n) === 0;
}

/**
 * Generates the demo market and appends it into the (empty) tables in one transaction, day-major
 * so tables are physically sorted by (trade_date, ts_code). Appends straight from the generator's
 * column batches, no merge (the tables are empty).
 */
export async function seedDemoMarket(market: MarketStore, params: DemoParams): Promise<SeedResult> {
  const t0 = performance.now();
  const m = generateDemoMarket(params);
  const generateMs = performance.now() - t0;
  const rows = await market.write(async (conn) => {
    let total = 0;
    const put = async (table: string, batch: Batch) => {
      await appendBatch(conn, table, batch);
      total += batch.length;
    };
    await put('stocks', demoStocks(m));
    await put('trade_calendar', demoCalendarRows(m));
    await put('st_periods', demoStPeriods(m));
    await put('index_daily', demoIndexDaily(m, 0, m.dates.length - 1));
    const perDay: [string, (m: DemoMarket, d: number) => Batch][] = [
      ['daily_bars', demoDailyBars],
      ['adj_factors', demoAdjFactors],
      ['daily_basic', demoDailyBasic],
      ['limit_prices', demoLimitPrices],
      ['suspensions', demoSuspensions],
    ];
    for (const [table, make] of perDay) {
      const step = Math.max(1, Math.floor(100_000 / m.stocks.length));
      for (let d = 0; d < m.dates.length; d += step) {
        const parts: Batch[] = [];
        for (let k = d; k < Math.min(m.dates.length, d + step); k++) parts.push(make(m, k));
        const batch = concatBatches(parts);
        if (batch.length) await put(table, batch);
      }
    }
    return total;
  });
  return { rows, stocks: m.stocks.length, days: m.dates.length, generateMs, writeMs: performance.now() - t0 - generateMs };
}
