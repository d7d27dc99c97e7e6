import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { importCsvFiles } from '../../src/market/csv/csv-import.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.ts';

let db: TestDatabase;
let market: MarketStore;
beforeAll(async () => {
  db = await createTestDatabase();
  market = await openMarketStore(':memory:');
});
afterAll(async () => {
  await market?.close();
  await db?.drop();
});

const good = `ts_code,trade_date,open,high,low,close,pre_close,change,pct_chg,vol,amount
600000.SH,20240103,10.1,10.3,10.0,10.2,10.0,0.2,2.0,1200,1224.5
600000.SH,20240102,10.0,10.5,9.9,10.0,9.8,0.2,2.04,1000,1000
`;

describe('CSV import', () => {
  it('imports a file with Tushare columns, and a re-import counts unchanged rows', async () => {
    const [r] = await importCsvFiles({ market, pg: db.store }, 'daily_bars', [{ name: 'bars.csv', text: good }]);
    expect(r.ok).toBe(true);
    expect(r.counts).toEqual({ inserted: 2, updated: 0, unchanged: 0, deleted: 0 });
    const rows = await market.query(`select trade_date, close, amount from daily_bars order by trade_date`);
    expect(rows).toEqual([
      { trade_date: 20240102, close: 10, amount: 1000 },
      { trade_date: 20240103, close: 10.2, amount: 1224.5 },
    ]);
    const [again] = await importCsvFiles({ market, pg: db.store }, 'daily_bars', [{ name: 'bars.csv', text: good }]);
    expect(again.counts).toEqual({ inserted: 0, updated: 0, unchanged: 2, deleted: 0 });
  });

  it('reports bad rows with file and line, and writes nothing from a failing file', async () => {
    const bad = `ts_code,trade_date,close
000001.SZ,20240102,11.5
000001.SZ,2024-13-01,11.6
000001.SZ,20240104,eleven
,20240105,1
000001.SZ,20240102,11.7
`;
    const results = await importCsvFiles({ market, pg: db.store }, 'daily_bars', [
      { name: 'bad.csv', text: bad },
      { name: 'short.csv', text: 'ts_code,close\n000001.SZ,1\n' },
      { name: 'ragged.csv', text: 'ts_code,trade_date,close\n000001.SZ,20240102\n' },
    ]);
    expect(results[0].ok).toBe(false);
    expect(results[0].errors).toEqual([
      'bad.csv:3: trade_date: "2024-13-01" is not a date; write YYYYMMDD',
      'bad.csv:4: close: "eleven" is not a number',
      'bad.csv:5: ts_code: is empty; it is required',
      'bad.csv:6: duplicate key ts_code+trade_date = 000001.SZ 20240102 (first on line 2)',
    ]);
    expect(results[1].errors[0]).toMatch(/^short\.csv:1: the header lacks trade_date/);
    expect(results[2].errors[0]).toMatch(/^ragged\.csv:2: /);
    // Line 2 of bad.csv was fine, yet nothing of the file was written.
    expect(await market.query(`select * from daily_bars where ts_code = '000001.SZ'`)).toEqual([]);
    const log = await db.store.db.selectFrom('sync_log').select(['endpoint', 'result', 'error']).where('endpoint', '=', 'bad.csv').executeTakeFirstOrThrow();
    expect(log.result).toBe('failed');
    expect(log.error).toContain('bad.csv:4: close');
  });
});
