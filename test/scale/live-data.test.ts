/**
 * A single process's data version (no snapshot store): the market store's write generation, read in
 * one row. Every committed write makes a new version, a failed write or a read does not, and the
 * version survives closing and reopening the file (it is stored, not made up per process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePanelCache } from '../../src/backtests/panel-cache.ts';
import { marketGeneration, openMarketStore } from '../../src/market/duckdb.ts';
import { makeLiveData } from '../../src/snapshots/live-data.ts';
import { marketVersion } from '../../src/snapshots/publish.ts';

const dir = mkdtempSync(join(tmpdir(), 'zq-live-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the single process’s data version', () => {
  it('changes with every committed write, not with reads or failed writes, and survives a reopen', async () => {
    const path = join(dir, 'market.duckdb');
    let market = await openMarketStore(path);
    const live = () => makeLiveData(market, makePanelCache(market));
    const v0 = await live().current();
    expect(v0).toMatch(/^[0-9a-f]{16}$/);
    expect(await marketGeneration(market)).not.toBeNull();

    await market.query('select count(*) from daily_bars');
    expect(await live().current()).toBe(v0);

    await market.write((c) => c.run(`insert into adj_factors values ('600000.SH', 20260105, 1.5)`));
    const v1 = await live().current();
    expect(v1).not.toBe(v0);

    await expect(market.write(async (c) => {
      await c.run(`insert into adj_factors values ('600000.SH', 20260106, 1.5)`);
      throw new Error('rolled back on purpose');
    })).rejects.toThrow('rolled back on purpose');
    expect(await live().current()).toBe(v1);

    // The content fingerprint (the snapshot publisher's) does not see the generation: equal data, equal content version.
    const content = await marketVersion(market);
    await market.write((c) => c.run(`delete from adj_factors where trade_date = 20260105`));
    await market.write((c) => c.run(`insert into adj_factors values ('600000.SH', 20260105, 1.5)`));
    expect(await marketVersion(market)).toBe(content);
    const v2 = await live().current();
    expect(v2).not.toBe(v1);

    await market.close();
    market = await openMarketStore(path);
    expect(await live().current()).toBe(v2);
    await market.close();
  });
});
