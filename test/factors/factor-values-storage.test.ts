import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { duckMigrations } from '../../migrations/duckdb/index.ts';
import { readFactor, factorCoverage, readFactorMatrix } from '../../src/factors/factors.service.ts';
import { stockCode } from '../../src/factors/factors.repository.ts';
import { openMarketStore } from '../../src/market/duckdb.ts';

const dir = mkdtempSync(join(tmpdir(), 'zq-factor-storage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('factor values stored as numbers (migration 995)', () => {
  it('numbers a stock so the numbers sort as the ts_codes do, and refuses any other code', () => {
    const codes = ['000001.SZ', '000002.SH', '000002.SZ', '430047.BJ', '600000.SH', '688981.SH', '830799.BJ', '920002.BJ'];
    const sorted = [...codes].sort();
    expect([...codes.map(stockCode)].sort((a, b) => a - b)).toEqual(sorted.map(stockCode));
    // 600000 × 4 + 2 (SH): the rule written out.
    expect(stockCode('600000.SH')).toBe(2_400_002);
    for (const bad of ['600000.HK', '60000.SH', '600000.sh', 'AAPL', '']) expect(() => stockCode(bad), bad).toThrow(/not an A-share code/);
  });

  it('moves rows stored as strings to numbers, every value kept under its key, code and day', async () => {
    const path = join(dir, 'old.duckdb');
    const before = duckMigrations.filter((m) => m.id < '2026-12-06-995');
    expect(before.length).toBe(duckMigrations.length - 1);
    const old = await openMarketStore(path, before);
    await old.write(async (c) => {
      await c.run(`insert into factor_values values
        ('momentum_20', '600000.SH', 20260105, 0.5), ('momentum_20', '000001.SZ', 20260105, -0.25),
        ('momentum_20', '830799.BJ', 20260106, 1.5), ('u3v1', '600000.SH', 20260106, 42)`);
    });
    await old.close();

    const store = await openMarketStore(path);
    try {
      const m = await readFactor(store, 'momentum_20');
      // Ordered by code then day, as before the move.
      expect(m.codes).toEqual(['000001.SZ', '600000.SH', '830799.BJ']);
      expect(Array.from(m.dates)).toEqual([20260105, 20260105, 20260106]);
      expect(Array.from(m.values)).toEqual([-0.25, 0.5, 1.5]);
      expect((await readFactor(store, 'u3v1')).values[0]).toBe(42);
      expect(await factorCoverage(store, 'momentum_20')).toEqual({ rows: 3, first: 20260105, last: 20260106, codes: 3 });
      const matrix = await readFactorMatrix(store, 'momentum_20', { codes: ['600000.SH', '830799.BJ'], dates: [20260105, 20260106] });
      expect(Array.from(matrix)).toEqual([0.5, NaN, NaN, 1.5]);
      expect(await factorCoverage(store, 'never_stored')).toBeNull();
    } finally {
      await store.close();
    }
  });
});
