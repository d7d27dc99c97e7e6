import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { makePanelCache } from '../../src/backtests/panel-cache.ts';
import { loadBenchmark, loadPanel, plainBuffers, sharedBuffers } from '../../src/market/panel.ts';

// A hand-made market of four stocks over four open days (2024-01-02 … 01-05; 06/07 a weekend).
let market: MarketStore;
beforeAll(async () => {
  market = await openMarketStore(':memory:');
  await market.write(async (c) => {
    await c.run(`insert into trade_calendar values
      ('SSE', 20240102, 1, 20231229), ('SSE', 20240103, 1, 20240102), ('SSE', 20240104, 1, 20240103),
      ('SSE', 20240105, 1, 20240104), ('SSE', 20240106, 0, 20240105), ('SSE', 20240107, 0, 20240105)`);
    await c.run(`insert into stocks (ts_code, name, list_status, list_date, delist_date, board) values
      ('600000.SH', '浦发银行', 'L', 19991110, null, 'main'),
      ('600001.SH', '邯郸钢铁', 'D', 19980122, 20240104, 'main'),
      ('300750.SZ', '宁德时代', 'L', 20180611, null, 'chinext'),
      ('000002.SZ', 'ST万科', 'L', 19910129, null, 'main')`);
    await c.run(`insert into st_periods values ('000002.SZ', 20231201, null)`);
    await c.run(`insert into daily_bars (ts_code, trade_date, open, high, low, close, pre_close, vol, amount) values
      ('600000.SH', 20240102, 10.0, 10.5, 9.9, 10.2, 10.0, 1000, 1020.5),
      ('600000.SH', 20240104, 10.1, 11.06, 10.0, 11.06, 10.05, 2000, 2100),
      ('600001.SH', 20240102, 3.0, 3.1, 2.9, 3.0, 3.0, 10, 3),
      ('300750.SZ', 20240102, 100, 110, 95, 105, 100.05, 50, 525),
      ('000002.SZ', 20240102, 10, 10.2, 9.9, 10.1, 10.05, 70, 707)`);
    await c.run(`insert into adj_factors values ('600000.SH', 20240102, 1.5), ('600000.SH', 20240104, 1.6)`);
    // 600001.SH's row has empty limits: no limit that day (as Tushare gives for a registration-board debut).
    await c.run(`insert into limit_prices values ('600000.SH', 20240102, 11.0, 9.0), ('600001.SH', 20240102, null, null)`);
    await c.run(`insert into daily_basic (ts_code, trade_date, pe) values ('600000.SH', 20240102, 5.5)`);
    await c.run(`insert into index_daily (ts_code, trade_date, close) values ('000300.SH', 20240102, 3400.5), ('000300.SH', 20240104, 3410)`);
  });
});
afterAll(() => market?.close());

