import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { duckMigrations } from '../../migrations/duckdb/index.ts';

const opened: MarketStore[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

describe('market store (DuckDB)', () => {
  it('applies its migrations once and records them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zq-duck-'));
    try {
      const path = join(dir, 'market.duckdb');
      const first = await openMarketStore(path);
      await first.close();
      const again = await openMarketStore(path);
      opened.push(again);
      const rows = await again.query('select id from schema_migrations order by id');
      expect(rows.map((r) => r.id)).toEqual(duckMigrations.map((m) => m.id));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rolls back a failed write whole and keeps serving writes after it', async () => {
    const store = await openMarketStore(':memory:');
    opened.push(store);
    await store.write((c) => c.run(`insert into market_meta (key, value) values ('a', '1')`));
    await expect(
      store.write(async (c) => {
        await c.run(`insert into market_meta (key, value) values ('b', '2')`);
        await c.run(`insert into market_meta (key, value) values ('a', 'duplicate key')`);
      }),
    ).rejects.toThrow(/constraint|duplicate/i);
    await store.write((c) => c.run(`insert into market_meta (key, value) values ('c', '3')`));
    const rows = await store.query('select key from market_meta order by key');
    expect(rows.map((r) => r.key)).toEqual(['a', 'c']);
  });

  it('serialises concurrent writers so batches never interleave', async () => {
    const store = await openMarketStore(':memory:');
    opened.push(store);
    await store.write((c) => c.run('create table log (batch int, i int)'));
    await Promise.all(
      [1, 2, 3].map((batch) =>
        store.write(async (c) => {
          for (let i = 0; i < 5; i++) {
            await c.run('insert into log values ($1, $2)', [batch, i]);
            await new Promise((r) => setImmediate(r));
          }
        }),
      ),
    );
    const rows = await store.query('select batch from log order by rowid');
    expect(rows.map((r) => r.batch)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
  });
});
