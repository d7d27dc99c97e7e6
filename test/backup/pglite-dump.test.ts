import { mkdtemp, rm } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { backup } from '../../src/backup/backup.service.ts';
import { openPostgres, type PgStore } from '../../src/db/database.ts';
import { migratePostgres } from '../../src/db/migrate.ts';
import { openMarketStore, type MarketStore } from '../../src/market/duckdb.ts';
import { testPassword } from '../helpers/accounts.ts';

let scratch: string;
let pg: PgStore;
let market: MarketStore;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'zq-pglite-dump-'));
  pg = await openPostgres({ databaseUrl: null, pgliteDir: null });
  await migratePostgres(pg.db);
  market = await openMarketStore(join(scratch, 'market.duckdb'));
}, 60_000);
afterAll(async () => {
  await market?.close();
  await pg?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a backup of embedded PGlite', () => {
  it('keeps the event loop turning while it reads large results (PGlite runs each fetch on this thread)', async () => {
    // 60 finished backtests whose results are 0.8 MB of JSON each (a NAV series of 30,000 days): 47 MB in one table.
    const user = await createUser(pg.db, systemActor('test'), { username: 'dumper', role: 'analyst', password: testPassword });
    await sql`insert into backtests (owner_id, strategy_kind, strategy_name, config, start_date, end_date)
      select ${user.id}, 'builtin', 'dual_ma', '{}', 20200101, 20201231 from generate_series(1, 60)`.execute(pg.db);
    await sql`insert into backtest_results (backtest_id, metrics, series, fills, orders, trades, positions, extras)
      select b.id, '{}', s.series, '[]', '[]', '[]', '[]', '{}' from backtests b,
        (select jsonb_build_object('nav', jsonb_agg(random()), 'dates', jsonb_agg(g)) as series from generate_series(1, 30000) g) s`.execute(pg.db);

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const result = await backup({ pg, market, dataDir: scratch, secretKey: null }, join(scratch, 'big.tar'));
    delay.disable();
    expect(result.manifest.tables.postgres.backtest_results).toBe(60);
    // Fetched whole (as the dump first did: 64 rows to start), this table held the loop for over a second; in 1 MB batches a fetch is tens of ms.
    expect(delay.max / 1e6).toBeLessThan(400);
  }, 120_000);
});
