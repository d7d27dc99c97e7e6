import { afterEach, describe, expect, it } from 'vitest';
import { datasets } from '../../src/market/datasets.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { makeBatch, type Batch } from '../../src/market/store/batch.ts';
import { mergeBatch } from '../../src/market/store/merge.ts';

const opened: MarketStore[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

/** Bars of [code, date, close] (other values NaN). */
function bars(rows: [string, number, number][]): Batch {
  const b = makeBatch(datasets.daily_bars, rows.length);
  const close = datasets.daily_bars.columns.findIndex((c) => c.name === 'close');
  rows.forEach(([code, date, c], i) => {
    (b.columns[0] as string[])[i] = code;
    (b.columns[1] as Int32Array)[i] = date;
    (b.columns[close] as Float64Array)[i] = c;
  });
  return b;
}

const stored = (m: MarketStore) =>
  m.query(`select ts_code, trade_date, close from daily_bars order by trade_date, ts_code`).then((r) => r.map((x) => [x.ts_code, x.trade_date, x.close]));

describe('mergeBatch', () => {
  it('counts a first write into empty dates as all inserted, whatever the path (direct append or staged insert)', async () => {
    const m = await openMarketStore(':memory:');
    opened.push(m);
    // In date order: the direct append; out of order: staged, inserted in key order.
    const inOrder = bars([['600000.SH', 20240102, 10], ['000001.SZ', 20240102, 5], ['600000.SH', 20240103, 11]]);
    const outOfOrder = bars([['600000.SH', 20240105, 12], ['000001.SZ', 20240104, 6]]);
    expect(await m.write((c) => mergeBatch(c, inOrder, { from: 20240102, to: 20240103 }))).toEqual({ inserted: 3, updated: 0, unchanged: 0, deleted: 0 });
    expect(await m.write((c) => mergeBatch(c, outOfOrder, { from: 20240104, to: 20240105 }))).toEqual({ inserted: 2, updated: 0, unchanged: 0, deleted: 0 });
    expect(await stored(m)).toEqual([
      ['000001.SZ', 20240102, 5], ['600000.SH', 20240102, 10], ['600000.SH', 20240103, 11], ['000001.SZ', 20240104, 6], ['600000.SH', 20240105, 12],
    ]);
  });

  it('takes the full merge as soon as the scope holds a row: updated, unchanged, inserted and deleted exactly', async () => {
    const m = await openMarketStore(':memory:');
    opened.push(m);
    await m.write((c) => mergeBatch(c, bars([['600000.SH', 20240102, 10], ['000001.SZ', 20240102, 5]]), { from: 20240102, to: 20240102 }));
    // The batch itself only covers 01-03, but its scope reaches back to 01-02, where 000001.SZ is gone.
    const next = bars([['600000.SH', 20240102, 10.5], ['600000.SH', 20240103, 11]]);
    expect(await m.write((c) => mergeBatch(c, next, { from: 20240102, to: 20240103 }))).toEqual({ inserted: 1, updated: 1, unchanged: 0, deleted: 1 });
    expect(await m.write((c) => mergeBatch(c, next, { from: 20240102, to: 20240103 }))).toEqual({ inserted: 0, updated: 0, unchanged: 2, deleted: 0 });
    expect(await stored(m)).toEqual([['600000.SH', 20240102, 10.5], ['600000.SH', 20240103, 11]]);
  });

  it('never takes the fast path for a scope without date bounds (it deletes across the whole table)', async () => {
    const m = await openMarketStore(':memory:');
    opened.push(m);
    await m.write((c) => mergeBatch(c, bars([['600000.SH', 20240102, 10]]), null));
    // Nothing stored on 01-03, but the unbounded scope must still delete the 01-02 row.
    expect(await m.write((c) => mergeBatch(c, bars([['600000.SH', 20240103, 11]]), { codes: null }))).toEqual({ inserted: 1, updated: 0, unchanged: 0, deleted: 1 });
    expect(await stored(m)).toEqual([['600000.SH', 20240103, 11]]);
  });
});