describe('loadPanel', () => {
  it('lays the market out day-major with units, flags, carried adj factors and limits', async () => {
    const p = await loadPanel(market, { start: 20240101, end: 20240107, fields: ['pe'] });
    expect(Array.from(p.dates)).toEqual([20240102, 20240103, 20240104, 20240105]);
    expect(p.codes).toEqual(['000002.SZ', '300750.SZ', '600000.SH', '600001.SH']);
    const N = 4;
    const at = (d: number, code: string) => d * N + p.codes.indexOf(code);
    // 600000.SH on 01-02: the bar as inserted; vol 1000 lots → 100,000 shares; amount 1020.5 k → 1,020,500 CNY.
    expect([p.open[at(0, '600000.SH')], p.close[at(0, '600000.SH')], p.volume[at(0, '600000.SH')], p.amount[at(0, '600000.SH')]]).toEqual([10, 10.2, 100_000, 1_020_500]);
    // 01-03: listed, no bar → suspended, prices NaN.
    expect(p.suspended[at(1, '600000.SH')]).toBe(1);
    expect(p.close[at(1, '600000.SH')]).toBeNaN();
    for (const a of [p.open, p.high, p.low, p.preClose, p.volume, p.amount, p.upLimit, p.downLimit]) expect(a[at(1, '600000.SH')]).toBeNaN();
    // A stored row with empty limits: no limit, not limits computed from pre_close.
    expect([p.upLimit[at(0, '600001.SH')], p.downLimit[at(0, '600001.SH')]]).toEqual([NaN, NaN]);
    // adj factor 1.5 carried over 01-03, 1.6 from 01-04 on, also carried to 01-05.
    expect([0, 1, 2, 3].map((d) => p.adjFactor[at(d, '600000.SH')])).toEqual([1.5, 1.5, 1.6, 1.6]);
    // Stored limits win (11.00/9.00 on 01-02); on 01-04 none stored: 10.05 × 1.1 = 11.055 → 11.06, × 0.9 = 9.045 → 9.05 (half-up).
    expect([p.upLimit[at(0, '600000.SH')], p.downLimit[at(0, '600000.SH')]]).toEqual([11, 9]);
    expect([p.upLimit[at(2, '600000.SH')], p.downLimit[at(2, '600000.SH')]]).toEqual([11.06, 9.05]);
    // ChiNext after the 2020-08-24 reform: ±20% of 100.05 → 120.06 / 80.04.
    expect([p.upLimit[at(0, '300750.SZ')], p.downLimit[at(0, '300750.SZ')]]).toEqual([120.06, 80.04]);
    // ST main board: ±5% of 10.05 = 10.5525 → 10.55, 9.5475 → 9.55; flagged ST every day.
    expect([p.upLimit[at(0, '000002.SZ')], p.downLimit[at(0, '000002.SZ')]]).toEqual([10.55, 9.55]);
    expect([0, 1, 2, 3].map((d) => p.st[at(d, '000002.SZ')])).toEqual([1, 1, 1, 1]);
    expect(p.st[at(0, '600000.SH')]).toBe(0);
    // 600001.SH delisted on 01-04: listed 01-02 and 01-03 (suspended there), not after.
    expect([0, 1, 2, 3].map((d) => p.listed[at(d, '600001.SH')])).toEqual([1, 1, 0, 0]);
    expect([0, 1, 2, 3].map((d) => p.suspended[at(d, '600001.SH')])).toEqual([0, 1, 0, 0]);
    // A stock without adj factors gets 1; daily_basic field where present, NaN elsewhere.
    expect(p.adjFactor[at(0, '300750.SZ')]).toBe(1);
    expect(p.fields.pe[at(0, '600000.SH')]).toBe(5.5);
    expect(p.fields.pe[at(2, '600000.SH')]).toBeNaN();
    expect(p.fields.pe[at(0, '300750.SZ')]).toBeNaN();
  });

  it('narrows to named codes and boards', async () => {
    const byCode = await loadPanel(market, { codes: ['600000.SH'], start: 20240102, end: 20240104 });
    expect(byCode.codes).toEqual(['600000.SH']);
    expect(Array.from(byCode.close)).toEqual([10.2, NaN, 11.06]);
    // Codes go to DuckDB comma-joined; one with a comma in it (no real code has one) goes as a list
    // instead, and finds nothing rather than splitting into two codes.
    const odd = await loadPanel(market, { codes: ['600000.SH', '600001.SH,300750.SZ'], start: 20240102, end: 20240104 });
    expect(odd.codes).toEqual(['600000.SH', '600001.SH,300750.SZ']);
    expect(Array.from(odd.close)).toEqual([10.2, NaN, NaN, NaN, 11.06, NaN]);
    expect(Array.from(odd.listed)).toEqual([1, 0, 1, 0, 1, 0]);
    const chinext = await loadPanel(market, { universe: { boards: ['chinext'] }, start: 20240102, end: 20240105 });
    expect(chinext.codes).toEqual(['300750.SZ']);
  });

  it('carries adj factors the same whether read as runs or row by row (a value that comes back, A B A)', async () => {
    // Its own store: one stock whose factor goes 1.0 → 1.2 → 1.0 (runs of equal values interleave,
    // so the loader must read rows one by one) and one with two plain runs with a gap day.
    const m = await openMarketStore(':memory:');
    try {
      await m.write(async (c) => {
        await c.run(`insert into trade_calendar values ('SSE', 20240102, 1, null), ('SSE', 20240103, 1, 20240102), ('SSE', 20240104, 1, 20240103), ('SSE', 20240105, 1, 20240104)`);
        await c.run(`insert into stocks (ts_code, list_date, board) values ('600000.SH', 19991110, 'main'), ('600004.SH', 20030428, 'main')`);
        await c.run(`insert into daily_bars (ts_code, trade_date, close, pre_close) values
          ('600000.SH', 20240102, 10, 10), ('600000.SH', 20240103, 10, 10), ('600000.SH', 20240104, 10, 10), ('600000.SH', 20240105, 10, 10),
          ('600004.SH', 20240102, 10, 10), ('600004.SH', 20240103, 10, 10), ('600004.SH', 20240104, 10, 10), ('600004.SH', 20240105, 10, 10)`);
        await c.run(`insert into adj_factors values ('600004.SH', 20240102, 2.0), ('600004.SH', 20240104, 2.5), ('600004.SH', 20240105, 2.5)`);
      });
      const runs = await loadPanel(m, { start: 20240102, end: 20240105 });
      // Runs only (600000.SH has no factor: 1): 2.0 on 01-02, carried over 01-03, 2.5 from 01-04.
      expect(Array.from(runs.adjFactor)).toEqual([1, 2, 1, 2, 1, 2.5, 1, 2.5]);
      await m.write((c) => c.run(`insert into adj_factors values ('600000.SH', 20240102, 1.0), ('600000.SH', 20240103, 1.2), ('600000.SH', 20240104, 1.0)`));
      const rows = await loadPanel(m, { start: 20240102, end: 20240105 });
      // As runs, 1.0 would span 01-02…01-04 and hide 1.2; row by row: 1.0, 1.2, 1.0, then 1.0 carried.
      expect(Array.from(rows.adjFactor)).toEqual([1, 2, 1.2, 2, 1, 2.5, 1, 2.5]);
    } finally {
      await m.close();
    }
  });

  it('aligns the benchmark to the panel dates', async () => {
    const b = await loadBenchmark(market, '000300.SH', Int32Array.from([20240102, 20240103, 20240104]));
    expect(Array.from(b.close)).toEqual([3400.5, NaN, 3410]);
  });

  it('allocates on SharedArrayBuffers by default and on plain ones when asked, prefaulted or not, with the same values; the cache keeps its panels on shared ones in every adjust mode', async () => {
    const req = { start: 20240101, end: 20240107, fields: ['pe'] };
    const plain = await loadPanel(market, req, { buffers: plainBuffers });
    const shared = await loadPanel(market, req);
    // This panel is far below the 64 MB from which the loader prefaults; from 0 bytes it does (the
    // helper thread touching pages while the scatter writes them must change nothing).
    const prefaulted = await loadPanel(market, req, { buffers: sharedBuffers, prefaultFrom: 0 });
    const arrays = (p: typeof plain) => [p.dates, p.open, p.high, p.low, p.close, p.preClose, p.volume, p.amount, p.adjFactor, p.upLimit, p.downLimit, p.suspended, p.listed, p.st, p.fields.pe];
    for (const a of arrays(plain)) expect(a.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    for (const p of [shared, prefaulted]) {
      for (const a of arrays(p)) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(arrays(p).map((a) => Array.from(a))).toEqual(arrays(plain).map((a) => Array.from(a)));
    }
    // Every adjust mode and the ST filter leave the cached panel wholly on shared memory.
    const cache = makePanelCache(market);
    for (const [adjust, excludeSt] of [['hfq', false], ['qfq', true], ['none', false]] as const) {
      const { panel } = await cache.get({ codes: null, boards: null, excludeSt, start: 20240101, end: 20240107, fields: ['pe'], adjust });
      for (const a of arrays(panel)) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
  });
});
