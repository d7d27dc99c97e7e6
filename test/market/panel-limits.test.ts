// The panel loader's fallback limits (no stored limit_prices row) follow the dated rules of
// src/engine/rules.ts, the one implementation it shares with the engine: a main-board ST
// stock is limited to ±5% up to 2025-07-04 and ±10% from 2025-07-07 (SSE/SZSE revision for
// main-board risk-warning stocks, effective 2025-07-07). Expected prices worked out by hand in cents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { loadPanel } from '../../src/market/panel.ts';

let market: MarketStore;
beforeAll(async () => {
  market = await openMarketStore(':memory:');
  await market.write(async (c) => {
    await c.run(`insert into trade_calendar values
      ('SSE', 20250703, 1, 20250702), ('SSE', 20250704, 1, 20250703), ('SSE', 20250705, 0, 20250704),
      ('SSE', 20250706, 0, 20250704), ('SSE', 20250707, 1, 20250704)`);
    await c.run(`insert into stocks (ts_code, name, list_status, list_date, delist_date, board) values
      ('000002.SZ', 'ST万科', 'L', 19910129, null, 'main'),
      ('600000.SH', '浦发银行', 'L', 19991110, null, 'main')`);
    await c.run(`insert into st_periods values ('000002.SZ', 20250101, null)`);
    await c.run(`insert into daily_bars (ts_code, trade_date, open, high, low, close, pre_close, vol, amount) values
      ('000002.SZ', 20250703, 10.05, 10.05, 10.05, 10.05, 10.05, 10, 10),
      ('000002.SZ', 20250704, 10.05, 10.05, 10.05, 10.05, 10.05, 10, 10),
      ('000002.SZ', 20250707, 10.05, 10.05, 10.05, 10.05, 10.05, 10, 10),
      ('600000.SH', 20250704, 10.05, 10.05, 10.05, 10.05, 10.05, 10, 10),
      ('600000.SH', 20250707, 10.05, 10.05, 10.05, 10.05, 10.05, 10, 10)`);
  });
});
afterAll(() => market?.close());

describe('panel fallback limits across the 2025-07-07 ST change', () => {
  it('ST main board: ±5% through 2025-07-04, ±10% from 2025-07-07; non-ST ±10% throughout', async () => {
    const p = await loadPanel(market, { start: 20250701, end: 20250707 });
    expect(Array.from(p.dates)).toEqual([20250703, 20250704, 20250707]);
    const N = p.codes.length;
    const at = (d: number, code: string) => d * N + p.codes.indexOf(code);
    const limits = (code: string) => [0, 1, 2].map((d) => [p.upLimit[at(d, code)], p.downLimit[at(d, code)]]);
    expect([0, 1, 2].map((d) => p.st[at(d, '000002.SZ')])).toEqual([1, 1, 1]);
    // 1005 × 105 / 100 = 1055.25 → 1055; 1005 × 95 / 100 = 954.75 → 955 (half-up); from 07-07 1005 × 110 / 100 = 1105.5 → 1106,
    // 1005 × 90 / 100 = 904.5 → 905.
    expect(limits('000002.SZ')).toEqual([[10.55, 9.55], [10.55, 9.55], [11.06, 9.05]]);
    // 600000.SH has no bar on 07-03 (NaN), then ±10%.
    expect(limits('600000.SH').slice(1)).toEqual([[11.06, 9.05], [11.06, 9.05]]);
  });
});
