import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { datasets } from '../../src/market/datasets.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { generateDemoMarket } from '../../src/market/demo/generator.ts';
import { demoDailyBars } from '../../src/market/demo/rows.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { demoCalendar } from '../../src/market/demo/calendar.ts';

const stores: MarketStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

async function fingerprint(seed: number): Promise<string> {
  const m = await openMarketStore(':memory:');
  stores.push(m);
  await seedDemoMarket(m, { seed, stocks: 30, years: 1, end: 20261127 });
  const h = createHash('sha256');
  for (const name of Object.keys(datasets)) {
    const def = datasets[name as keyof typeof datasets];
    const rows = await m.query(`select * from ${def.table} order by ${def.key.join(', ')}`);
    h.update(JSON.stringify(rows));
  }
  return h.digest('hex');
}

describe('demo market', () => {
  it('is deterministic: same seed, same data; another seed, other data', async () => {
    const a = await fingerprint(5);
    expect(await fingerprint(5)).toBe(a);
    expect(await fingerprint(6)).not.toBe(a);
  });

  it('answers one day on its own exactly as a full generation does', () => {
    const params = { seed: 9, stocks: 50, years: 1, end: 20261127 };
    const m1 = generateDemoMarket(params);
    const m2 = generateDemoMarket(params);
    const d = 100;
    expect(demoDailyBars(m1, d)).toEqual(demoDailyBars(m2, d));
  });

  it('has the features a backtest needs: boards, ST, delistings, suspensions, limit days, ex-rights', async () => {
    const m = await openMarketStore(':memory:');
    stores.push(m);
    await seedDemoMarket(m, { seed: 20240101, stocks: 300, years: 5, end: 20261127 });
    const [r] = await m.query(`select
      (select count(distinct board) from stocks)::int boards,
      (select count(*) from st_periods)::int st,
      (select count(*) from stocks where list_status = 'D')::int delisted,
      (select count(*) from stocks where list_date > 20220101)::int new_listings,
      (select count(*) from suspensions)::int suspended_days,
      (select count(*) from daily_bars b join limit_prices l using (ts_code, trade_date) where b.close = l.up_limit)::int limit_up,
      (select count(*) from daily_bars b join limit_prices l using (ts_code, trade_date) where b.close = l.down_limit)::int limit_down,
      (select count(*) from adj_factors where adj_factor > 1)::int adjusted,
      (select count(*) from index_daily where ts_code = '000300.SH')::int index_days,
      (select count(*) from daily_bars where high < greatest(open, close) or low > least(open, close))::int bad_bars`);
    expect(r.boards).toBe(4);
    expect(r.bad_bars).toBe(0);
    for (const k of ['st', 'delisted', 'new_listings', 'suspended_days', 'limit_up', 'limit_down', 'adjusted', 'index_days'])
      expect(r[k] as number, k).toBeGreaterThan(0);
  });

  it('closes on weekends and the approximated holidays', () => {
    const days = demoCalendar(20251001, 20251010);
    // 2025-10-01..07 National Day, 10-11 is a Saturday; 10-08..10 open.
    expect(days.filter((d) => d.isOpen).map((d) => d.date)).toEqual([20251008, 20251009, 20251010]);
  });
});
