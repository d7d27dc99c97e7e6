// The warm-panel cache's defence in depth (issue 16): a panel sealed before user code sees it is
// checked after the run; a changed one is evicted, so the next run reloads it from DuckDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePanelCache, type PanelKey } from '../../src/backtests/panel-cache.ts';
import { makePanelGuard, panelChecksum } from '../../src/backtests/panel-guard.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { syntheticPanel } from '../engine/synthetic-panel.ts';

describe('panel checksum', () => {
  it('changes with one flipped bit in any array, including the byte tails of the flag arrays', () => {
    // 7 stocks × 9 days: the Uint8 flag arrays are 63 bytes long, so their last 3 bytes are a tail.
    const { panel } = syntheticPanel({ stocks: 7, days: 9, seed: 3, shared: true, fields: true });
    const before = panelChecksum(panel);
    expect(panelChecksum(panel)).toBe(before);
    const arrays = [panel.open, panel.close, panel.adjFactor, panel.downLimit, panel.suspended, panel.st, panel.dates, ...Object.values(panel.fields)];
    for (const a of arrays) {
      for (const at of [0, a.length - 1]) {
        const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        const byte = at * a.BYTES_PER_ELEMENT + (a.BYTES_PER_ELEMENT - 1);
        bytes[byte] ^= 1;
        expect(panelChecksum(panel)).not.toBe(before);
        bytes[byte] ^= 1;
        expect(panelChecksum(panel)).toBe(before);
      }
    }
  });

  it('the guard says intact until a sealed panel changes', () => {
    const { panel } = syntheticPanel({ stocks: 5, days: 20, seed: 4, shared: true });
    const guard = makePanelGuard();
    expect(guard.intact(panel)).toBe(true); // never sealed
    guard.seal(panel);
    expect(guard.intact(panel)).toBe(true);
    const at = panel.close.findIndex((x) => Number.isFinite(x) && x > 0); // NaN cells (not listed) stay NaN
    panel.close[at] *= 1.0001;
    expect(guard.intact(panel)).toBe(false);
  });
});

describe('panel cache: verify evicts an altered panel', () => {
  let market: MarketStore;
  beforeAll(async () => {
    market = await openMarketStore(':memory:');
    await seedDemoMarket(market, { seed: 7, stocks: 12, years: 1, end: 20261127 });
  });
  afterAll(() => market.close());

  it('serves the sealed panel warm while intact; after a write, verify fails, evicts, and the next get reloads the original', async () => {
    const cache = makePanelCache(market);
    const key: PanelKey = { codes: null, boards: null, excludeSt: false, start: 20260101, end: 20261127, fields: [], adjust: 'hfq' };
    const { panel } = await cache.get(key);
    const original = Float64Array.from(panel.close);
    cache.seal(panel);
    expect(cache.verify(panel)).toBe(true);
    expect((await cache.get(key)).panel).toBe(panel);
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1 });

    // What a breach would do: halve the prices of the shared arrays in place.
    for (let i = 0; i < panel.close.length; i++) panel.close[i] *= 0.5;
    expect(cache.verify(panel)).toBe(false);
    expect(cache.stats().entries).toBe(0);
    const reloaded = (await cache.get(key)).panel;
    expect(reloaded).not.toBe(panel);
    expect(cache.stats().misses).toBe(2);
    expect(Array.from(reloaded.close)).toEqual(Array.from(original));
  });
});
